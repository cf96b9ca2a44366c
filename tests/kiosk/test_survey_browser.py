"""Have your say at the kiosk, in real Chromium, in English and Urdu (issue 21)."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from service.organisations.models import Site
from service.organisations.operations import organisation_by_slug
from service.surveys import operations as surveys
from service.surveys.models import Survey, SurveyAnswer, SurveyResponse, SurveyToken
from service.surveys.results import survey_results
from tests.support.browser import screenshot, watched_tab
from tests.support.kiosk_browser import EVERYTHING_KEPT, HOME, type_digits, violations
from tests.support.surveys import create_survey
from tests.support.texts import code_in

pytestmark = pytest.mark.browser

URDU = {
    "title": "نبض سروے",
    "intro": "چار مختصر سوال۔",
}
URDU_QUESTIONS = [
    {"text": "آپ کام پر کیسے آتے ہیں؟", "options": "بس\nکار\nپیدل"},
    {"text": "آپ کا مینیجر کتنا سنتا ہے؟"},
    {"text": "کیا آپ نے کیئررز گروپ کے بارے میں سنا ہے؟"},
    {"text": "سب سے زیادہ کیا مدد کرے گا؟"},
]
POLISH_QUESTIONS = [
    {"text": "Jak dojeżdżasz do pracy?", "options": "Autobus\nSamochód\nPieszo"},
    {"text": "Czy kierownik cię słucha?"},
    {"text": "Czy znasz grupę opiekunów?"},
    {"text": "Co pomogłoby najbardziej?"},
]
# What the on-screen keyboard types in each language: words no page holds by chance.
TYPED = {"en": "more vans", "ur": "بس"}


@pytest.fixture
def survey(live):
    """An open survey, translated into Urdu, closed again after the test."""
    with live.database.session() as session:
        org = organisation_by_slug(session, "northgate")
        found = create_survey(session, org, audience="open", keyword="SAYSO")
        for field, text in URDU.items():
            surveys.translate(session, found, field, "ur", text)
        surveys.translate(session, found, "title", "pl", "Ankieta")
        for lang, texts in (("ur", URDU_QUESTIONS), ("pl", POLISH_QUESTIONS)):
            for question, fields in zip(found.questions, texts, strict=True):
                for field, text in fields.items():
                    surveys.translate(session, question, field, lang, text)
        session.commit()
        survey_id = found.id
    yield survey_id
    with live.database.session() as session:
        session.delete(session.get_one(Survey, survey_id))
        session.commit()


def type_on_screen(tab, words: str) -> None:
    """Tap the kiosk's own keyboard, key by key."""
    for ch in words:
        key = "{space}" if ch == " " else ch
        tab.locator(f".onscreen-keyboard [data-skbtn='{key}']").first.click()


def no_violations(tab) -> None:
    found = violations(tab)
    assert found == [], found


