"""Paper sheets typed in twice in the console: counted when two entries agree, never twice."""

from __future__ import annotations

import html

from sqlalchemy import func, select

from service.crypto import vault_of
from service.db import utcnow
from service.organisations.models import Site
from service.surveys import operations as surveys
from service.surveys.models import (
    SurveyAnswer,
    SurveyPaperEntry,
    SurveyPaperSheet,
    SurveyResponse,
)
from tests.support.console import new_manager
from tests.support.console import page_text as _page_text
from tests.support.surveys import create_survey


def page_text(response) -> str:
    return html.unescape(_page_text(response))


def _site(session, slug="eastfield-depot") -> Site:
    return session.scalar(select(Site).where(Site.slug == slug))


def _form(survey, site, *, sheet=7, language="pl", choice="2", scale="4", yes_no="0", text=""):
    q = survey.questions
    return {
        "sheet": str(sheet),
        "site": str(site.id),
        "language": language,
        f"q{q[0].id}": choice,
        f"q{q[1].id}": scale,
        f"q{q[2].id}": yes_no,
        f"q{q[3].id}": "",
        f"q{q[3].id}-text": text,
    }


def _responses(session, survey) -> list[SurveyResponse]:
    return list(
        session.scalars(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id))
    )


def _signed_in(console, manager):
    console.sign_in(manager.email, manager.totp_secret)
    return console


def _enter(console, survey, data):
    page = f"/console/surveys/{survey.id}/paper"
    return console.post(page, data, token_from=page, follow_redirects=True)


def test_two_matching_entries_count_one_paper_response_for_the_site(
    console, managers, session, demo
):
    survey = create_survey(session, demo)
    site = _site(session)
    session.commit()
    _signed_in(console, managers["admin"])

    first = _enter(console, survey, _form(survey, site, text="Call me on 07700 900123"))
    assert "Sheet 7 saved once. Type it in again" in page_text(first)
    assert _responses(session, survey) == []
    assert "Waiting for its second entry" in page_text(first)

    second = _enter(console, survey, _form(survey, site, text="call me on  07700 900123"))
    shown = page_text(second)
    assert "Sheet 7 counted: both entries agree." in shown
    assert "1 sheet counted." in shown
    session.expire_all()
    [response] = _responses(session, survey)
    assert (response.channel, response.site_id, response.language) == ("paper", site.id, "pl")
    assert response.contact_id is None and response.complete and not response.verified
    answers = {a.question_id: (a.outcome, a.value) for a in response.answers}
    q = survey.questions
    assert answers[q[0].id] == ("answered", 2)
    assert answers[q[1].id] == ("answered", 4)
    assert answers[q[2].id] == ("answered", 0)
    # The number written on the sheet is masked, as on every channel.
    assert answers[q[3].id][0] == "answered"
    written = next(a for a in response.answers if a.question_id == q[3].id)
    kept = vault_of(session).decrypt(written.text_encrypted)
    assert kept.casefold() == "call me on [number]"
    assert session.scalar(select(func.count()).select_from(SurveyPaperEntry)) == 0

    # The same sheet number again: refused, still one response.
    again = _enter(console, survey, _form(survey, site))
    assert again.status_code == 400
    assert "sheet 7 has already been counted" in page_text(again)
    session.expire_all()
    assert len(_responses(session, survey)) == 1


