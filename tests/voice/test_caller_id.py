"""Caller ID is not identity: a spoofed number is a stranger until a texted code comes back.

Twilio's `From` can be set by whoever places the call. Before this, a call "from" a member's
number skipped the language menu, read their discreet names ("Thursday social group", telling
the caller the member chose discretion) and could join them to a network.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
import yaml
from sqlalchemy import func, select

from service.contacts import operations as contacts
from service.contacts.models import Contact, Membership
from service.content.models import Network
from service.outbox.models import OutboundMessage
from service.verification.models import CallerCheck
from service.voice.flows import FLOWS_DIR, FlowError, parse_flow
from service.voice.prompts import PROMPTS
from tests.support import factories
from tests.support.sms import Handset
from tests.support.voice import Caller

MEMBER = "+447400222333"  # a member of LGBT+ who chose discretion and Polish
STRANGER = "+447400444555"  # never called or texted
STOPPED = "+447400666777"  # texted STOP once
DISCREET = "Thursday social group"  # the LGBT+ network's discreet name in the demo
VERIFY_MENU = "Your own groups are private."
MY_GROUPS = ("1", "7")  # English, then "your own groups"
CODE_PLEASE = (*MY_GROUPS, "1")  # and "text me a code"


@pytest.fixture(autouse=True)
def monday_morning() -> Iterator[dt.datetime]:
    """One still instant (10:00 next Monday) for every clock, so two calls hear the same news."""
    zone = ZoneInfo("Europe/London")
    today = dt.datetime.now(zone).replace(hour=10, minute=0, second=0, microsecond=0)
    at = (today + dt.timedelta(days=7 - today.weekday())).astimezone(dt.UTC)
    with time_machine.travel(at, tick=False):
        yield at


def _call(client, *keys: str) -> Caller:
    """A call from the member's number, with keys pressed in turn from the language menu on."""
    call = Caller(client, MEMBER)
    call.dial_in()
    for key in keys:
        call.press(key)
    return call


def _network(session, org, slug: str) -> Network:
    return session.scalar(
        select(Network).where(Network.organisation_id == org.id, Network.slug == slug)
    )


@pytest.fixture
def member(session, demo) -> Contact:
    """A discreet member of the LGBT+ network, whose phone is set to Polish."""
    contact = factories.create_contact(session, org=demo, phone=MEMBER, language="pl")
    contacts.join_network(
        session,
        contact,
        _network(session, demo, "lgbt"),
        channel="sms",
        consent_version=contacts.CONSENT_VERSION,
    )
    contacts.set_discreet(session, contact, True)
    stopped = factories.create_contact(session, org=demo, phone=STOPPED)
    contacts.opt_out(session, stopped)
    session.flush()
    return contact


def _texted_code(session, vault, org, number: str) -> str:
    """The code in the last code text to a number, as its phone would show it."""
    contact = contacts.find_contact(session, org.id, number)
    row = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.contact_id == contact.id, OutboundMessage.kind == "code")
        .order_by(OutboundMessage.id.desc())
    ).first()
    return re.search(r"\b(\d{6})\b", vault.decrypt(row.body_encrypted)).group(1)


def _not_the_code(session, vault, org, number: str) -> str:
    """A code that is certainly wrong for the number's last check (texted or not)."""
    contact = contacts.find_contact(session, org.id, number)
    check = session.scalars(
        select(CallerCheck)
        .where(CallerCheck.contact_id == contact.id)
        .order_by(CallerCheck.id.desc())
    ).first()
    return next(
        c
        for c in ("000000", "000001")
        if vault.blind_index(f"caller code {check.id} {c}") != check.code_hash
    )


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def _group_key(heard: str, name: str) -> str:
    return next(p.split(":")[0].strip()[-1] for p in heard.split(". ") if name in p)


def _walk(client, session, vault, org, number: str) -> list[str]:
    """The same key presses from one number: every answer exactly as Twilio got it."""
    call = Caller(client, number)
    call.dial_in()
    answers = [call.xml]

    def press(keys: str) -> None:
        call.press(keys)
        answers.append(call.xml)

    press("1")  # English
    press("1")  # the groups
    press(_group_key(call.spoken(), "LGBT+"))
    press("1")  # join: the consent wording
    press("1")  # agree: a text is sent, to be answered from the phone
    press("7")  # my groups
    press("1")  # text me a code
    press(_not_the_code(session, vault, org, number))
    press("0")
    return answers


def test_a_spoofed_members_number_gets_exactly_the_strangers_answers(
    client, session, vault, demo, member
) -> None:
    heard_by_stranger = _walk(client, session, vault, demo, STRANGER)
    heard_by_spoofer = _walk(client, session, vault, demo, MEMBER)
    heard_by_stopped = _walk(client, session, vault, demo, STOPPED)
    for step, (stranger, spoofed, stopped) in enumerate(
        zip(heard_by_stranger, heard_by_spoofer, heard_by_stopped, strict=True)
    ):
        assert spoofed == stranger, f"step {step} tells the caller this number is known"
        assert stopped == stranger, f"step {step} tells the caller this number texted STOP"
    assert all(DISCREET not in answer for answer in heard_by_spoofer)
    assert "For English, press 1." in heard_by_spoofer[0]  # no skipping the language menu
    # Nothing about the member changed: one membership, still discreet, still Polish.
    session.refresh(member)
    assert (member.language, member.discreet) == ("pl", True)
    assert contacts.member_network_ids(session, member) == [_network(session, demo, "lgbt").id]


