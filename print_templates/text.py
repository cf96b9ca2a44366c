"""Text in any of the seven languages as ReportLab flowables: fonts per script, RTL lines.

ReportLab shapes each word with HarfBuzz (Nastaliq joins, Gurmukhi and Gujarati conjuncts),
but without its bidi add-on it sets a line's words left to right. Urdu lines are therefore
broken here, in reading order, and each line's words are put in visual order before ReportLab
draws them: right-to-left runs reversed, Latin words and numbers kept as they read.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import shapeStr
from reportlab.platypus import Flowable, Paragraph

from print_templates import fonts

_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
# Each script's letters; anything else (Latin, digits, spaces, punctuation) is set in Noto Sans.
_SCRIPTS = (
    ("ur", _ARABIC),
    ("pa", re.compile(r"[\u0A00-\u0A7F]")),
    ("gu", re.compile(r"[\u0A80-\u0AFF]")),
)


# The danda and double danda end Punjabi and Gujarati sentences, from the Devanagari block.
_DANDAS = "\u0964\u0965"


def _script_of(char: str, language: str = "en") -> str | None:
    # A script's own punctuation (the Arabic comma, say) belongs to that script's font.
    if char in _DANDAS:
        return language if language in ("pa", "gu") else "pa"
    found = next((code for code, letters in _SCRIPTS if letters.match(char)), None)
    if found:
        return found
    if char.isspace() or not char.isalnum():
        return None  # spaces and common punctuation join the run they sit in
    return "en"


# The same words are marked up at every size a poster tries: the markup depends on the words alone.
@lru_cache(maxsize=8192)
def markup(text: str, language: str, *, bold: bool = False) -> str:
    """Escaped paragraph markup with each word in a font that has its letters.

    A Latin keyword inside Gujarati, or an Urdu language name inside English, each get their
    own font. Fonts change only between words: ReportLab shapes a word as one piece, and a
    font change inside a word ("(DAWN)" half Gurmukhi, half Latin) comes out as boxes.
    """
    base = fonts.font_for(language, bold=bold)
    out = []
    for token in re.split(r"(\s+)", text):
        if not token or token.isspace():
            out.append(escape(token))
            continue
        chunks = [
            escape(chunk) if font == base else f'<font name="{font}">{escape(chunk)}</font>'
            for font, chunk in _word_runs(token, bold, language)
        ]
        # ReportLab shapes a word as one piece and cannot change font inside it: a word in two
        # fonts ("QQT6EA।") becomes two words, a thin space apart in the Latin font.
        latin = fonts.font_for("en", bold=bold)
        out.append(f'<font name="{latin}">\u2009</font>'.join(chunks))
    return "".join(out)


def _word_runs(word: str, bold: bool, language: str = "en") -> list[tuple[str, str]]:
    scripts = {s for c in word if (s := _script_of(c, language)) not in (None, "en")}
    font = fonts.font_for(next(iter(scripts)) if len(scripts) == 1 else "en", bold=bold)
    if len(scripts) <= 1 and fonts.covers(font, word):
        return [(font, word)]
    # Rare: a word mixing scripts. Split it where the script changes.
    runs: list[list[str]] = []
    for char in word:
        script = _script_of(char, language) or (runs[-1][0] if runs else "en")
        if runs and runs[-1][0] == script:
            runs[-1][1] += char
        else:
            runs.append([script, char])
    return [(fonts.font_for(script, bold=bold), chunk) for script, chunk in runs]


# Direction marks (which Babel puts in some Urdu dates) are logical-order hints; lines are put
# in visual order here, and no font has a glyph for them.
_BIDI_CONTROLS = dict.fromkeys(
    map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
)


def para(text: str, style: ParagraphStyle, language: str) -> Flowable:
    """A paragraph of plain text in a language: right to left for Urdu."""
    text = text.translate(_BIDI_CONTROLS)
    # Words in another script take the bold of their own font when the style is bold.
    bold = style.fontName.endswith("-bold")
    if language == "ur":
        return RtlParagraph(text, style, bold=bold)
    if any(_script_of(c) not in (None, "en") for c in text):
        # Shaping draws a no-break space as a stray mark: a number may break at a line end.
        text = text.replace("\u00a0", " ")
    else:
        # Latin text needs no shaping, and shaping would turn "fi" into a ligature glyph that
        # text extraction (and so search and screen readers) reads as one odd character.
        style = ParagraphStyle(f"{style.name}-plain", parent=style, shaping=0)
    return Paragraph(markup(text, language, bold=bold), style)


class RtlParagraph(Flowable):
    """Right-to-left text, wrapped in reading order and drawn one visual line at a time."""

    def __init__(self, text: str, style: ParagraphStyle, *, bold: bool = False) -> None:
        super().__init__()
        self.text = text
        self.style = style
        self.bold = bold
        self._lines: list[Paragraph] = []
        self._wrapped_at: float | None = None

    def _word_font(self, word: str) -> str:
        return fonts.font_for("ur" if _ARABIC.search(word) else "en", bold=self.bold)

    def _width(self, word: str) -> float:
        return _word_width(word, self._word_font(word), self.style.fontSize)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Break into lines that fit, then build each line's visual order."""
        # The lines depend on the width alone, and a page asks again at the same width (a block
        # is measured, then drawn; a table measures its cells twice): keep the last answer.
        if avail_width == self._wrapped_at:
            return self.width, self.height
        space = stringWidth(" ", fonts.font_for("en"), self.style.fontSize)
        lines: list[list[str]] = [[]]
        used = 0.0
        # Split at plain spaces only: a number's no-break spaces keep it in one piece.
        for word in filter(None, self.text.split(" ")):
            width = self._width(word)
            if lines[-1] and used + space + width > avail_width:
                lines.append([])
                used = 0.0
            used += width + (space if lines[-1] else 0)
            lines[-1].append(word)
        self._lines = [
            Paragraph(" ".join(self._markup(w) for w in visual_order(line)), self.style)
            for line in lines
            if line
        ]
        self.width = avail_width
        self.height = sum(p.wrap(avail_width, avail_height)[1] for p in self._lines)
        self._wrapped_at = avail_width
        return self.width, self.height

    def _markup(self, word: str) -> str:
        # The line is fixed by now, so a number's no-break spaces (drawn badly when shaped)
        # can be plain spaces again.
        word = word.replace("\u00a0", " ")
        runs = _direction_runs(word)
        if len(runs) == 1:
            return markup(word, "ur", bold=self.bold)
        # "2026۔" or "5VNY9A۔": shaped as one right-to-left piece, the digits would come out
        # reversed ("6202") and Latin letters as boxes. Each run becomes a word of its own
        # (ReportLab can change font only between words; a thin space keeps them close), and
        # the runs go right to left, each reading its own way.
        return "\u2009".join(markup(chunk, "ur", bold=self.bold) for _rtl, chunk in reversed(runs))

    def draw(self) -> None:
        """Draw the lines top to bottom."""
        y = self.height
        for line in self._lines:
            _w, h = line.wrap(self.width, self.height)
            y -= h
            line.drawOn(self.canv, 0, y)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        """Long Urdu paragraphs are short here: move the whole paragraph to the next frame."""
        return []


