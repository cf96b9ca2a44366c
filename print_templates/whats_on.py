"""Sheet 2: this month at the site as a calendar and a list, then sessions to join by phone."""

from __future__ import annotations

import calendar
from collections import defaultdict

from babel.dates import format_date, get_day_names
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.platypus import Flowable, Table

from print_templates.common import Marker, number
from print_templates.content import LanguageContent, PackContent
from print_templates.style import Look, table_style
from print_templates.text import para
from service.formatting import when


def whats_on(lang: LanguageContent, content: PackContent, look: Look) -> list[Flowable]:
    """The month's calendar and lists (the caller wraps it in the language's locale)."""
    language = lang.language
    month_name = format_date(content.month, "LLLL y", locale=language)
    story: list[Flowable] = [
        Marker(language=language, strip=None),
        para(
            _("What's on at %(site)s", site=content.site_name),
            look.style("title", language),
            language,
        ),
        para(month_name, look.style("big", language), language),
        _calendar(lang, content, look),
        para(
            _("Here at %(site)s", site=content.site_name), look.style("heading", language), language
        ),
    ]
    if not lang.here:
        story.append(
            para(_("Nothing is planned here this month."), look.style("body", language), language)
        )
    for occurrence in lang.here:
        where = occurrence.place or occurrence.site_name
        story.append(
            para(
                f"{when(occurrence.local_start, language)}: {occurrence.title}"
                + (f". {where}" if where else ""),
                look.style("body", language),
                language,
            )
        )
    story.append(para(_("Join by phone, from anywhere"), look.style("heading", language), language))
    if not lang.by_phone:
        story.append(
            para(_("No phone sessions this month."), look.style("body", language), language)
        )
    for occurrence in lang.by_phone:
        line = _(
            "%(when)s: %(title)s. Call %(number)s",
            when=when(occurrence.local_start, language),
            title=occurrence.title,
            number=number(occurrence.dial_in_number),
        )
        if occurrence.dial_in_pin:
            line += ", " + _("PIN %(pin)s", pin=occurrence.dial_in_pin)
        story.append(para(line, look.style("body", language), language))
    return story


def _calendar(lang: LanguageContent, content: PackContent, look: Look) -> Table:
    language = lang.language
    times: dict[int, list[str]] = defaultdict(list)
    for occurrence in lang.here:
        times[occurrence.local_start.day].append(occurrence.local_start.strftime("%H:%M"))
    names = get_day_names("abbreviated", locale=language)
    header = [para(names[i], look.style("strong", language), language) for i in range(7)]
    rows = [header]
    for week in calendar.Calendar(firstweekday=0).monthdayscalendar(
        content.month.year, content.month.month
    ):
        rows.append(
            [
                para(
                    " ".join([str(day), *times.get(day, [])]) if day else "",
                    look.style("strong" if times.get(day) else "body", "en"),
                    "en",
                )
                for day in week
            ]
        )
    if language == "ur":
        rows = [list(reversed(row)) for row in rows]  # the week runs right to left
    width = (look.page[0] - 2 * look.margin) / 7
    table = Table(rows, colWidths=[width] * 7, repeatRows=1)
    table.setStyle(
        table_style(
            ("GRID", (0, 0), (-1, -1), 0.8, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, 0), 2, colors.black),
        )
    )
    return table
