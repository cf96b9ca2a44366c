"""Have your say on the kiosk and the public page, through the Flask app (issue 21)."""

from __future__ import annotations

import logging
import re

import pytest
import time_machine
from sqlalchemy import func, select

from service.contacts.models import Contact, Membership
from service.contacts.operations import get_or_create_contact, join_network
from service.content.models import Network
from service.db import utcnow
from service.organisations.models import Site
from service.organisations.operations import issue_kiosk_credential
from service.surveys import screens, taking
from service.surveys.models import Survey, SurveyResponse, SurveyThrottle, SurveyToken
from service.surveys.operations import close_survey
from service.surveys.results import results_csv, survey_results
from tests.support.survey_scan import links
from tests.support.surveys import create_survey
from tests.support.texts import code_in, texts_to

KIOSK = "/kiosk/eastfield-depot/"
NUMBER = "07400 123456"
E164 = "+447400123456"
# A refused request rolls back: the demo council must outlive it.
pytestmark = pytest.mark.usefixtures("demo_committed")


def site_id(session, slug: str = "eastfield-depot") -> int:
    return session.scalar(select(Site.id).where(Site.slug == slug))


def open_survey(session, demo, **fields):
    fields.setdefault("audience", "open")
    survey = create_survey(session, demo, **fields)
    session.commit()
    return survey


def post(client, path: str, body: dict, **kw):
    return client.post(path, json=body, **kw)


def take(client, base: str, survey_id: int, *, lang: str = "en", **who) -> list[dict]:
    """Answer the four questions: Car, back, Walk, 4, No, a written answer; every reply."""
    replies = []
    started = post(client, base + "api/survey/start", {"survey": survey_id, "lang": lang, **who})
    assert started.status_code == 200, started.get_json()
    replies.append(started.get_json())
    held = {"survey": survey_id, "lang": lang, **who}
    if started.get_json()["handle"]:
        held["handle"] = started.get_json()["handle"]
    q = started.get_json()["question"]
    steps = [
        ("answer", {"outcome": "answered", "value": 2}),
        ("back", {}),
        ("answer", {"outcome": "answered", "value": 3}),
        ("answer", {"outcome": "answered", "value": 4}),
        ("answer", {"outcome": "answered", "value": 0}),
        ("answer", {"outcome": "answered", "text": "More buses, call 07400 999888"}),
    ]
    for path, fields in steps:
        body = {**held, **fields, "question": q["id"]} if path == "answer" else held
        reply = post(client, f"{base}api/survey/{path}", body)
        assert reply.status_code == 200, reply.get_json()
        replies.append(reply.get_json())
        q = reply.get_json().get("question") or q
    return replies


def test_the_kiosk_and_the_public_page_offer_have_your_say_while_a_survey_is_open(
    client, demo, session
):
    assert "Have your say" not in client.get(KIOSK).get_data(as_text=True)
    survey = open_survey(session, demo)
    home = client.get(KIOSK).get_data(as_text=True)
    assert "Have your say" in home and f"{KIOSK}survey/{survey.id}?lang=en" in home
    public = client.get(f"/o/{demo.slug}/").get_data(as_text=True)
    assert "Have your say" in public and f"/o/{demo.slug}/survey/{survey.id}" in public
    page = client.get(f"{KIOSK}survey/{survey.id}?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Pulse survey" in page.get_data(as_text=True)
    phone = client.get(f"/o/{demo.slug}/survey/{survey.id}?lang=ur")
    assert phone.status_code == 200 and phone.headers["Cache-Control"] == "no-store"
    assert 'dir="rtl"' in phone.get_data(as_text=True)


def test_a_survey_for_members_is_on_the_kiosk_but_never_on_the_public_page(client, demo, session):
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    members = open_survey(session, demo, audience="networks", network_ids=[careers])
    other = open_survey(
        session,
        demo,
        keyword="DEPOT",
        audience="sites",
        site_ids=[site_id(session, "riverside-depot")],
    )
    home = client.get(KIOSK).get_data(as_text=True)
    assert f"survey/{members.id}?" in home
    assert f"survey/{other.id}?" not in home  # another site's people only
    assert client.get(f"{KIOSK}survey/{other.id}").status_code == 404
    assert "Have your say" not in client.get(f"/o/{demo.slug}/").get_data(as_text=True)
    assert client.get(f"/o/{demo.slug}/survey/{members.id}").status_code == 404
    refused = post(client, f"/o/{demo.slug}/api/survey/start", {"survey": members.id})
    assert refused.status_code == 404


def test_a_kiosk_answer_is_counted_for_its_site_unproven_and_masked(client, demo, session, vault):
    survey = open_survey(session, demo)
    replies = take(client, KIOSK, survey.id)
    first = replies[0]
    assert first["question"]["progress"] == "1 of 4"
    assert first["question"]["options"] == ["Bus", "Car", "Walk"]
    assert replies[2]["question"]["number"] == 1  # back
    assert replies[-1] == {
        "done": True,
        "message": "Thank you, that is all. Your answers have been counted.",
    }
    session.expire_all()
    response = session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id))
    assert (response.channel, response.site_id, response.verified) == (
        "kiosk",
        site_id(session),
        False,
    )
    values = sorted((a.outcome, -1 if a.value is None else a.value) for a in response.answers)
    assert values == [("answered", -1), ("answered", 0), ("answered", 3), ("answered", 4)]
    written = next(a for a in response.answers if a.text_encrypted)
    assert "999888" not in vault.decrypt(written.text_encrypted)
    results = survey_results(session, survey)
    assert [(line.label, line.shown) for line in results.by_channel.lines] == [("Kiosk", "<5")]
    assert results.unverified == "<5"
    assert "Without a proven number,<5" in results_csv(results)
    # The handle finished: nothing of the person is left on the token row.
    assert session.scalar(select(SurveyToken.progress_encrypted)) is None


