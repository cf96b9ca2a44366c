"""What a pack prints, gathered by service.printing and handed to the layouts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from service.content.queries import NetworkView, Occurrence, SupportLineView


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
