"""Load and check voice flows: ivr_flows/*.yaml, a versioned graph of menu nodes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from service import languages
from service.commands import registry

# The installed ivr_flows package: flows ship as its data, whatever folder the service runs in.
FLOWS_DIR = Path(str(resources.files("ivr_flows")))
SPEC_VERSION = 1
# Keys a caller presses that every menu reserves: 0 goes back, * repeats.
RESERVED_KEYS = frozenset({"0", "*"})
DIGITS = frozenset("123456789#")
# What a node may do besides reading its menu: the voice steps of the command registry, each
# with its handler in the voice engine (service/voice/line.py).
ACTIONS = frozenset(registry.VOICE_ACTIONS)
# Actions that read or change the caller's own memberships: caller ID can be spoofed, so a
# flow using any of them needs a verify_caller node, which each of them falls back to.
MEMBER_ACTIONS = registry.PROVED_CALLER_ACTIONS
_TOP_KEYS = frozenset({"spec_version", "start", "nodes"})
_NODE_KEYS = frozenset({"prompt", "action", "options", "pick", "back", "next"})
_OPTION_KEYS = frozenset({"key", "goto", "say", "when", "prompt"})
# What an option's `when` may name: it is offered (its prompt read, its key and words taken,
# ahead of an option without `when` on the same key) only while this holds for the call.
CONDITIONS = frozenset({"survey_open"})


class FlowError(Exception):
    """A flow file that cannot be used; the message names the file and the node."""


@dataclass(frozen=True)
class Option:
    """One choice in a menu: a key, the words that mean it per language, and where it goes."""

    key: str
    goto: str
    say: Mapping[str, tuple[str, ...]]
    when: str | None = None  # a condition (CONDITIONS) the option is offered only under
    prompt: str | None = None  # read before the menu's own prompt while it is offered


@dataclass(frozen=True)
class Node:
    """One step of a call."""

    name: str
    prompt: str | None
    action: str | None
    options: tuple[Option, ...]
    pick: str | None
    back: str | None
    next: str | None

    def targets(self) -> list[str]:
        """Every node this one can lead to."""
        found = [o.goto for o in self.options]
        found += [t for t in (self.pick, self.back, self.next) if t]
        return found


@dataclass(frozen=True)
class Flow:
    """A whole voice line: its nodes and where a call starts."""

    name: str
    start: str
    nodes: Mapping[str, Node]

    def node(self, name: str) -> Node:
        """The node with that name."""
        return self.nodes[name]


def load_flow(path: Path, prompts: Mapping[str, object]) -> Flow:
    """Read and check one flow file against the known prompt ids; FlowError when it is wrong."""
    where = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise FlowError(f"{where}: cannot be read: {exc}") from exc
    return parse_flow(data, where, prompts)


def parse_flow(data: Any, where: str, prompts: Mapping[str, object]) -> Flow:
    """Check already-parsed YAML; `where` names it in error messages."""
    if not isinstance(data, dict):
        raise FlowError(f"{where}: the file must be a mapping with spec_version, start, nodes")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise FlowError(f"{where}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    if data.get("spec_version") != SPEC_VERSION:
        raise FlowError(f"{where}: spec_version must be {SPEC_VERSION}")
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, dict) or not raw_nodes:
        raise FlowError(f"{where}: nodes must be a non-empty mapping")
    nodes = {str(name): _node(str(name), raw, where, prompts) for name, raw in raw_nodes.items()}
    start = data.get("start")
    if not isinstance(start, str) or start not in nodes:
        raise FlowError(f"{where}: start {start!r} is not a node")
    for node in nodes.values():
        for target in node.targets():
            if target not in nodes:
                raise FlowError(f"{where}: node {node.name!r}: target {target!r} is not a node")
        if node.name != start and node.back is None and node.action != "goodbye":
            raise FlowError(f"{where}: node {node.name!r}: needs back (where 0 goes)")
    actions = {n.action for n in nodes.values()}
    if actions & MEMBER_ACTIONS and "verify_caller" not in actions:
        raise FlowError(f"{where}: a caller's own groups need a verify_caller node before them")
    unchecked = _reachable_without_check(nodes, start) & {
        n.name for n in nodes.values() if n.action in MEMBER_ACTIONS
    }
    if unchecked:
        raise FlowError(
            f"{where}: node {sorted(unchecked)[0]!r} is reachable without verify_caller"
        )
    return Flow(name=where, start=str(start), nodes=nodes)


def _reachable_without_check(nodes: Mapping[str, Node], start: str) -> set[str]:
    """Nodes a call can reach from the start without passing a verify_caller node's `next`."""
    seen, todo = set(), [start]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        node = nodes[name]
        targets = node.targets()
        if node.action in {"verify_caller", "send_caller_code"} and node.next:
            targets.remove(node.next)  # the only way on is a code that came back
        todo.extend(targets)
    return seen


