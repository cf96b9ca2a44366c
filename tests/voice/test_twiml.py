"""The line's TwiML writer gives exactly what twilio's own str() gives, for every verb it uses."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hypothesis import example, given, settings
from hypothesis import strategies as st
from twilio.twiml.voice_response import VoiceResponse

from service.voice.engine import CallState, StateCodec
from service.voice.twiml import render
from tests.support.fuzz import examples


def _every_verb(text: str, url: str) -> VoiceResponse:
    response = VoiceResponse()
    gather = response.gather(
        input="dtmf speech",
        num_digits=1,
        timeout=6,
        action=url,
        method="POST",
        language="en-GB",
        hints="groups, what's on",
    )
    gather.say(text, voice="Polly.Amy", language="en-GB")
    gather.pause(length=1)
    gather.play(url)
    said = response.say("", voice="Polly.Ewa", language="pl-PL")
    said.prosody(text, rate="slow")  # SSML inside a Say, as the speak-up code is read
    said.break_(strength="strong", time="1s")
    response.record(max_length=120, finish_on_key="#", play_beep=True, action=url)
    dial = response.dial(caller_id="+441234567890", action=url, timeout=30)
    dial.number("+447400123456", send_digits="wwww1234#")
    response.redirect(url + "&noinput=1", method="POST")
    response.hangup()
    return response


def test_a_menu_is_written_as_twilio_writes_it() -> None:
    response = _every_verb(
        "1: Women's Voice & <friends>. ۱: خواتین کی آواز\n", '/step?s=a.b&x="1"<>\r\n\t'
    )
    written = render(response)
    assert written == str(response)
    assert ET.fromstring(written).find("Hangup") is not None  # an empty verb, closed


@given(
    text=st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r")),
    url=st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r")),
)
@example(text="a &amp; b > c", url="/x?a=1&b=2")
@example(text="", url="tab\there\nand \r")
@settings(max_examples=examples(200))
def test_any_text_is_escaped_as_twilio_escapes_it(text: str, url: str) -> None:
    response = _every_verb(text, url)
    assert render(response) == str(response)


def test_call_state_tokens_are_unchanged() -> None:
    # A call in progress during a deploy carries tokens the old code signed: the codec must
    # read them, and sign the same state to the same token.
    codec = StateCodec("test-secret-key")
    state = CallState(node="networks", lang="ur", items=(3, 1, (2, "am")), item=(2, "am"), tries=2)
    as_before = codec.serializer.dumps(
        {
            "node": "networks",
            "lang": "ur",
            "items": [3, 1, [2, "am"]],
            "item": [2, "am"],
            "tries": 2,
        }
    )
    assert codec.dump(state) == as_before
    assert codec.load(as_before) == state
