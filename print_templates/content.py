"""What a pack prints, gathered by service.printing and handed to the layouts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from service.content.queries import NetworkView, Occurrence, SupportLineView


@dataclass(frozen=True)
class PaperQuestion:
    """One question of a survey sheet, in the sheet's language."""

    number: int
    kind: str
    text: str
    options: tuple[str, ...]
    prefer_not: bool
    # The equality questions' consent: its explanation, printed above it ("" for others).
    preface: str = ""


@dataclass(frozen=True)
class PaperSurvey:
    """An open survey's sheet: its words in one language, where it goes back, how else to answer."""

    title: str
    intro: str
    keyword: str
    return_to: str
    # Where the sheet's QR code points: the survey's public page, or a text with its keyword.
    qr: str | None
    questions: tuple[PaperQuestion, ...]


@dataclass(frozen=True)
class LanguageContent:
    """Everything the sheets of one language show."""

    language: str
    networks: list[NetworkView]
    # The next four weeks' occurrences at the site (from the day printed), then sessions
    # elsewhere that take dial-ins.
    here: list[Occurrence]
    by_phone: list[Occurrence]
    # Each network's next occurrences, anywhere, for its poster.
    network_next: dict[int, list[Occurrence]]
    support_lines: list[SupportLineView]
    # A sheet for each open survey the site's noticeboard carries (service.surveys.paper).
    surveys: list[PaperSurvey] = field(default_factory=list)


@dataclass(frozen=True)
class PackContent:
    """A site's pack: the organisation's numbers and every language's content."""

    org_name: str
    site_name: str
    kiosk: bool
    sms_number: str | None
    voice_number: str | None
    # Where a poster's QR code points: the network's public page, by slug.
    public_page: dict[str, str]
    discreet_names: bool
    month: dt.date
    printed: dt.date
    code: str
    languages: list[LanguageContent] = field(default_factory=list)
    # Posters only, for these networks (a lead's own): no what's on, support or how-to sheet,
    # which would show every network's events.
    posters_only: bool = False
