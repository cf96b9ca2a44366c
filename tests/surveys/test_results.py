"""Results: counts suppressed as on the reach dashboard, free text only from five, masked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.crypto import vault_of
from service.db import utcnow
from service.reach.suppression import HIDDEN, SMALL
from service.surveys import operations as surveys
from service.surveys.results import BATCH, results_csv, survey_results
from tests.support.surveys import create_survey, respond


def test_small_counts_are_hidden_with_their_complement(session, demo):
    survey = create_survey(session, demo)
    for n in range(9):
        respond(session, survey, n, choice=1)
    for n in range(9, 11):
        respond(session, survey, n, choice=2, language="pl")
    results = survey_results(session, survey)
    first = {line.label: line.shown for line in results.questions[0].table.lines}
    # 9 Bus, 2 Car, 0 Walk: the lone "<5" takes the next smallest cell with it.
    assert first == {
        "Bus": HIDDEN,
        "Car": SMALL,
        "Walk": "0",
        "Prefer not to say": "0",
        "Skipped": "0",
    }
    assert results.questions[0].table.total == "11"
    languages = {line.label: line.shown for line in results.by_language.lines}
    assert languages == {"English": HIDDEN, "Polish": SMALL}


def test_free_text_is_shown_from_five_answers_with_contact_details_masked(session, demo):
    survey = create_survey(session, demo)
    for n in range(4):
        respond(session, survey, n, text=f"Idea {n}: ring me on 07400 123456 or a.b@example.org")
    assert survey_results(session, survey).questions[3].texts is None
    respond(session, survey, 4, text="More buses")
    # Closed, every answer is shown (while open they come in batches of ten: see below).
    surveys.close_survey(session, survey, utcnow())
    texts = survey_results(session, survey).questions[3].texts
    assert texts is not None and len(texts) == 5
    assert "Idea 0: ring me on [number] or [e-mail]" in texts
    assert not any("07400" in t or "@" in t for t in texts)


def test_the_number_needed_follows_the_audience_and_the_chosen_margin(session, demo):
    survey = create_survey(session, demo)
    results = survey_results(session, survey, margin=0.05, confidence=0.95)
    wider = survey_results(session, survey, margin=0.10, confidence=0.90)
    assert results.needed >= wider.needed
    assert results.needed <= results.audience


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_no_shown_column_lets_a_small_count_be_worked_out(counts):
    from service.reach.suppression import suppress_column

    cells, total = suppress_column(counts, sum(counts))
    small = [i for i, c in enumerate(counts) if 0 < c < 5]
    if total.isdigit():
        hidden = [i for i, cell in enumerate(cells) if not cell.isdigit()]
        # A total on show never leaves exactly one cell to be worked out by subtraction.
        assert len(hidden) != 1
    for i in small:
        assert cells[i] == SMALL


def answers_to(results, number: int) -> dict[str, str]:
    return {line.label: line.shown for line in results.questions[number - 1].table.lines}


def test_while_open_the_answers_move_only_in_batches_of_ten(session, demo):
    survey = create_survey(session, demo)
    for n in range(BATCH):
        respond(session, survey, n, choice=1, text=f"Idea {n}")
    first = survey_results(session, survey)
    assert first.batch_size == BATCH and first.next_batch_in == BATCH
    assert answers_to(first, 1)["Bus"] == "10" and answers_to(first, 1)["Car"] == "0"
    # One more person answers Car. Someone watching the page beside the inbound text log must
    # not see a "Car" appear just after Ann texted: the count of responses moves, the answers
    # do not, and neither does the CSV.
    respond(session, survey, BATCH, choice=2, text="Ann's own words")
    after_one = survey_results(session, survey)
    assert after_one.responses == "11"
    assert answers_to(after_one, 1) == answers_to(first, 1)
    assert after_one.questions[3].texts == first.questions[3].texts
    assert "Ann's own words" not in results_csv(after_one)
    assert after_one.batch_size == BATCH and after_one.next_batch_in == BATCH - 1
    for n in range(BATCH + 1, 2 * BATCH):
        respond(session, survey, n, choice=1)
    # Nine more: ten since the batch. Now the Car shows, among ten people's answers.
    second = survey_results(session, survey)
    assert second.batch_size == 2 * BATCH
    assert answers_to(second, 1)["Car"] == SMALL
    assert "Ann's own words" in (second.questions[3].texts or ())


def test_the_batch_is_stored_encrypted_and_goes_at_close(session, demo):
    survey = create_survey(session, demo)
    for n in range(BATCH):
        respond(session, survey, n, text="the night bus from the depot")
    survey_results(session, survey)
    stored = survey.answers_batch_encrypted
    assert stored and "night bus" not in stored
    assert "night bus" in vault_of(session).decrypt(stored)
    surveys.close_survey(session, survey, utcnow())
    assert survey.answers_batch_encrypted is None
    closed = survey_results(session, survey)
    assert closed.batch_size is None and closed.next_batch_in is None
    assert answers_to(closed, 1)["Bus"] == "10"


def test_erasing_an_attributable_respondent_takes_them_out_of_the_batch(session, demo):
    from service.contacts.operations import get_or_create_contact
    from service.privacy.erasure import erase_contact
    from service.surveys import taking

    survey = create_survey(session, demo, keyword="EVENING", mode="attributable")
    for n in range(BATCH - 1):
        respond(session, survey, n)
    contact, _ = get_or_create_contact(session, demo.id, "+447400999888")
    who = taking.identity_of_number("+447400999888")
    now = utcnow()
    taking.begin(session, survey, who, channel="sms", language="en", now=now, contact_id=contact.id)
    for value in (2, 3, 1):
        taking.answer(session, survey, who, outcome="answered", value=value, now=now)
    taking.answer(session, survey, who, outcome="answered", text="ask Priya, not me", now=now)
    assert survey_results(session, survey).batch_size == BATCH
    erase_contact(session, contact)
    session.flush()
    session.refresh(survey)
    assert survey.answers_batch_encrypted is None
    again = survey_results(session, survey)
    assert again.batch_size == 0 and again.next_batch_in == 1
    assert all(shown == "0" for shown in answers_to(again, 1).values())


def test_a_page_read_before_another_took_a_batch_does_not_take_one_a_response_later(session, demo):
    """Two results pages at once: the later batch is BATCH responses on from the stored one.

    GET pages read first (no write lock, and on PostgreSQL no row lock either): a page that read
    the survey before another page stored a batch must not store its own tally one response
    later, or the two batches side by side show what that one person answered.
    """
    from sqlalchemy.orm.attributes import set_committed_value

    survey = create_survey(session, demo)
    for n in range(BATCH):
        respond(session, survey, n, choice=1)
    before = survey.answers_batch_encrypted  # as this page read it: no batch yet
    assert survey_results(session, survey).batch_size == BATCH  # another page took one
    session.flush()
    respond(session, survey, BATCH, choice=2, text="Ann's own words")
    set_committed_value(survey, "answers_batch_encrypted", before)
    late = survey_results(session, survey)
    assert late.batch_size == BATCH and answers_to(late, 1)["Car"] == "0"
    session.refresh(survey)
    assert "Ann's own words" not in vault_of(session).decrypt(survey.answers_batch_encrypted)