@pytest.mark.parametrize("lang", ["en", "ur"])
def test_a_survey_taken_at_the_kiosk_counts_for_its_site_and_leaves_nothing(
    page, live, survey, lang
):
    page.goto(f"{HOME}?lang={lang}")
    tile = page.locator(".tile-survey")
    expect(tile).to_be_visible()
    screenshot(page, f"survey-home-{lang}", full_page=False)
    tile.click()
    page.wait_for_url(f"**/survey/{survey}?lang={lang}")
    no_violations(page)
    screenshot(page, f"survey-intro-{lang}", full_page=False)
    page.locator("[data-survey-start]").click()
    progress = page.locator("[data-progress]")
    expect(progress).to_have_text("1 of 4" if lang == "en" else "4 میں سے 1")
    answers = page.locator("[data-answers] button")
    expect(answers).to_have_count(3)
    assert answers.nth(1).inner_text() == ("Car" if lang == "en" else "کار")
    no_violations(page)
    screenshot(page, f"survey-choice-{lang}", full_page=False)
    answers.nth(1).click()
    expect(progress).to_have_text("2 of 4" if lang == "en" else "4 میں سے 2")
    expect(page.locator("[data-answers] button")).to_have_count(5)
    screenshot(page, f"survey-scale-{lang}", full_page=False)
    # Back to the first question; its answer is asked again.
    page.locator("[data-move=back]").click()
    expect(progress).to_have_text("1 of 4" if lang == "en" else "4 میں سے 1")
    page.locator("[data-answers] button").nth(2).click()
    page.locator("[data-answers] button").nth(3).click()  # 4 on the scale
    expect(progress).to_have_text("3 of 4" if lang == "en" else "4 میں سے 3")
    page.locator("[data-move=prefer_not]").click()
    # The written answer, on the kiosk's keyboard in the screen's language.
    box = page.locator("#survey-text")
    expect(box).to_be_visible()
    type_on_screen(page, TYPED[lang])
    assert box.input_value() == TYPED[lang]
    no_violations(page)
    screenshot(page, f"survey-text-{lang}", full_page=False)
    page.locator("[data-send-written]").click()
    done = page.locator("[data-done-message]")
    expect(done).to_be_visible()
    no_violations(page)
    screenshot(page, f"survey-done-{lang}", full_page=False)
    # Counted for the kiosk's site, on the kiosk channel, in the screen's language.
    with live.database.session() as session:
        rows = session.execute(
            select(SurveyResponse.channel, Site.slug, SurveyResponse.language)
            .join(Site)
            .where(SurveyResponse.survey_id == survey)
        ).all()
        assert rows == [("kiosk", "eastfield-depot", lang)]
        results = survey_results(session, session.get_one(Survey, survey))
        by_site = {s.name: s.shown for s in results.by_site}
        assert by_site["Eastfield Depot"] == "<5" and set(by_site.values()) == {"<5", "0"}
    # Finish: back to the start, and nothing of the survey is left anywhere in the browser.
    page.locator("[data-survey-done] [data-survey-finish]").click()
    page.wait_for_url(f"**{HOME}?lang=en")
    page.locator(".tiles").wait_for()
    kept = page.evaluate(EVERYTHING_KEPT)
    blob = repr(kept)
    assert TYPED[lang] not in blob and "survey/" not in kept["url"]
    assert kept["local"] == "{}" and kept["session"] == "{}"
    assert not any("/survey/" in entry.split("\n")[0] for entry in kept["caches"])
    page.go_back()
    assert "/survey/" not in page.url


def test_walking_away_part_way_forgets_the_answers_on_the_screen_and_the_server(page, live, survey):
    page.clock.install()
    page.goto(f"{HOME}survey/{survey}?lang=en")
    page.locator("[data-survey-start]").click()
    page.locator("[data-answers] button").first.click()
    expect(page.locator("[data-progress]")).to_have_text("2 of 4")
    handle = page.evaluate("window.FrontlineSurvey.held().handle")
    assert len(handle) >= 16
    with live.database.session() as session:
        held = select(func.count()).select_from(SurveyToken).where(SurveyToken.survey_id == survey)
        assert session.scalar(held) == 1
    page.clock.fast_forward(61_000)
    expect(page.get_by_role("alertdialog")).to_be_visible()
    page.clock.run_for(21_000)
    page.wait_for_url(f"**{HOME}?lang=en")
    page.locator(".tiles").wait_for()
    with live.database.session() as session:
        assert session.scalar(held) == 0  # the half-answered survey went with the person
        assert session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
    kept = page.evaluate(EVERYTHING_KEPT)
    assert kept["session"] == "{}" and handle not in repr(kept)
    page.go_back()
    assert "/survey/" not in page.url


