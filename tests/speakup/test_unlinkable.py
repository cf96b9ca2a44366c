"""Speak-up cannot be linked to a number from the database, its keys, the logs or Twilio."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac

import pytest
from sqlalchemy import func, select

from service.contacts.models import Contact
from service.contacts.operations import get_or_create_contact
from service.crypto import _derive, vault_of
from service.extensions import huey
from service.sms.models import InboundMessage
from service.speakup import codes, salt
from service.speakup import operations as speakup
from service.speakup.models import SpeakUpCase, SpeakUpReceipt, SpeakUpThrottle
from service.speakup.sms import recognise
from service.tasks import purge_speakup_hourly
from tests.support.settings import TEST_DATA_KEY
from tests.support.sms import Handset, signed_post
from tests.support.speakup import CONCERN, code_in
from tests.test_glossary import catalog

SPEAKER = "+447400111222"


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def data_key_hashes(number: str, sid: str) -> set[str]:
    """Every keyed hash of the number or the sid that DATA_KEY's holder could compute."""
    purposes = [
        "frontline speak-up throttle v1",
        "frontline speak-up receipt v1",
        "frontline blind index v1",
        "frontline field v1",
    ]
    found = set()
    for purpose in purposes:
        key = _derive(TEST_DATA_KEY, purpose.encode())
        for value in (number, sid, "voice recording " + sid):
            found.add(hmac.new(key, value.encode(), hashlib.sha256).hexdigest())
    return found


def test_data_key_and_the_database_link_no_throttle_row_to_a_contact(client, demo, session):
    # Attack: with DATA_KEY and a copy of the database, recompute the throttle key of every
    # contact's number. Before, "new:" + HMAC(HKDF(DATA_KEY, purpose), number) matched the
    # member who had just raised a case. Now the keys are HMACs under an hourly random salt
    # that is not in the database and not derived from any key.
    members = [SPEAKER, "+447400222333", "+447400333444"]
    for number in members:
        get_or_create_contact(session, demo.id, number)
    session.flush()
    sid = "SM" + "3" * 32
    code_in(Handset(client, SPEAKER).send(f"SPEAKUP {CONCERN}", sid=sid).texts)
    assert count(session, SpeakUpThrottle) == 1 and count(session, SpeakUpReceipt) == 1

    vault = vault_of(session)
    numbers = [vault.decrypt(c.phone_encrypted) for c in session.scalars(select(Contact))]
    assert SPEAKER in numbers  # the attacker reads every number
    stored = {k.split(":", 1)[-1] for k in session.scalars(select(SpeakUpThrottle.key))}
    stored |= set(session.scalars(select(SpeakUpReceipt.sid_hash)))
    for number in numbers:
        assert not stored & data_key_hashes(number, sid), number


def test_counters_receipts_and_salt_are_gone_within_the_hour(client, demo, session, clock):
    Handset(client, SPEAKER).send(f"SPEAKUP {CONCERN}")
    assert count(session, SpeakUpThrottle) == 1 and count(session, SpeakUpReceipt) == 1
    this_hour = salt.salt_for(clock)
    assert this_hour == salt.salt_for(clock + dt.timedelta(minutes=44))  # one salt an hour

    # The hourly job, run as the worker runs it, at the top of the next hour.
    next_hour = salt.hour_start(clock) + dt.timedelta(hours=1)
    from service.tasks import utcnow as real_utcnow  # noqa: F401  (the name the job calls)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("service.tasks.utcnow", lambda: next_hour)
        purge_speakup_hourly.call_local()
    # Before, rows stayed until the daily retention rule (RETAIN_CODES_DAYS) reached them.
    assert count(session, SpeakUpThrottle) == 0 and count(session, SpeakUpReceipt) == 0
    assert huey.get(salt.PREFIX + clock.strftime("%Y%m%d%H"), peek=True) is None
    assert salt.salt_for(next_hour) != this_hour  # rotated


def test_the_salt_is_shared_through_the_queue_not_made_per_process(clock):
    first = salt.salt_for(clock)
    salt._fallback.clear()  # what another process would hold: nothing of its own
    assert salt.salt_for(clock) == first
    assert huey.get(salt.PREFIX + clock.strftime("%Y%m%d%H"), peek=True) == first


@pytest.mark.parametrize(
    "text",
    [
        f"SPEAKUP {CONCERN}",
        f"speak-up: {CONCERN}",
        f"SPEEKUP {CONCERN}",  # typo
        f"SPEAK UPP {CONCERN}",
        f"ZGŁOŚ {CONCERN}",  # Polish
        f"zglos {CONCERN}",
        f"SESIZARE {CONCERN}",  # Romanian
        f"SESIZRE {CONCERN}",
        f"شکایت {CONCERN}",  # Urdu
        f"SHIKAYAT {CONCERN}",
        f"ਸ਼ਿਕਾਇਤ {CONCERN}",  # Punjabi
        f"ફરિયાદ {CONCERN}",  # Gujarati
        f"FARIYAD {CONCERN}",
        f"CABASHO {CONCERN}",  # Somali
        f"CABASHOO {CONCERN}",
    ],
)
def test_speak_up_in_any_language_or_mistyped_writes_nothing_about_the_texter(
    client, demo, session, text
):
    # Attack: before, only SPEAKUP/SPEAK UP/CONCERN were recognised; SPEEKUP or ZGŁOŚ went
    # into the conversation, which stored the number as a contact and logged the text's arrival
    # before answering that it did not understand.
    reply = Handset(client, SPEAKER).send(text)
    code_in(reply.texts)
    assert (count(session, Contact), count(session, InboundMessage)) == (0, 0)
    case = session.scalars(select(SpeakUpCase)).one()
    assert speakup.messages(session, case)[0][1] == CONCERN