def _direction_runs(word: str) -> list[tuple[bool, str]]:
    """A word split where Arabic script meets Latin letters or digits; punctuation stays put."""
    runs: list[tuple[bool, str]] = []
    for char in word:
        if _ARABIC.match(char):
            rtl = True
        elif char.isalnum():
            rtl = False
        else:
            rtl = runs[-1][0] if runs else True
        if runs and runs[-1][0] == rtl:
            runs[-1] = (rtl, runs[-1][1] + char)
        else:
            runs.append((rtl, char))
    # "18:00:" before an Urdu title: the colon belongs to the right-to-left sentence, so it is
    # drawn on the number's left, where an Urdu reader looks next, not on its right.
    if runs and not runs[-1][0]:
        chunk = runs[-1][1]
        core = chunk.rstrip(":;,.\u060c\u061b")
        if core and core != chunk:
            runs[-1:] = [(False, core), (True, chunk[len(core) :])]
    return runs


def visual_order(words: list[str]) -> list[str]:
    """A right-to-left line's words in the order they are drawn, left to right."""
    runs: list[tuple[bool, list[str]]] = []
    for word in words:
        rtl = bool(_ARABIC.search(word)) or not re.search(r"[A-Za-z0-9]", word)
        if runs and runs[-1][0] == rtl:
            runs[-1][1].append(word)
        else:
            runs.append((rtl, [word]))
    ordered: list[str] = []
    for rtl, run in reversed(runs):
        ordered.extend(reversed(run) if rtl else run)
    return ordered


# A poster tries its words at many sizes, and the same words come back on every poster: shaping
# a word is the costly part of wrapping Urdu.
@lru_cache(maxsize=8192)
def _word_width(word: str, font: str, size: float) -> float:
    shaped = _shaped(word, font, size) if _ARABIC.search(word) else None
    if shaped:
        # Nastaliq's joined forms are narrower or wider than the letters alone.
        return sum(float(g.x_advance) for g in shaped) * size / 1000
    return stringWidth(word, font, size)


def _shaped(word: str, font: str, size: float) -> list | None:
    # ReportLab hands back a plain string when there was nothing to shape.
    return getattr(shapeStr(word, font, size), "__shapeData__", None)
