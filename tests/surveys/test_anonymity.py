"""Answers cannot be tied to anyone: not while stored, not in logs, and not at all after close."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from service.contacts.operations import get_or_create_contact
from service.crypto import vault_of
from service.db import utcnow
from service.surveys import operations as surveys
from service.surveys import taking
from service.surveys.models import SurveyAnswer, SurveyResponse, SurveyToken
from tests.support.fake_twilio import config_at_fake
from tests.support.survey_scan import links
from tests.support.surveys import create_survey

# Twilio at the fake: the phone test's recordings are copied from it and deleted there.
config = config_at_fake()

NUMBERS = ["+447400123456", "+447400222333", "+447400333444", "+447400444555"]
SECRET = "the night bus from the depot"


def answer_all(session, survey, number, *, stop_after: int | None = None) -> None:
    who = taking.identity_of_number(number)
    now = utcnow()
    taking.begin(session, survey, who, channel="sms", language="en", now=now)
    steps = [
        {"outcome": "answered", "value": 2},
        {"outcome": "answered", "value": 4},
        {"outcome": "prefer_not"},
        {"outcome": "answered", "text": f"{SECRET} ({number})"},
    ]
    for n, step in enumerate(steps):
        if stop_after is not None and n == stop_after:
            return
        taking.answer(session, survey, who, now=now, **step)


def test_a_scan_with_data_key_links_no_answer_to_anyone_after_close(session, demo, caplog):
    caplog.set_level(logging.DEBUG)
    for number in NUMBERS:
        get_or_create_contact(session, demo.id, number)
    survey = create_survey(session, demo)
    for number in NUMBERS[:3]:
        answer_all(session, survey, number)
    answer_all(session, survey, NUMBERS[3], stop_after=2)  # part way through
    vault = vault_of(session)
    ids_before = set(session.scalars(select(SurveyResponse.id)))

    # While open, the one link is the unfinished respondent's answers so far, which the scan
    # (holding DATA_KEY, so the survey's key) finds: the scan is able to find a link.
    assert links(session, vault) == {(NUMBERS[3], "survey_token answers in progress")}
    finished = session.scalar(
        select(func.count()).select_from(SurveyToken).where(SurveyToken.finished)
    )
    assert finished == 3

    surveys.close_survey(session, survey, utcnow())
    session.flush()
    assert survey.token_key_encrypted is None
    assert session.scalar(select(func.count()).select_from(SurveyToken)) == 0
    assert links(session, vault) == set()
    # Three complete responses and the unfinished one's two answers, under new random ids.
    responses = session.scalars(select(SurveyResponse)).all()
    assert sorted(r.complete for r in responses) == [False, True, True, True]
    assert not ids_before & {r.id for r in responses}
    texts = [
        vault.decrypt(a.text_encrypted)
        for a in session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.text_encrypted.is_not(None))
        )
    ]
    assert len(texts) == 3  # the answers are all still there, just nobody's
    # A number written into an answer is masked before it is stored.
    assert all(t == f"{SECRET} ([number])" for t in texts)
    # Nothing logged names a response, an answer or a number, or repeats what was written.
    logged = caplog.text
    for response in responses:
        assert response.id not in logged
        assert all(a.id not in logged for a in response.answers)
    assert SECRET not in logged and not any(n in logged for n in NUMBERS)


def test_an_attributable_survey_names_who_answered_and_erasure_removes_it(session, demo):
    from service.privacy.erasure import erase_contact

    contact, _ = get_or_create_contact(session, demo.id, NUMBERS[0])
    survey = create_survey(session, demo, keyword="EVENING", mode="attributable")
    who = taking.identity_of_number(NUMBERS[0])
    now = utcnow()
    taking.begin(session, survey, who, channel="sms", language="en", now=now, contact_id=contact.id)
    for _ in survey.questions:
        taking.answer(session, survey, who, outcome="skipped", now=now)
    response = session.scalars(select(SurveyResponse)).one()
    assert response.contact_id == contact.id
    assert (NUMBERS[0], "survey_response.contact_id") in links(session, vault_of(session))
    erase_contact(session, contact)
    session.flush()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0


def test_erasure_drops_answers_in_progress_and_leaves_finished_ones(session, demo):
    from service.privacy.erasure import erase_contact

    first, _ = get_or_create_contact(session, demo.id, NUMBERS[0])
    second, _ = get_or_create_contact(session, demo.id, NUMBERS[1])
    survey = create_survey(session, demo)
    answer_all(session, survey, NUMBERS[0])
    answer_all(session, survey, NUMBERS[1], stop_after=1)
    erase_contact(session, first)
    erase_contact(session, second)
    session.flush()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 1
    assert (
        session.scalar(
            select(func.count())
            .select_from(SurveyToken)
            .where(SurveyToken.progress_encrypted.is_not(None))
        )
        == 0
    )


def test_answers_by_text_link_to_no_one_after_close_in_tables_or_logs(
    client, demo, session, caplog
):
    from service.sms.models import ConversationState
    from tests.support.sms import Handset

    caplog.set_level(logging.DEBUG)
    survey = create_survey(session, demo)
    for number in NUMBERS[:3]:
        phone = Handset(client, number)
        for text in ("PULSE", "Bus", "4", "YES", f"{SECRET}, call me on {number}"):
            phone.send(text)
    half_way = Handset(client, NUMBERS[3])
    half_way.send("PULSE")
    half_way.send("2")
    vault = vault_of(session)
    # Open: the half-way respondent's answers so far are theirs, under the survey's key.
    assert links(session, vault) == {(NUMBERS[3], "survey_token answers in progress")}
    surveys.close_survey(session, survey, utcnow())
    session.flush()
    assert links(session, vault) == set()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 4
    assert not any(s.list_kind == "survey" for s in session.scalars(select(ConversationState)))
    responses = session.scalars(select(SurveyResponse)).all()
    logged = caplog.text
    assert SECRET not in logged and not any(n in logged for n in NUMBERS)
    assert not any(r.id in logged or any(a.id in logged for a in r.answers) for r in responses)


def test_answers_by_phone_link_to_no_call_or_number(client, demo, session, caplog, fake):
    """Keys, a recorded answer and a half-way caller: no answer row names a call or a number."""
    from service.surveys.models import SurveyRecording
    from tests.support.fake_twilio import AUDIO
    from tests.support.voice_surveys import recording, to_first_question

    caplog.set_level(logging.DEBUG)
    for number in NUMBERS:
        get_or_create_contact(session, demo.id, number)
    survey = create_survey(session, demo)
    session.commit()
    calls, forms = [], []
    for number in NUMBERS[:3]:
        call = to_first_question(client, session, demo, number)
        for key in ("2", "4", "1"):
            call.press(key)
        form = recording()
        call.post(call.press("1").find("Record").get("action"), **form)
        assert "Your answers have been counted." in call.spoken()
        calls.append(call.call_sid)
        forms.append(form)
    half_way = to_first_question(client, session, demo, NUMBERS[3])
    half_way.press("3")
    calls.append(half_way.call_sid)
    vault = vault_of(session)
    session.expire_all()
    # Open: the half-way caller's answers so far are theirs, under the survey's key; the
    # finished callers' answers, recordings included, are nobody's even now.
    assert links(session, vault) == {(NUMBERS[3], "survey_token answers in progress")}
    assert {r.channel for r in session.scalars(select(SurveyResponse))} == {"voice"}
    recorded = session.scalars(select(SurveyRecording)).all()
    assert len(recorded) == 3 and all(
        vault.decrypt_bytes(r.audio_encrypted) == AUDIO for r in recorded
    )
    recorded_ids = {r.id for r in recorded}
    # Twilio holds neither the recordings nor the calls' records any more.
    assert sorted(fake.deleted) == sorted(f["RecordingSid"] for f in forms)
    assert sorted(fake.deleted_calls) == sorted(calls[:3])

    surveys.close_survey(session, survey, utcnow())
    session.commit()
    assert links(session, vault) == set()
    assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 4
    # Closing moved the recordings to new ids too, and the answers with them.
    kept = {r.id for r in session.scalars(select(SurveyRecording))}
    assert len(kept) == 3 and not kept & recorded_ids
    pointed = set(
        session.scalars(
            select(SurveyAnswer.recording_id).where(SurveyAnswer.recording_id.is_not(None))
        )
    )
    assert pointed == kept
    # No value in any survey table, decrypted or not, holds a call SID, a recording's SID or
    # URL, or a number; and nothing logged names a call, a number or a response.
    forbidden = {
        *calls,
        *NUMBERS,
        *(f["RecordingSid"] for f in forms),
        *(f["RecordingUrl"] for f in forms),
    }
    from tests.support.survey_scan import every_value

    leaks = [
        (table, column)
        for table, column, _row, value in every_value(session, vault)
        if table.startswith("survey") and any(f in value for f in forbidden)
    ]
    assert leaks == []
    logged = caplog.text
    assert not any(sid in logged for sid in calls) and not any(n in logged for n in NUMBERS)
    responses = session.scalars(select(SurveyResponse)).all()
    assert not any(r.id in logged for r in responses)
