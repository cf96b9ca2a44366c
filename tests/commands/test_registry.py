"""The command registry: every text and every flow action reaches a command declared once."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.commands.registry import (
    COMMANDS,
    CONVERSATION_KINDS,
    SMS_KINDS,
    VOICE_ACTIONS,
    Channel,
    Command,
    RegistryError,
    check_handlers,
)
from service.keywords import parse
from service.messaging.vocabulary import COMMANDS as WORDS
from service.messaging.vocabulary import SPEAK_UP
from service.sms.conversation import HANDLERS
from service.voice.flows import FLOWS_DIR, FlowError, load_all, load_flow
from service.voice.line import Line
from service.voice.prompts import PROMPTS

NETWORKS = {"CARERS", "MINDS"}
# Kinds the parser makes without a command word of their own, each with a text that gives it.
PARSER_KINDS = {
    "opt_out": "STOP",
    "opt_in": "START",
    "crisis": "I want to kill myself",
    "empty": "   ",
    "pick": "2",
    "about": "CARERS",
    "unknown": "the bins were late today",
    "leave_all": "LEAVE ALL",
}
# Kinds the conversation gives itself before the parser's kind counts: a survey's own keyword
# (the organisation's, like a network's) and every text while a survey is being answered.
CONVERSATION_OWN = {"survey"}


def test_every_kind_of_text_the_parser_gives_reaches_a_command() -> None:
    given = {kind: parse(text, NETWORKS).kind for kind, text in PARSER_KINDS.items()}
    assert given == {kind: kind for kind in PARSER_KINDS}
    # Every command word in the vocabulary is a kind too: a new word needs its command here.
    assert set(WORDS) | set(PARSER_KINDS) | CONVERSATION_OWN == set(CONVERSATION_KINDS)
    # SPEAKUP and CASE are read before the parser, with the speak-up vocabulary.
    assert set(SMS_KINDS) - set(CONVERSATION_KINDS) == set(SPEAK_UP)


def test_the_channels_dispatch_through_tables_that_match_the_registry() -> None:
    assert set(HANDLERS) == set(CONVERSATION_KINDS)
    assert set(Line.ACTIONS) == set(VOICE_ACTIONS)


def test_a_handler_table_that_misses_or_adds_a_step_is_refused() -> None:
    without_join = {k: v for k, v in HANDLERS.items() if k != "join"}
    with pytest.raises(RegistryError, match=r"sms handlers .* no handler for join;"):
        check_handlers(Channel.SMS, without_join)
    with pytest.raises(RegistryError, match=r"voice handlers .* not in the registry: fly"):
        check_handlers(Channel.VOICE, {**Line.ACTIONS, "fly": Line.ACTIONS["goodbye"]})


def test_commands_on_both_channels() -> None:
    both = {c for c, spec in COMMANDS.items() if spec.sms and spec.voice}
    assert both == {
        Command.NETWORKS,
        Command.ABOUT,
        Command.JOIN,
        Command.LEAVE,
        Command.EVENTS,
        Command.SUPPORT,
        Command.SPEAK_UP,
        Command.SURVEY,
        Command.LANGUAGE,
    }


def test_what_both_channels_do_is_done_by_the_core() -> None:
    for command, spec in COMMANDS.items():
        if spec.sms and spec.voice:
            assert spec.core, command
            assert all(op.__module__.split(".")[1] not in {"sms", "voice"} for op in spec.core)


def test_the_shipped_line_uses_every_voice_step() -> None:
    used = {node.action for node in load_all(PROMPTS)["main"].nodes.values()}
    assert used - {None} == set(VOICE_ACTIONS)


def test_a_flow_naming_an_unknown_action_does_not_load(tmp_path: Path) -> None:
    text = (FLOWS_DIR / "main.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "main.yaml"
    bad.write_text(text.replace("action: text_event", "action: text_evnet"), encoding="utf-8")
    with pytest.raises(FlowError) as refused:
        load_flow(bad, PROMPTS)
    message = str(refused.value)
    assert message.startswith("main.yaml: node 'event_texted': unknown action 'text_evnet'")
    assert "service/commands/registry.py" in message
    with pytest.raises(FlowError, match="text_evnet"):
        load_all(PROMPTS, tmp_path)


def test_a_new_command_word_without_its_command_stops_the_start(monkeypatch) -> None:
    from service.commands import registry
    from service.messaging import vocabulary

    monkeypatch.setitem(vocabulary.COMMANDS, "dance", {"en": ("DANCE",)})
    with pytest.raises(RegistryError, match=r"vocabulary\.py for dance reach no command"):
        registry._check_vocabulary()
