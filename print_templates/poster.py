"""Sheet 1: a poster per network, with tear-off strips and a QR code to its public page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from flask_babel import force_locale
from flask_babel import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Rect
from reportlab.lib.colors import HexColor
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer, Table

from print_templates import fonts
from print_templates.common import Marker, number
from print_templates.content import LanguageContent, PackContent
from print_templates.layout import FillFrame, Stack
from print_templates.style import Look, table_style
from print_templates.text import para
from service.content.colours import BandColours, band_colours
from service.content.queries import NetworkView
from service.formatting import when
from service.messaging.replies import word

STRIPS = 8
STRIP_HEIGHT = 52 * mm
# Room kept clear at each end of a strip, so a torn edge never cuts a letter.
STRIP_END = 3 * mm
# A QR code needs a quiet zone of at least 4 modules to scan reliably.
QR_QUIET_MODULES = 4
QR_SIZE = 38 * mm
QR_LARGEST = 50 * mm


class QrCode(Flowable):
    """A QR code `size` points wide, quiet zone included, drawn as filled squares.

    Drawn straight onto the canvas: ReportLab's graphics renderer would start in Helvetica and
    reference a font the PDF does not embed.
    """

    def __init__(self, url: str, size: float) -> None:
        super().__init__()
        self.url = url
        self.width = self.height = size
        self.widget = QrCodeWidget(url, barBorder=QR_QUIET_MODULES, barLevel="M")

    def draw(self) -> None:
        """Each dark module as a black square, scaled from the widget's own units."""
        x0, y0, x1, _y1 = self.widget.getBounds()
        scale = self.width / (x1 - x0)
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        for shape in self.widget.draw().getContents():
            if isinstance(shape, Rect) and shape.fillColor is not None:
                canvas.rect(
                    (shape.x - x0) * scale,
                    (shape.y - y0) * scale,
                    shape.width * scale,
                    shape.height * scale,
                    stroke=0,
                    fill=1,
                )
        canvas.restoreState()


def join_words(network: NetworkView, language: str) -> str:
    """What to text to join, in the reader's own words where a phone can type them."""
    return f"{word('join', language)} {network.typeable_keyword()}"


# How much a poster's type may grow to fill its page, largest first; never below the look's.
GROWTH = tuple(round(1.8 - 0.025 * step, 3) for step in range(33))
# A network's name and its keyword never grow past these, times the body size.
NAME_SIZE = 2.6
KEYWORD_SIZE = 3.4
# The sizes of a poster's parts (times the body size, or a kind of text), largest first. When
# the smallest type leaves too little room for the dates (a long name in Urdu, large print),
# the next set is tried; the last drops the organisation's line. None is below the body size.
FULL = {
    "name": NAME_SIZE,
    "keyword": KEYWORD_SIZE,
    "description": "big",
    "number": "heading",
    "eyebrow": True,
}
COMPACT = {**FULL, "name": 2.0, "keyword": 2.6, "description": "heading"}
TIGHT = {"name": 1.6, "keyword": 2.0, "description": "strong", "number": "strong", "eyebrow": False}


def poster(
    network: NetworkView, lang: LanguageContent, content: PackContent, look: Look
) -> list[Flowable]:
    """One network's poster (the caller wraps it in the language's locale).

    From the top: the network's name on its colour band, what it is, when it meets, then how
    to join (the number, the keyword as large as the page allows, the QR code) above the
    tear-off strips. The type grows until the page is full: a network with little to say
    still fills its page, and a tall script (Urdu) or long list of dates grows less.
    """
    language = lang.language
    words = join_words(network, language)
    upcoming = lang.network_next.get(network.id, [])
    lines = [
        f"{when(o.local_start, language)}: {o.title}"
        + (f". {o.place or o.site_name}" if o.place or o.site_name else "")
        for o in upcoming
    ]

    def version(dates: int, grow: float, sizes: dict = FULL) -> Callable[[], list[Flowable]]:
        def build() -> list[Flowable]:
            # Built while the page is laid out, after the caller's locale has ended.
            with force_locale(language):
                return _blocks(
                    network, lines[:dates], bool(lines), words, content, grown, language, sizes
                )

        grown = replace(look, grow=grow)
        return build

    # Every date at the largest type that fits (the name and keyword smaller if they must),
    # then one date fewer, and so on.
    def sizes_for(dates: int) -> list[Callable[[], list[Flowable]]]:
        return [version(dates, g, sizes) for sizes in (FULL, COMPACT) for g in GROWTH]

    versions = [v for n in range(len(lines), 0, -1) for v in sizes_for(n)]
    # Rather the tight sizes than no date at all (Urdu is tall); but only one date with them,
    # or short date lines leave half the page empty.
    if lines:
        versions += [version(1, g, TIGHT) for g in GROWTH]
    versions += [*sizes_for(0), version(0, 1.0, TIGHT)]
    return [
        Marker(language=language, strip=(words, number(content.sms_number))),
        # Nastaliq's tall letters reach into the line above: more room between blocks in Urdu.
        FillFrame(versions, gap=look.body * (0.8 if language == "ur" else 0.3)),
    ]


