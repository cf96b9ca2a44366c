"""Sheet 1: a poster per network, with tear-off strips and a QR code to its public page."""

from __future__ import annotations

from flask_babel import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Rect
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Table

from print_templates import fonts
from print_templates.common import Marker, number
from print_templates.content import LanguageContent, PackContent
from print_templates.layout import FirstThatFits
from print_templates.style import Look, table_style
from print_templates.text import para
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


def poster(
    network: NetworkView, lang: LanguageContent, content: PackContent, look: Look
) -> list[Flowable]:
    """One network's poster (the caller wraps it in the language's locale)."""
    language = lang.language
    words = join_words(network, language)
    story: list[Flowable] = [
        Marker(language=language, strip=(words, number(content.sms_number))),
        para(
            network.display_name(discreet=content.discreet_names),
            look.style("title", language),
            language,
        ),
        para(network.short_description, look.style("big", language), language),
    ]
    upcoming = lang.network_next.get(network.id, [])
    dates = [
        para(
            f"{when(o.local_start, language)}: {o.title}"
            + (f". {o.place or o.site_name}" if o.place or o.site_name else ""),
            look.style("body", language),
            language,
        )
        for o in upcoming
    ]
    if not dates:
        dates = [
            para(_("Dates will be on the What's on sheet."), look.style("body", language), language)
        ]
    join = _join_block(network, words, content, look, language)
    meet = para(_("When we meet"), look.style("heading", language), language)
    # Text never shrinks below its size, so a long poster (Urdu is tall) lists fewer dates.
    story.append(
        FirstThatFits([[meet, *dates[:n], *join] for n in range(len(dates), 0, -1)] + [join])
    )
    return story


def _join_block(
    network: NetworkView, words: str, content: PackContent, look: Look, language: str
) -> list[Flowable]:
    story: list[Flowable] = []
    story.append(para(_("How to join"), look.style("heading", language), language))
    how: list[Flowable] = []
    if content.sms_number:
        how += [
            para(
                _("Text this to %(number)s:", number=number(content.sms_number)),
                look.style("strong", language),
                language,
            ),
            para(words, look.style("huge", language, script="en"), "en"),
        ]
    if content.voice_number:
        how.append(
            para(
                _(
                    "Or call %(number)s and choose 1 for groups.",
                    number=number(content.voice_number),
                ),
                look.style("body", language),
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
    url = content.public_page.get(network.slug)
    if url:
        code = [
            QrCode(url, QR_SIZE * look.scale),
            para(
                _("Scan with your phone camera to read more and join."),
                look.style("body", language),
                language,
            ),
        ]
        width = look.page[0] - 2 * look.margin
        qr_width = (QR_SIZE + 22 * mm) * look.scale
        cells = [[code, how]] if language == "ur" else [[how, code]]
        widths = [qr_width, width - qr_width] if language == "ur" else [width - qr_width, qr_width]
        table = Table(cells, colWidths=widths)
        table.setStyle(
            table_style(("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0))
        )
        story.append(table)
    else:
        story.extend(how)
    return story


def strip_font_size(words: str, sms: str, each: float, height: float, look: Look) -> float:
    """The largest size at which both lines fit along a strip: long keywords shrink to fit."""
    length = height - 2 * STRIP_END
    size = min(each * 0.32, look.body * 1.07)
    for text, bold in ((words, True), (sms, False)):
        wide = stringWidth(text, fonts.font_for("en", bold=bold), size)
        if wide > length:
            size *= length / wide
    return size


def draw_strips(canvas, look: Look) -> None:
    """Tear-off strips along the bottom: keyword and number on each, turned, cut guides between."""
    strip = getattr(canvas, "frontline_strip", None)
    if not strip:
        return
    words, sms = strip
    canvas.frontline_strip = None
    width = look.page[0] - 2 * look.margin
    left, bottom = look.margin, look.margin * 1.4
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
