"""Surveys, their questions, and answers that name no one.

What is deliberately absent from the answer tables: a contact (unless the survey is
attributable), a number or its blind index, a message or call SID, and any time. A response's
id is random, so its order says nothing either, and closing the survey rewrites the responses
in a random order (service.surveys.closing) so that not even the database's physical row order
can be matched against the inbound text log.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow

KINDS = ("choice", "scale", "yes_no", "text")
AUDIENCES = ("opted_in", "networks", "sites", "open")
MODES = ("anonymous", "attributable")
MAX_QUESTIONS = 10
MIN_OPTIONS, MAX_OPTIONS = 2, 9
SCALE = range(1, 6)


class Survey(Base):
    """A short survey: a title, an introduction, a closing date and up to 10 questions."""

    __tablename__ = "survey"
    __table_args__ = (UniqueConstraint("organisation_id", "keyword"),)
    translatable = ("title", "intro", "we_did", "return_to")

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    intro: Mapped[str] = mapped_column(Text, default="")
    # "You said, we did": what changed because people answered, written once it has closed,
    # printed for the noticeboard and sent as a broadcast (service.surveys.outcome).
    we_did: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Where a paper sheet goes back ("the box by the canteen door"), printed on every sheet.
    return_to: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The word that starts it by text, folded like network keywords (e.g. PULSE).
    keyword: Mapped[str] = mapped_column(String(40))
    closes_at: Mapped[dt.datetime]
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | open | closed
    mode: Mapped[str] = mapped_column(String(12), default="anonymous")
    audience: Mapped[str] = mapped_column(String(10), default="opted_in")
    # The networks or sites the audience is drawn from, when it is drawn from any.
    network_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    site_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    # The key of the one-response-per-person tokens: random, encrypted under DATA_KEY, made
    # when the survey opens and set to None when it closes, after which no token can be
    # recomputed from anyone's number.
    token_key_encrypted: Mapped[str | None] = mapped_column(Text)
    # While open, the answers as they stood at the last batch (service.surveys.results), as
    # encrypted JSON: {"size": responses counted, "counted": [[question, outcome, value, n], ...],
    # "written": {question: [text, ...]}}. None until the first batch, and again once closed.
    answers_batch_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # When the one reminder to those who have not answered was queued (None: not yet).
    reminded_at: Mapped[dt.datetime | None]

    questions: Mapped[list[SurveyQuestion]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyQuestion.position"
    )


class SurveyQuestion(Base):
    """One question: one choice of 2–9 options, a 1–5 scale, yes/no or free text."""

    __tablename__ = "survey_question"
    translatable = ("text", "options")

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    # A choice question's options, one a line (translated as one field, line for line).
    options: Mapped[str] = mapped_column(Text, default="")
    prefer_not: Mapped[bool] = mapped_column(default=True)
    # None for a question the survey's author wrote; "consent", or the protected characteristic
    # it asks about, for the fixed equality questions (service.surveys.monitoring), which
    # always come last and are worded and translated by the service, not the author.
    monitoring: Mapped[str | None] = mapped_column(String(20))

    survey: Mapped[Survey] = relationship(back_populates="questions")

    def option_lines(self, options: str | None = None) -> list[str]:
        """The options as a list (of the given translation, or the English)."""
        return [line.strip() for line in (options or self.options).splitlines() if line.strip()]


class SurveyResponse(Base):
    """One person's answers: the channel, site and language they answered in, and no one."""

    __tablename__ = "survey_response"

    # Random (secrets.token_hex), never a sequence: an id in order would date the response.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    # False for answers given before the survey closed by someone who never finished.
    complete: Mapped[bool] = mapped_column(default=True)
    # False for an open survey answered at a kiosk or on a public page by someone who proved
    # no number: nothing stopped them answering twice, so the results count these apart.
    verified: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Only in an attributable survey ("which evening suits you?"); erasure deletes the row.
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contact.id", ondelete="CASCADE"), index=True
    )

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", passive_deletes=True
    )


