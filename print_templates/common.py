"""Pieces several sheets use: the footer, language markers and the join-by-text line."""

from __future__ import annotations

from babel.dates import format_date
from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from print_templates.content import PackContent
from print_templates.style import Look
from print_templates.text import para
from service.formatting import phone


class Marker(Flowable):
    """Draws nothing; tells the page decorations which language and poster a page holds."""

    def __init__(self, **values: object) -> None:
        super().__init__()
        self.values = values
        self.width = self.height = 0

    def draw(self) -> None:
        """Leave the values on the canvas for the page's end."""
        for key, value in self.values.items():
            setattr(self.canv, f"frontline_{key}", value)


def footer(canvas, doc, content: PackContent, look: Look, margin: float | None = None) -> None:
    """Date printed and pack code at the foot of every page, in the page's language.

    A poster's narrower margin still keeps the line 6 mm (A4) up: inside what printers print.
    """
    margin = margin or look.margin
    language = getattr(canvas, "frontline_language", "en")
    with force_locale(language):
        text = _(
            "Printed %(date)s. Pack %(code)s. Ask the office for a new sheet if this one is "
            "out of date.",
            date=format_date(content.printed, "d MMMM y", locale=language),
            code=content.code,
        )
    width = look.page[0] - 2 * margin
    block = para(text, look.footer_style(language), language)
    block.wrap(width, margin)
    block.drawOn(canvas, margin, max(margin * 0.45, 6 * mm * look.scale))


def number(value: str | None) -> str:
    """A phone number as people read it, never broken across lines, or nothing."""
    return phone(value).replace(" ", "\u00a0") if value else ""


def set_in(text: str, language: str) -> str:
    """The language to set a text in: an Urdu sheet's untranslated (English) text stays LTR."""
    if language == "ur" and not any("\u0600" <= c <= "\u06ff" for c in text):
        return "en"
    return language


def directed(text: str, look: Look, language: str, kind: str = "body") -> Flowable:
    """A paragraph in the text's own direction, lined up on the right on an Urdu sheet.

    A survey's own words may be untranslated English on an Urdu sheet (set left to right,
    yet on the right with the Urdu around it); a count or "<5" reads the same either way.
    """
    lang = set_in(text, language)
    style = look.style(kind, lang)
    if language == "ur":
        style = ParagraphStyle(f"{style.name}-right", parent=style, alignment=TA_RIGHT)
    return para(text, style, lang)