def test_entries_that_disagree_are_flagged_and_count_only_once_a_third_agrees(
    console, managers, session, demo
):
    survey = create_survey(session, demo)
    site = _site(session)
    clerk = new_manager(session, demo, "clerk@northgate.example", ("admin", None, None))
    session.commit()
    _signed_in(console, managers["admin"])
    _enter(console, survey, _form(survey, site, sheet=12, scale="4"))
    # A second person misreads the scale tick, and the language.
    _signed_in(console, clerk)
    mismatch = _enter(console, survey, _form(survey, site, sheet=12, scale="5", language="en"))
    shown = page_text(mismatch)
    assert "Sheet 12 does not match its earlier entry, so it is not counted." in shown
    assert "Entries disagree on the language, question 2" in shown
    session.expire_all()
    assert _responses(session, survey) == []
    assert session.scalar(select(func.count()).select_from(SurveyPaperSheet)) == 0

    # A third look agrees with the first: counted once, and the disagreement is gone.
    resolved = _enter(console, survey, _form(survey, site, sheet=12, scale="4"))
    shown = page_text(resolved)
    assert "Sheet 12 counted" in shown and "Entries disagree" not in shown
    session.expire_all()
    [response] = _responses(session, survey)
    assert response.channel == "paper" and response.language == "pl"
    scale = session.scalar(
        select(SurveyAnswer.value).where(
            SurveyAnswer.response_id == response.id,
            SurveyAnswer.question_id == survey.questions[1].id,
        )
    )
    assert scale == 4


def test_a_flagged_sheet_can_be_thrown_away_and_typed_afresh(console, managers, session, demo):
    survey = create_survey(session, demo)
    site = _site(session)
    session.commit()
    _signed_in(console, managers["admin"])
    _enter(console, survey, _form(survey, site, sheet=3, choice="1"))
    _enter(console, survey, _form(survey, site, sheet=3, choice="3"))
    page = f"/console/surveys/{survey.id}/paper"
    gone = console.post(f"{page}/3/discard", {}, token_from=page, follow_redirects=True)
    assert "Sheet 3: 2 uncounted entries thrown away." in page_text(gone)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SurveyPaperEntry)) == 0
    assert _responses(session, survey) == []


def test_another_organisations_site_or_an_impossible_answer_is_refused(
    console, managers, session, demo
):
    from tests.support import factories

    survey = create_survey(session, demo)
    other = factories.create_organisation(session, slug="elsewhere")
    theirs = factories.create_site(session, org=other)
    session.commit()
    _signed_in(console, managers["admin"])
    refused = _enter(console, survey, _form(survey, theirs))
    assert refused.status_code == 400 and "choose one of the organisation's sites" in page_text(
        refused
    )
    impossible = _enter(console, survey, _form(survey, _site(session), choice="9"))
    assert impossible.status_code == 400
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SurveyPaperEntry)) == 0


def test_a_network_lead_may_not_type_in_paper_sheets(console, managers, session, demo):
    survey = create_survey(session, demo)
    session.commit()
    admin_page = f"/console/surveys/{survey.id}/paper"
    _signed_in(console, managers["network_lead"])
    assert console.get(admin_page).status_code == 403
    # A good form token from a page the lead may see: refused all the same.
    posted = console.post(admin_page, _form(survey, _site(session)), token_from="/console/")
    assert posted.status_code == 403
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SurveyPaperEntry)) == 0


def test_closing_the_survey_throws_away_uncounted_entries(session, demo, managers):
    survey = create_survey(session, demo)
    from service.surveys import paper

    site = _site(session)
    given = {q.id: ("skipped", None, None) for q in survey.questions}
    paper.enter(
        session,
        survey,
        sheet=1,
        site_id=site.id,
        language="en",
        answers=given,
        entered_by=managers["admin"].id,
        now=utcnow(),
    )
    surveys.close_survey(session, survey, utcnow())
    assert session.scalar(select(func.count()).select_from(SurveyPaperEntry)) == 0


def test_an_admin_says_where_sheets_go_back_and_translates_it(console, managers, session, demo):
    survey = create_survey(session, demo)
    session.commit()
    _signed_in(console, managers["admin"])
    page = f"/console/surveys/{survey.id}"
    assert "Type in returned sheets" in page_text(console.get(page))
    saved = console.post(
        f"{page}/return-to", {"return_to": "  the blue box   by the canteen "}, token_from=page
    )
    assert saved.status_code == 302
    polish = "niebieska skrzynka przy stołówce"
    console.post(f"{page}/translations/pl", {"return_to": polish}, token_from=page)
    session.expire_all()
    from service.surveys.queries import localised

    assert localised(session, survey, "en").return_to == "the blue box by the canteen"
    assert localised(session, survey, "pl").return_to == polish