def test_the_public_page_counts_as_web_with_no_site(client, demo, session):
    survey = open_survey(session, demo)
    take(client, f"/o/{demo.slug}/", survey.id, lang="pl")
    session.expire_all()
    response = session.scalar(select(SurveyResponse))
    assert (response.channel, response.site_id, response.language, response.verified) == (
        "web",
        None,
        "pl",
        False,
    )


def test_unproven_starts_are_limited_per_kiosk_and_per_address(client, demo, session):
    survey = open_survey(session, demo)
    registered = {
        "X-Kiosk-Credential": issue_kiosk_credential(
            session, session.get_one(Site, site_id(session))
        )
    }
    session.commit()
    body = {"survey": survey.id, "lang": "en"}
    # Counted per clock hour: held still, so a run that starts at 10:59 cannot see two hours.
    with time_machine.travel(utcnow(), tick=False):
        for _ in range(screens.KIOSK_PER_HOUR):
            started = post(client, KIOSK + "api/survey/start", body, headers=registered)
            assert started.status_code == 200
        stuffed = post(client, KIOSK + "api/survey/start", body, headers=registered)
        assert stuffed.status_code == 429
        assert "answered here in the last hour" in stuffed.get_json()["message"]
        # Another kiosk (another address) is counted apart.
        elsewhere = {"REMOTE_ADDR": "10.0.0.9"}
        assert (
            post(
                client, KIOSK + "api/survey/start", body, environ_base=elsewhere, headers=registered
            ).status_code
            == 200
        )
        # A script holding the public page's API gets a phone's worth, then nothing.
        web = f"/o/{demo.slug}/api/survey/start"
        phone = {"REMOTE_ADDR": "10.1.1.1"}
        for _ in range(screens.WEB_PER_HOUR):
            assert post(client, web, body, environ_base=phone).status_code == 200
        assert post(client, web, body, environ_base=phone).status_code == 429
    # The counters name no kiosk or address: keyed under the survey's key.
    keys = session.scalars(select(SurveyThrottle.key)).all()
    assert keys and not any("10." in k or "kiosk" in k for k in keys)


def test_the_kiosks_path_without_its_credential_gets_a_phones_limit(client, demo, session):
    # The kiosk's address is public: a script posting there from home must not get a kiosk's
    # queue of unproven answers (ten times a phone's), counted for the depot as it goes.
    survey = open_survey(session, demo)
    body = {"survey": survey.id, "lang": "en"}
    forged = {"X-Kiosk-Credential": "guessed-credential"}
    home = {"REMOTE_ADDR": "10.2.2.2"}
    with time_machine.travel(utcnow(), tick=False):
        for _ in range(screens.WEB_PER_HOUR):
            started = post(client, KIOSK + "api/survey/start", body, environ_base=home)
            assert started.status_code == 200
        refused = post(client, KIOSK + "api/survey/start", body, environ_base=home, headers=forged)
        assert refused.status_code == 429