def _blocks(
    network: NetworkView,
    dates: list[str],
    any_dates: bool,
    words: str,
    content: PackContent,
    look: Look,
    language: str,
    sizes: dict,
) -> list[Flowable]:
    band = band_colours(network.colour)
    width = look.page[0] - 2 * look.poster_margin
    name = network.display_name(discreet=content.discreet_names)
    name_size = _fitting(name, language, look.body * sizes["name"], width, bold=True)
    eyebrow = para(
        _("Staff network · %(org)s", org=content.org_name),
        look.style("strong", language, colour=band.text),
        language,
    )
    title = para(name, look.style("title", language, size=name_size, colour=band.text), language)
    # Nastaliq's tall letters would touch the line above.
    room = Spacer(0, name_size * (0.35 if language == "ur" else 0))
    blocks: list[Flowable] = [
        Band(
            [eyebrow, room, title] if sizes["eyebrow"] else [title],
            band.band,
            bleed=look.poster_margin,
        ),
        Stack(
            [
                # Clear of the band: Nastaliq's tall letters reach well above their line.
                Spacer(0, look.body * (0.6 if language == "ur" else 0)),
                para(
                    network.short_description, look.style(sizes["description"], language), language
                ),
            ]
        ),
    ]
    if dates:
        meet = para(_("When we meet"), look.style("heading", language), language)
        blocks.append(
            Stack([meet, *(para(d, look.style("body", language), language) for d in dates)])
        )
    elif not any_dates:
        blocks.append(
            Stack(
                [
                    para(
                        _("Dates will be on the What's on sheet."),
                        look.style("body", language),
                        language,
                    )
                ]
            )
        )
    blocks.append(_join_block(network, words, content, look, language, band, sizes))
    return blocks


def _fitting(text: str, language: str, size: float, width: float, *, bold: bool) -> float:
    """The size (at most `size`) at which the text's longest word fits the width."""
    widest = max(
        (
            stringWidth(w, fonts.font_for(_word_script(w, language), bold=bold), size)
            for w in text.split()
        ),
        default=0.0,
    )
    # Shaped scripts measure a little differently from their letters alone: keep 5% spare.
    return size if widest <= width * 0.95 else size * width * 0.95 / widest


def _word_script(text: str, language: str) -> str:
    return language if any(ord(c) > 0x0590 for c in text) else "en"


def _keyword_size(words: str, look: Look, width: float, factor: float) -> float:
    """The keyword on one line if it can be at least two thirds of its full size, else wrapped."""
    full = look.body * factor
    font = fonts.font_for("en", bold=True)
    one_line = full * width * 0.97 / max(stringWidth(words, font, full), 1.0)
    if one_line >= full:
        return full
    if one_line >= full * 2 / 3:
        return one_line
    return _fitting(words, "en", full, width, bold=True)


def _join_block(
    network: NetworkView,
    words: str,
    content: PackContent,
    look: Look,
    language: str,
    band: BandColours,
    sizes: dict,
) -> Flowable:
    """The number and the keyword large, the other ways in below, the QR code beside them."""
    width = look.page[0] - 2 * look.poster_margin
    inner = width - 2 * PANEL_PADDING * look.scale
    heading = [para(_("How to join"), look.style("heading", language, colour=band.text), language)]
    url = content.public_page.get(network.slug)
    qr_size = min(QR_SIZE * look.grow, QR_LARGEST) * look.scale
    gutter = 6 * mm * look.scale
    qr_width = qr_size + gutter if url else 0.0
    how: list[Flowable] = []
    if content.sms_number:
        how += [
            para(
                _("Text this to %(number)s:", number=number(content.sms_number)),
                look.style(sizes["number"], language),
                language,
            ),
            para(
                words,
                look.style(
                    "huge",
                    language,
                    script="en",
                    size=_keyword_size(words, look, inner - qr_width, sizes["keyword"]),
                ),
                "en",
            ),
        ]
    if content.voice_number:
        how.append(
            para(
                _(
                    "Or call %(number)s and choose 1 for groups.",
                    number=number(content.voice_number),
                ),
                look.style("strong", language),
                language,
            )
        )
    if content.kiosk:
        how.append(
            para(
                _("Or use the kiosk here at %(site)s.", site=content.site_name),
                look.style("body", language),
                language,
            )
        )
    pad = PANEL_PADDING * look.scale
    if not url:
        return Panel(heading, how, band, pad)
    code = [
        QrCode(url, qr_size),
        para(
            _("Scan with your phone camera to read more and join."),
            look.style("body", language),
            language,
        ),
    ]
    # Right to left, the QR code goes where an Urdu reader's eye ends: on the left.
    code_cell = (0, 0) if language == "ur" else (1, 0)
    cells = [[code, how]] if language == "ur" else [[how, code]]
    widths = [qr_width, inner - qr_width] if language == "ur" else [inner - qr_width, qr_width]
    table = Table(cells, colWidths=widths)
    table.setStyle(
        table_style(
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 0),
            # The gutter between the words and the code is on the code's side.
            ("RIGHTPADDING" if language == "ur" else "LEFTPADDING", code_cell, code_cell, gutter),
        )
    )
    return Panel(heading, [table], band, pad)


