"""A survey's results as managers may see them: counts suppressed, free text only in numbers.

Every count leaves the server through service.reach.suppression's rule (1 to 4 shown as "<5",
and the complementary cell hidden beside a lone one). Free-text answers to a question are
shown only once it has at least FREE_TEXT_MIN of them, with numbers and e-mail addresses
masked, in alphabetical order (never the order they came in).

While a survey is open, the answers to its questions are shown as they stood at the last batch,
refreshed only once BATCH more responses have come in. Shown live, they could be read beside the
inbound text log: "Ann texted at 10:03, and then one more 'No' appeared" names Ann's answer.
Between two batches at least BATCH people answered, so a difference says what a group of them
said, not what one of them did. How many responded, by channel, site and language, stays live:
it says who took part (the text log says that already), not what anyone answered. Once the survey
is closed (responses reshuffled, the token key gone) every answer is shown.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import String, Text, cast, func, literal, null, select, union_all
from sqlalchemy.orm import Session

from service.crypto import vault_of
from service.db import begin_writes
from service.languages import BY_CODE
from service.organisations.models import Site
from service.reach.suppression import csv_safe, shown_count, suppress_column
from service.surveys import breakdown, sample
from service.surveys.breakdown import Breakdown
from service.surveys.freetext import masked
from service.surveys.models import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from service.surveys.monitoring import BY_KEY, GROUP_MIN, group_labels
from service.surveys.operations import audience_by_site

FREE_TEXT_MIN = 5
BATCH = 10
OPEN_BREAKDOWN = (
    "The breakdown appears when the survey closes: while it is open, two of its updates side by "
    "side could show the answers of one person who joined a group between them."
)
CHANNEL_LABELS = {"sms": "Text", "voice": "Phone", "kiosk": "Kiosk", "paper": "Paper", "web": "Web"}
OUTCOME_LABELS = {"prefer_not": "Prefer not to say", "skipped": "Skipped"}


@dataclass(frozen=True)
class Line:
    """One line of a table: its label and the count as shown."""

    label: str
    shown: str


@dataclass(frozen=True)
class Table:
    """A column of counts, suppressed against its total."""

    heading: str
    lines: tuple[Line, ...]
    total: str


@dataclass(frozen=True)
class SiteProgress:
    """Responses from one site against its audience and the number needed there."""

    name: str
    audience: int
    shown: str
    needed: int
    percent: int | None  # of the number needed; None while the count is suppressed


@dataclass(frozen=True)
class QuestionResult:
    """One question's answers, counted, and its free text when there is enough of it."""

    number: int
    text: str
    table: Table
    texts: tuple[str, ...] | None  # None: fewer than FREE_TEXT_MIN, not shown
    text_count: str
    # Answers said on the phone and kept as recordings (the line has no transcription).
    recorded: str = "0"


@dataclass(frozen=True)
class Results:
    """Everything the results page shows."""

    audience: int
    responses: str
    # Of the responses, those given at a kiosk or on a public page with no proven number
    # (service.surveys.screens): one person may be more than one of these.
    unverified: str
    needed: int
    margin: float
    confidence: float
    by_channel: Table
    by_site: tuple[SiteProgress, ...]
    by_language: Table
    questions: tuple[QuestionResult, ...]
    # While open: how many responses the answers shown were counted from (the last batch), and
    # how many more will bring the next. None for both once closed: every answer is shown.
    batch_size: int | None = None
    next_batch_in: int | None = None
    # The characteristics the survey's equality questions ask, (key, label), and the answers
    # broken down by the one chosen (service.surveys.breakdown); none when it asks none.
    characteristics: tuple[tuple[str, str], ...] = ()
    breakdown: Breakdown | None = None


def _table(heading: str, counts: list[tuple[str, int]]) -> Table:
    cells, total = suppress_column([count for _, count in counts], sum(c for _, c in counts))
    return Table(
        heading,
        tuple(Line(label, cell) for (label, _), cell in zip(counts, cells, strict=True)),
        total,
    )


def _labels(question) -> list[tuple[str, int]]:
    if question.kind == "choice":
        return [(o, n) for n, o in enumerate(question.option_lines(), start=1)]
    if question.kind == "scale":
        return [(str(n), n) for n in range(1, 6)]
    if question.kind == "yes_no":
        return [("Yes", 1), ("No", 0)]
    return [("Answered", -1)]


