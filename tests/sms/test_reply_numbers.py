"""Every "Reply YES" question carries a one-off number; YES with it works in every language."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from service import languages
from service.contacts.models import Membership
from service.contacts.operations import find_contact
from service.keywords import parse
from service.messaging.replies import word
from service.messaging.vocabulary import COMMANDS, LANGUAGE_NAMES
from tests.support.sms import Handset

# The digits each language's people may type: Urdu's Extended Arabic-Indic, Gurmukhi, Gujarati.
ZERO = {"ur": 0x06F0, "pa": 0x0A66, "gu": 0x0AE6}


def native(number: str, code: str) -> str:
    """number written in the language's own digits, where it has them."""
    zero = ZERO.get(code)
    return number if zero is None else "".join(chr(zero + int(d)) for d in number)


@pytest.fixture
def config(config):
    """Every YES word of a language is tried: lift the per-number limit for it."""
    return config.replace(SMS_RATE_LIMIT=1000)


def test_yes_and_four_digits_is_a_reply_number_but_yes_and_a_list_position_is_going():
    assert (parse("YES 4821", ()).kind, parse("YES 4821", ()).number) == ("yes", 4821)
    assert (parse("yes 2", ()).kind, parse("yes 2", ()).number) == ("going", 2)
    assert (parse("ہاں ۴۸۲۱", ()).kind, parse("ہاں ۴۸۲۱", ()).number) == ("yes", 4821)
    assert (parse("JI HAAN ٤٨٢١", ()).kind, parse("JI HAAN ٤٨٢١", ()).number) == ("yes", 4821)
    assert (parse("ਹਾਂ ੪੮੨੧", ()).kind, parse("ਹਾਂ ੪੮੨੧", ()).number) == ("yes", 4821)
    assert (parse("હા ૪૮૨૧", ()).kind, parse("હા ૪૮૨૧", ()).number) == ("yes", 4821)
    assert parse("٣", ()).number == 3  # a list position in Arabic-Indic digits


@pytest.mark.parametrize("code", languages.CODES)
def test_each_yes_word_with_the_number_in_native_digits_confirms(client, demo, session, code):
    handset = Handset(client, f"+44740040{languages.CODES.index(code):04d}")
    handset.send(LANGUAGE_NAMES[code][0])
    contact = find_contact(session, demo.id, handset.number)
    for yes in COMMANDS["yes"][code]:
        question = handset.last("JOIN MINDS")
        shown = re.search(re.escape(word("yes", code)) + r" ([1-9]\d{3})\b", question)
        assert shown, f"{code}: no YES and number in {question!r}"
        number = shown.group(1)
        wrong = "1000" if number != "1000" else "1001"
        handset.last(f"{yes} {native(wrong, code)}")
        assert not _member(session, contact.id), f"{code}: {yes} {wrong} joined"
        handset.last("JOIN MINDS")
        number = re.search(r"\b([1-9]\d{3})\b", handset.last("JOIN MINDS")).group(1)
        handset.last(f"{yes} {native(number, code)}")
        assert _member(session, contact.id), f"{code}: {yes} {native(number, code)} did not join"
        handset.last("LEAVE MINDS")
        assert not _member(session, contact.id)


def _member(session, contact_id: int) -> bool:
    session.expire_all()
    return (
        session.scalar(select(Membership.id).where(Membership.contact_id == contact_id)) is not None
    )


def test_forget_me_needs_its_own_number_or_a_bare_yes(phone, session, demo):
    asked = phone.last("FORGET ME")
    number = re.search(r"YES (\d{4})", asked).group(1)
    assert phone.last(f"YES {number}").startswith("Done. We have deleted everything")
    assert find_contact(session, demo.id, phone.number) is None
