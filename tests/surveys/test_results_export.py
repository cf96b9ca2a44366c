"""Survey results as charts and CSV: suppressed as the tables are, free text masked."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from service.audit.models import AuditEntry
from service.db import utcnow
from service.surveys import operations as surveys
from tests.support import factories
from tests.support.console import Console, new_manager, page_text
from tests.support.surveys import create_survey, respond


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def figure(response, number: int) -> str:
    """The chart drawn for one question, as the page sends it."""
    page = response.get_data(as_text=True)
    found = re.search(
        rf'<figure aria-labelledby="question-{number}-caption">(.*?)</figure>', page, re.S
    )
    assert found, f"no chart for question {number}"
    return found.group(1)


def bars(svg: str) -> list[str]:
    """The value of every bar pygal drew (its tooltip's value)."""
    return re.findall(r'<desc class="value">([^<]*)</desc>', svg)


def test_charts_and_csv_hide_what_the_tables_hide(console, managers, session, demo):
    survey = create_survey(session, demo)
    for n in range(9):
        respond(session, survey, n, choice=1)
    for n in range(9, 11):
        respond(session, survey, n, choice=2, language="pl")
    # Four written answers, full of contact details: too few to show anywhere.
    for n in range(11, 15):
        respond(
            session,
            survey,
            n,
            choice=3,
            text=f"Ring me on 07400 12345{n % 10} or me{n}@example.org",
        )
    session.commit()
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = console.get(f"/console/surveys/{survey.id}/results")
    assert page.status_code == 200
    # 9 Bus, 2 Car, 4 Walk: two "<5" protect each other, so Bus shows 9; no bar for a "<5".
    first = figure(page, 1)
    assert 'role="img"' in first and "Bar chart of the answers to question 1" in first
    assert sorted(bars(first)) == ["0", "0", "9"]
    # The scale: all fifteen answered 3, drawn as one bar with its number.
    assert "15" in bars(figure(page, 2))
    assert "Download these results (CSV)" in page_text(page)

    rows = rows_of(console.get(f"/console/surveys/{survey.id}/results.csv"))
    question1 = {line: shown for table, line, shown in rows if table.startswith("1. ")}
    assert question1 == {
        "Bus": "9",
        "Car": "<5",
        "Walk": "<5",
        "Prefer not to say": "0",
        "Skipped": "0",
        "Total": "15",
    }
    languages = {line: shown for table, line, shown in rows if table == "Language"}
    # A lone "<5" beside English: English is hidden too.
    assert languages == {"English": "hidden", "Polish": "<5", "Total": "15"}
    everything = "\n".join(",".join(row) for row in rows)
    assert "Ring me" not in everything and "07400" not in everything and "@" not in everything
    assert "Written answer" not in everything
    assert session.scalars(
        select(AuditEntry.action).where(AuditEntry.action == "survey.export")
    ).all() == ["survey.export"]


def test_a_lone_small_count_takes_its_complement_off_the_chart_and_the_csv(
    console, managers, session, demo
):
    survey = create_survey(session, demo)
    for n in range(9):
        respond(session, survey, n, choice=1)
    for n in range(9, 11):
        respond(session, survey, n, choice=2)
    session.commit()
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = console.get(f"/console/surveys/{survey.id}/results")
    # 9 Bus hidden beside 2 Car: neither is drawn, though the total is on show.
    assert bars(figure(page, 1)) == ["0", "0", "0"]
    rows = rows_of(console.get(f"/console/surveys/{survey.id}/results.csv"))
    question1 = {line: shown for table, line, shown in rows if table.startswith("1. ")}
    assert question1["Bus"] == "hidden" and question1["Car"] == "<5"
    assert not any(shown in ("9", "2") for table, line, shown in rows if table.startswith("1. "))


def test_written_answers_reach_the_csv_from_five_masked(console, managers, session, demo):
    survey = create_survey(session, demo)
    for n in range(5):
        respond(session, survey, n, text=f"Idea {n}: ring me on 07400 123456 or a.b@example.org")
    # Closed: every answer is shown (while open, answers come in batches of ten).
    surveys.close_survey(session, survey, utcnow())
    session.commit()
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    rows = rows_of(console.get(f"/console/surveys/{survey.id}/results.csv"))
    written = [shown for _table, line, shown in rows if line == "Written answer"]
    assert len(written) == 5
    assert "Idea 0: ring me on [number] or [e-mail]" in written
    assert not any("07400" in t or "@" in t for t in written)


def test_only_the_surveys_own_admins_download_its_results(console, client, managers, session, demo):
    survey = create_survey(session, demo)
    for n in range(6):
        respond(session, survey, n)
    elsewhere = factories.create_organisation(session, slug="southby", name="Southby Council")
    stranger = new_manager(session, elsewhere, "admin@southby.example", ("admin", None, None))
    session.commit()
    path = f"/console/surveys/{survey.id}/results.csv"
    console.sign_in(managers["network_lead"].email, managers["network_lead"].totp_secret)
    assert console.get(path).status_code == 403
    theirs = Console(client.application.test_client())
    theirs.sign_in(stranger.email, stranger.totp_secret)
    refused = theirs.get(path)
    assert refused.status_code == 404 and b"Bus" not in refused.get_data()
    assert (
        session.scalars(select(AuditEntry).where(AuditEntry.action == "survey.export")).all() == []
    )
