"""The consent question for a sensitive network says the whole warning, in every language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from service import languages
from service.content import queries
from service.messaging.replies import CONSENT_SEGMENTS, CUT
from service.messaging.segments import count
from service.messaging.vocabulary import COMMANDS, LANGUAGE_NAMES
from tests.support.sms import WARNING, Handset

LOCALES = Path(__file__).resolve().parents[2] / "locales"
CONSENT_IDS = (
    "%(name)s: being a member can show something personal about you. We keep your number "
    "(encrypted) and that you joined. Only the organisers see it, never your manager. Leave "
    "any time: %(leave)s. Reply %(yes)s to join.",
    "%(name)s: membership can show something personal. We keep your number (encrypted); "
    "only organisers see it. Leave: %(leave)s. Join? Reply %(yes)s.",
)


@pytest.mark.parametrize("code", [c for c in languages.CODES if c != "en"])
def test_every_catalog_keeps_the_warning_in_every_version(code: str) -> None:
    with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    for msgid in CONSENT_IDS:
        assert WARNING["en"] in msgid
        assert WARNING[code] in catalog.get(msgid).string, f"{code}: {msgid[:40]}"


@pytest.mark.parametrize("code", languages.CODES)
def test_joining_a_sensitive_network_warns_in_full_in_three_segments(
    client, demo, session, code: str
) -> None:
    handset = Handset(client, f"+44740060{languages.CODES.index(code):04d}")
    handset.send(LANGUAGE_NAMES[code][0])
    sensitive = [n for n in queries.networks(session, demo.id, code) if n.sensitive]
    assert len(sensitive) >= 4
    for network in sensitive:
        question = handset.last(f"{COMMANDS['join']['en'][0]} {network.typeable_keyword()}")
        assert WARNING[code] in question, f"{code} {network.name}: {question}"
        assert count(question).segments <= CONSENT_SEGMENTS, f"{code}: {question}"
        assert not question.endswith(CUT), f"{code}: cut short: {question}"
        handset.send(COMMANDS["no"]["en"][0])
