"""Every path of ivr_flows/main.yaml, walked through signed webhooks, TwiML checked."""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import func, select

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact, Membership
from service.contacts.operations import CONSENT_VERSION
from service.content.models import Network
from service.outbox.models import OutboundMessage
from service.voice.models import VoiceCall
from tests.support import factories
from tests.support.sms import Handset, signed_post
from tests.support.voice import Caller

MAIN_MENU = "For groups, press 1."


def test_a_new_caller_hears_each_language_in_its_own_voice(client, demo) -> None:
    call = Caller(client)
    twiml = call.dial_in()
    says = list(call.gather().iter("Say"))
    says = says[[s.text for s in says].index("For English, press 1.") :]  # after the welcome
    assert (says[0].get("language"), says[1].get("language")) == ("en-GB", "pl-PL")
    assert says[1].get("voice") == "Polly.Ewa" and "Polski" in says[1].text
    assert says[6].get("language") == "en-GB"  # Somali has no voice: said in English
    assert twiml.find("Redirect") is not None  # silence falls through to a re-prompt


def test_choosing_polish_speaks_polish_and_every_call_starts_at_the_menu(
    client, demo, session
) -> None:
    call = Caller(client)
    call.dial_in()
    call.press("2")
    gather = call.gather()
    assert gather.get("input") == "dtmf speech" and gather.get("language") == "pl-PL"
    assert "grupy" in gather.get("hints")
    assert call.spoken() and MAIN_MENU not in call.spoken()
    # Caller ID proves nothing, so the choice is not stored against the number, and a second
    # call from it starts at the language menu like anyone's (tests/voice/test_caller_id.py).
    # Nor is any contact made for it: choosing a language writes nothing.
    assert session.scalar(select(func.count()).select_from(Contact)) == 0
    again = Caller(client)
    again.dial_in()
    assert "Polski" in again.spoken() and again.gather().get("action").endswith("&choose=1")


def test_joining_an_open_group_by_phone_is_confirmed_by_text(
    caller, client, session, vault
) -> None:
    caller.press("1")
    assert "1: Careers Network." in caller.spoken()
    caller.press("1")
    assert caller.spoken().startswith("Careers Network. Training")
    caller.press("1")
    assert caller.spoken().startswith("We have sent a text to the phone you are calling from.")
    assert MAIN_MENU in caller.spoken()
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
    question = session.scalars(select(OutboundMessage)).one()
    assert question.kind == "code" and question.urgent
    text = vault.decrypt(question.body_encrypted)
    assert text.startswith("You asked on the phone to join Careers Network. Reply YES ")
    number = re.search(r"YES (\d{4})", text).group(1)
    assert Handset(client).last("YES") != "Done. Thank you."  # a bare YES is not enough
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
    assert Handset(client).last(f"YES {number}") == "Done. Thank you."
    membership = session.scalars(select(Membership)).one()
    assert (membership.channel, membership.consent_version) == ("voice", None)


def test_a_sensitive_group_reads_the_consent_and_waits_for_1(
    caller, client, session, vault
) -> None:
    caller.press("1")
    listing = caller.spoken()
    minds = next(p.split(":")[0] for p in listing.split(". ") if "Minds Matter" in p)
    caller.press(minds.strip()[-1])
    caller.press("1")
    assert "can show something personal" in caller.spoken()
    caller.press("1")
    assert caller.spoken().startswith("We have sent a text to the phone you are calling from.")
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
    question = vault.decrypt(session.scalars(select(OutboundMessage)).one().body_encrypted)
    assert "Friday chat group" in question  # a private group is not named in a text
    # The YES is the consent of whoever holds the phone: the text says the warning again.
    assert "can show something personal" in question and "organisers" in question
    Handset(client).last(re.search(r"YES \d{4}", question).group(0))
    membership = session.scalars(select(Membership)).one()
    assert session.get(Network, membership.network_id).slug == "minds"
    assert (membership.consent_version, membership.consent_channel) == (CONSENT_VERSION, "voice")


def test_events_are_read_and_texted_once(caller, session, queued) -> None:
    caller.press("2")
    assert "1: " in caller.spoken()
    caller.press("1")
    event_menu = caller.gather().get("action")
    caller.press("1")
    assert "We have sent the details by text." in caller.spoken()
    caller.post(event_menu, Digits="1")  # Twilio retries the same step
    rows = session.scalars(select(OutboundMessage)).all()
    assert len(rows) == 1 and rows[0].kind == "self"


def test_support_reads_the_crisis_line_first_and_connects(caller, demo) -> None:
    caller.press("3")
    heard = caller.spoken()
    assert heard.startswith("If you are in danger now, hang up and call 999.")
    assert heard.index("Samaritans") < heard.index("Employee Assistance")
    twiml = caller.press("1")
    dial = twiml.find("Dial")
    assert dial.text == "116123" and dial.get("callerId") == "+441134960000"


def test_a_message_is_kept_even_when_the_caller_hangs_up(caller, session, client) -> None:
    # A message is a call-back request: first when a call suits them, by key press.
    assert caller.press("4").find("Record") is None
    assert "When is a good time? For the morning, press 1." in caller.spoken()
    twiml = caller.press("3")  # the evening
    record = twiml.find("Record")
    assert record.get("maxLength") == "120"
    assert twiml.find("Redirect") is not None
    callback = record.get("recordingStatusCallback")
    form = caller.recording_form("RE1", 42)
    for _ in range(2):  # the caller hung up after the beep; Twilio retries the callback
        assert (
            signed_post(client, callback.replace("http://localhost", ""), form).status_code == 204
        )
    request = session.scalars(select(CallbackRequest)).one()
    assert (request.channel, request.recording_sid, request.recording_seconds) == (
        "voice",
        "RE1",
        42,
    )
    assert (request.good_time, request.language) == ("evening", "en")


