"""Results: counts suppressed as on the reach dashboard, free text only from five, masked."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from service.reach.suppression import HIDDEN, SMALL
from service.surveys.results import survey_results
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
