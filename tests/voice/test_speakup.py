"""Speak up by phone: record a concern, hear a case code twice, and leave no trace of the call."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import func, inspect, select, text

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact
from service.crypto import vault_of
from service.speakup import codes
from service.speakup import operations as speakup
from service.speakup.models import SpeakUpCase
from service.voice.flows import load_all
from service.voice.line import CallState, StateCodec
from service.voice.models import VoiceCall
from service.voice.prompts import PROMPTS
from service.voice.speakup import SPELLING
from tests.support.fake_twilio import AUDIO, config_at_fake
from tests.support.sms import signed_post
from tests.support.voice import Caller

NUMBER = "+447400123456"
NOW = dt.datetime(2026, 12, 7, 10, 15, 30, tzinfo=dt.UTC)
_recordings = itertools.count(1)


config = config_at_fake()


@pytest.fixture(autouse=True)
def _empty_queue(app, monkeypatch) -> None:
    """Nothing queued or salted from another test; the clock held inside one hour's counters."""
    from service.extensions import huey

    huey.flush()
    monkeypatch.setattr("service.voice.views.utcnow", lambda: NOW)


def recording() -> dict[str, str]:
    """What Twilio adds to the <Record> action for a kept recording."""
    sid = f"RE{next(_recordings):032x}"
    return {
        "RecordingSid": sid,
        "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/AC{'0' * 32}/Recordings/{sid}",
        "RecordingDuration": "41",
        "Digits": "#",
    }


def to_recording(call: Caller) -> ET.Element:
    """From the main menu to the <Record> of a concern."""
    call.press("6")
    return call.press("1")


def code_read_out(twiml: ET.Element) -> tuple[str, str]:
    """The two readings of the code: the characters Twilio is told to say one by one."""
    chars = "".join(e.text or "" for e in twiml.iter("say-as"))
    assert len(chars) == 2 * codes.LENGTH, ET.tostring(twiml, encoding="unicode")
    return chars[: codes.LENGTH], chars[codes.LENGTH :]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def speakup_values(session) -> list[str]:
    """Every text value in the speak-up tables, as table.column=value."""
    found = []
    for table in inspect(session.get_bind()).get_table_names():
        if table.startswith("speakup_"):
            for row in session.execute(text(f'SELECT * FROM "{table}"')).mappings():
                found += [f"{table}.{k}={v}" for k, v in row.items() if isinstance(v, str)]
    return found


def test_the_main_menu_offers_speak_up_and_says_what_anonymity_means(caller) -> None:
    assert "For more choices, press 8." in caller.spoken()
    caller.press("8")  # the main menu's short list leads to the rest
    assert "To speak up about a concern without giving your name, press 6." in caller.spoken()
    caller.press("6")
    heard = caller.spoken()
    assert "The organisation will not know who you are" in heard
    assert "The phone company and our telephone provider still see the number" in heard
    caller.press("0")
    assert "For groups, press 1." in caller.spoken()