def test_answers_are_checked_against_the_question_and_a_double_tap_counts_once(
    client, demo, session
):
    survey = open_survey(
        session,
        demo,
        questions=[
            {"kind": "choice", "text": "Which?", "options": ["A", "B"], "prefer_not": False},
            {"kind": "scale", "text": "How much?"},
        ],
    )
    started = post(client, KIOSK + "api/survey/start", {"survey": survey.id}).get_json()
    held = {"survey": survey.id, "handle": started["handle"], "question": started["question"]["id"]}
    for wrong in (
        {"outcome": "answered", "value": 3},
        {"outcome": "answered", "value": True},
        {"outcome": "answered", "text": "A"},
        {"outcome": "prefer_not"},  # this question does not offer it
        {"outcome": "deleted"},
    ):
        assert post(client, KIOSK + "api/survey/answer", {**held, **wrong}).status_code == 400, (
            wrong
        )
    assert (
        post(
            client, KIOSK + "api/survey/answer", {**held, "outcome": "answered", "value": 2}
        ).status_code
        == 200
    )
    again = post(client, KIOSK + "api/survey/answer", {**held, "outcome": "answered", "value": 1})
    assert again.status_code == 409 and again.get_json()["question"]["number"] == 2
    # Without the handle, nobody can answer someone else's survey.
    forged = post(
        client, KIOSK + "api/survey/answer", {**held, "handle": "x" * 32, "outcome": "skipped"}
    )
    assert forged.status_code == 404


def test_another_site_cannot_post_answers(client, demo, session):
    survey = open_survey(session, demo)
    start = KIOSK + "api/survey/start"
    as_form = client.post(start, data={"survey": survey.id})
    assert as_form.status_code == 403
    evil = post(client, start, {"survey": survey.id}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    fetched = post(client, start, {"survey": survey.id}, headers={"Sec-Fetch-Site": "cross-site"})
    assert fetched.status_code == 403
    ours = post(client, start, {"survey": survey.id}, headers={"Origin": "http://localhost"})
    assert ours.status_code == 200
    assert session.scalar(select(func.count()).select_from(SurveyToken)) == 1


def test_the_kiosk_reset_drops_an_unfinished_unproven_survey(client, demo, session):
    survey = open_survey(session, demo)
    started = post(client, KIOSK + "api/survey/start", {"survey": survey.id}).get_json()
    held = {"survey": survey.id, "handle": started["handle"]}
    post(
        client,
        KIOSK + "api/survey/answer",
        {**held, "question": started["question"]["id"], "outcome": "answered", "value": 1},
    )
    assert session.scalar(select(func.count()).select_from(SurveyToken)) == 1
    reset = client.post(
        KIOSK + "reset", json={"survey": {"id": survey.id, "handle": started["handle"]}}
    )
    assert reset.status_code == 204
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(SurveyToken)) == 0
    assert post(client, KIOSK + "api/survey/back", held).status_code == 404


def prove(client, session, vault, network: str = "careers") -> str:
    """Join at the kiosk with a texted code, as a person would; the visit's handle."""
    started = post(
        client,
        KIOSK + "api/start",
        {
            "action": "join",
            "network": session.scalar(select(Network.id).where(Network.slug == network)),
            "phone": NUMBER,
            "lang": "en",
        },
    ).get_json()
    code = code_in(texts_to(session, vault, E164)[-1])
    done = post(client, KIOSK + "api/check", {"token": started["token"], "code": code})
    assert done.get_json()["visit"] is True
    return started["token"]


def test_a_proven_number_answers_once_across_channels_and_members_only_surveys(
    client, demo, session, vault
):
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    minds = session.scalar(select(Network.id).where(Network.slug == "minds"))
    members = open_survey(session, demo, audience="networks", network_ids=[careers])
    others = open_survey(session, demo, keyword="MINDSAY", audience="networks", network_ids=[minds])
    needs = post(client, KIOSK + "api/survey/start", {"survey": members.id})
    assert needs.status_code == 401 and needs.get_json()["error"] == "number_needed"
    visit = prove(client, session, vault)
    assert (
        post(client, KIOSK + "api/survey/start", {"survey": others.id, "visit": visit}).status_code
        == 403
    )
    replies = take(client, KIOSK, members.id, visit=visit)
    assert replies[0]["handle"] is None  # the number is the identity, nothing for the page to hold
    session.expire_all()
    response = session.scalar(select(SurveyResponse).where(SurveyResponse.survey_id == members.id))
    assert (response.channel, response.site_id, response.verified, response.contact_id) == (
        "kiosk",
        site_id(session),
        True,
        None,  # anonymous: no contact on the response
    )
    again = post(client, KIOSK + "api/survey/start", {"survey": members.id, "visit": visit})
    assert again.status_code == 409
    # By text too: the same number's token.
    contact = session.scalar(
        select(Contact).join(Membership).where(Membership.network_id == careers)
    )
    with pytest.raises(taking.AlreadyAnswered):
        taking.begin(
            session,
            members,
            taking.identity_of_number(E164),
            channel="sms",
            language="en",
            now=members.opened_at,
        )
    assert contact is not None
    over = post(
        client, KIOSK + "api/survey/start", {"survey": members.id, "visit": "ended-visit-token"}
    )
    assert over.status_code == 401 and over.get_json()["error"] == "visit_over"


