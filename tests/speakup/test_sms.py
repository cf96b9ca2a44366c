"""Speak up by text: a case code back, replies read with CASE, and no trace of the number."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import func, inspect, select, text

from service.contacts.models import Contact
from service.crypto import vault_of
from service.outbox.models import OutboundMessage
from service.sms.models import InboundMessage
from service.speakup import codes
from service.speakup import operations as speakup
from service.speakup.models import SpeakUpCase
from tests.support.sms import Handset
from tests.support.speakup import CODE, CONCERN, code_in


@pytest.fixture
def handset(client, demo) -> Handset:
    """A phone that has never texted the service."""
    return Handset(client, "+447400111222")


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_speak_up_gives_a_code_and_stores_no_number(handset, session):
    reply = handset.send(f"SPEAKUP {CONCERN}")
    assert reply.status == 200
    code = code_in(reply.texts)
    assert "Only the speak-up guardian reads this" in reply.texts[0]
    assert "They are not your manager" in reply.texts[1]  # speak-up starts here: who reads it
    assert "phone company and our text message provider still see the number" in reply.texts[2]
    # No contact, no inbound log, nothing in the outbox.
    assert count(session, Contact) == 0
    assert count(session, InboundMessage) == 0
    assert count(session, OutboundMessage) == 0
    case = session.scalars(select(SpeakUpCase)).one()
    assert case.channel == "sms" and speakup.messages(session, case)[0][1] == CONCERN
    # The one time kept is the day, too coarse to match against a message log.
    assert case.last_activity_at.time() == dt.time(0, 0)
    # The code is not stored, only its slow hash (and 3 characters to find the case by).
    assert case.code_hash.startswith("$argon2id$")
    stored = codes.normalise(code)
    assert codes.matches(stored, case.code_hash)
    vault = vault_of(session)
    forbidden = {
        "+447400111222",
        "07400111222",
        stored,
        stored[codes.LOCATOR_LENGTH :],
        vault.blind_index("+447400111222"),
    }
    assert not _anywhere(session, forbidden)


def _anywhere(session, values: set[str]) -> list[str]:
    """Every (table.column) where one of the values appears inside a text value."""
    hits = []
    for table in inspect(session.get_bind()).get_table_names():
        if table == "alembic_version":
            continue
        rows = session.execute(text(f'SELECT * FROM "{table}"')).mappings().all()
        for row in rows:
            for column, value in row.items():
                if isinstance(value, str) and any(v in value for v in values):
                    hits.append(f"{table}.{column}")
    return hits


def test_case_reads_replies_and_adds_more(handset, session):
    code = code_in(handset.send(f"SPEAKUP {CONCERN}").texts)
    case = session.scalars(select(SpeakUpCase)).one()
    assert (
        handset.last(f"CASE {code}") == "No reply yet. Text CASE and your code again in a few days."
    )
    speakup.reply(
        session, case, "Thank you. I have spoken to the depot manager.", case.last_activity_at
    )
    # Typed in lower case, spaced, with O for 0: still the code.
    typed = code.lower().replace("-", " ").replace("0", "o")
    reply = handset.send(f"case {typed} They gave us new gloves today.")
    assert reply.texts == [
        "Added to your case. The guardian will read it.",
        "Guardian: Thank you. I have spoken to the depot manager.",
    ]
    assert [m[1] for m in speakup.messages(session, case)][-1] == "They gave us new gloves today."
    again = handset.last(f"CASE {code}")
    assert again.startswith("No new reply. The guardian's last reply: Thank you.")


def test_a_retried_webhook_raises_one_case(handset, session):
    first = handset.send(f"SPEAKUP {CONCERN}", sid="SM" + "5" * 32)
    second = handset.send(f"SPEAKUP {CONCERN}", sid="SM" + "5" * 32)
    assert code_in(first.texts)
    assert not CODE.search(" ".join(second.texts))
    assert "We already have this message" in second.texts[0]
    assert count(session, SpeakUpCase) == 1


def test_wrong_codes_are_throttled_per_number_not_for_everyone(client, demo, session):
    owner = Handset(client, "+447400111222")
    code = code_in(owner.send(f"SPEAKUP {CONCERN}").texts)
    guesser = Handset(client, "+447400999888")
    for _ in range(5):
        assert "does not match" in guesser.last("CASE 0000-0000-0000-0000")
    assert "Too many wrong codes" in guesser.last("CASE 0000-0000-0000-0000")
    assert "Too many wrong codes" in guesser.last(f"CASE {code}")
    # The owner, on another number, is not locked out by someone else's guessing.
    assert "No reply yet" in owner.last(f"CASE {code}")


def test_wrong_guesses_at_a_case_never_lock_its_owner_out(client, demo, session):
    # Attack: before, five wrong codes with the case's first characters locked the case for
    # 15 minutes (doubling after), so anyone who saw the first 3 characters could keep the
    # worker from reading their replies. Now only the guessers are slowed.
    owner = Handset(client, "+447400111222")
    code = code_in(owner.send(f"SPEAKUP {CONCERN}").texts)
    wrong = (
        code[:4] + "-0000-0000-0000"
        if code[5:] != "0000-0000-0000"
        else code[:4] + "-1111-1111-1111"
    )
    for n in range(4):
        guesser = Handset(client, f"+44740050000{n}")
        for _ in range(speakup.GUESSES_PER_MINUTE):
            assert "does not match" in guesser.last(f"CASE {wrong}")
        assert "Too many wrong codes" in guesser.last(f"CASE {wrong}")
    assert "No reply yet" in owner.last(f"CASE {code}")
    assert not hasattr(SpeakUpCase, "locked_until")


def test_speakup_without_text_and_case_without_code_explain_themselves(handset, session):
    how, who = handset.send("speak up").texts
    assert "text SPEAKUP and then the concern" in how
    # Where speak-up starts, it says who the guardian is: not a manager.
    assert "chosen to hear concerns in confidence. They are not your manager." in who
    assert "Text CASE and your case code" in handset.last("CASE")
    assert count(session, SpeakUpCase) == 0


def test_split_code_reads_codes_however_typed():
    from service.speakup.sms import split_code

    assert split_code("7KQ2-M9XD-4HTB-WR3P more words") == ("7KQ2-M9XD-4HTB-WR3P", "more words")
    assert split_code("7kq2 m9xd 4htb wr3p") == ("7kq2 m9xd 4htb wr3p", "")
    assert split_code("7KQ2M9XD4HTBWR3P: and this") == ("7KQ2M9XD4HTBWR3P", "and this")
    assert split_code("123") == ("123", "")


def test_nothing_about_the_worker_reaches_the_logs(handset, caplog):
    caplog.set_level(logging.DEBUG)
    sid = "SM" + "7" * 32
    code = code_in(handset.send(f"SPEAKUP {CONCERN}", sid=sid).texts)
    handset.send(f"CASE {code} More detail about the gloves.")
    logged = "\n".join(
        [r.getMessage() for r in caplog.records] + [repr(r.args) for r in caplog.records]
    )
    for secret in (
        "+447400111222",
        "07400111222",
        "7400111222",
        sid,
        code,
        codes.normalise(code),
        CONCERN,
        "More detail about the gloves",
    ):
        assert secret not in logged, secret
    # Before, every speak-up text logged "sms: a speak-up text": a timestamp that said
    # someone spoke up, to match against Twilio's message log. Now nothing says so.
    marks = ("speak", "case", "concern", "guardian")
    assert not [
        r.getMessage() for r in caplog.records if any(m in r.getMessage().lower() for m in marks)
    ]


def test_a_speak_up_text_in_crisis_gets_the_crisis_line_first_and_its_code(handset, session):
    reply = handset.send("SPEAKUP mój kierownik mnie gnębi, chcę się zabić")
    assert reply.texts[0].startswith("Jeśli") or "999" in reply.texts[0]
    assert "116 123" in reply.texts[0]
    code_in(reply.texts[1:])  # the concern was still raised, and its code still comes back
    assert count(session, SpeakUpCase) == 1
    ordinary = handset.send(f"SPEAKUP {CONCERN}")
    assert "116 123" not in ordinary.texts[0]
