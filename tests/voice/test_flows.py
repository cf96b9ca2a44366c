"""Voice flows are data: every file loads, bad files are refused by name, every path returns."""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from service.voice.flows import FLOWS_DIR, Flow, FlowError, load_all, load_flow, parse_flow
from service.voice.prompts import PROMPTS
from tests.support.fuzz import examples


def _reachable(flow: Flow) -> set[str]:
    seen, todo = {flow.start}, deque([flow.start])
    while todo:
        for target in flow.node(todo.popleft()).targets():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _way_back(flow: Flow, name: str) -> bool:
    """Following 0 (back) reaches the start, or a home menu where 0 reads the menu again."""
    roots = {flow.start}
    seen = set()
    while name not in roots and flow.node(name).back != name:
        if name in seen or flow.node(name).back is None:
            return False
        seen.add(name)
        name = flow.node(name).back
    return True


def _way_out(flow: Flow, name: str) -> bool:
    """Some path from this node reaches a goodbye."""
    seen, todo = {name}, deque([name])
    while todo:
        node = flow.node(todo.popleft())
        if node.action == "goodbye":
            return True
        for target in node.targets():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return False


def test_every_flow_file_loads() -> None:
    flows = load_all(PROMPTS)
    assert "main" in flows
    assert len(flows) == len(list(FLOWS_DIR.glob("*.yaml")))


@pytest.mark.parametrize("path", sorted(FLOWS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_reachable_node_has_a_way_back_and_a_way_out(path: Path) -> None:
    flow = load_flow(path, PROMPTS)
    reachable = _reachable(flow)
    assert reachable == set(flow.nodes), f"unreachable: {set(flow.nodes) - reachable}"
    for name in reachable:
        if flow.node(name).action != "goodbye":
            assert _way_back(flow, name), f"{path.name}: {name} has no way back"
        assert _way_out(flow, name), f"{path.name}: {name} has no way out"


def _main() -> dict:
    return yaml.safe_load((FLOWS_DIR / "main.yaml").read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), "main.yaml: unknown keys extra"),
        (lambda d: d.update(spec_version=2), "spec_version must be 1"),
        (lambda d: d["nodes"]["main"].update(colour="red"), "node 'main': unknown keys colour"),
        (
            lambda d: d["nodes"]["main"].update(prompt="no_such"),
            "node 'main': prompt 'no_such' is missing",
        ),
        (
            lambda d: d["nodes"]["network"].update(back="nowhere"),
            "node 'network': target 'nowhere'",
        ),
        (lambda d: d["nodes"]["main"]["options"][0].update(key="0"), "key '0' is reserved"),
        (lambda d: d["nodes"]["main"]["options"][2].update(key="1"), "a key is used twice"),
        # An option offered under a condition may share a key with one that is not, only.
        (
            lambda d: d["nodes"]["main"]["options"].append(d["nodes"]["main"]["options"][0]),
            "a key is used twice",
        ),
        (
            lambda d: d["nodes"]["main"]["options"][0].update(when="raining"),
            "option 7: unknown condition 'raining'",
        ),
        (
            lambda d: d["nodes"]["main"]["options"][0].pop("when"),
            "option 7: prompt needs a when",
        ),
        (lambda d: d["nodes"]["events"].pop("back"), "node 'events': needs back"),
        (lambda d: d["nodes"]["event"].update(action="dance"), "unknown action 'dance'"),
        (lambda d: d["nodes"]["main"]["options"][0].update(say={"xx": ["x"]}), "language codes"),
        # A bare yes in YAML is True: the caller saying "yes" would never be heard.
        (
            lambda d: d["nodes"]["speakup"]["options"][0].update(say={"en": ["record", True]}),
            "phrases must be text",
        ),
        (lambda d: d.update(start="nowhere"), "start 'nowhere' is not a node"),
    ],
)
def test_bad_flows_are_refused_naming_file_and_node(change, message: str) -> None:
    data = _main()
    change(data)
    with pytest.raises(FlowError, match=message):
        parse_flow(data, "main.yaml", PROMPTS)


def test_unreadable_yaml_is_refused(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("nodes: [unclosed")
    with pytest.raises(FlowError, match=r"broken\.yaml: cannot be read"):
        load_flow(broken, PROMPTS)


node_names = st.sampled_from(["a", "b", "c", "main", "x"])


@settings(max_examples=examples(200), deadline=None)
@given(
    st.dictionaries(
        node_names,
        st.fixed_dictionaries(
            {},
            optional={
                "prompt": st.sampled_from([*PROMPTS, "nope"]),
                "action": st.sampled_from(["goodbye", "list_events", "fly"]),
                "back": node_names,
                "next": node_names,
                "options": st.lists(
                    st.fixed_dictionaries(
                        {"key": st.sampled_from(list("0123#*")), "goto": node_names}
                    ),
                    max_size=3,
                ),
            },
        ),
        max_size=4,
    ),
    node_names,
)
def test_generated_flows_load_or_fail_with_a_located_message(nodes, start) -> None:
    data = {"spec_version": 1, "start": start, "nodes": nodes}
    try:
        flow = parse_flow(data, "generated.yaml", PROMPTS)
    except FlowError as exc:
        assert str(exc).startswith("generated.yaml: ")
        return
    for node in flow.nodes.values():
        assert all(t in flow.nodes for t in node.targets())
