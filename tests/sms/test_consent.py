"""The consent question for a sensitive network says the whole warning, in every language.

The whole warning is four things: being a member can show something personal, what is kept
(the number, encrypted), that only the organisers see it, and that one can leave at any time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from service import languages
from service.content import queries
from service.messaging.replies import ASKED_CONSENT_SEGMENTS, CONSENT_SEGMENTS, CUT, word
from service.messaging.segments import count
from service.messaging.vocabulary import COMMANDS, LANGUAGE_NAMES
from service.verification import messages
from tests.support.sms import WARNING, Handset

LOCALES = Path(__file__).resolve().parents[2] / "locales"
CONSENT_IDS = (
    "%(name)s: being a member can show something personal about you. We keep your number "
    "(encrypted) and that you joined. Only the organisers see it, never your manager. Leave "
    "any time: %(leave)s. Reply %(yes)s to join.",
    "%(name)s: membership can show something personal. We keep your number (encrypted); "
    "only organisers see it. Leave: %(leave)s. Join? Reply %(yes)s.",
)

# A join asked for at a kiosk or on the phone is confirmed by a text to the number given, whose
# owner may never have seen the warning: the text says it again (service/verification/messages).
ASKED_IDS = tuple(
    f"You asked {where} to join %(name)s. Being a member can show something personal about "
    "you. We keep your number (encrypted) and that you joined. Only the organisers see it, "
    "never your manager. You can leave at any time. Reply %(yes)s to join. If it was not you, "
    "ignore this text."
    for where in ("at the kiosk", "on the phone")
)
# Read out on the phone line and shown on the kiosk's and public page's consent step.
SAID_ID = (
    "Being a member of %(name)s can show something personal about you. We keep your phone "
    "number, encrypted, and that you joined. Only the organisers see it. You can leave at any "
    "time."
)
# The rest of the warning in each language's words: what is kept, who sees it, leaving.
ENCRYPTED = {
    "en": "encrypted",
    "pl": "szyfrowan",
    "ro": "criptat",
    "ur": "خفیہ کردہ",
    "pa": "ਇਨਕ੍ਰਿਪਟ",
    "gu": "એન્ક્રિપ્ટ",
    "so": "la sireeyay",
}
ORGANISERS = {
    "en": "organisers",
    "pl": "organizatorzy",
    "ro": "organizatorii",
    "ur": "منتظمین",
    "pa": "ਪ੍ਰਬੰਧਕ",
    "gu": "આયોજકો",
    "so": "qabanqaabiyeyaasha",
}
ANY_TIME = {
    "en": "any time",
    "pl": "w każdej chwili",
    "ro": "oricând",
    "ur": "جب چاہیں",
    "pa": "ਕਿਸੇ ਵੀ ਵੇਲੇ",
    "gu": "ગમે ત્યારે",
    "so": "goor kasta",
}


def whole_warning(code: str, text: str, *, leave: str | None = None) -> list[str]:
    """The parts of the warning a text in that language leaves out (none, if it is whole)."""
    parts = {
        "something personal": WARNING[code],
        "what is kept": ENCRYPTED[code],
        "only the organisers": ORGANISERS[code],
    }
    missing = [part for part, marker in parts.items() if marker.lower() not in text.lower()]
    # Leaving: the words to text (the SMS question), or that it can be done at any time.
    if ANY_TIME[code] not in text and (leave is None or leave not in text):
        missing.append("leaving")
    return missing


@pytest.mark.parametrize("code", languages.CODES)
def test_every_consent_text_in_every_catalog_says_the_whole_warning(code: str) -> None:
    catalog = None
    if code != "en":
        with (LOCALES / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalog = read_po(handle)
    for msgid in (*CONSENT_IDS, *ASKED_IDS, SAID_ID):
        text = catalog.get(msgid).string if catalog else msgid
        assert text, f"{code}: untranslated: {msgid[:40]}"
        missing = whole_warning(code, text, leave="%(leave)s")
        assert not missing, f"{code}: {msgid[:40]} leaves out {missing}: {text}"


@pytest.mark.parametrize("code", languages.CODES)
@pytest.mark.parametrize("channel", ["kiosk", "voice"])
def test_a_private_group_asked_for_elsewhere_is_confirmed_with_the_whole_warning(
    app, demo, session, code: str, channel: str
) -> None:
    # Whoever holds the phone says YES to this text, and that YES is the consent: they may not
    # be who heard the warning on the call (caller ID proves nothing) or read it at the kiosk.
    sensitive = [n for n in queries.networks(session, demo.id, code) if n.sensitive]
    assert len(sensitive) >= 4
    yes = f"{word('yes', code)} 4821"
    for network in sensitive:
        question = messages.reply_to_join(network, code, yes, channel)
        assert not whole_warning(code, question), f"{code} {channel}: {question}"
        assert network.discreet_name in question and network.name not in question
        assert yes in question and not question.endswith(CUT), f"{code}: cut: {question}"
        assert count(question).segments <= ASKED_CONSENT_SEGMENTS, f"{code}: {question}"
    # An open group's confirmation stays as short as before.
    open_group = next(n for n in queries.networks(session, demo.id, code) if not n.sensitive)
    assert not is_consent(code, messages.reply_to_join(open_group, code, yes, channel))


def is_consent(code: str, text: str) -> bool:
    return WARNING[code] in text


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


def test_a_yes_writes_the_membership_its_consent_its_tally_and_discretion_once(
    client, session, demo
) -> None:
    """A YES's writes, whichever way they are made (on PostgreSQL, one statement at the end)."""
    from sqlalchemy import func, select

    from service.contacts.models import Contact, Membership
    from service.contacts.operations import CONSENT_VERSION, find_contact
    from service.content.models import Network
    from service.reach.models import ReachMembers, ReachTally

    def joins() -> int:
        return session.scalar(
            select(func.coalesce(func.sum(ReachTally.count), 0)).where(
                ReachTally.organisation_id == demo.id,
                ReachTally.measure == "join",
                ReachTally.channel == "sms",
                ReachTally.network_id == minds,
            )
        )

    minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
    handset = Handset(client, "+447400555301")
    handset.send("HELLO")
    handset.send("JOIN MINDS")
    before = joins()
    assert "Minds Matter" not in handset.last("YES")
    session.expire_all()
    contact = find_contact(session, demo.id, "+447400555301")
    membership = session.scalars(
        select(Membership).where(Membership.contact_id == contact.id)
    ).one()
    assert (membership.network_id, membership.channel) == (minds, "sms")
    assert (membership.consent_version, membership.consent_channel) == (CONSENT_VERSION, "sms")
    assert membership.consent_at == membership.joined_at
    assert contact.discreet is True and contact.network_count == 1
    assert joins() == before + 1
    members = select(func.sum(ReachMembers.count)).where(ReachMembers.network_id == minds)
    counted = session.scalar(members)
    # Asked again and confirmed again: already a member, nothing more counted.
    handset.send("JOIN MINDS")
    assert "Minds Matter" not in handset.last("YES")
    session.expire_all()
    assert joins() == before + 1 and session.scalar(members) == counted
    assert session.get(Contact, contact.id).network_count == 1
