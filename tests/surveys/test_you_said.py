"""You said, we did: what was done, printed in every language and sent as a broadcast."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.broadcasts.drafts import translations
from service.broadcasts.models import Broadcast
from service.db import utcnow
from service.surveys import operations as surveys
from service.surveys.outcome import NotClosedYet, set_we_did
from service.surveys.results import survey_results
from tests.support import factories
from tests.support.browser import ARTIFACTS
from tests.support.console import new_manager, page_text
from tests.support.printing import page_texts, render_pngs
from tests.support.surveys import create_survey, respond

WE_DID = "You said the canteen opens too late for the early shift. From 4 January it opens at 5am."
POLISH = "Mówiliście, że stołówka otwiera się za późno. Od 4 stycznia otwieramy o 5:00."
URDU = "آپ نے کہا کینٹین دیر سے کھلتی ہے۔ 4 جنوری سے یہ صبح 5 بجے کھلے گی۔"


def closed_survey(session, org, **fields):
    # The twelve who answer are people the organisation texts: the audience counts them.
    for n in range(12):
        factories.create_contact(session, org=org, phone=f"+4474006{n:05d}")
    survey = create_survey(session, org, **fields)
    for n in range(12):
        respond(
            session, survey, n, choice=1 if n < 9 else 2, text=f"ring me on 07400 11122{n % 10}"
        )
    surveys.close_survey(session, survey, utcnow())
    session.commit()
    return survey


def test_what_was_done_is_written_only_once_the_survey_has_closed(session, demo):
    survey = create_survey(session, demo)
    with pytest.raises(NotClosedYet):
        set_we_did(session, survey, WE_DID)
    assert survey.we_did == ""


def test_the_sheet_is_printed_in_every_language_with_only_what_the_results_show(
    console, managers, session, demo, tmp_path
):
    survey = closed_survey(session, demo)
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = f"/console/surveys/{survey.id}"
    assert console.post(f"{page}/we-did", {"we_did": WE_DID}, token_from=page).status_code == 302
    for lang, text in (("pl", POLISH), ("ur", URDU)):
        saved = console.post(f"{page}/translations/{lang}", {"we_did": text}, token_from=page)
        assert saved.status_code == 302
    # Saving a title alone leaves the Polish "we did" as it was.
    console.post(f"{page}/translations/pl", {"title": "Ankieta"}, token_from=page)
    shown = page_text(console.get(page))
    assert "Print the results sheet in every language (PDF)" in shown

    pdf = console.get(f"{page}/you-said.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    path = tmp_path / "you-said.pdf"
    path.write_bytes(pdf.get_data())
    (ARTIFACTS / "surveys").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "surveys" / "you-said.pdf").write_bytes(pdf.get_data())
    pages = page_texts(path)
    everything = "\n".join(pages)
    assert len(pages) >= 7  # a page or more per language
    assert "You said, we did" in pages[0] and WE_DID in pages[0]
    audience = survey_results(session, survey).audience
    assert audience >= 12
    assert f"12 of {audience} people answered. Thank you." in pages[0]
    polish = next(p for p in pages if "Wy powiedzieliście, my zrobiliśmy" in p)
    assert POLISH in polish and "Ankieta" in polish
    # 9 Bus and 3 Car: the small count is "<5", and the 9 beside it is hidden with it.
    assert "Bus hidden" in pages[0] and "Car <5" in pages[0]
    assert "Bus ukryte" in polish
    # Nobody's own words on a noticeboard: only how many wrote.
    assert "12 people answered in their own words." in pages[0]
    assert "07400" not in everything and "ring me" not in everything
    pngs = render_pngs(path, ARTIFACTS / "surveys" / "you-said")
    assert len(pngs) == len(pages)


def test_the_broadcast_goes_to_the_surveys_audience_in_its_languages(
    console, managers, session, demo
):
    network = factories.create_network(
        session, org=demo, name="Carers", keywords={"en": ["CARERSNET"]}
    )
    session.flush()
    survey = closed_survey(
        session, demo, keyword="CARE", audience="networks", network_ids=[network.id]
    )
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = f"/console/surveys/{survey.id}"
    console.post(f"{page}/we-did", {"we_did": WE_DID}, token_from=page)
    console.post(f"{page}/translations/pl", {"we_did": POLISH}, token_from=page)
    made = console.post(f"{page}/we-did/broadcast", {}, token_from=page)
    assert made.status_code == 302 and "/console/broadcasts/" in made.headers["Location"]
    broadcast = session.scalars(select(Broadcast)).one()
    assert broadcast.status == "draft" and broadcast.body == WE_DID
    assert broadcast.audience == "networks" and broadcast.network_ids == [network.id]
    assert translations(session, broadcast) == {"pl": POLISH}
    assert session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "survey.we_did_broadcast")
    ).all() == ["survey.we_did_broadcast"]


def test_nothing_is_printed_or_sent_before_anything_was_done(console, managers, session, demo):
    survey = closed_survey(session, demo)
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = f"/console/surveys/{survey.id}"
    assert console.get(f"{page}/you-said.pdf").status_code == 302
    assert console.post(f"{page}/we-did/broadcast", {}, token_from=page).status_code == 302
    assert session.scalars(select(Broadcast)).all() == []


def test_a_network_lead_cannot_print_or_send_a_surveys_outcome(console, managers, session, demo):
    survey = closed_survey(session, demo)
    console.sign_in(managers["network_lead"].email, managers["network_lead"].totp_secret)
    assert console.get(f"/console/surveys/{survey.id}/you-said.pdf").status_code == 403


def test_an_open_surveys_sheet_does_not_claim_an_audience(
    console, managers, session, demo, tmp_path
):
    survey = closed_survey(session, demo, keyword="ANYONE", audience="open")
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = f"/console/surveys/{survey.id}"
    console.post(f"{page}/we-did", {"we_did": WE_DID}, token_from=page)
    path = tmp_path / "open.pdf"
    path.write_bytes(console.get(f"{page}/you-said.pdf").get_data())
    first = page_texts(path)[0]
    assert (
        "12 people answered. Thank you." in first
        and " of " not in first.split("Thank you")[0][-30:]
    )


def test_another_organisations_admin_finds_no_such_survey_to_print_send_or_remind(
    console, session, demo
):
    survey = closed_survey(session, demo)
    page = f"/console/surveys/{survey.id}"
    elsewhere = factories.create_organisation(session, slug="southby", name="Southby Council")
    stranger = new_manager(session, elsewhere, "admin@southby.example", ("admin", None, None))
    session.commit()
    console.sign_in(stranger.email, stranger.totp_secret)
    # Each new action on a survey: another organisation's is a 404, whatever the form says.
    for path, form in (
        ("/we-did", {"we_did": "Planted by a stranger"}),
        ("/we-did/broadcast", {}),
        ("/remind", {}),
    ):
        assert console.post(page + path, form, token_from="/console/surveys").status_code == 404
    assert console.get(f"{page}/you-said.pdf").status_code == 404
    session.expire_all()
    assert session.get_one(type(survey), survey.id).we_did == ""
    assert session.scalars(select(Broadcast)).all() == []
    assert (
        session.scalars(select(AuditEntry).where(AuditEntry.organisation_id == demo.id)).all() == []
    )
