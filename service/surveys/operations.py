"""Writing, opening and closing surveys; the console and the CLI both call these."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import ColumnElement, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from service.contacts.models import Contact, Membership
from service.content.models import Network
from service.content.operations import keyword_clash, set_translation
from service.crypto import vault_of
from service.errors import DomainError, ValidationError
from service.keywords import fold, tokens
from service.organisations.models import Organisation, Site
from service.surveys import monitoring
from service.surveys.models import (
    AUDIENCES,
    KINDS,
    MAX_OPTIONS,
    MAX_QUESTIONS,
    MIN_OPTIONS,
    MODES,
    Survey,
    SurveyAnswer,
    SurveyPaperEntry,
    SurveyQuestion,
    SurveyRecording,
    SurveyResponse,
    SurveyThrottle,
    SurveyToken,
)


class SurveyClosed(DomainError):
    """The survey is not open (a draft, or closed): it takes no answers."""


def new_id() -> str:
    """A random row id: 128 bits, in no order."""
    return secrets.token_hex(16)


def _keyword(session: Session, org_id: int, raw: str, survey_id: int | None) -> str:
    words = tokens(fold(raw))
    if len(words) != 1:
        raise ValidationError("keyword", "a survey's keyword is one word")
    word = words[0]
    reason = keyword_clash(session, org_id, word, None)
    if reason is not None:
        raise ValidationError("keyword", reason)
    taken = session.scalar(
        select(Survey.id).where(
            Survey.organisation_id == org_id, Survey.keyword == word, Survey.id != (survey_id or 0)
        )
    )
    if taken is not None:
        raise ValidationError("keyword", f"{word} is already another survey's keyword")
    return word


def create_survey(
    session: Session,
    org: Organisation,
    *,
    title: str,
    keyword: str,
    closes_at: dt.datetime,
    intro: str = "",
    audience: str = "opted_in",
    mode: str = "anonymous",
    network_ids: Sequence[int] = (),
    site_ids: Sequence[int] = (),
) -> Survey:
    """A new draft survey with no questions yet."""
    if not title.strip():
        raise ValidationError("title", "a survey needs a title")
    if audience not in AUDIENCES:
        raise ValidationError("audience", f"unknown audience {audience!r}")
    if mode not in MODES:
        raise ValidationError("mode", f"unknown mode {mode!r}")
    if audience == "networks" and not network_ids:
        raise ValidationError("audience", "choose at least one network")
    if audience == "sites" and not site_ids:
        raise ValidationError("audience", "choose at least one site")
    # Ids come from a form: another organisation's network or site is never an audience.
    if network_ids and session.scalar(
        select(func.count())
        .select_from(Network)
        .where(Network.id.in_(set(network_ids)), Network.organisation_id == org.id)
    ) != len(set(network_ids)):
        raise ValidationError("network_ids", "choose the organisation's own networks")
    if site_ids and session.scalar(
        select(func.count())
        .select_from(Site)
        .where(Site.id.in_(set(site_ids)), Site.organisation_id == org.id)
    ) != len(set(site_ids)):
        raise ValidationError("site_ids", "choose the organisation's own sites")
    survey = Survey(
        organisation_id=org.id,
        title=title.strip(),
        intro=intro.strip(),
        keyword=_keyword(session, org.id, keyword, None),
        closes_at=closes_at,
        audience=audience,
        mode=mode,
        network_ids=list(network_ids),
        site_ids=list(site_ids),
    )
    session.add(survey)
    session.flush()
    return survey


def add_question(
    session: Session,
    survey: Survey,
    *,
    kind: str,
    text: str,
    options: Sequence[str] = (),
    prefer_not: bool = True,
) -> SurveyQuestion:
    """Add a question at the end of a draft survey."""
    if survey.status != "draft":
        raise ValidationError("questions", "questions can change only while the survey is a draft")
    if kind not in KINDS:
        raise ValidationError("kind", f"unknown kind {kind!r}")
    if not text.strip():
        raise ValidationError("text", "a question needs its text")
    if len(own_questions(survey)) >= MAX_QUESTIONS:
        raise ValidationError("questions", f"a survey has at most {MAX_QUESTIONS} questions")
    lines = [o.strip() for o in options if o.strip()]
    if kind == "choice" and not MIN_OPTIONS <= len(lines) <= MAX_OPTIONS:
        raise ValidationError("options", f"a choice has {MIN_OPTIONS} to {MAX_OPTIONS} options")
    if kind != "choice" and lines:
        raise ValidationError("options", "only a choice question has options")
    question = SurveyQuestion(
        kind=kind,
        text=text.strip(),
        options="\n".join(lines),
        prefer_not=prefer_not,
    )
    # The equality questions stay last: a question added after them goes before them.
    _order(survey, [*own_questions(survey), question], equality_questions(survey))
    session.flush()
    return question


def own_questions(survey: Survey) -> list[SurveyQuestion]:
    """The questions the survey's author wrote (not the equality questions)."""
    return [q for q in survey.questions if q.monitoring is None]


