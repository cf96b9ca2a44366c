"""A text in crisis, in any language, gets the crisis line first and alone (issue 22)."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from service import languages
from service.contacts.models import Membership
from service.contacts.operations import find_contact
from tests.support.sms import Handset

# One real phrasing per language, as a first text from a number the service has never seen.
FIRST_TEXTS = {
    "en": "I want to kill myself",
    "pl": "nie chce mi się żyć",
    "ro": "îmi iau zilele",
    "ur": "میں مر جانا چاہتا ہوں",
    "pa": "ਮੈਂ ਮਰਨਾ ਚਾਹੁੰਦੀ ਹਾਂ",
    "gu": "મારે મરવું છે",
    "so": "waxaan doonayaa inaan is dilo",
}


def _danger(code: str) -> str:
    with force_locale(code):
        return _(
            "If you are in danger now, call 999. %(name)s: %(phone)s, free, any time. "
            "You are not alone.",
            name="Samaritans",
            phone="116 123",
        )


@pytest.mark.parametrize("code", languages.CODES)
def test_a_first_text_in_crisis_gets_the_crisis_line_alone_in_its_language(
    client, demo, app, code: str
) -> None:
    handset = Handset(client, f"+44740040{languages.CODES.index(code):04d}")
    reply = handset.send(FIRST_TEXTS[code])
    assert reply.status == 200
    with app.test_request_context():
        expected = _danger(code)
    # One text: no welcome before it, no "did not understand" or menu after it.
    assert reply.texts == [expected]
    assert "116 123" in reply.text
    if code != "en":
        with app.test_request_context():
            assert expected != _danger("en"), f"{code}: the crisis line is not translated"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Myślę o samobójstwie", "pl"),
        ("mam myśli samobójcze", "pl"),
        ("am gânduri sinucigașe", "ro"),
        ("خودكشي", "ur"),
        ("ਖ਼ੁਦਕੁਸ਼ੀ", "pa"),
        ("ਆਤਮਹੱਤਿਆ", "pa"),
        ("isdil", "so"),
    ],
)
def test_a_member_writing_in_crisis_is_not_read_as_a_command(
    phone, app, text: str, code: str
) -> None:
    # "nie chce mi się żyć" was read as NO; "Myślę o samobójstwie" as a typo for a command.
    reply = phone.send(text)
    with app.test_request_context():
        assert reply.texts == [_danger(code)]


def test_a_romanised_phrase_shared_by_two_languages_uses_the_members_language(phone, app):
    reply = phone.send("khudkashi")
    with app.test_request_context():
        assert reply.texts == [_danger("en")]


def test_crisis_words_with_a_command_answer_only_the_crisis(phone, session, demo) -> None:
    reply = phone.send("I just want to end it all. JOIN CARERS")
    assert len(reply.texts) == 1
    assert reply.texts[0].startswith("If you are in danger now, call 999. Samaritans: 116 123")
    # The command waits for the next text: nothing was joined.
    assert session.scalar(select(func.count()).select_from(Membership)) == 0


def test_a_first_crisis_text_sets_the_language_and_the_welcome_waits(client, demo, session):
    handset = Handset(client, "+447400409999")
    assert len(handset.send("mam myśli samobójcze").texts) == 1
    assert find_contact(session, demo.id, "+447400409999").language == "pl"
    # The welcome that waited comes with the next text, in Polish, before its answer.
    reply = handset.send("POMOC")
    assert len(reply.texts) == 2
    assert "POMOC" in reply.texts[0] and reply.texts[0] != reply.texts[1]
    assert len(handset.send("POMOC").texts) == 1  # and only once


def test_crisis_words_are_answered_after_stop(phone) -> None:
    phone.send("STOP")
    reply = phone.send("chcę się zabić")
    assert len(reply.texts) == 1
    assert "116 123" in reply.texts[0]
    assert "START" not in reply.texts[0]
