"""Sheet 2: the next four weeks at the site as a calendar and a list, then phone sessions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from babel.dates import format_date, format_interval, get_day_names
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.platypus import Flowable, Table

from print_templates.common import Marker, number
from print_templates.content import LanguageContent, PackContent
from print_templates.layout import FirstThatFits
from print_templates.style import Look, table_style
from print_templates.text import para
from service.formatting import when


def whats_on(lang: LanguageContent, content: PackContent, look: Look) -> list[Flowable]:
    """Four weeks' calendar and lists (the caller wraps it in the language's locale)."""
    language = lang.language
    first, last = _days(content)
    span = format_interval(first, last, "yMMMMd", locale=language)
    story: list[Flowable] = [
        Marker(language=language, strip=None),
        para(
            _("What's on at %(site)s", site=content.site_name),
            look.style("title", language),
            language,
        ),
        para(span, look.style("big", language), language),
        _calendar(lang, content, look),
        para(
            _("Here at %(site)s", site=content.site_name), look.style("heading", language), language
        ),
    ]
    if not lang.here:
        story.append(
            para(
                _("Nothing is planned here in the next four weeks."),
                look.style("body", language),
                language,
            )
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
            para(
                _("No phone sessions in the next four weeks."),
                look.style("body", language),
                language,
            )
        )
    calls = []
    for occurrence in lang.by_phone:
        line = _(
            "%(when)s: %(title)s. Call %(number)s",
            when=when(occurrence.local_start, language),
            title=occurrence.title,
            number=number(occurrence.dial_in_number),
        )
        if occurrence.dial_in_pin:
            line += ", " + _("PIN %(pin)s", pin=occurrence.dial_in_pin)
        calls.append(para(line, look.style("body", language), language))
    # The sheet is one page on a noticeboard: the soonest phone sessions that fit it.
    story.append(FirstThatFits([calls[:n] for n in range(len(calls), 0, -1)] + [[]]))
    return story


def _days(content: PackContent) -> tuple[dt.date, dt.date]:
    # The day printed and the 27 after it: the four weeks the sheet covers.
    return content.printed, content.printed + dt.timedelta(days=WEEKS * 7 - 1)


WEEKS = 4


def _day_cell(day: dt.date, first: dt.date, times: list[str], language: str, look: Look):
    # A day's number, with its month's name where a month begins, and its sessions' times.
    label = str(day.day)
    if day == first or day.day == 1:
        label = format_date(day, "d MMM", locale=language)
    style = look.style("strong" if times else "body", language)
    return para(" ".join([label, *times]), style, language)


def _calendar(lang: LanguageContent, content: PackContent, look: Look) -> Table:
    language = lang.language
    first, last = _days(content)
    times: dict[dt.date, list[str]] = defaultdict(list)
    for occurrence in lang.here:
        times[occurrence.local_start.date()].append(occurrence.local_start.strftime("%H:%M"))
    names = get_day_names("abbreviated", locale=language)
    header = [para(names[i], look.style("strong", language), language) for i in range(7)]
    rows = [header]
    monday = first - dt.timedelta(days=first.weekday())
    while monday <= last:
        week = [monday + dt.timedelta(days=i) for i in range(7)]
        rows.append(
            [
                _day_cell(day, first, times.get(day, []), language, look)
                if first <= day <= last
                else ""
                for day in week
            ]
        )
        monday += dt.timedelta(days=7)
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