def equality_questions(survey: Survey) -> list[SurveyQuestion]:
    """The consent question and the equality questions after it; none when not monitoring."""
    return [q for q in survey.questions if q.monitoring is not None]


def _order(survey: Survey, own: list[SurveyQuestion], equality: list[SurveyQuestion]) -> None:
    survey.questions = [*own, *equality]
    for position, question in enumerate(survey.questions, start=1):
        question.position = position


def set_monitoring(session: Session, survey: Survey, keys: Sequence[str]) -> None:
    """Ask the chosen equality questions (none: stop) at the end of a draft survey, after consent.

    Keys are service.surveys.monitoring's characteristics, asked in its order whatever the
    order given. Only an anonymous survey may ask them.
    """
    if survey.status != "draft":
        raise ValidationError("questions", "questions can change only while the survey is a draft")
    unknown = set(keys) - set(monitoring.BY_KEY)
    if unknown:
        raise ValidationError("monitoring", f"unknown characteristic {sorted(unknown)[0]!r}")
    if keys and survey.mode != "anonymous":
        raise ValidationError(
            "monitoring", "equality questions are asked only in an anonymous survey"
        )
    chosen = [c for c in monitoring.CHARACTERISTICS if c.key in set(keys)]
    equality = []
    if chosen:
        equality.append(
            SurveyQuestion(
                kind="yes_no",
                text=monitoring.CONSENT_QUESTION,
                options="",
                prefer_not=False,
                monitoring=monitoring.CONSENT,
            )
        )
    for characteristic in chosen:
        equality.append(
            SurveyQuestion(
                kind=characteristic.kind,
                text=characteristic.text,
                options="\n".join(characteristic.options),
                prefer_not=True,
                monitoring=characteristic.key,
            )
        )
    # The old ones go (delete-orphan) and the new ones take their places at the end.
    _order(survey, own_questions(survey), equality)
    session.flush()


def open_survey(session: Session, survey: Survey, now: dt.datetime) -> None:
    """Open a draft survey for answers, with a new random key for its tokens."""
    if survey.status != "draft":
        raise ValidationError("status", "only a draft survey can be opened")
    if not own_questions(survey):
        raise ValidationError("questions", "a survey needs at least one question")
    if survey.closes_at <= now:
        raise ValidationError("closes_at", "the closing date has passed")
    survey.token_key_encrypted = vault_of(session).encrypt_bytes(secrets.token_bytes(32))
    survey.status, survey.opened_at = "open", now


def is_open(survey: Survey, now: dt.datetime) -> bool:
    """Whether the survey takes answers now (open, and before its closing date)."""
    return survey.status == "open" and now < survey.closes_at


def open_surveys(session: Session, organisation_id: int, now: dt.datetime) -> list[Survey]:
    """The organisation's surveys taking answers now."""
    found = session.scalars(
        select(Survey)
        .where(Survey.organisation_id == organisation_id, Survey.status == "open")
        .order_by(Survey.id)
    ).all()
    return [survey for survey in found if is_open(survey, now)]


def open_audiences(
    session: Session,
    organisation_id: int,
    now: dt.datetime,
    *,
    rows: Iterable[tuple[str, dt.datetime]] | None = None,
) -> list[str]:
    """The audience of each of the organisation's surveys taking answers now.

    Two columns, not whole surveys: the phone line asks this on every menu step, and a survey's
    row carries its encrypted answers so far, which loading as an entity would read and keep.
    rows: OPEN_AUDIENCES's rows, where the caller read them already (with other things).
    """
    if rows is None:
        rows = session.execute(OPEN_AUDIENCES, {"organisation_id": organisation_id}).all()
    return [audience for audience, closes_at in rows if now < closes_at]


# Built once (as organisation_for_number's): every menu step asks it. Core columns, so no ORM
# entity is loaded; the closing date is compared in Python exactly as is_open does.
_SURVEY = Survey.__table__
OPEN_AUDIENCES = select(_SURVEY.c.audience, _SURVEY.c.closes_at).where(
    _SURVEY.c.organisation_id == bindparam("organisation_id"), _SURVEY.c.status == "open"
)