def survey_results(
    session: Session,
    survey: Survey,
    *,
    margin: float = 0.05,
    confidence: float = 0.95,
    by: str | None = None,
) -> Results:
    """The survey's results, suppressed, against its audience; by: a characteristic's key."""
    groups = session.execute(
        select(
            SurveyResponse.channel,
            SurveyResponse.language,
            SurveyResponse.site_id,
            SurveyResponse.verified,
            func.count(),
        )
        .where(SurveyResponse.survey_id == survey.id)
        .group_by(
            SurveyResponse.channel,
            SurveyResponse.language,
            SurveyResponse.site_id,
            SurveyResponse.verified,
        )
    ).all()
    asked_at = audience_by_site(session, survey)
    asked = sum(asked_at.values())
    by_channel: Counter = Counter()
    by_language: Counter = Counter()
    by_site: Counter = Counter()
    unverified = 0
    for channel, language, site_id, verified, n in groups:
        unverified += 0 if verified else n
        by_channel[channel] += n
        by_language[language] += n
        by_site[site_id] += n
    total = sum(by_channel.values())
    sites = session.scalars(
        select(Site).where(Site.organisation_id == survey.organisation_id).order_by(Site.name)
    ).all()
    progress = []
    for site in sites:
        count, size = by_site.get(site.id, 0), asked_at.get(site.id, 0)
        need = sample.needed(size, margin=margin, confidence=confidence)
        shown = shown_count(count)
        percent = None if shown != str(count) or not need else min(100, 100 * count // need)
        progress.append(SiteProgress(site.name, size, shown, need, percent))
    batch_size = next_batch_in = None
    if survey.status == "open":
        batch = _batch(session, survey, total)
        batch_size = batch["size"]
        next_batch_in = max(1, batch_size + BATCH - total)
    else:
        batch = _tally(session, survey)
    counted = [tuple(row) for row in batch["counted"]]
    written_by = {int(q): texts for q, texts in batch["written"].items()}
    # A batch taken before phone recordings were counted has none.
    recorded_by = {int(q): n for q, n in batch.get("recorded", {}).items()}
    questions = []
    for question in survey.questions:
        counts: Counter = Counter()
        for question_id, outcome, value, n in counted:
            if question_id != question.id:
                continue
            counts[_line_key(question, outcome, value)] += n
        lines = [(label, counts.get(key, 0)) for label, key in _lines(question)]
        written = written_by.get(question.id, [])
        texts = (
            tuple(sorted(masked(text) for text in written))
            if len(written) >= FREE_TEXT_MIN
            else None
        )
        questions.append(
            QuestionResult(
                question.position,
                question.text,
                _equality_table(question.monitoring, counts)
                if question.monitoring in BY_KEY
                else _table("Answer", lines),
                texts,
                shown_count(len(written)),
                shown_count(recorded_by.get(question.id, 0)),
            )
        )
    characteristics = tuple(breakdown.characteristics_of(survey))
    chosen = by if by in dict(characteristics) else None
    return Results(
        audience=asked,
        responses=shown_count(total),
        unverified=shown_count(unverified),
        needed=sample.needed(asked, margin=margin, confidence=confidence),
        margin=margin,
        confidence=confidence,
        by_channel=_table(
            "Channel", [(CHANNEL_LABELS.get(c, c), n) for c, n in sorted(by_channel.items())]
        ),
        by_site=tuple(progress),
        by_language=_table(
            "Language",
            [(BY_CODE[code].english_name, n) for code, n in sorted(by_language.items())],
        ),
        questions=tuple(questions),
        batch_size=batch_size,
        next_batch_in=next_batch_in,
        characteristics=characteristics,
        breakdown=_breakdown(survey, batch, chosen) if chosen else None,
    )


def _equality_table(key: str, counts: Counter) -> Table:
    """An equality question's answers, each group shown only with GROUP_MIN or more.

    The same rule as a breakdown's, so that the two read together give nothing away: beside a
    breakdown whose columns are 25 to 34 (12) and 35 to 44 (12), a table showing 65 or over as
    "<5" and its complement hidden would be undone by the breakdown's totals. Groups under the
    threshold, "prefer not to say" and skips are one line, a mixture that names no group.
    """
    totals: dict[int | None, int] = {g: counts.get(g, 0) for g, _label in group_labels(key)}
    totals[None] = counts.get("prefer_not", 0) + counts.get("skipped", 0)
    own = list(breakdown.grouping(totals, [g for g, _label in group_labels(key)]).own)
    # The combined line is a group too: under GROUP_MIN it would say, less the total, exactly
    # how many are in the small groups (with one small group, its size). So the smallest group
    # shown joins it until it reaches GROUP_MIN, as a complementary cell is hidden elsewhere.
    while own and 0 < sum(n for g, n in totals.items() if g not in own) < GROUP_MIN:
        own.remove(min(own, key=lambda g: totals[g]))
    rest = sum(n for g, n in totals.items() if g not in own)
    names = dict(group_labels(key))
    lines = [Line(names[g], str(totals[g])) for g in own]
    small = any(n for g, n in totals.items() if g is not None and g not in own)
    lines.append(Line(breakdown.OTHER if small else breakdown.NOT_STATED, str(rest)))
    return Table("Answer", tuple(lines), str(sum(totals.values())))


def _line_key(question: SurveyQuestion, outcome: str, value: int | None) -> object:
    """Which line of a question's table an answer counts on."""
    if outcome != "answered":
        return outcome
    return value if question.kind != "text" else -1


def _lines(question: SurveyQuestion) -> list[tuple[str, object]]:
    """A question's table's lines as (label, line key): its answers, then the two non-answers."""
    return [*_labels(question), *((label, key) for key, label in OUTCOME_LABELS.items())]


def _breakdown(survey: Survey, batch: dict, key: str) -> Breakdown:
    """The survey's own questions broken down by one characteristic, from the batch's counts."""
    label = BY_KEY[key].label
    if survey.status == "open":
        # Two batches side by side are a difference: a group that grew by one between them
        # would give that one person's answer to every question. Only the final count shows.
        return Breakdown(key, label, (), OPEN_BREAKDOWN)
    characteristic = next(q for q in survey.questions if q.monitoring == key)
    crossed = batch.get("crossed", {}).get(str(characteristic.id))
    if crossed is None:
        # A batch counted before the equality questions were broken down holds no groups.
        return Breakdown(key, label, (), "The breakdown appears with the next batch of answers.")
    out = []
    for question in survey.questions:
        if question.monitoring is not None:
            continue
        cells: Counter = Counter()
        for question_id, outcome, value, group, n in crossed:
            if question_id == question.id:
                cells[(_line_key(question, outcome, value), group)] += n
        out.append(
            breakdown.question_breakdown(
                question.position, question.text, _lines(question), cells, group_labels(key)
            )
        )
    return Breakdown(key, label, tuple(out))


def _tally(session: Session, survey: Survey) -> dict:
    """Every answer counted, and the written ones, with how many responses gave them.

    One statement, so that the size and the counts come from the same moment even while answers
    arrive (a batch's size must be exactly the responses in it). Counted in the database: 10,000
    responses are 40,000 answers, too many to load; written answers are grouped by their
    ciphertext, which is unique, so each comes back once. A survey with equality questions also
    reads, in the same statement (UNION ALL: one snapshot), each answer's response, question and
    value, no text, so that a breakdown adds up to exactly the answers shown beside it (SQLite
    joined the answers to each response's groups in seconds; counting them here takes a tenth).
    """
    size = (
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .scalar_subquery()
    )
    keys = (
        SurveyAnswer.question_id,
        SurveyAnswer.outcome,
        SurveyAnswer.value,
        SurveyAnswer.text_encrypted,
    )
    every = (
        select(
            *keys,
            func.count(),
            size,
            func.count(SurveyAnswer.recording_id),
            cast(null(), String).label("response"),
        )
        .join(SurveyResponse)
        .where(SurveyResponse.survey_id == survey.id)
        .group_by(*keys)
    )
    asked = [q.id for q in survey.questions if q.monitoring in BY_KEY]
    own = {q.id for q in survey.questions if q.monitoring is None}
    each = (
        select(
            SurveyAnswer.question_id,
            SurveyAnswer.outcome,
            SurveyAnswer.value,
            cast(null(), Text),
            literal(1),
            literal(0),
            literal(0),
            SurveyAnswer.response_id,
        )
        .join(SurveyResponse)
        .where(
            SurveyResponse.survey_id == survey.id,
            SurveyAnswer.question_id.in_([*own, *asked]),
        )
    )
    vault = vault_of(session)
    counts: Counter = Counter()
    written: dict[str, list[str]] = {}
    recorded: Counter = Counter()
    by_response: dict[str, list[tuple]] = {}
    responses = 0
    for question_id, outcome, value, encrypted, n, found, spoken, response in session.execute(
        union_all(every, each) if asked else every
    ).all():
        if response is not None:
            by_response.setdefault(response, []).append((question_id, outcome, value))
            continue
        responses = found
        counts[(question_id, outcome, value)] += n
        recorded[str(question_id)] += spoken  # answers said on the phone, kept as recordings
        if encrypted is not None:
            written.setdefault(str(question_id), []).append(vault.decrypt(encrypted))
    return {
        "size": responses,
        "counted": [[*key, n] for key, n in sorted(counts.items(), key=repr)],
        "written": written,
        "recorded": {q: n for q, n in recorded.items() if n},
        "crossed": _crossed(by_response.values(), own, asked),
    }


def _crossed(responses, own: set[int], asked: list[int]) -> dict[str, list]:
    """Own questions' answers counted by each equality question's answer (None: did not say)."""
    crossed: dict[int, Counter] = {q: Counter() for q in asked}
    for answers in responses:
        groups = {
            q: value for q, outcome, value in answers if q in crossed and outcome == "answered"
        }
        for question_id, outcome, value in answers:
            if question_id in own:
                for characteristic, cells in crossed.items():
                    cells[(question_id, outcome, value, groups.get(characteristic))] += 1
    return {
        str(q): [[*key, n] for key, n in sorted(cells.items(), key=repr)]
        for q, cells in crossed.items()
    }


def _batch(session: Session, survey: Survey, responses: int) -> dict:
    """The answers as at the last batch, taking a new one once BATCH more responses are in.

    Taking one writes it to the survey, encrypted (it holds written answers): the caller commits
    (the console does, after reading).
    """
    vault = vault_of(session)
    stored = survey.answers_batch_encrypted
    empty = {"size": 0, "counted": [], "written": {}}
    batch = json.loads(vault.decrypt(stored)) if stored else empty
    if responses >= batch["size"] + BATCH:
        # Due as this page read the survey; but pages read first (service.db.get_session: no
        # SQLite write lock, no PostgreSQL row lock), and another may have stored a batch since.
        # Decided again under the survey row's lock, against the batch stored now: two batches
        # one response apart would show what that one person answered.
        begin_writes(session)
        session.refresh(survey, ["answers_batch_encrypted"], with_for_update=True)
        stored = survey.answers_batch_encrypted
        batch = json.loads(vault.decrypt(stored)) if stored else empty
        if responses >= batch["size"] + BATCH:
            batch = _tally(session, survey)
            survey.answers_batch_encrypted = vault.encrypt(json.dumps(batch))
    return batch


def results_csv(results: Results) -> str:
    """The results as CSV, exactly as the page shows them: suppressed, free text masked."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Table", "Line", "Responses"])
    writer.writerow(["Summary", "Responses", results.responses])
    writer.writerow(["Summary", "Without a proven number", results.unverified])
    writer.writerow(["Summary", "Audience", results.audience])
    writer.writerow(["Summary", "Needed", results.needed])
    for site in results.by_site:
        writer.writerow(["Site", csv_safe(site.name), site.shown])
    for table in (results.by_channel, results.by_language):
        for line in table.lines:
            writer.writerow([table.heading, csv_safe(line.label), line.shown])
        writer.writerow([table.heading, "Total", table.total])
    for question in results.questions:
        name = csv_safe(f"{question.number}. {question.text}")
        for line in question.table.lines:
            writer.writerow([name, csv_safe(line.label), line.shown])
        writer.writerow([name, "Total", question.table.total])
        # Written answers only where the page shows them: from five, already masked.
        for text in question.texts or ():
            writer.writerow([name, "Written answer", csv_safe(text)])
        if question.recorded != "0":
            writer.writerow([name, "Recorded answers", question.recorded])
    if results.breakdown is not None:
        _breakdown_csv(writer, results.breakdown)
    return out.getvalue()


def _breakdown_csv(writer, found: Breakdown) -> None:
    """The breakdown as the page shows it: hidden tables say so, with no figure."""
    if found.waiting:
        writer.writerow([f"By {found.label}", "Not yet shown", csv_safe(found.waiting)])
    for question in found.questions:
        name = csv_safe(f"{question.number}. {question.text}, by {found.label}")
        if question.hidden is not None:
            writer.writerow([name, "Hidden", csv_safe(question.hidden)])
            continue
        for n, column in enumerate(question.columns):
            table = f"{name}: {csv_safe(column)}"
            for label, cells in question.rows:
                writer.writerow([table, csv_safe(label), cells[n]])
            writer.writerow([table, "Total", question.totals[n]])