def test_a_session_happening_now_can_be_joined_by_phone(caller, session, demo) -> None:
    now = dt.datetime.now(dt.UTC)
    from service.content.operations import create_event

    create_event(
        session,
        demo,
        title="Live briefing",
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(minutes=55),
        dial_in_number="+441134960199",
        dial_in_pin="4321",
    )
    caller.press("5")
    # The demo's own phone sessions may be live too (Wednesdays at 11:00): find ours.
    found = re.search(r"(\d): Live briefing\.", caller.spoken())
    assert found, caller.spoken()
    number = caller.press(found.group(1)).find("Dial").find("Number")
    assert (number.text, number.get("sendDigits")) == ("+441134960199", "wwww4321#")


def test_silence_re_prompts_twice_then_says_goodbye(caller) -> None:
    caller.silence()
    assert caller.spoken().startswith("Sorry, we did not hear anything.")
    caller.silence()
    twiml = caller.silence()
    assert "Goodbye" in caller.spoken() and twiml.find("Hangup") is not None


def test_a_wrong_key_repeat_and_back(caller) -> None:
    caller.press("8")  # every key of the main menu does something: 8 reads the other choices
    caller.press("1")
    assert caller.spoken().startswith("That is not an option.") and "press 5" in caller.spoken()
    caller.press("0")
    assert MAIN_MENU in caller.spoken()
    caller.press("1")
    caller.press("0")
    assert MAIN_MENU in caller.spoken()
    caller.press("*")
    assert MAIN_MENU in caller.spoken()


def test_speech_works_like_keys(caller) -> None:
    caller.say_words("I want to hear about the groups please")
    assert "1: Careers Network." in caller.spoken()


def test_forged_tampered_and_unknown_requests_are_refused(client, demo, session) -> None:
    call = Caller(client)
    form = call._form()
    assert (
        client.post(
            "/twilio/voice", data=form, base_url="https://frontline.example.org"
        ).status_code
        == 403
    )
    call.dial_in()
    action = call.gather().get("action")
    tampered = action.replace("s=", "s=x")
    assert signed_post(client, tampered, call._form(Digits="1")).status_code == 400
    other = Caller(client)
    response = signed_post(client, "/twilio/voice", dict(other._form(), To="+441134960777"))
    assert response.status_code == 404


def test_call_status_callbacks_are_recorded(caller, client, session) -> None:
    caller.press("4")
    caller.press("4")  # any time; then a voicemail: the call's row is made for its callback
    form = {
        "CallSid": caller.call_sid,
        "CallStatus": "completed",
        "CallDuration": "95",
        "AccountSid": "AC" + "0" * 32,
    }
    assert signed_post(client, "/twilio/voice/status", form).status_code == 204
    call = session.scalars(select(VoiceCall)).one()
    assert (call.status, call.duration_seconds) == ("completed", 95)


def test_a_caller_who_only_listens_leaves_no_contact_and_no_call_row(caller, client, session):
    caller.press("2")  # events, read out
    form = {"CallSid": caller.call_sid, "CallStatus": "completed", "AccountSid": "AC" + "0" * 32}
    assert signed_post(client, "/twilio/voice/status", form).status_code == 204
    assert session.scalar(select(func.count()).select_from(Contact)) == 0
    assert session.scalar(select(func.count()).select_from(VoiceCall)) == 0


def test_an_organisation_with_no_groups_says_so(client, session) -> None:
    factories.create_organisation(session, numbers=("+441134960000",))
    call = Caller(client)
    call.dial_in()
    call.press("1")
    call.press("1")
    assert "There are no groups yet." in call.spoken()


def test_without_somali_recordings_the_caller_is_told_and_offered_the_rest(client, demo) -> None:
    call = Caller(client)
    call.dial_in()
    call.press("7")  # Soomaali
    heard = call.spoken()
    assert heard.startswith("Sorry, this line cannot speak Somali yet.")
    assert "For English, press 1." in heard  # the language menu again


def _pick_group(caller, name: str) -> None:
    caller.press("1")
    number = next(p.split(":")[0].strip()[-1] for p in caller.spoken().split(". ") if name in p)
    caller.press(number)


def test_a_groups_own_events_and_a_message_for_its_organisers(caller, client, session) -> None:
    _pick_group(caller, "Minds Matter")
    caller.press("2")
    assert "Cuppa and chat" in caller.spoken()
    assert "How are you feeling hour" not in caller.spoken()  # another group's
    caller.press("0")
    _pick_group(caller, "Minds Matter")
    caller.press("3")
    assert "When is a good time?" in caller.spoken()
    record = caller.press("2").find("Record")  # the afternoon
    form = caller.recording_form("RE2", 12)
    assert signed_post(client, record.get("recordingStatusCallback"), form).status_code == 204
    request = session.scalars(select(CallbackRequest)).one()
    assert session.get(Network, request.network_id).slug == "minds"
    assert request.good_time == "afternoon"