def close_survey(session: Session, survey: Survey, now: dt.datetime) -> None:
    """Close a survey: keep unfinished answers anonymously, then destroy every link to a person.

    In order: each unfinished respondent's answers so far become an incomplete response; every
    token row goes; the responses are rewritten under new random ids in a random order (so the
    table's physical order cannot be matched to the inbound log's times); the token key is
    destroyed; and no member's conversation still points at the survey.
    """
    if survey.status == "closed":
        return
    vault = vault_of(session)
    unfinished = session.scalars(
        select(SurveyToken).where(
            SurveyToken.survey_id == survey.id, SurveyToken.progress_encrypted.is_not(None)
        )
    ).all()
    for row in unfinished:
        progress = json.loads(vault.decrypt(row.progress_encrypted or ""))
        if progress["answers"]:
            write_response(session, survey, progress, complete=False)
    session.flush()
    session.execute(delete(SurveyToken).where(SurveyToken.survey_id == survey.id))
    session.execute(delete(SurveyThrottle).where(SurveyThrottle.survey_id == survey.id))
    # Paper sheets typed in once, or in disagreement, were never counted: they go uncounted.
    session.execute(delete(SurveyPaperEntry).where(SurveyPaperEntry.survey_id == survey.id))
    _reshuffle(session, survey)
    survey.token_key_encrypted = None
    # Every answer is shown once closed: the batch shown while it was open has no further use.
    survey.answers_batch_encrypted = None
    survey.status, survey.closed_at = "closed", now
    _leave_conversations(session, survey)


def write_response(
    session: Session, survey: Survey, progress: dict, *, complete: bool
) -> SurveyResponse:
    """One anonymous response from a respondent's progress (answers keyed by question id)."""
    contact_id = progress.get("contact_id") if survey.mode == "attributable" else None
    response = SurveyResponse(
        id=new_id(),
        survey_id=survey.id,
        channel=progress["channel"],
        site_id=progress.get("site_id"),
        language=progress["language"],
        complete=complete,
        contact_id=contact_id,
        verified=progress.get("verified", True),
    )
    vault = vault_of(session)
    kept = kept_answers(survey, progress["answers"])
    # An answer is [outcome, value, text], with a recording's id after them when it has one.
    for question_id, (outcome, value, text, *recording) in kept.items():
        response.answers.append(
            SurveyAnswer(
                id=new_id(),
                question_id=int(question_id),
                outcome=outcome,
                value=value,
                text_encrypted=vault.encrypt(text) if text else None,
                recording_id=recording[0] if recording else None,
            )
        )
    session.add(response)
    return response


def kept_answers(survey: Survey, answers: dict[str, list]) -> dict[str, list]:
    """Answers (keyed by question id) to store: the equality ones only after a yes to consent."""
    equality = equality_questions(survey)
    consent_id = next((q.id for q in equality if q.monitoring == monitoring.CONSENT), None)
    return monitoring.kept_answers(
        answers, consent_id, {q.id for q in equality if q.id != consent_id}
    )


def _reshuffle(session: Session, survey: Survey) -> None:
    responses = (
        session.execute(
            select(SurveyResponse.__table__).where(SurveyResponse.survey_id == survey.id)
        )
        .mappings()
        .all()
    )
    answers = (
        session.execute(
            select(SurveyAnswer.__table__)
            .join(SurveyResponse.__table__)
            .where(SurveyResponse.survey_id == survey.id)
        )
        .mappings()
        .all()
    )
    by_response: dict[str, list[dict]] = {}
    for answer in answers:
        by_response.setdefault(answer["response_id"], []).append(dict(answer))
    session.execute(delete(SurveyResponse).where(SurveyResponse.survey_id == survey.id))
    session.expire_all()
    shuffled = [dict(r) for r in responses]
    secrets.SystemRandom().shuffle(shuffled)
    new_responses, new_answers = [], []
    for row in shuffled:
        old, row["id"] = row["id"], new_id()
        new_responses.append(row)
        for answer in by_response.get(old, []):
            new_answers.append({**answer, "id": new_id(), "response_id": row["id"]})
    # Inserted in the shuffled order, in bulk: the rows land in that order.
    if new_responses:
        session.execute(insert(SurveyResponse), new_responses)
    renamed = _reshuffle_recordings(session, survey)
    for answer in new_answers:
        answer["recording_id"] = renamed.get(answer["recording_id"])
    if new_answers:
        session.execute(insert(SurveyAnswer), new_answers)


