"""Crisis words said while answering a survey on the phone: the crisis line, and no answer.

Signed Twilio webhooks into the app, as tests/voice/test_surveys.py: the caller proves the
number with a texted code, then speaks instead of pressing a key.
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from service.surveys import taking
from tests.support.fake_twilio import config_at_fake
from tests.support.surveys import QUESTIONS, create_survey
from tests.support.voice_surveys import to_first_question

config = config_at_fake()


@pytest.fixture(autouse=True)
def _empty_queue(app) -> None:
    from service.extensions import huey

    huey.flush()


def _on_question(session, survey, number: str) -> int:
    session.expire_all()
    return taking.current(session, survey, taking.identity_of_number(number)).number


@pytest.mark.parametrize(
    ("number", "key", "code", "speech"),
    [
        ("+447400330001", "1", "en", "I just want to die"),
        ("+447400330002", "2", "pl", "nie chce mi się żyć"),
    ],
)
def test_crisis_words_at_the_equality_consent_question_read_the_crisis_line_first(
    client, session, demo, app, number, key, code, speech
) -> None:
    survey = create_survey(session, demo, questions=QUESTIONS[:1], monitoring=("age",))
    session.commit()
    call = to_first_question(client, session, demo, number, language_key=key)
    call.press("1")  # Bus: now the consent to the equality questions is asked
    assert _on_question(session, survey, number) == 2
    call.say_words(speech)
    with app.test_request_context(), force_locale(code):
        danger = _("If you are in danger now, hang up and call 999.")
    heard = call.spoken()
    assert heard.startswith(danger), heard
    assert "Samaritans" in heard
    assert call.press("1").find("Dial").text == "116123"
    # Said, not keyed: no consent was given or refused on their behalf.
    assert _on_question(session, survey, number) == 2
