"""Surveys (issue 21): 10,000 answers by text against the echo app, and the results page.

Answers: 10,000 members are part-way through a survey, on question 1 (put there through the
core as its keyword leaves them), and wrk sends each of them one answer, every request once,
signed, with its own MessageSid, under gunicorn (2 workers) as bench/sms_webhook.py does; the
echo app answers as many such texts in the same run. Every answer is checked to have moved its
member on a question, so a reply such as "not understood" cannot pass for one. p99 is then
measured at half the maximum rate, with members answering question 2.

Results: a survey with 10,000 responses (across sites, channels and languages, a third with a
written answer) on the same database, whose audience is those 10,000 members and the demo's.
The console's results page and its CSV are timed from request to full response, signed in as
a manager: while the survey is open with a new batch due (every answer counted, as after each
tenth response), and once it is closed (counted on every request). The baseline is the
console's list of surveys, a page with the same sign-in and layout and almost no work.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import scale_console, sms_webhook, wrk_driver
from bench.common import VENV_BIN, Figure, gunicorn, open_loop, record

MEMBERS = 10_000
RESPONSES = 10_000
KEYWORD = "PULSE"
PAGE_RUNS = 5
LANGUAGES = ("en", "pl", "ro", "ur", "pa", "gu", "so")
CHANNELS = ("sms", "sms", "sms", "voice", "kiosk", "paper", "web")
WRITTEN = (
    "More buses at night",
    "Call me on 07400 123456",
    "Better rotas",
    "Nothing",
    "A quiet room at the depot",
    "Earlier notice of shifts",
)


def survey_env(instance: str) -> dict[str, str]:
    """The webhook bench's settings: repeated texts are the load, not over a limit."""
    env = sms_webhook.service_env(instance)
    env["FRONTLINE_SMS_RATE_LIMIT"] = "100000"
    return env


def create_surveys(env: dict[str, str]) -> tuple[int, int]:
    """Two open surveys with the suite's four questions: one to answer by text, one to read."""
    from service.db import get_database
    from service.demo.content import ORGANISATION
    from service.organisations.models import Organisation
    from tests.support.surveys import create_survey

    with scale_console.service_app(env) as app, get_database(app).session() as session:
        org = session.scalars(
            select(Organisation).where(Organisation.slug == ORGANISATION["slug"])
        ).one()
        answered = create_survey(session, org, keyword=KEYWORD)
        read = create_survey(session, org, keyword="OPINION", title="Opinion survey")
        return answered.id, read.id


def places(env: dict[str, str], survey_id: int) -> dict[int, int]:
    """How many members are on each question (0-based position) of the survey."""
    from service.db import get_database
    from service.surveys.models import SurveyToken

    with scale_console.service_app(env) as app, get_database(app).session() as session:
        rows = session.execute(
            select(SurveyToken.position, func.count())
            .where(SurveyToken.survey_id == survey_id, SurveyToken.finished.is_(False))
            .group_by(SurveyToken.position)
        ).all()
    return {position: n for position, n in rows}


def settled(env: dict[str, str], survey_id: int, expected: dict[int, int]) -> dict[int, int]:
    """The members' places once the texts still being answered when wrk stopped are done."""
    deadline = time.monotonic() + 20
    found = places(env, survey_id)
    while found != expected and time.monotonic() < deadline:
        time.sleep(1)
        found = places(env, survey_id)
    return found


def start_members(env: dict[str, str], survey_id: int) -> list[str]:
    """MEMBERS members on question 1, as texting the keyword leaves them; their numbers.

    Through the core, not the webhook: on a shared two-core machine 10,000 first texts took
    over ten minutes. The same steps the keyword's handler takes: the member, the survey begun
    under their token (service.surveys.taking) and their conversation pointing at the survey.
    Every answer then sent through the webhook is checked to have moved its member on.
    """
    from sqlalchemy import insert

    from service.contacts.models import Contact
    from service.db import get_database, utcnow
    from service.organisations.models import Organisation
    from service.sms.models import ConversationState
    from service.sms.surveys import STATE
    from service.surveys import taking
    from service.surveys.models import Survey
    from tests.support.outbox import add_contacts

    with scale_console.service_app(env) as app, get_database(app).session() as session:
        survey = session.get_one(Survey, survey_id)
        org = survey.organisation_id
        before = session.scalar(select(func.max(Contact.id))) or 0
        numbers = add_contacts(session, session.get_one(Organisation, org), MEMBERS)
        now = utcnow()
        contacts = session.scalars(
            select(Contact.id).where(Contact.id > before).order_by(Contact.id)
        ).all()
        for number, contact_id in zip(numbers, contacts, strict=True):
            who = taking.identity_of_number(number)
            taking.begin(
                session, survey, who, channel="sms", language="en", now=now, contact_id=contact_id
            )
        session.execute(
            insert(ConversationState),
            [
                {
                    "contact_id": c,
                    "list_kind": STATE,
                    "list_items": [survey_id],
                    "list_offset": 0,
                    "updated_at": now,
                }
                for c in contacts
            ],
        )
    return numbers