@pytest.mark.parametrize("kept_first", [False, True], ids=["refused", "kept-then-lost"])
def test_an_answer_met_by_a_busy_database_is_sent_again_and_kept_once(
    browser, live, survey, kept_first
):
    # The server's 503 while SQLite's lock was busy (service/outage.py: nothing was kept); and,
    # to show that sending again never counts an answer twice, a 503 from something in between
    # after the server had kept it. The service worker is off so that every request the page
    # makes passes through the route.
    with watched_tab(browser, live.url, service_workers="block") as tab:
        refused: list[dict] = []
        held = []

        def busy_once(route) -> None:
            if not refused:
                refused.append(json.loads(route.request.post_data))
                if kept_first:
                    assert route.fetch().status == 200
                body = {"status": "unavailable", "message": "Sorry, we cannot do that just now."}
                route.fulfill(status=503, headers={"Retry-After": "30"}, json=body)
            else:
                held.append(route)  # let through below, once "One moment" has been seen

        tab.route("**/api/survey/answer", busy_once)
        tab.goto(f"{HOME}survey/{survey}?lang=en")
        tab.locator("[data-survey-start]").click()
        progress = tab.locator("[data-progress]")
        expect(progress).to_have_text("1 of 4")
        tab.locator("[data-answers] button").nth(1).click()
        moment = tab.locator("[data-survey-question] [data-moment]")
        expect(moment).to_have_text("One moment, please.")
        expect(progress).to_have_text("1 of 4")  # the person stays on their question
        deadline = time.monotonic() + 15
        while not held:
            assert time.monotonic() < deadline, "the answer was not sent again"
            tab.wait_for_timeout(100)
        assert json.loads(held[0].request.post_data) == refused[0]  # the same answer, again
        held[0].continue_()
        expect(progress).to_have_text("2 of 4")
        expect(moment).to_have_text("")
        tab.unroute("**/api/survey/answer")
        for n in (2, 3, 4):
            expect(progress).to_have_text(f"{n} of 4")
            tab.locator("[data-move=skipped]").click()
        expect(tab.locator("[data-done-message]")).to_be_visible()
    with live.database.session() as session:
        kept = session.execute(
            select(SurveyAnswer.question_id, SurveyAnswer.outcome, SurveyAnswer.value)
            .join(SurveyResponse)
            .where(SurveyResponse.survey_id == survey)
        ).all()
        first = session.get_one(Survey, survey).questions[0].id
    assert len(kept) == 4
    assert [(a.outcome, a.value) for a in kept if a.question_id == first] == [("answered", 2)]


def test_a_phone_answers_an_open_survey_on_the_public_page_in_polish(page, live, survey):
    with live.database.session() as session:
        slug = organisation_by_slug(session, "northgate").slug
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/o/{slug}/?lang=pl")
    page.locator("a.survey-link").click()
    page.wait_for_url(f"**/o/{slug}/survey/{survey}?lang=pl")
    no_violations(page)
    page.locator("[data-survey-start]").click()
    expect(page.locator("[data-progress]")).to_have_text("1 z 4")
    expect(page.locator("[data-answers] button").nth(1)).to_have_text("Samochód")
    no_violations(page)
    screenshot(page, "survey-public-pl", area="public", full_page=False)
    page.locator("[data-answers] button").first.click()
    expect(page.locator("[data-progress]")).to_have_text("2 z 4")
    page.locator("[data-move=skipped]").click()
    expect(page.locator("[data-progress]")).to_have_text("3 z 4")
    page.locator("[data-answers] button").first.click()  # Tak
    expect(page.locator("#survey-text")).to_be_visible()
    # A phone has its own keyboard: the public page draws none.
    assert page.locator(".onscreen-keyboard").count() == 0
    page.locator("#survey-text").fill("Więcej autobusów")
    page.locator("[data-send-written]").click()
    expect(page.locator("[data-done-message]")).to_be_visible()
    screenshot(page, "survey-public-done-pl", area="public", full_page=False)
    with live.database.session() as session:
        rows = session.execute(
            select(
                SurveyResponse.channel,
                SurveyResponse.site_id,
                SurveyResponse.language,
                SurveyResponse.verified,
            ).where(SurveyResponse.survey_id == survey)
        ).all()
    assert rows == [("web", None, "pl", False)]
    assert "Więcej" not in page.url


