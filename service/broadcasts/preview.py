"""What a broadcast would do before it is sent: each language's text, people, segments, cost."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from service import languages
from service.broadcasts.models import Broadcast
from service.broadcasts.operations import Recipient, audience_kinds, renderer
from service.config import Config
from service.content.models import Translation
from service.messaging.segments import count


@dataclass(frozen=True)
class LanguageLine:
    """One language's members in the audience: whether they have its text, and their cost."""

    language: str
    people: int
    segments: int  # all their texts together: each person's segments, summed
    cost_pence: float
    translated: bool
    held: bool


@dataclass(frozen=True)
class Preview:
    """What sending would do: who, how many segments in each language, roughly what cost.

    Recipients, segments and cost count only who will be sent it: held languages are apart.
    """

    recipients: int
    by_language: dict[str, int]
    segments_by_language: dict[str, int]
    total_segments: int
    estimated_cost_pence: float
    lines: tuple[LanguageLine, ...] = ()

    @property
    def held(self) -> tuple[LanguageLine, ...]:
        """The languages held, with how many people wait for their text."""
        return tuple(line for line in self.lines if line.held)


def translated_languages(session: Session, broadcast: Broadcast) -> set[str]:
    """The languages the broadcast has its own text in (English always)."""
    found = session.scalars(
        select(Translation.language).where(
            Translation.owner_table == Broadcast.__tablename__,
            Translation.owner_id == broadcast.id,
            Translation.field == "body",
        )
    )
    return {languages.DEFAULT, *found}


def preview(session: Session, broadcast: Broadcast, config: Config) -> Preview:
    """Recipient count, segments per language and estimated cost, without sending anything."""
    kinds = audience_kinds(session, broadcast, honour_held=False)
    render = renderer(session, broadcast, {person.language for person, _ in kinds})
    held = set(broadcast.held_languages or ())
    translated = translated_languages(session, broadcast)
    by_language: Counter[str] = Counter()
    pence = float(config.SEGMENT_COST_PENCE)
    summed: Counter[str] = Counter()
    worst: dict[str, int] = {}
    for person, people in kinds:
        segments = count(render.text(person)).segments
        by_language[person.language] += people
        summed[person.language] += segments * people
        worst[person.language] = max(worst.get(person.language, 0), segments)
    lines = tuple(
        LanguageLine(
            language,
            by_language[language],
            summed[language],
            round(summed[language] * pence, 2),
            language in translated,
            language in held,
        )
        # Known languages in their usual order; a code no longer offered still counts.
        for language in (*languages.CODES, *sorted(set(by_language) - set(languages.CODES)))
        if by_language[language]
    )
    total = sum(line.segments for line in lines if not line.held)
    return Preview(
        recipients=sum(line.people for line in lines if not line.held),
        by_language=dict(by_language),
        segments_by_language=worst,
        total_segments=total,
        estimated_cost_pence=round(total * pence, 2),
        lines=lines,
    )


@dataclass(frozen=True)
class Sample:
    """The text one kind of member gets: a language, and whether discretion hides the name."""

    language: str
    discreet: bool
    text: str
    segments: int
    encoding: str
    label: str = ""  # the network's name (or discreet name) before the body; "" for none
    body: str = ""
    body_language: str = "en"  # the body's own language: English where there is no text


def samples(session: Session, broadcast: Broadcast) -> list[Sample]:
    """Each language's text (and the discreet one where a sensitive network is named)."""
    render = renderer(session, broadcast, set(languages.CODES))
    first = tuple(broadcast.network_ids[:1]) if broadcast.network_ids else ()
    found = []
    for language in languages.CODES:
        variants = [False]
        if first and render.names[(first[0], language)][2]:
            variants.append(True)  # a sensitive network: discreet members see another label
        for discreet in variants:
            person = Recipient(0, language, discreet, first)
            label, body, body_language = render.parts(person)
            text = render.text(person)
            counted = count(text)
            found.append(
                Sample(
                    language,
                    discreet,
                    text,
                    counted.segments,
                    counted.encoding,
                    label,
                    body,
                    body_language,
                )
            )
    return found