def answer_figures(
    env: dict[str, str], texts: sms_webhook.Texts, survey_id: int
) -> tuple[wrk_driver.WrkResult, float, int]:
    """wrk's run of MEMBERS answers to question 1, p99 at half its rate (question 2), and how
    many of the answers moved their member on."""
    members = start_members(env, survey_id)
    assert places(env, survey_id) == {0: MEMBERS}
    with gunicorn("service:create_app()", env) as port:
        answered = sms_webhook.run_wrk(
            port, [texts(n, "2") for n in members], "survey answer", once=True
        )
        found = settled(env, survey_id, {1: MEMBERS})
        assert set(found) <= {0, 1}, f"an answer moved its member on twice: {found}"
        taken = found.get(1, 0)
        if taken != MEMBERS:
            # A reply of 200 that did not record the answer (or wrk's limit came first).
            print(f"note: {MEMBERS - taken:,} of {MEMBERS:,} answers did not move their member on")
        half = answered.rate / 2
        paced = [texts(n, "4") for n in members[: int(half * sms_webhook.HALF_RATE_SECONDS)]]
        steady = open_loop(port, paced, half)
        assert steady.errors == 0, f"survey answers: {steady.errors} errors at half rate"
        found = places(env, survey_id)
        if found.get(2) != len(paced):
            print(f"note: {found.get(2, 0)} of {len(paced)} paced answers moved their member on")
    return answered, steady.percentile(99), taken


def echo_figures(
    env: dict[str, str], texts: sms_webhook.Texts
) -> tuple[wrk_driver.WrkResult, float]:
    """The echo app's wrk run of MEMBERS such texts, and its p99 at half its rate."""
    numbers = [f"+4474004{n:05d}" for n in range(MEMBERS)]
    with gunicorn("bench.echo_app:app", env) as port:
        echo = sms_webhook.run_wrk(port, [texts(n, "2") for n in numbers], "echo", once=True)
        half = echo.rate / 2
        paced = [texts(n, "4") for n in numbers[: int(half * sms_webhook.HALF_RATE_SECONDS)]]
        steady = open_loop(port, paced, half)
        assert steady.errors == 0, f"echo: {steady.errors} errors at half rate"
    return echo, steady.percentile(99)


def add_responses(env: dict[str, str], survey_id: int) -> None:
    """RESPONSES finished responses, written as taking.answer writes one at a person's end."""
    from service.db import get_database
    from service.organisations.models import Site
    from service.surveys.models import Survey
    from service.surveys.operations import write_response

    with scale_console.service_app(env) as app, get_database(app).session() as session:
        survey = session.get_one(Survey, survey_id)
        sites = session.scalars(
            select(Site.id).where(Site.organisation_id == survey.organisation_id)
        ).all()
        choice, scale, yes_no, written = (q.id for q in survey.questions)
        for n in range(RESPONSES):
            answers = {
                str(choice): ["answered", n % 3 + 1, None],
                str(scale): ["answered", n % 5 + 1, None] if n % 11 else ["prefer_not", None, None],
                str(yes_no): ["answered", n % 2, None],
                str(written): (
                    ["answered", None, WRITTEN[n % len(WRITTEN)]]
                    if n % 3 == 0
                    else ["skipped", None, None]
                ),
            }
            progress = {
                "answers": answers,
                "channel": CHANNELS[n % len(CHANNELS)],
                "site_id": sites[n % len(sites)],
                "language": LANGUAGES[n % 7],
            }
            write_response(session, survey, progress, complete=True)
            if n % 1000 == 999:
                session.flush()