def test_a_member_proves_their_number_and_answers_a_members_only_survey(page, live):
    from service.contacts.operations import get_or_create_contact, join_network
    from service.content.models import Network

    number, e164 = "07400765432", "+447400765432"
    with live.database.session() as session:
        org = organisation_by_slug(session, "northgate")
        careers = session.scalar(select(Network).where(Network.slug == "careers"))
        contact, _ = get_or_create_contact(session, org.id, e164, language="ur")
        join_network(session, contact, careers, channel="sms")
        found = create_survey(
            session, org, keyword="CAREERSAY", audience="networks", network_ids=[careers.id]
        )
        session.commit()
        survey_id = found.id
    try:
        page.goto(f"{HOME}survey/{survey_id}?lang=ur")
        expect(page.locator("[data-survey-start]")).to_be_hidden()
        page.locator("[data-needs-number] [data-open]").click()
        type_digits(page, number)
        page.locator("[data-step=number]:visible [data-send]").click()
        page.locator("[data-step=code]:visible").wait_for()
        type_digits(page, code_in(live.texts_to(e164)[-1]))
        no_violations(page)
        screenshot(page, "survey-prove-ur", full_page=False)
        page.locator("[data-step=code]:visible [data-check]").click()
        # The code matched: the survey starts by itself, as this number.
        expect(page.locator("[data-progress]")).to_have_text("4 میں سے 1")
        expect(page.locator("[data-needs-number]")).to_be_hidden()
        for n in range(1, 5):
            # Each tap after the last answer's reply: a tap while one is on its way is dropped.
            expect(page.locator("[data-progress]")).to_have_text(f"4 میں سے {n}")
            page.locator("[data-move=skipped]").click()
        expect(page.locator("[data-done-message]")).to_be_visible()
        page.locator("[data-survey-done] [data-survey-finish]").click()
        page.wait_for_url(f"**{HOME}?lang=en")
        kept = page.evaluate(EVERYTHING_KEPT)
        assert kept["session"] == "{}" and number[1:] not in repr(kept).replace(" ", "")
        with live.database.session() as session:
            rows = session.execute(
                select(SurveyResponse.channel, SurveyResponse.verified).where(
                    SurveyResponse.survey_id == survey_id
                )
            ).all()
        assert rows == [("kiosk", True)]
    finally:
        with live.database.session() as session:
            session.delete(session.get_one(Survey, survey_id))
            session.commit()


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080), (1080, 1920)])
def test_every_answer_and_move_is_on_the_first_screen(browser, live, survey, width, height):
    from tests.support.browser import watched_tab

    with watched_tab(browser, live.url, width=width, height=height) as tab:
        tab.goto(f"{HOME}survey/{survey}?lang=ur")
        tab.locator("[data-survey-start]").click()
        for n in range(1, 4):  # the choice, the scale and yes/no, then the written answer
            expect(tab.locator("[data-progress]")).to_have_text(f"4 میں سے {n}")
            for button in tab.locator("[data-answers] button, [data-move]:visible").all():
                box = button.bounding_box()
                assert box and box["y"] + box["height"] <= height, button.inner_text()
            tab.locator("[data-move=skipped]").click()
        expect(tab.locator("[data-progress]")).to_have_text("4 میں سے 4")
        tab.locator("#survey-text").wait_for()
        keys = tab.locator(".onscreen-keyboard .hg-button")
        for button in [*tab.locator("[data-send-written], [data-move]:visible").all(), keys.last]:
            box = button.bounding_box()
            assert box and box["y"] + box["height"] <= height, button.inner_text()
        screenshot(tab, f"survey-text-ur-{width}x{height}", full_page=False)
