"""Writing, translating, opening and closing a survey in the console, and reading its results."""

from __future__ import annotations

import datetime as dt
import html

from sqlalchemy import select

from service.db import utcnow
from service.organisations.models import Organisation
from service.outbox.models import OutboundMessage
from service.surveys.models import Survey
from tests.support import factories
from tests.support.console import page_text
from tests.support.sms import Handset

PEOPLE = [f"+4474005550{n:02d}" for n in range(12)]


def survey_org(session, survey):
    return session.get(Organisation, survey.organisation_id)


def signed_in(console, manager):
    console.sign_in(manager.email, manager.totp_secret)
    return console


def test_an_admin_writes_translates_opens_and_closes_a_survey(console, managers, session, client):
    signed_in(console, managers["admin"])
    closes = (utcnow() + dt.timedelta(days=10)).date().isoformat()
    made = console.post(
        "/console/surveys",
        {
            "title": "Depot canteen",
            "intro": "Two questions.",
            "keyword": "canteen",
            "closes_on": closes,
            "audience": "opted_in",
            "mode": "anonymous",
        },
    )
    assert made.status_code == 302
    survey = session.scalars(select(Survey)).one()
    page = f"/console/surveys/{survey.id}"
    console.post(
        f"{page}/questions",
        {
            "kind": "choice",
            "text": "Is the canteen open when you need it?",
            "options": "Always\nSometimes\nNever",
            "prefer_not": "on",
        },
        token_from=page,
    )
    console.post(
        f"{page}/questions", {"kind": "text", "text": "What would you change?"}, token_from=page
    )
    q1, q2 = survey.questions
    saved = console.post(
        f"{page}/translations/pl",
        {
            "title": "Stołówka",
            "intro": "Dwa pytania.",
            f"q{q1.id}-text": "Czy stołówka jest otwarta, kiedy jej potrzebujesz?",
            f"q{q1.id}-options": "Zawsze\nCzasami\nNigdy",
            f"q{q2.id}-text": "Co byś zmienił(a)?",
        },
        token_from=page,
    )
    assert saved.status_code == 302
    shown = page_text(console.get(page))
    assert "Anonymous: answers are stored with no link to anyone." in shown
    # The exact text each question goes as, in every language, with its segments.
    assert "1 of 2: Is the canteen open when you need it? 1 Always, 2 Sometimes, 3 Never" in shown
    assert (
        "1 z 2: Czy stołówka jest otwarta, kiedy jej potrzebujesz? 1 Zawsze, 2 Czasami, 3 Nigdy"
        in shown
    )
    assert "(2 segments, UCS-2)" in shown or "(1 segment, UCS-2)" in shown

    people = [
        factories.create_contact(session, org=survey_org(session, survey), phone=p)
        for p in PEOPLE[:3]
    ]
    session.commit()
    opened = console.post(f"{page}/open", {}, token_from=page)
    assert opened.status_code == 302
    invited = session.scalars(
        select(OutboundMessage.contact_id).where(OutboundMessage.kind == "survey")
    ).all()
    assert {p.id for p in people} <= set(invited)
    assert f"Survey open. {len(invited)} invitations queued." in page_text(console.get(page))

    Handset(client, PEOPLE[0]).send("CANTEEN")
    Handset(client, PEOPLE[0]).send("never")
    Handset(client, PEOPLE[0]).send("Open at 5am for the early shift")
    results = html.unescape(page_text(console.get(f"{page}/results")))
    assert "<5 responses from an audience of" in results
    # One response: its answers wait for a batch of ten, so its time cannot name it.
    assert "Open at 5am" not in results
    assert "the answers to each question appear once 9 more responses have come in" in results

    closed = console.post(f"{page}/close", {}, token_from=page)
    assert closed.status_code == 302
    session.expire_all()
    assert survey.status == "closed" and survey.token_key_encrypted is None
    assert "Survey closed. Its answers can no longer be linked to anyone." in page_text(
        console.get(page)
    )


def test_only_admins_run_surveys(console, managers):
    signed_in(console, managers["network_lead"])
    assert console.get("/console/surveys").status_code == 403


def test_another_organisations_network_or_site_is_never_a_surveys_audience(
    console, managers, session
):
    elsewhere = factories.create_organisation(session, slug="southby", name="Southby Council")
    their_network = factories.create_network(session, org=elsewhere)
    their_site = factories.create_site(session, org=elsewhere)
    session.flush()
    signed_in(console, managers["admin"])
    closes = (utcnow() + dt.timedelta(days=10)).date().isoformat()
    for audience, field, stranger in (
        ("networks", "network_ids", their_network.id),
        ("sites", "site_ids", their_site.id),
    ):
        refused = console.post(
            "/console/surveys",
            {
                "title": "Depot canteen",
                "keyword": f"canteen{audience}",
                "closes_on": closes,
                "audience": audience,
                "mode": "anonymous",
                field: str(stranger),
            },
        )
        assert refused.status_code == 302
        assert "Nothing was saved." in page_text(console.get(refused.headers["Location"]))
    assert session.scalars(select(Survey)).all() == []
