"""Build a site's noticeboard pack (CLI and console call the same function) and check codes."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from print_templates.content import LanguageContent, PackContent, PaperQuestion, PaperSurvey
from print_templates.pack import render
from print_templates.style import PAGE_SIZES, Look
from service import languages
from service.content import queries
from service.errors import DomainError, NotFound, ValidationError
from service.organisations.models import Organisation, Site
from service.printing.models import PrintPack
from service.surveys import paper
from service.surveys.queries import localised

# Crockford's base32 without I, L, O and U: nothing to misread on a faded sheet.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
POSTER_EVENTS = 3
POSTER_HORIZON = dt.timedelta(days=60)
# What's on lists what is still to come: from the day it is printed, four weeks ahead.
WHATS_ON_DAYS = 28


class NothingToPrint(DomainError):
    """The site's organisation has no networks, events or support lines yet."""


@dataclass(frozen=True)
class Pack:
    """A built pack: the PDF, its code and its page count."""

    pdf: bytes
    code: str
    pages: int


@dataclass(frozen=True)
class PackStatus:
    """What a code on a sheet says about that sheet today."""

    code: str
    site_name: str
    languages: tuple[str, ...]
    printed_at: dt.datetime
    changed: bool


def parse_languages(raw: str) -> tuple[str, ...]:
    """Language codes from "en,pl,ur", each one the service speaks, in the order given."""
    codes = tuple(dict.fromkeys(c.strip().lower() for c in raw.split(",") if c.strip()))
    unknown = [c for c in codes if not languages.is_supported(c)]
    if not codes or unknown:
        raise ValidationError(
            "lang",
            f"unknown language {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(languages.CODES)}",
        )
    return codes


def find_site(session: Session, slug: str, organisation_id: int | None = None) -> Site:
    """The site with this slug (within an organisation, when given)."""
    query = select(Site).where(Site.slug == slug)
    if organisation_id is not None:
        query = query.where(Site.organisation_id == organisation_id)
    found = session.scalars(query).all()
    if len(found) != 1:
        raise NotFound(f"no site called {slug!r}" if not found else f"{slug!r} is ambiguous")
    return found[0]


def _month_start(org: Organisation, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(org.timezone)).date().replace(day=1)


