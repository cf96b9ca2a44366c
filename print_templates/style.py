"""The one look every sheet shares: sizes, type styles, page frame, footer and cut guides.

Clear print by default (body 14 pt), large print on request (body 18 pt); A3 is A4 enlarged.
Sans serif only, no italics, no capitals for body text, black on white: it must survive a
mono laser printer and a noticeboard in a corridor. The one colour is a poster's band, chosen
per network and checked to stay legible printed in grey (service.content.colours).
"""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import HexColor, black
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A3, A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import TableStyle

from print_templates import fonts

PAGE_SIZES = {"A4": A4, "A3": A3}
# Nastaliq's tall ascenders and deep descenders need far more line space than Latin.
LEADING = {"ur": 2.0}
# Relative sizes of each kind of text, times the body size.
KINDS = {
    "title": (2.0, True),
    "heading": (1.35, True),
    "body": (1.0, False),
    "strong": (1.0, True),
    "big": (1.6, True),
    "huge": (2.6, True),
}


@dataclass(frozen=True)
class Look:
    """The sizes and styles for one pack."""

    size: str = "A4"
    large_print: bool = False
    # A poster grows its type to fill its page (1.0: the sizes below, never less).
    grow: float = 1.0

    @property
    def page(self) -> tuple[float, float]:
        """Page width and height in points."""
        return PAGE_SIZES[self.size]

    @property
    def scale(self) -> float:
        """How much bigger than A4 everything is drawn."""
        return self.page[0] / A4[0]

    @property
    def body(self) -> float:
        """Body text size in points: 14 clear print, 18 large print (A4)."""
        return (18 if self.large_print else 14) * self.scale * self.grow

    @property
    def margin(self) -> float:
        """Page margin."""
        return 16 * mm * self.scale

    @property
    def poster_margin(self) -> float:
        """A poster's narrower margin: its colour band and join panel use the page."""
        return 10 * mm * self.scale

    def style(
        self,
        kind: str,
        language: str,
        *,
        script: str | None = None,
        size: float | None = None,
        colour: str | None = None,
    ) -> ParagraphStyle:
        """A paragraph style for a kind of text in a language (in another script's font).

        A size given replaces the kind's own (a name or keyword shrunk to fit its line); a
        colour, the black of everything else (text on a poster's band).
        """
        factor, bold = KINDS[kind]
        size = size or self.body * factor
        script = script or language
        return ParagraphStyle(
            f"{kind}-{language}-{script}-{size:.1f}-{colour or 'black'}",
            textColor=HexColor(colour) if colour else black,
            fontName=fonts.font_for(script, bold=bold),
            fontSize=size,
            leading=size * LEADING.get(script, 1.3),
            alignment=TA_RIGHT if language == "ur" else TA_LEFT,
            spaceAfter=size * 0.45,
            # Shaped in every language: an Urdu or Gurmukhi name can sit inside any text.
            shaping=1,
        )

    def footer_style(self, language: str) -> ParagraphStyle:
        """The small print at the foot of every sheet (date printed and pack code)."""
        size = 10 * self.scale
        return ParagraphStyle(
            f"footer-{language}",
            fontName=fonts.font_for(language),
            fontSize=size,
            leading=size * LEADING.get(language, 1.3),
            alignment=TA_RIGHT if language == "ur" else TA_LEFT,
            shaping=1,
        )


def cut_guide(canvas, x: float, y: float, width: float, height: float) -> None:
    """A dashed rectangle to cut along."""
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.6)
    canvas.rect(x, y, width, height)
    canvas.restoreState()


def table_style(*commands: tuple) -> TableStyle:
    """A table style whose own font is Noto Sans (ReportLab's default would be Helvetica)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.font_for("en")), *commands])