def test_a_recorded_concern_gets_a_code_read_twice_that_opens_its_case(
    client, demo, session, caplog, fake
) -> None:
    caplog.set_level(logging.DEBUG)
    call = Caller(client, NUMBER)
    call.dial_in()
    call.press("1")
    twiml = to_recording(call)
    record = twiml.find("Record")
    assert (record.get("maxLength"), record.get("finishOnKey")) == ("180", "#")
    assert record.get("recordingStatusCallback") is None
    assert twiml.find("Redirect") is not None  # an empty recording falls through
    form = recording()
    twiml = call.post(record.get("action"), **form)

    first, second = code_read_out(twiml)
    assert first == second and all(c in codes.ALPHABET for c in first)
    heard = call.spoken()
    for letter in {c for c in first if c.isalpha()}:
        assert f"{letter}, as in {SPELLING[letter]}." in heard
    assert "Only the speak-up guardian will hear your message" in heard
    assert "text the word CASE and this code" in heard and "kiosk" in heard
    assert heard.endswith("Thank you for calling. Goodbye.") and twiml.find("Hangup") is not None
    # Slowly: each group on its own, a pause between groups, in the caller's voice.
    code_says = [s for s in twiml.iter("Say") if s.find("prosody") is not None]
    assert len(code_says) == 2 * codes.LENGTH // 4
    assert {(s.get("voice"), s.get("language")) for s in code_says} == {("Polly.Amy", "en-GB")}
    assert {p.get("rate") for s in code_says for p in s.iter("prosody")} == {"slow"}
    assert len(twiml.findall("Pause")) == 2 * (codes.LENGTH // 4 - 1)

    session.expire_all()  # the queued task wrote through a session of its own
    case = session.scalars(select(SpeakUpCase)).one()
    assert case.channel == "voice"
    assert speakup.messages(session, case) == [("worker", "(voice message)", True)]
    # The audio is the service's own now, encrypted like any body; Twilio's copy, and the
    # call's record that held the caller's number, are deleted there.
    assert speakup.audio_of(session, case.messages[0]) == (AUDIO, "audio/mpeg")
    assert (
        case.messages[0].audio_encrypted and AUDIO not in case.messages[0].audio_encrypted.encode()
    )
    assert [f["path"].rsplit("/", 1)[-1] for f in fake.fetched] == [form["RecordingSid"] + ".mp3"]
    assert fake.deleted == [form["RecordingSid"]] and fake.deleted_calls == [call.call_sid]
    assert codes.matches(first, case.code_hash)
    assert speakup.open_case(session, demo, codes.shown(first), sender="test", now=NOW) == case

    # Nothing in the speak-up tables leads back to the caller or the call.
    vault = vault_of(session)
    forbidden = {
        NUMBER,
        "07400123456",
        "7400123456",
        call.call_sid,
        form["RecordingSid"],
        form["RecordingUrl"],
        vault.blind_index(NUMBER),
        vault.purpose_hash("frontline speak-up receipt v1", call.call_sid),
        vault.purpose_hash(
            "frontline speak-up receipt v1", "voice recording " + form["RecordingSid"]
        ),
        first,
        first[codes.LOCATOR_LENGTH :],
    }
    leaks = [v for v in speakup_values(session) if any(f in v for f in forbidden)]
    assert not leaks
    # Before, the call's start wrote a contact and a voice_call row (CallSid, time, contact);
    # a caller who only spoke up now leaves neither.
    assert count(session, CallbackRequest) == 0
    assert (count(session, Contact), count(session, VoiceCall)) == (0, 0)
    logged = [r.getMessage() + (r.exc_text or "") for r in caplog.records]
    assert not [m for m in logged if any(s in m for s in (NUMBER, "7400123456", call.call_sid))]


def test_a_retried_action_opens_no_second_case(caller, session) -> None:
    action = to_recording(caller).find("Record").get("action")
    form = recording()
    caller.post(action, **form)
    again = caller.post(action, **form)  # Twilio did not get the first answer and asks again
    assert count(session, SpeakUpCase) == 1
    assert "We already have your message" in caller.spoken()
    assert again.find(".//say-as") is None and again.find("Hangup") is not None


def test_forged_tampered_and_misdirected_actions_are_refused(caller, client, session) -> None:
    action = to_recording(caller).find("Record").get("action")
    forged = client.post(
        action, data=caller._form(**recording()), base_url="https://frontline.example.org"
    )
    assert forged.status_code == 403
    tampered = action.replace("s=", "s=x")
    assert signed_post(client, tampered, caller._form(**recording())).status_code == 400
    # A genuine state for another node cannot raise a case either.
    menu = StateCodec("test-secret-key").dump(CallState(node="main"))
    response = signed_post(client, f"/twilio/voice/speakup?s={menu}", caller._form(**recording()))
    assert response.status_code == 400
    assert count(session, SpeakUpCase) == 0


def test_no_recording_goes_back_to_the_explanation(caller, session) -> None:
    twiml = to_recording(caller)
    caller.post(twiml.find("Redirect").text)  # Twilio kept nothing and fell through
    assert caller.spoken().startswith("Sorry, we did not hear anything.")
    assert "The organisation will not know who you are" in caller.spoken()
    twiml = caller.press("1")
    caller.post(twiml.find("Record").get("action"), Digits="#")  # an action with no recording
    caller.post(caller.twiml.find("Redirect").text)
    assert "The organisation will not know who you are" in caller.spoken()
    assert count(session, SpeakUpCase) == 0


def test_a_polish_caller_hears_the_code_in_the_polish_voice(client, demo) -> None:
    call = Caller(client)
    call.dial_in()
    call.press("2")
    twiml = call.post(to_recording(call).find("Record").get("action"), **recording())
    first, second = code_read_out(twiml)
    assert first == second
    code_says = [s for s in twiml.iter("Say") if s.find("prosody") is not None]
    assert {(s.get("voice"), s.get("language")) for s in code_says} == {("Polly.Ewa", "pl-PL")}


def test_a_language_with_no_voice_hears_the_code_in_english(client, demo) -> None:
    call = Caller(client)
    call.dial_in()
    state = StateCodec("test-secret-key").dump(CallState(node="speakup_record", lang="so"))
    twiml = call.post(f"/twilio/voice/speakup?s={state}", **recording())
    code_says = [s for s in twiml.iter("Say") if s.find("prosody") is not None]
    assert {(s.get("voice"), s.get("language")) for s in code_says} == {("Polly.Amy", "en-GB")}
    assert "as in" in call.spoken()


def test_one_number_cannot_flood_the_guardian(caller, session, fake) -> None:
    action = to_recording(caller).find("Record").get("action")
    for _ in range(speakup.NEW_CASES_PER_HOUR):
        caller.post(action, **recording())
    refused = recording()
    fetched = len(fake.fetched)
    caller.post(action, **refused)
    assert "You have left several concerns in the last hour" in caller.spoken()
    assert count(session, SpeakUpCase) == speakup.NEW_CASES_PER_HOUR
    # The refused message is not kept here, and not left at Twilio either.
    assert len(fake.fetched) == fetched and refused["RecordingSid"] in fake.deleted


@pytest.mark.parametrize("name", ["speakup", "speakup_record"])
def test_the_speak_up_nodes_go_back_towards_the_main_menu(name: str) -> None:
    flow = load_all(PROMPTS)["main"]
    node = flow.node(name)
    assert node.back in ("main", "speakup")
    assert flow.node("speakup_record").next == "goodbye"


def test_a_new_caller_who_picks_polish_and_speaks_up_leaves_no_contact_or_call(
    client, demo, session, fake
) -> None:
    call = Caller(client, NUMBER)
    call.dial_in()
    call.press("2")  # Polish: before, choosing a language stored a contact for the number
    call.post(to_recording(call).find("Record").get("action"), **recording())
    status = signed_post(
        client, "/twilio/voice/status", call._form(CallStatus="completed", CallDuration="95")
    )
    assert status.status_code == 204
    assert (count(session, Contact), count(session, VoiceCall)) == (0, 0)
    assert count(session, SpeakUpCase) == 1


def test_a_member_who_calls_only_to_speak_up_is_not_marked_as_having_called(
    client, demo, session, fake
) -> None:
    from service.contacts.operations import get_or_create_contact

    member, _ = get_or_create_contact(session, demo.id, NUMBER, language="en")
    member.last_seen_at = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
    session.commit()
    call = Caller(client, NUMBER)
    call.dial_in()
    call.press("1")
    call.post(to_recording(call).find("Record").get("action"), **recording())
    assert count(session, VoiceCall) == 0
    session.refresh(member)
    assert member.last_seen_at == dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def test_the_call_record_is_deleted_once_twilio_allows_it(client, demo, session, fake) -> None:
    from service.extensions import huey

    call = Caller(client, NUMBER)
    call.dial_in()
    call.press("1")
    fake.not_yet.add(call.call_sid)  # the caller is still hearing their code
    form = recording()
    call.post(to_recording(call).find("Record").get("action"), **form)
    session.expire_all()  # the queued task wrote through a session of its own
    case = session.scalars(select(SpeakUpCase)).one()
    assert speakup.audio_of(session, case.messages[0]) is not None
    assert fake.deleted == [form["RecordingSid"]] and fake.deleted_calls == []
    retry = [t for t in huey.scheduled() if t.name.endswith("keep_speakup_recording")]
    assert len(retry) == 1  # tried again in a minute, then less often, until done
    fake.not_yet.clear()  # the call has ended
    retry[0].execute()
    assert fake.deleted_calls == [call.call_sid]
    assert len(fake.fetched) == 1  # the audio was not fetched twice


def test_the_guardian_plays_the_copy_not_twilios(
    client,
    demo,
    session,
    fake,
    console,
    managers,
) -> None:
    call = Caller(client, NUMBER)
    call.dial_in()
    call.press("1")
    call.post(to_recording(call).find("Record").get("action"), **recording())
    session.expire_all()
    case = session.scalars(select(SpeakUpCase)).one()
    fetched = len(fake.fetched)
    guardian = managers["guardian"]
    console.sign_in(guardian.email, guardian.totp_secret)
    page = console.get(f"/console/speak-up/{case.id}")
    assert page.status_code == 200 and b"<audio" in page.data
    played = console.get(f"/console/speak-up/{case.id}/recording/{case.messages[0].id}")
    assert played.status_code == 200 and played.data == AUDIO
    assert played.headers["Cache-Control"] == "no-store"
    assert len(fake.fetched) == fetched  # Twilio was not asked: its copy is gone
