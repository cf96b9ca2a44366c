"""Surveys on the phone line: "have your say" while one is open, answered by key or by voice.

Caller ID is not identity, so a survey is answered as the number's owner only after a code
texted to the number comes back on the call (service/voice/verify.py), as for the caller's own
groups: otherwise a spoofer could hear or change someone's part-finished answers, or answer
in their name so that they could not. The caller's survey identity is then their number,
exactly as by text, so nobody answers once by each channel. Their place and answers so far are
kept by the core under the survey's keyed token; the call state in Twilio's URLs names only the
survey and the question number, never an answer. A free-text answer is recorded: the recording
arrives at /twilio/voice/survey-recording (answer_recorded) and is copied, then deleted at
Twilio with the call's record, by a queued task.
"""

from __future__ import annotations

import dataclasses

from flask_babel import force_locale
from flask_babel import gettext as _
from twilio.twiml.voice_response import VoiceResponse

from service import languages
from service.keywords import fold, tokens
from service.messaging import crisis
from service.surveys import answers, recordings, taking, texts, words
from service.surveys.models import Survey
from service.surveys.operations import (
    SurveyClosed,
    in_audience,
    is_open,
    open_audiences,
    open_surveys,
    sensitive_audience,
)
from service.surveys.queries import QuestionView, localised
from service.voice.engine import CHANNEL, NO_INPUT_TRIES, CallState, LineBase
from service.voice.flows import Node
from service.voice.speaking import voices