def _whats_on_window(org: Organisation, printed: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    # From the moment of printing (nothing already over) to the end of the 28th day after.
    zone = ZoneInfo(org.timezone)
    last = printed.astimezone(zone).date() + dt.timedelta(days=WHATS_ON_DAYS)
    end = dt.datetime.combine(last, dt.time(), tzinfo=zone)
    return printed, end.astimezone(dt.UTC)


def _paper_surveys(
    session: Session,
    org: Organisation,
    site: Site,
    language: str,
    printed: dt.datetime,
    *,
    base: str,
    sms_number: str | None,
) -> list[PaperSurvey]:
    """The sheet of each survey open for the site's noticeboard, in one language."""
    out = []
    for survey in paper.for_site(session, org.id, site.id, printed):
        view = localised(session, survey, language)
        # A survey open to anyone has a public page; any other is answered by texting its word.
        if survey.audience == "open":
            qr: str | None = f"{base}/o/{org.slug}/survey/{survey.id}"
        else:
            qr = f"SMSTO:{sms_number}:{survey.keyword}" if sms_number else None
        out.append(
            PaperSurvey(
                title=view.title,
                intro=view.intro,
                keyword=view.keyword,
                return_to=view.return_to,
                qr=qr,
                questions=tuple(
                    PaperQuestion(n, q.kind, q.text, q.asked.options, q.asked.prefer_not, q.preface)
                    for n, q in enumerate(view.questions, start=1)
                ),
            )
        )
    return out


def gather(
    session: Session,
    site: Site,
    codes: tuple[str, ...],
    month: dt.date,
    *,
    public_url: str,
    code: str,
    printed: dt.datetime,
    network_ids: list[int] | None = None,
) -> PackContent:
    """Everything the pack's sheets show, read through the same queries as every channel.

    With network_ids, only those networks' posters: nothing about any other network.
    """
    org = session.get_one(Organisation, site.organisation_id)
    start, end = _whats_on_window(org, printed)
    ahead = printed + POSTER_HORIZON
    per_language = []
    base = public_url.rstrip("/")
    sms_number = next((n.e164 for n in org.numbers if n.sms), None)
    for language in codes:
        networks = queries.networks(session, org.id, language)
        if network_ids is not None:
            networks = [n for n in networks if n.id in network_ids]
        four_weeks = queries.upcoming_occurrences(
            session, org.id, start=start, end=end, language=language
        )
        # A poster stays up for weeks: it lists what is next from the day it was printed.
        coming = queries.upcoming_occurrences(
            session, org.id, start=printed, end=ahead, language=language
        )
        network_next = {
            n.id: [o for o in coming if o.network_id == n.id][:POSTER_EVENTS] for n in networks
        }
        if network_ids is not None:
            four_weeks = []  # no what's on sheet: it would list every network's events
        per_language.append(
            LanguageContent(
                language=language,
                networks=networks,
                here=[o for o in four_weeks if o.site_id == site.id],
                by_phone=[o for o in four_weeks if o.site_id != site.id and o.dial_in_number],
                network_next=network_next,
                support_lines=(
                    queries.support_lines(session, org.id, language) if network_ids is None else []
                ),
                surveys=(
                    _paper_surveys(
                        session, org, site, language, printed, base=base, sms_number=sms_number
                    )
                    if network_ids is None
                    else []
                ),
            )
        )
    return PackContent(
        org_name=org.name,
        site_name=site.name,
        kiosk=site.kiosk_enabled,
        sms_number=sms_number,
        voice_number=next((n.e164 for n in org.numbers if n.voice), None),
        public_page={n.slug: f"{base}/o/{org.slug}/n/{n.slug}" for n in per_language[0].networks},
        discreet_names=org.print_discreet_names,
        month=month,
        printed=printed.astimezone(ZoneInfo(org.timezone)).date(),
        code=code,
        languages=per_language,
        posters_only=network_ids is not None,
    )


def digest(content: PackContent) -> str:
    """A fingerprint of what the sheets say, leaving out when they were printed and the code."""
    parts = [
        repr((content.org_name, content.site_name, content.kiosk, content.sms_number)),
        repr((content.voice_number, content.discreet_names, content.month)),
        repr(sorted(content.public_page.items())),
        *(repr(lang) for lang in content.languages),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _new_code(session: Session) -> str:
    while True:
        code = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(6))
        if session.scalar(select(PrintPack.id).where(PrintPack.code == code)) is None:
            return code


def build_pack(
    session: Session,
    site: Site,
    codes: tuple[str, ...],
    *,
    size: str = "A4",
    large_print: bool = False,
    public_url: str,
    now: dt.datetime,
    network_ids: list[int] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Pack:
    """Build a site's pack in the given languages and record its code.

    With network_ids, only those networks' posters (what a lead may print for theirs). With
    progress: told as each language is laid out (the command's progress bar).
    """
    if size not in PAGE_SIZES:
        raise ValidationError("size", f"choose one of {', '.join(PAGE_SIZES)}")
    org = session.get_one(Organisation, site.organisation_id)
    month = _month_start(org, now)
    code = _new_code(session)
    content = gather(
        session,
        site,
        codes,
        month,
        public_url=public_url,
        code=code,
        printed=now,
        network_ids=network_ids,
    )
    first = content.languages[0]
    if network_ids is not None and not first.networks:
        raise NothingToPrint("choose at least one network of this organisation")
    if not first.networks and not first.support_lines and not first.here:
        raise NothingToPrint(f"{site.name} has no networks, events or support lines to print")
    pdf, pages = render(content, Look(size=size, large_print=large_print), progress)
    session.add(
        PrintPack(
            code=code,
            organisation_id=org.id,
            site_id=site.id,
            languages=",".join(codes),
            size=size,
            large_print=large_print,
            month=month,
            content_digest=digest(content),
            pages=pages,
            created_at=now,
            network_ids=sorted(network_ids) if network_ids is not None else None,
        )
    )
    return Pack(pdf, code, pages)


def check_pack(session: Session, code: str, *, public_url: str) -> PackStatus:
    """Whether the content behind a printed pack has changed since it was printed."""
    pack = session.scalar(select(PrintPack).where(PrintPack.code == code.strip().upper()))
    if pack is None:
        raise NotFound(f"no pack with code {code!r}")
    site = session.get_one(Site, pack.site_id)
    codes = tuple(pack.languages.split(","))
    now = gather(
        session,
        site,
        codes,
        pack.month,
        public_url=public_url,
        code=pack.code,
        printed=pack.created_at,
        network_ids=pack.network_ids,
    )
    return PackStatus(
        pack.code, site.name, codes, pack.created_at, digest(now) != pack.content_digest
    )