def timed_ms(action: Callable[[], object], before: Callable[[], object] = lambda: None) -> float:
    """The median of PAGE_RUNS timings of action, in milliseconds; before runs untimed first."""
    times = []
    for _ in range(PAGE_RUNS):
        before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def fetch(browser: scale_console.Browser, path: str):
    """GET a console page, then close its session as the end of a real request's context does.

    The bench keeps one app context open, which every request it makes shares: without this
    the next request would find the last one's rows already loaded, and on SQLite its open
    transaction would hold the write lock.
    """
    from flask import g

    response = browser.get(path)
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    return response


def results_figures(env: dict[str, str], survey_id: int) -> dict[str, float]:
    """The results page and CSV of the survey with RESPONSES responses, open and closed."""
    from service.db import get_database, utcnow
    from service.surveys.models import Survey
    from service.surveys.operations import close_survey

    page = f"/console/surveys/{survey_id}/results"
    with scale_console.service_app(env) as app:
        database = get_database(app)
        browser, _ = scale_console.signed_in(app, "bench-surveys@northgate.example")

        def batch_due() -> None:
            # As after each tenth new response: the next reading counts every answer again.
            with database.session() as session:
                session.get_one(Survey, survey_id).answers_batch_encrypted = None

        def check(response) -> None:
            shown = f"<strong>{RESPONSES}</strong> responses"
            assert shown in response.get_data(as_text=True), "not every response counted"

        check(fetch(browser, page))
        figures = {
            "list": timed_ms(lambda: fetch(browser, "/console/surveys")),
            "open page": timed_ms(lambda: fetch(browser, page), batch_due),
            "open csv": timed_ms(lambda: fetch(browser, page + ".csv"), batch_due),
        }
        with database.session() as session:
            close_survey(session, session.get_one(Survey, survey_id), utcnow())
        check(fetch(browser, page))
        figures["closed page"] = timed_ms(lambda: fetch(browser, page))
        figures["closed csv"] = timed_ms(lambda: fetch(browser, page + ".csv"))
        figures["list after"] = timed_ms(lambda: fetch(browser, "/console/surveys"))
    return figures


def main() -> None:
    if not wrk_driver.available():
        raise SystemExit("wrk is not installed: make test-tools installs it")
    with tempfile.TemporaryDirectory() as instance:
        env = survey_env(instance)
        texts = sms_webhook.Texts()
        echo, echo_p99 = echo_figures(env, texts)
        frontline = str(VENV_BIN / "frontline")
        subprocess.run([frontline, "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([frontline, "demo"], env=env, check=True, capture_output=True)
        answered_id, read_id = create_surveys(env)
        print(f"{MEMBERS:,} members on question 1 answer it by text", flush=True)
        answered, p99, taken = answer_figures(env, texts, answered_id)
        print(f"{RESPONSES:,} responses to a second survey, then its results", flush=True)
        add_responses(env, read_id)
        pages = results_figures(env, read_id)
    baseline = statistics.median([pages["list"], pages["list after"]])
    count = f"{RESPONSES:,} responses"
    pages_shown = {
        "open page": f"results page, {count}, open (batch due)",
        "open csv": f"results CSV, {count}, open (batch due)",
        "closed page": f"results page, {count}, closed",
        "closed csv": f"results CSV, {count}, closed",
    }
    record(
        [
            Figure(
                "surveys",
                f"{MEMBERS:,} answers by text, max rate (wrk)",
                answered.rate,
                echo.rate,
                "r/s",
                target="ratio >= 0.3",
            ),
            Figure(
                "surveys",
                "answers that moved their member on",
                taken,
                MEMBERS,
                "texts",
                target="ratio = 1.00",
            ),
            Figure(
                "surveys",
                "answers by text, p99 at half max rate",
                p99,
                echo_p99,
                "ms",
                higher_is_better=False,
                target="value <= 10 ms",
            ),
        ]
        + [
            Figure(
                "surveys",
                name,
                pages[key],
                baseline,
                "ms",
                higher_is_better=False,
                target="value <= 1000 ms",
            )
            for key, name in pages_shown.items()
        ]
    )


if __name__ == "__main__":
    main()