RECORD_SECONDS = 120
SKIP_KEY, REPEAT_KEY, RECORD_KEY = "#", "*", "1"


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What became of a recorded answer: the TwiML, and what the copying task should do."""

    response: VoiceResponse
    recording_id: str | None = None  # kept: copy the audio into this recording
    delete: bool = False  # not kept: delete it at Twilio all the same


class SurveyActions(LineBase):
    """Flow actions for answering an open survey, question by question."""

    _offer: bool | None = None

    def holds(self, condition: str) -> bool:
        """survey_open: a survey of the organisation is open to this caller."""
        if condition != "survey_open":
            return super().holds(condition)
        if self._offer is None:
            # Asked on every menu step, so the cheap answers come first: no survey open (the
            # usual case), or one open to anyone; the caller is looked up only past those.
            audiences = open_audiences(
                self.session, self.org.id, self.now, rows=self.call_facts().audiences
            )
            if not audiences or "open" in audiences:
                self._offer = bool(audiences)
                return self._offer
            member = self.member
            # A caller not yet proved hears the offer whenever any survey is open: whether a
            # number is in an audience (a sensitive network's, say) is told to nobody who
            # merely dials from it. The audience is checked once the code came back.
            self._offer = member is None or any(
                in_audience(self.session, survey, member)
                for survey in open_surveys(self.session, self.org.id, self.now)
            )
        return self._offer

    # -- where the caller is ------------------------------------------------------------------

    def _check_node(self, node: Node) -> str:
        """The verify_caller node that leads to this one (the code first)."""
        return next(
            (
                n.name
                for n in self.flow.nodes.values()
                if n.action == "verify_caller" and n.next == node.name
            ),
            self._verify_node(),
        )

    def _identity(self) -> str:
        assert self.member is not None
        return taking.identity_of_number(self.member.phone)

    def _back(self, state: CallState, node: Node) -> VoiceResponse:
        return self.enter(CallState(node=node.back or self.flow.start, lang=state.lang))

    def _start(self, state: CallState, node: Node) -> tuple[Survey, taking.Place] | str:
        """Begin (or resume) the first open survey the caller is asked and has not finished."""
        assert self.member is not None
        found = [
            s
            for s in open_surveys(self.session, self.org.id, self.now)
            if in_audience(self.session, s, self.member)
        ]
        if not found:
            self.say(texts.not_for_you(), state.lang)
            return node.back or self.flow.start
        for survey in found:
            try:
                place = taking.begin(
                    self.session,
                    survey,
                    self._identity(),
                    channel=CHANNEL,
                    language=state.lang,
                    now=self.now,
                    site_id=self.member.site_id,
                    contact_id=self.member.id,
                )
            except taking.AlreadyAnswered:
                continue
            return survey, place
        self.say(texts.already_answered(), state.lang)
        return node.back or self.flow.start

    def _do_ask_survey_question(self, state: CallState, node: Node) -> str | None:
        if self.member is None:
            return self._check_node(node)
        survey = self.session.get(Survey, state.items[0]) if state.items else None
        if survey is None:  # arriving from the menu
            started = self._start(state, node)
            if isinstance(started, str):
                return started
            survey, place = started
            if place.number == 1:
                discreet = self.member.discreet and sensitive_audience(self.session, survey)
                view = localised(self.session, survey, state.lang)
                self.say(texts.introduction(view, discreet=discreet), state.lang)
        else:
            if not is_open(survey, self.now):
                self.say(texts.closed(), state.lang)
                return node.back or self.flow.start
            found = taking.current(self.session, survey, self._identity())
            if found is None:
                self.say(texts.already_answered(), state.lang)
                return node.back or self.flow.start
            place = found
        self._ask(dataclasses.replace(state, items=(survey.id, place.number)), survey, place)
        return None

    # -- asking --------------------------------------------------------------------------------

    def _how_to_answer(self, asked: QuestionView) -> list[str]:
        if asked.kind == "choice":
            return [
                _("For %(option)s, press %(key)d.", option=option, key=n)
                for n, option in enumerate(asked.asked.options, start=1)
            ]
        if asked.kind == "scale":
            return [_("Press a number from 1, the lowest, to 5, the highest.")]
        if asked.kind == "yes_no":
            return [_("For yes, press 1. For no, press 2.")]
        return [_("To answer in your own words, press 1 and speak after the tone.")]

    def _ask(self, state: CallState, survey: Survey, place: taking.Place) -> None:
        view = localised(self.session, survey, state.lang)
        asked = view.questions[place.number - 1]
        lang = state.lang
        self.say(
            _("Question %(number)d of %(total)d.", number=place.number, total=place.total), lang
        )
        if asked.preface:  # the equality questions' consent: what the caller agrees to
            self.say(asked.preface, lang)
        self.say(asked.text, lang)
        for line in self._how_to_answer(asked):
            self.say(line, lang)
        if asked.asked.prefer_not:
            self.say(_("If you prefer not to say, press 0."), lang)
        self.say(_("To skip this question, press hash. To hear it again, press star."), lang)
        speech = voices()[lang].get("speech")
        hints = [*asked.asked.options, *(w for k in words.SURVEY_WORDS for w in _words(k, lang))]
        gather = self.response.gather(
            input="dtmf speech" if speech else "dtmf",
            num_digits=1,
            timeout=8,
            action=self.url_for_state(dataclasses.replace(state, tries=0)) + "&survey=1",
            method="POST",
            **({"language": speech, "hints": ", ".join(hints)} if speech else {}),
        )
        self._speak_pending(gather)
        self.response.redirect(
            self.url_for_state(dataclasses.replace(state, tries=state.tries + 1))
            + "&survey=1&noinput=1",
            method="POST",
        )

    def _record(self, state: CallState) -> None:
        """<Record> a free-text answer; its action brings the recording (answer_recorded)."""
        self.prompt("survey_record", state.lang, self._flush())
        self.response.record(
            max_length=RECORD_SECONDS,
            timeout=5,
            play_beep=True,
            finish_on_key="#",
            action=self.url_for_survey_recording(state),
            method="POST",
            # No recordingStatusCallback: the action brings the recording's URL, and the
            # voicemail callback would tie a recording to the caller's call.
        )
        # Twilio does not call the action for an empty recording: the question again.
        self.response.redirect(self.url_for_state(state) + "&survey=1&noinput=1", method="POST")

    # -- answering -----------------------------------------------------------------------------

    def _where(self, state: CallState, node: Node) -> tuple[Survey, taking.Place] | VoiceResponse:
        """The survey and question a step answers, or the TwiML that goes elsewhere instead."""
        if self.member is None:
            return self.enter(CallState(node=self._check_node(node), lang=state.lang))
        survey = self.session.get(Survey, state.items[0]) if state.items else None
        if survey is None or survey.organisation_id != self.org.id:
            return self._back(state, node)
        if not is_open(survey, self.now):
            self.say(texts.closed(), state.lang)
            return self._back(state, node)
        place = taking.current(self.session, survey, self._identity())
        if place is None:
            self.say(texts.already_answered(), state.lang)
            return self._back(state, node)
        if state.items[1:] != (place.number,):
            # A step from another question (a retried webhook): ask where they are now.
            return self.enter(CallState(node=node.name, lang=state.lang, items=(survey.id,)))
        return survey, place

    def answer_survey(
        self, state: CallState, digits: str, speech: str, noinput: bool
    ) -> VoiceResponse:
        """The caller answered a survey's question by key or by voice (or said nothing)."""
        node = self.flow.node(state.node)
        digits, speech = languages.ascii_digits(digits), languages.ascii_digits(speech)
        lang = state.lang
        with force_locale(lang):
            where = self._where(state, node)
            if isinstance(where, VoiceResponse):
                return where
            survey, place = where
            if noinput:
                if state.tries >= NO_INPUT_TRIES:
                    self.say(_("Your answers so far are kept. Call again to carry on."), lang)
                    return self.enter(CallState(node=self._goodbye(), lang=lang))
                self.say(_("Sorry, we did not hear anything."), lang)
                self._ask(state, survey, place)
                return self.response
            if not digits and crisis.detect(speech) is not None:
                return self.enter(CallState(node=self._support(), lang=lang))
            asked = localised(self.session, survey, lang).questions[place.number - 1]
            move, given = _heard(digits, speech, asked, lang)
            again = CallState(node=node.name, lang=lang, items=(survey.id,))
            try:
                if move == "repeat":
                    return self.enter(again)
                if move == "later":
                    self.say(_("Your answers so far are kept. Call again to carry on."), lang)
                    return self._back(state, node)
                if move == "back":
                    taking.back(self.session, survey, self._identity(), self.now)
                    return self.enter(again)
                if move == "record":
                    self._record(state)
                    return self.response
                if move == "skip":
                    given = answers.Answer("skipped")
                if given is None:
                    self.say(_("Sorry, that is not an answer to this question."), lang)
                    self._ask(state, survey, place)
                    return self.response
                following = taking.answer(
                    self.session,
                    survey,
                    self._identity(),
                    outcome=given.outcome,
                    value=given.value,
                    now=self.now,
                )
            except SurveyClosed:
                self.say(texts.closed(), lang)
                return self._back(state, node)
            if following is None:
                self.say(texts.finished(), lang)
                return self._back(state, node)
            return self.enter(again)

    def answer_recorded(self, state: CallState, *, recording_sid: str) -> Recorded:
        """A free-text answer was recorded: keep it (as a recording only) and go on."""
        node = self.flow.node(state.node)
        with force_locale(state.lang):
            if self.member is None:
                checked = self.enter(CallState(node=self._check_node(node), lang=state.lang))
                return Recorded(checked, delete=True)
            survey = self.session.get(Survey, state.items[0]) if state.items else None
            if (
                survey is None
                or survey.organisation_id != self.org.id
                or not is_open(survey, self.now)
            ):
                return Recorded(self.answer_survey(state, "", "", noinput=False), delete=True)
            where = self._where(state, node)
            if isinstance(where, VoiceResponse):
                # Finished or moved on already: a retried webhook, whose first delivery has
                # queued this recording's copy and deletion. Nothing more is done with it.
                return Recorded(where)
            place = where[1]
            if place.question.kind != "text":
                again = CallState(node=node.name, lang=state.lang, items=(survey.id,))
                return Recorded(self.enter(again), delete=True)
            recording_id = recordings.new_recording(self.session, survey)
            following = taking.answer(
                self.session,
                survey,
                self._identity(),
                outcome="answered",
                recording=recording_id,
                now=self.now,
            )
            self.say(_("Thank you. Your answer has been recorded."), state.lang)
            if following is None:
                self.say(texts.finished(), state.lang)
                return Recorded(self._back(state, node), recording_id=recording_id)
            again = CallState(node=node.name, lang=state.lang, items=(survey.id,))
            return Recorded(self.enter(again), recording_id=recording_id)