class Band(Flowable):
    """A network's colour across the top of its poster, out to the page's edges, with its name.

    The frame starts at the page's top edge; the band's own padding keeps the text a margin in.
    """

    def __init__(self, lines: list[Flowable], colour: str, *, bleed: float) -> None:
        super().__init__()
        self.lines = lines
        self.colour = colour
        self.bleed = bleed

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """As tall as its lines, a margin above them and half a margin below."""
        self.width = avail_width
        self.inner = Stack(self.lines)
        _w, text = self.inner.wrap(avail_width, avail_height)
        self.height = text + self.bleed * 1.5
        return self.width, self.height

    def draw(self) -> None:
        """The colour, then the lines on it."""
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColor(HexColor(self.colour))
        canvas.rect(-self.bleed, 0, self.width + 2 * self.bleed, self.height, stroke=0, fill=1)
        canvas.restoreState()
        self.inner.drawOn(canvas, 0, self.bleed * 0.5)


PANEL_PADDING = 5 * mm
PANEL_RULE = 2.5


class Panel(Flowable):
    """How to join, framed in the network's colour under a heading strip of it.

    The same colour as the name's band takes the eye from the name to the way in.
    """

    def __init__(
        self, head: list[Flowable], body: list[Flowable], band: BandColours, pad: float
    ) -> None:
        super().__init__()
        self.head = head[:1]
        self.rest = Stack(head[1:] + body)
        self.band = band
        self.pad = pad

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """The heading's strip, then the padded contents."""
        self.width = avail_width
        pad = self.pad
        self.title = Stack(self.head)
        _w, self.title_height = self.title.wrap(avail_width - 2 * pad, avail_height)
        _w, rest = self.rest.wrap(avail_width - 2 * pad, avail_height)
        self.height = self.title_height + pad * 0.5 + rest + pad
        return self.width, self.height

    def draw(self) -> None:
        """Frame, heading strip, contents."""
        canvas = self.canv
        colour = HexColor(self.band.band)
        strip = self.title_height + self.pad * 0.5
        canvas.saveState()
        canvas.setFillColor(colour)
        canvas.rect(0, self.height - strip, self.width, strip, stroke=0, fill=1)
        canvas.setStrokeColor(colour)
        canvas.setLineWidth(PANEL_RULE)
        half = PANEL_RULE / 2
        canvas.rect(half, half, self.width - PANEL_RULE, self.height - PANEL_RULE, stroke=1, fill=0)
        canvas.restoreState()
        self.title.drawOn(canvas, self.pad, self.height - self.title_height - self.pad * 0.25)
        _w, rest = self.rest.wrap(self.width - 2 * self.pad, self.height)
        self.rest.drawOn(canvas, self.pad, self.height - strip - self.pad * 0.5 - rest)


def strip_font_size(words: str, sms: str, each: float, height: float, look: Look) -> float:
    """The largest size at which both lines fit along a strip: long keywords shrink to fit."""
    length = height - 2 * STRIP_END
    size = min(each * 0.32, look.body * 1.07)
    for text, bold in ((words, True), (sms, False)):
        wide = stringWidth(text, fonts.font_for("en", bold=bold), size)
        if wide > length:
            size *= length / wide
    return size


def strips_bottom(look: Look) -> float:
    """Where the strips start: above the footer, which stays 6 mm (A4) up from the edge."""
    return 15 * mm * look.scale


def draw_strips(canvas, look: Look) -> None:
    """Tear-off strips along the bottom: keyword and number on each, turned, cut guides between."""
    strip = getattr(canvas, "frontline_strip", None)
    if not strip:
        return
    words, sms = strip
    canvas.frontline_strip = None
    width = look.page[0] - 2 * look.poster_margin
    left, bottom = look.poster_margin, strips_bottom(look)
    height = STRIP_HEIGHT * look.scale
    each = width / STRIPS
    canvas.saveState()
    canvas.setDash(4, 3)
    canvas.setLineWidth(0.6)
    canvas.line(left, bottom + height, left + width, bottom + height)
    for i in range(STRIPS + 1):
        canvas.line(left + i * each, bottom, left + i * each, bottom + height)
    canvas.setDash()

    size = strip_font_size(words, sms, each, height, look)
    for i in range(STRIPS):
        canvas.saveState()
        canvas.translate(left + i * each + each * 0.42, bottom + STRIP_END)
        canvas.rotate(90)
        canvas.setFont(fonts.font_for("en", bold=True), size)
        canvas.drawString(0, 0, words)
        canvas.setFont(fonts.font_for("en"), size)
        canvas.drawString(0, -size * 1.15, sms)
        canvas.restoreState()
    canvas.restoreState()