def test_a_spoofer_cannot_hear_or_leave_the_members_groups(
    client, session, vault, demo, member
) -> None:
    call = _call(client, *MY_GROUPS)
    assert call.spoken().startswith(VERIFY_MENU)
    call.press("1")
    code = _texted_code(session, vault, demo, MEMBER)  # on the member's phone, not the caller's
    for _try in range(4):
        call.press(_wrong(code))
        assert call.spoken().startswith("That code is not right.")
    last_chance = call.gather().get("action")
    call.press(_wrong(code))
    assert call.spoken().startswith("Sorry, that code can no longer be used.")
    # Even the right code, on a sixth try, is refused: five tries is all a code gets.
    call.post(last_chance, Digits=code)
    assert call.spoken().startswith("Sorry, that code can no longer be used.")
    assert DISCREET not in call.spoken() and "Those are your groups." not in call.spoken()
    call.press("7")
    assert call.spoken().startswith(VERIFY_MENU)
    check = session.scalars(select(CallerCheck)).one()
    assert (check.attempts, check.verified_at) == (5, None)
    assert contacts.member_network_ids(session, member) == [_network(session, demo, "lgbt").id]


def test_the_genuine_member_passes_the_texted_code_and_hears_their_groups(
    client, session, vault, demo, member
) -> None:
    call = _call(client, *CODE_PLEASE)
    assert call.spoken().startswith("We have texted a code to the phone you are calling from.")
    text = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "code")).one()
    assert text.urgent  # quiet hours would hold it while the caller waits
    assert text.language == "pl"  # the phone's owner reads it, whoever is calling
    call.press(_texted_code(session, vault, demo, MEMBER))
    heard = call.spoken()
    assert heard.startswith(f"1: {DISCREET}.") and "Those are your groups." in heard
    call.press("1")
    assert call.spoken().startswith(f"{DISCREET}. To leave this group, press 1.")
    call.press("1")
    assert call.spoken().startswith(f"You have left {DISCREET}. You are not in any groups.")
    assert contacts.member_network_ids(session, member) == []
    call.press("7")  # proved once on this call: no second code
    assert call.spoken().startswith("You are not in any groups.")
    assert session.scalar(select(func.count()).select_from(CallerCheck)) == 1
    session.refresh(member)
    assert member.language == "en"  # chosen on this call, stored once it proved to be them


def test_a_checked_calls_menus_do_not_carry_over_to_another_call(
    client, session, vault, demo, member
) -> None:
    genuine = _call(client, *CODE_PLEASE)
    genuine.press(_texted_code(session, vault, demo, MEMBER))
    my_groups = genuine.gather().get("action")
    spoofed = Caller(client, MEMBER)  # another call, the same caller ID
    spoofed.post(my_groups, Digits="1")
    assert spoofed.spoken().startswith(VERIFY_MENU) and DISCREET not in spoofed.spoken()
    assert contacts.member_network_ids(session, member) == [_network(session, demo, "lgbt").id]


def test_a_join_from_the_phone_waits_for_the_phones_owner_to_reply(
    client, session, vault, demo, member
) -> None:
    careers = _network(session, demo, "careers")
    call = _call(client, "1", "1")
    call.press(_group_key(call.spoken(), "Careers Network"))
    call.press("1")
    assert call.spoken().startswith("We have sent a text to the phone you are calling from.")
    assert careers.id not in contacts.member_network_ids(session, member)
    question = vault.decrypt(
        session.scalars(select(OutboundMessage).where(OutboundMessage.contact_id == member.id))
        .one()
        .body_encrypted
    )
    assert "Grupa Kariery" in question  # in the phone owner's Polish, not the caller's English
    number = re.search(r"TAK (\d{4})", question).group(1)
    assert number not in call.spoken()  # whoever is on the line never hears the reply number
    # The phone's owner, not the caller, decides: only their reply with the number joins.
    Handset(client, MEMBER).last("TAK")
    assert careers.id not in contacts.member_network_ids(session, member)
    Handset(client, MEMBER).last(f"TAK {number}")
    assert careers.id in contacts.member_network_ids(session, member)
    membership = session.scalar(
        select(Membership).where(
            Membership.contact_id == member.id, Membership.network_id == careers.id
        )
    )
    assert membership.channel == "voice"


def test_codes_to_one_number_are_limited_to_three_an_hour(client, session, demo, member) -> None:
    for _attempt in range(3):
        call = _call(client, *CODE_PLEASE)
        assert call.spoken().startswith("We have texted a code")
    call = _call(client, *CODE_PLEASE)
    assert call.spoken().startswith("We cannot send another text to this phone just now.")
    assert session.scalar(select(func.count()).where(OutboundMessage.kind == "code")) == 3


def test_a_flow_cannot_reach_a_callers_groups_without_the_check() -> None:
    data = yaml.safe_load((FLOWS_DIR / "main.yaml").read_text(encoding="utf-8"))
    # Every key of the main menu is taken: point one of them straight at the caller's groups.
    more = next(o for o in data["nodes"]["main"]["options"] if o["key"] == "8")
    more["goto"] = "my_groups"
    with pytest.raises(FlowError, match="is reachable without verify_caller"):
        parse_flow(data, "main.yaml", PROMPTS)


def test_text_me_the_details_reaches_one_number_at_most_three_times_an_hour(
    client, session, demo, member
) -> None:
    """Any caller ID can ask for a text: a spoofer must not be able to pump texts to a number."""
    heard = []
    for _attempt in range(4):
        # English, this week's events, the first one, text me the details.
        call = _call(client, "1", "2", "1", "1")
        heard.append(call.spoken())
    assert all(h.startswith("We have sent the details by text.") for h in heard[:3])
    assert heard[3].startswith("We cannot send another text to this phone just now.")
    assert session.scalar(select(func.count()).where(OutboundMessage.kind == "self")) == 3