class SurveyAnswer(Base):
    """One answer to one question: a number, an encrypted text, a skip or "prefer not to say"."""

    __tablename__ = "survey_answer"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    response_id: Mapped[str] = mapped_column(
        ForeignKey("survey_response.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(
        ForeignKey("survey_question.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[str] = mapped_column(String(10))  # answered | skipped | prefer_not
    # The option (1–9), the scale point (1–5), or yes (1) / no (0).
    value: Mapped[int | None]
    text_encrypted: Mapped[str | None] = mapped_column(Text)
    # A free-text answer said on the phone: its recording, kept here (no transcription).
    recording_id: Mapped[str | None] = mapped_column(
        ForeignKey("survey_recording.id", ondelete="SET NULL"), index=True
    )

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")


class SurveyToken(Base):
    """One person's place in one survey, found only by a keyed hash of who they are.

    token is HMAC(survey key, identity): without the survey's key (destroyed at close) it
    names no one, and it is never stored beside a contact. While the person is part way
    through, answers_encrypted holds their answers so far (and position the question they
    are on): that link between a person and answers lasts only until they finish, when the
    answers move to an anonymous SurveyResponse and this row keeps only "finished". Closing
    the survey turns unfinished rows into incomplete responses and deletes every row.
    """

    __tablename__ = "survey_token"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    finished: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    # JSON {"answers": {question_id: [outcome, value, text]}, "channel", "site_id", "language",
    # "contact_id" (attributable surveys only)}, encrypted; None once finished.
    progress_encrypted: Mapped[str | None] = mapped_column(Text)


class SurveyThrottle(Base):
    """How many unproven respondents one kiosk or web address started in one hour.

    key is HMAC(survey key, the kiosk or address, the hour): like a token, it names nothing
    once the survey's key is destroyed at close, and the rows go with the survey's tokens.
    """

    __tablename__ = "survey_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    window_start: Mapped[dt.datetime]
    count: Mapped[int] = mapped_column(default=0)


class SurveyRecording(Base):
    """A free-text answer said on the phone: the audio, encrypted, and nothing about the call.

    Made (empty) when the recording arrives, and filled by a queued task that copies the audio
    from Twilio and then deletes it there with the call's record. No call or recording SID, no
    number and no time is kept; the id is random, and closing the survey rewrites these rows
    under new ids in a random order, as it does the responses.
    """

    __tablename__ = "survey_recording"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    audio_encrypted: Mapped[str | None] = mapped_column(Text)
    audio_type: Mapped[str | None] = mapped_column(String(40))


class SurveyPaperEntry(Base):
    """One typing-in of one returned paper sheet, waiting for its second (double entry).

    A sheet's answers are counted only when two entries of it agree; until then they wait
    here, encrypted, and the entries go once the response is written. The sheet number is the
    one the office writes on each sheet as it comes out of the return box: it pairs the two
    entries and, kept in SurveyPaperSheet, stops the same sheet being counted twice.
    """

    __tablename__ = "survey_paper_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    sheet: Mapped[int]
    # The manager who typed it in (not the respondent: a paper sheet names no one).
    entered_by: Mapped[int | None] = mapped_column(ForeignKey("manager.id", ondelete="SET NULL"))
    # JSON {"site_id", "language", "answers": {question_id: [outcome, value, text]}}, encrypted.
    entry_encrypted: Mapped[str] = mapped_column(Text)


class SurveyPaperSheet(Base):
    """A sheet number whose answers have been counted: the same sheet is never counted again.

    Only the number: nothing here points at the response it became.
    """

    __tablename__ = "survey_paper_sheet"
    __table_args__ = (UniqueConstraint("survey_id", "sheet"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("survey.id", ondelete="CASCADE"), index=True)
    sheet: Mapped[int]