def _words(kind: str, lang: str) -> tuple[str, ...]:
    table = words.SURVEY_WORDS[kind]
    return table.get("en", ()) + (table.get(lang, ()) if lang != "en" else ())


def _heard(
    digits: str, speech: str, asked: QuestionView, lang: str
) -> tuple[str, answers.Answer | None]:
    """What a key or something said means: a move, or an answer (None: it answers nothing).

    Moves are repeat, skip, back, later (speech only) and record (a free-text question).
    """
    if digits:
        key = digits[:1]
        if key == REPEAT_KEY:
            return "repeat", None
        if key == SKIP_KEY:
            return "skip", None
        if asked.kind == "text":
            if key == RECORD_KEY:
                return "record", None
            prefer = key == str(answers.PREFER_NOT) and asked.asked.prefer_not
            return "answer", answers.Answer("prefer_not") if prefer else None
        return "answer", answers.read(key, asked.asked, lang)
    heard = fold(speech)
    said = tokens(heard)
    move = words.control(speech, lang) or next(
        (m for m in (words.control(w, lang) for w in said) if m), None
    )
    if move is not None:
        return move, None
    if asked.asked.prefer_not and words.prefers_not(speech, lang):
        return "answer", answers.Answer("prefer_not")
    if asked.kind == "text":
        # Whatever else is said to a free-text question starts its recording.
        return "record", None
    found = answers.read(speech, asked.asked, lang)
    # "I'd say four", "the bus": a number or an option's word inside what was said.
    for word in said:
        if found is not None:
            break
        found = answers.read(word, asked.asked, lang)
    if found is not None and found.outcome == "prefer_not":
        return "answer", found if asked.asked.prefer_not else None
    return "answer", found
