"""A survey's "you said, we did" sheet for the noticeboard: a page (or more) per language.

What was done comes first and large: it is the point of the sheet. The answers follow as the
results page counts them, suppressed as there; free-text questions say only how many wrote.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
)

from print_templates import fonts
from print_templates.common import Marker, directed
from print_templates.style import Look, table_style
from print_templates.text import para
from service.reach.suppression import SMALL
from service.surveys.outcome import Sheet, SheetQuestion

LOOK = Look()


def _table(rows: list[list[Flowable]], look: Look, language: str, widths: list[float]) -> Table:
    """Two columns; an Urdu sheet's mirrored, its figures on the left where the eye ends."""
    if language == "ur":
        rows = [row[::-1] for row in rows]
        widths = widths[::-1]
    return Table(
        rows,
        colWidths=widths,
        style=table_style(
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, "#777777"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ),
        hAlign="RIGHT" if language == "ur" else "LEFT",
        spaceAfter=look.body * 0.8,
    )


def _answers(question: SheetQuestion, sheet: Sheet, look: Look) -> list[Flowable]:
    language = sheet.language
    body = look.style("body", language)
    story: list[Flowable] = [
        directed(f"{question.number}. {question.text}", look, language, "strong")
    ]
    if question.written is not None:
        story.append(
            para(
                _("%(count)s people answered in their own words.", count=question.written),
                body,
                language,
            )
        )
        return story
    width = look.page[0] - 2 * look.margin
    rows = [
        [directed(line.label, look, language), directed(line.shown, look, language)]
        for line in question.lines
        # "Prefer not to say" and "Skipped" only where someone did: the sheet must fit a board.
        if not (line.outcome and line.shown == "0")
    ]
    story.append(_table(rows, look, language, [width * 0.75, width * 0.25]))
    return story


def _sheet(sheet: Sheet, look: Look) -> list[Flowable]:
    language = sheet.language
    body = look.style("body", language)
    width = look.page[0] - 2 * look.margin
    if sheet.audience and sheet.audience_known:
        answered = _(
            "%(responses)s of %(audience)s people answered. Thank you.",
            responses=sheet.responses,
            audience=sheet.audience,
        )
    else:
        answered = _("%(responses)s people answered. Thank you.", responses=sheet.responses)
    story: list[Flowable] = [
        Marker(language=language, strip=None),
        para(_("You said, we did"), look.style("title", language), language),
        directed(sheet.title, look, language, "heading"),
        # Nastaliq's tall letters reach up into the line above: room for them.
        Spacer(1, look.body * (0.8 if language == "ur" else 0.2)),
        directed(sheet.we_did, look, language, "big"),
        para(answered, look.style("strong", language), language),
        para(_("What you said"), look.style("heading", language), language),
        # What "<5" and "hidden" mean, as a table: "<5" inside Urdu text would be reordered.
        _table(
            [
                [directed(SMALL, look, language), directed(_("between 1 and 4"), look, language)],
                [
                    directed(_("hidden"), look, language),
                    directed(
                        _("5 or more, hidden so that no one can work out a small number"),
                        look,
                        language,
                    ),
                ],
            ],
            look,
            language,
            [width * 0.25, width * 0.75],
        ),
        para(_("Answers are anonymous."), body, language),
    ]
    for question in sheet.questions:
        story += _answers(question, sheet, look)
    return story


def build_pdf(sheets: Sequence[Sheet], look: Look = LOOK) -> bytes:
    """The sheets as one PDF: each language starts on a new page."""
    out = io.BytesIO()
    m = look.margin
    width, height = look.page
    first = sheets[0]

    def footer(canvas, _doc) -> None:
        language = getattr(canvas, "frontline_language", "en")
        sheet = next(s for s in sheets if s.language == language)
        with force_locale(language):
            text = _(
                "%(organisation)s. The survey closed on %(date)s.",
                organisation=sheet.organisation,
                date=format_date(sheet.closed_on, "d MMMM y", locale=language),
            )
        block = para(text, look.footer_style(language), language)
        block.wrap(width - 2 * m, m)
        block.drawOn(canvas, m, max(m * 0.45, 6 * mm * look.scale))

    doc = BaseDocTemplate(
        out,
        pagesize=look.page,
        title=f"{first.organisation}: {first.title}",
        author=first.organisation,
        subject="You said, we did",
        creator="Frontline Connect",
        # The canvas otherwise starts every page in Helvetica, a font it would not embed.
        initialFontName=fonts.font_for("en"),
    )
    doc.addPageTemplates(
        [
            PageTemplate(
                "sheet", [Frame(m, m * 1.6, width - 2 * m, height - m * 2.6)], onPageEnd=footer
            )
        ]
    )
    story: list[Flowable] = []
    for sheet in sheets:
        if story:
            story.append(PageBreak())
        with force_locale(sheet.language):
            story += _sheet(sheet, look)
    doc.build(story)
    return out.getvalue()