def _node(name: str, raw: Any, where: str, prompts: Mapping[str, object]) -> Node:
    at = f"{where}: node {name!r}"
    if not isinstance(raw, dict):
        raise FlowError(f"{at}: must be a mapping")
    unknown = set(raw) - _NODE_KEYS
    if unknown:
        raise FlowError(f"{at}: unknown keys {', '.join(sorted(map(str, unknown)))}")
    prompt, action = raw.get("prompt"), raw.get("action")
    if prompt is None and action is None:
        raise FlowError(f"{at}: needs a prompt or an action")
    # Checked first: a list here would fail the catalogue lookups below with a TypeError.
    for field, value in (("prompt", prompt), ("action", action)):
        if value is not None and not isinstance(value, str):
            raise FlowError(f"{at}: {field} must be a name")
    if prompt is not None and prompt not in prompts:
        raise FlowError(f"{at}: prompt {prompt!r} is missing from the prompt catalogue")
    if action is not None and action not in ACTIONS:
        raise FlowError(
            f"{at}: unknown action {action!r}: not a voice step of any command in "
            f"service/commands/registry.py (known: {', '.join(sorted(ACTIONS))})"
        )
    raw_options = raw.get("options") or []
    if not isinstance(raw_options, list):
        raise FlowError(f"{at}: options must be a list")
    options = tuple(_option(o, at, prompts) for o in raw_options)
    # A key may be taken twice only by an option offered under a condition, which then wins.
    keys = [(o.key, o.when) for o in options]
    if len(keys) != len(set(keys)):
        raise FlowError(f"{at}: a key is used twice")
    for target_key in ("pick", "back", "next"):
        value = raw.get(target_key)
        if value is not None and not isinstance(value, str):
            raise FlowError(f"{at}: {target_key} must name a node")
    return Node(
        name=name,
        prompt=prompt,
        action=action,
        options=options,
        pick=raw.get("pick"),
        back=raw.get("back"),
        next=raw.get("next"),
    )


def _option(raw: Any, at: str, prompts: Mapping[str, object]) -> Option:
    if not isinstance(raw, dict):
        raise FlowError(f"{at}: each option must be a mapping")
    unknown = set(raw) - _OPTION_KEYS
    if unknown:
        raise FlowError(f"{at}: option has unknown keys {', '.join(sorted(map(str, unknown)))}")
    key = str(raw.get("key", ""))
    if key in RESERVED_KEYS:
        raise FlowError(f"{at}: key {key!r} is reserved (0 goes back, * repeats)")
    if key not in DIGITS:
        raise FlowError(f"{at}: key {key!r} must be one of 1-9 or #")
    goto = raw.get("goto")
    if not isinstance(goto, str):
        raise FlowError(f"{at}: option {key} needs goto")
    say = raw.get("say") or {}
    if not isinstance(say, dict) or any(not languages.is_supported(str(k)) for k in say):
        raise FlowError(f"{at}: option {key}: say must map language codes to phrases")
    if any(not isinstance(v, list | None) for v in say.values()):
        raise FlowError(f"{at}: option {key}: say must give each language a list of phrases")
    # YAML reads a bare yes, no, on or off as a boolean: "yes" heard as the text "True".
    if any(not isinstance(p, str) for v in say.values() for p in v or ()):
        raise FlowError(f"{at}: option {key}: say's phrases must be text (quote yes and no)")
    when, prompt = raw.get("when"), raw.get("prompt")
    if when is not None and when not in CONDITIONS:
        raise FlowError(f"{at}: option {key}: unknown condition {when!r}")
    if prompt is not None and (when is None or prompt not in prompts):
        raise FlowError(f"{at}: option {key}: prompt needs a when and a catalogued prompt id")
    return Option(
        key=key,
        goto=goto,
        say={str(k): tuple(str(p) for p in (v or ())) for k, v in say.items()},
        when=when,
        prompt=prompt,
    )


def load_all(prompts: Mapping[str, object], directory: Path = FLOWS_DIR) -> dict[str, Flow]:
    """Every flow in the directory, by file stem; the first bad file stops the load."""
    return {path.stem: load_flow(path, prompts) for path in sorted(directory.glob("*.yaml"))}