@pytest.mark.parametrize(
    ("lang", "progress", "yes_word"), [("pl", "1 z 4", "Tak"), ("ur", "4 میں سے 1", "ہاں")]
)
def test_the_questions_come_in_the_screens_language(
    client, demo, session, lang, progress, yes_word
):
    survey = open_survey(session, demo)
    started = post(
        client, KIOSK + "api/survey/start", {"survey": survey.id, "lang": lang}
    ).get_json()
    assert started["question"]["progress"] == progress
    page = client.get(f"{KIOSK}survey/{survey.id}?lang={lang}").get_data(as_text=True)
    assert yes_word in page


def test_a_members_only_survey_proves_the_number_on_its_own_page(client, demo, session, vault):
    # Before: a member had to join a group or ask for a call back to get a visit first.
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    members = open_survey(session, demo, audience="networks", network_ids=[careers])
    page = client.get(f"{KIOSK}survey/{members.id}?lang=en").get_data(as_text=True)
    assert 'data-action="prove"' in page and "Use my phone number" in page
    contact, _ = get_or_create_contact(session, demo.id, E164, language="en")
    join_network(session, contact, session.get_one(Network, careers), channel="sms")
    session.commit()
    number = contact.phone
    started = post(client, KIOSK + "api/start", {"action": "prove", "phone": number, "lang": "en"})
    assert started.status_code == 200, started.get_json()
    code = code_in(texts_to(session, vault, number)[-1])
    checked = post(
        client, KIOSK + "api/check", {"token": started.get_json()["token"], "code": code}
    )
    assert checked.get_json() == {
        "status": "done",
        "message": "Thank you. Your number is checked.",
        "visit": True,
    }
    visit = started.get_json()["token"]
    replies = take(client, KIOSK, members.id, visit=visit)
    assert replies[-1]["done"] is True
    session.expire_all()
    assert session.scalar(select(SurveyResponse.verified)) is True
    # Proving joined nothing more.
    joined = select(func.count()).select_from(Membership).where(Membership.contact_id == contact.id)
    assert session.scalar(joined) == 1


def test_after_close_nothing_links_a_kiosk_or_web_answer_to_anyone(
    client, demo, session, vault, caplog
):
    caplog.set_level(logging.DEBUG)
    survey = open_survey(session, demo)
    visit = prove(client, session, vault)
    take(client, KIOSK, survey.id, visit=visit)  # proven, finished
    take(client, f"/o/{demo.slug}/", survey.id)  # unproven, finished
    part_way = post(client, KIOSK + "api/survey/start", {"survey": survey.id}).get_json()
    handle = part_way["handle"]
    post(
        client,
        KIOSK + "api/survey/answer",
        {
            "survey": survey.id,
            "handle": handle,
            "question": part_way["question"]["id"],
            "outcome": "answered",
            "value": 1,
        },
    )
    session.expire_all()
    assert links(session, vault) == set()  # nobody part way through has a number here
    close_survey(session, session.get_one(Survey, survey.id), utcnow())
    session.flush()
    assert links(session, vault) == set()
    assert session.scalar(select(func.count()).select_from(SurveyThrottle)) == 0
    assert session.scalar(select(func.count()).select_from(SurveyToken)) == 0
    rows = session.execute(
        select(SurveyResponse.channel, SurveyResponse.complete, SurveyResponse.contact_id)
    ).all()
    assert sorted(rows) == [("kiosk", False, None), ("kiosk", True, None), ("web", True, None)]
    logged = caplog.text
    assert handle not in logged and "999888" not in logged and "More buses" not in logged
    assert E164 not in logged and visit not in logged


def test_a_phone_gets_its_own_keyboard_for_a_written_answer(client, demo, session):
    # inputmode="none" keeps the system keyboard away: right on a kiosk, which draws its own,
    # but on a personal phone nothing could then be typed into a written answer.
    survey = open_survey(session, demo)
    box = re.compile(r"<textarea[^>]*id=\"survey-text\"[^>]*>")
    web = client.get(f"/o/{demo.slug}/survey/{survey.id}?lang=en")
    assert web.status_code == 200
    assert 'inputmode="none"' not in box.search(web.get_data(as_text=True)).group(0)
    kiosk = client.get(f"{KIOSK}survey/{survey.id}?lang=en")
    assert kiosk.status_code == 200
    assert 'inputmode="none"' in box.search(kiosk.get_data(as_text=True)).group(0)