def test_a_mistyped_case_with_its_code_opens_the_case_and_ordinary_texts_stay_ordinary(
    client, demo, session
):
    code = code_in(Handset(client, SPEAKER).send(f"SPEAKUP {CONCERN}").texts)
    other = Handset(client, "+447400999000")
    no_reply = "No reply yet. Text CASE and your code again in a few days."
    # Answered in the language of the word typed: SPRAWA in Polish, KIISKA in Somali.
    for typed, language in (
        (f"CAES {code}", "en"),
        (f"sprawa {code}", "pl"),
        (f"KIISKA {code}", "so"),
        (code, "en"),
    ):
        assert other.last(typed) == catalog(language)[no_reply], typed
    assert count(session, Contact) == 0
    # Words near the speak-up words, without a code, are still the member's own commands.
    for text in ("CARE", "CONCERT tickets", "JOIN CARERS", "EVENTS"):
        assert recognise(text) is None, text


def test_a_speak_up_text_and_its_replies_are_deleted_at_twilio(client, demo, fake):
    # Attack: Twilio's console (or anyone with the account) lists messages by number. Before,
    # a SPEAKUP text and the reply holding its code stayed there, tying number to case.
    sid = "SM" + "4" * 32
    reply = Handset(client, SPEAKER).send(f"SPEAKUP {CONCERN}", sid=sid)
    code_in(reply.texts)
    assert fake.deleted_messages == [sid]
    callbacks = {(m.get("action"), m.get("method")) for m in _messages(reply.xml)}
    assert callbacks == {("/twilio/sms/reply-status", "POST")}

    # Twilio reports each reply sent; a reply still sending cannot be deleted yet (20009).
    sent = "SM" + "5" * 32
    fake.not_yet.add(sent)
    form = {"MessageSid": sent, "MessageStatus": "sent", "AccountSid": "AC" + "0" * 32}
    assert signed_post(client, "/twilio/sms/reply-status", form).status_code == 204
    assert sent not in fake.deleted_messages
    pending = [t for t in huey.scheduled() if t.name.endswith("delete_messages")]
    assert [t.args[0] for t in pending] == [[sent]]  # tried again later, not dropped
    fake.not_yet.clear()
    pending[0].execute()
    assert fake.deleted_messages == [sid, sent]
    # A forged callback deletes nothing.
    forged = client.post(
        "/twilio/sms/reply-status", data=form, base_url="https://frontline.example.org"
    )
    assert forged.status_code == 403


def test_ordinary_texts_are_not_deleted_at_twilio(client, demo, fake):
    reply = Handset(client, SPEAKER).send("EVENTS")
    assert reply.status == 200 and fake.deleted_messages == []
    assert {m.get("action") for m in _messages(reply.xml)} == {None}


def _messages(xml: str):
    import xml.etree.ElementTree as ET

    return list(ET.fromstring(xml).iter("Message"))


def test_a_lookup_verifies_one_slow_hash_whether_or_not_the_locator_matches(
    session, demo, monkeypatch, clock
):
    # Attack: time CASE lookups. Before, a code whose first 3 characters matched a case ran
    # argon2 (0.2-0.3 s) and any other answered at once (0.01-0.03 s), so the locators of
    # open cases could be found one guess at a time. Now every lookup verifies one hash.
    raised = speakup.raise_concern(
        session, demo, text=CONCERN, channel="sms", sender="owner", now=clock
    )
    verified: list[str] = []
    real = codes.matches
    monkeypatch.setattr(codes, "matches", lambda c, h: verified.append(h) or real(c, h))
    case_locator = codes.locator(raised.code)
    other = next(a + b + c for a in "0123" for b in "45" for c in "67" if a + b + c != case_locator)
    attempts = {
        "locator of a case, wrong rest": case_locator + "0" * codes.SECRET_LENGTH,
        "locator of no case": other + "0" * codes.SECRET_LENGTH,
        "not a code at all": "hello",
    }
    per_attempt = {}
    for n, (label, typed) in enumerate(attempts.items()):
        before = len(verified)
        with pytest.raises(speakup.WrongCode):
            speakup.open_case(session, demo, typed, sender=f"guesser {n}", now=clock)
        per_attempt[label] = len(verified) - before
    assert per_attempt == dict.fromkeys(attempts, 1)
    assert verified[0] == raised.case.code_hash and verified[1] != raised.case.code_hash


def test_everyday_words_for_case_need_a_code_to_be_read_as_one():
    assert recognise("Sprawa z kierownikiem") is None  # Polish: "the matter with the manager"
    assert recognise("Caz urgent la depou") is None  # Romanian: "urgent case at the depot"
    assert recognise("sprawa 7KQ2-M9XD-4HTB-WR3P").kind == "case"
    assert recognise("CASE").kind == "case"  # answered with how to follow a case