def _reshuffle_recordings(session: Session, survey: Survey) -> dict[str | None, str]:
    """Phone recordings under new ids in a random order, like the responses; old id -> new."""
    rows = [
        dict(r)
        for r in session.execute(
            select(SurveyRecording.__table__).where(SurveyRecording.survey_id == survey.id)
        ).mappings()
    ]
    if not rows:
        return {}
    secrets.SystemRandom().shuffle(rows)
    renamed = {}
    for row in rows:
        renamed[row["id"]] = row["id"] = new_id()
    session.execute(delete(SurveyRecording).where(SurveyRecording.survey_id == survey.id))
    session.execute(insert(SurveyRecording), rows)
    return renamed


# What channels hold about a survey in progress (the SMS conversation's "in survey 3"), let
# go when it closes. The core cannot import the channels: service/models.py registers them.
_on_close: dict[str, Callable[[Session, Survey], None]] = {}


def when_closed(name: str, forget: Callable[[Session, Survey], None]) -> None:
    """Register a channel's clean-up for a closing survey (registering again replaces it)."""
    _on_close[name] = forget


def _leave_conversations(session: Session, survey: Survey) -> None:
    for forget in _on_close.values():
        forget(session, survey)


def close_due(session: Session, now: dt.datetime) -> int:
    """Close every open survey whose closing date has passed; how many closed."""
    due = session.scalars(
        select(Survey).where(Survey.status == "open", Survey.closes_at <= now)
    ).all()
    for survey in due:
        close_survey(session, survey, now)
    return len(due)


def in_audience(session: Session, survey: Survey, contact: Contact) -> bool:
    """Whether a contact is among those the survey asks (an open survey asks anyone)."""
    if survey.audience == "open":
        return True
    if contact.opted_out_at is not None:
        return False
    if survey.audience == "networks":
        return (
            session.scalar(
                select(Membership.id)
                .where(
                    Membership.contact_id == contact.id,
                    Membership.network_id.in_(survey.network_ids),
                )
                .limit(1)
            )
            is not None
        )
    if survey.audience == "sites":
        return contact.site_id in survey.site_ids
    return True


def _asked(survey: Survey) -> list[ColumnElement[bool]]:
    """The conditions on Contact that pick out the people the survey asks."""
    conditions = [
        Contact.organisation_id == survey.organisation_id,
        Contact.opted_out_at.is_(None),
        Contact.unusable_at.is_(None),
    ]
    if survey.audience == "networks":
        members = select(Membership.contact_id).where(Membership.network_id.in_(survey.network_ids))
        conditions.append(Contact.id.in_(members))
    elif survey.audience == "sites":
        conditions.append(Contact.site_id.in_(survey.site_ids))
    return conditions


def audience(session: Session, survey: Survey) -> list[Contact]:
    """The contacts the survey asks (for an open survey: everyone opted in)."""
    return list(session.scalars(select(Contact).where(*_asked(survey)).order_by(Contact.id)))


def audience_by_site(session: Session, survey: Survey) -> dict[int | None, int]:
    """How many people the survey asks at each site (None: at no site), counted in the database."""
    # The results page needs only these counts: loading 10,000 contacts took most of its second.
    rows = session.execute(
        select(Contact.site_id, func.count()).where(*_asked(survey)).group_by(Contact.site_id)
    ).all()
    return {site_id: n for site_id, n in rows}


def sensitive_audience(session: Session, survey: Survey) -> bool:
    """Whether the survey is for a sensitive network, so discreet members see no title."""
    if survey.audience != "networks" or not survey.network_ids:
        return False
    return bool(
        session.scalar(
            select(Network.id).where(Network.id.in_(survey.network_ids), Network.sensitive).limit(1)
        )
    )


def translate(
    session: Session,
    item: Survey | SurveyQuestion,
    field: str,
    language: str,
    text: str,
    *,
    reviewed: bool = False,
) -> None:
    """Set one field of a survey or question in a language (empty: English shows instead)."""
    if isinstance(item, SurveyQuestion) and item.monitoring is not None:
        raise ValidationError("text", "the equality questions are worded by the service")
    if isinstance(item, SurveyQuestion) and field == "options" and text.strip():
        given = [line for line in text.splitlines() if line.strip()]
        if len(given) != len(item.option_lines()):
            raise ValidationError("options", "translate each option on its own line, in order")
    set_translation(session, item, field, language, text, reviewed=reviewed)  # type: ignore[arg-type]
