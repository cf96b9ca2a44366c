"""A survey's paper sheet for the noticeboard: tick boxes, where to return it, a QR and the word.

One sheet per open survey per language. Anonymous: no name, no number. The office writes a
number in the box at the foot as each sheet comes out of the return box; the console's paper
page takes every sheet twice under that number (service.surveys.paper).
"""

from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from print_templates.common import Marker, directed, number
from print_templates.content import LanguageContent, PackContent, PaperQuestion, PaperSurvey
from print_templates.poster import QrCode
from print_templates.style import Look, table_style
from print_templates.text import para
from service.surveys import monitoring

BOX = 6 * mm
QR = 27 * mm
# Lines to write a free-text answer on.
WRITING_LINES = 3


class TickBox(Flowable):
    """An empty square to tick, drawn (not a glyph: not every script's font has one)."""

    def __init__(self, size: float) -> None:
        super().__init__()
        self.width = self.height = size

    def draw(self) -> None:
        """A square outline."""
        self.canv.saveState()
        self.canv.setLineWidth(1.2)
        self.canv.rect(0, 0, self.width, self.height)
        self.canv.restoreState()


class WritingLines(Flowable):
    """Ruled lines across the column to write an answer on."""

    def __init__(self, lines: int, gap: float) -> None:
        super().__init__()
        self.lines, self.gap = lines, gap

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """The column's width, a gap per line."""
        self.width, self.height = avail_width, self.lines * self.gap
        return self.width, self.height

    def draw(self) -> None:
        """Grey lines a gap apart."""
        self.canv.saveState()
        self.canv.setStrokeColorRGB(0.45, 0.45, 0.45)
        self.canv.setLineWidth(0.6)
        for n in range(self.lines):
            y = n * self.gap + 1
            self.canv.line(0, y, self.width, y)
        self.canv.restoreState()


def _line(cells: list[Flowable], widths: list[float], language: str, *style: tuple) -> Table:
    """Cells in one line, in the order given, centred on it; an Urdu sheet's held to the right."""
    return Table(
        [cells],
        colWidths=widths,
        style=table_style(
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
            *style,
        ),
        hAlign="RIGHT" if language == "ur" else "LEFT",
    )


def _row(cells: list[Flowable], widths: list[float], language: str) -> Table:
    """Boxes and their labels in a row; an Urdu sheet's read from the right."""
    if language == "ur":
        cells, widths = cells[::-1], widths[::-1]
    return _line(
        cells,
        widths,
        language,
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    )


def _boxes(labels: list[str], look: Look, language: str, width: float) -> Table:
    """One row of tick boxes, each followed by its label (scale points, yes and no)."""
    each = width / max(len(labels), 1)
    cells: list[Flowable] = []
    widths: list[float] = []
    for label in labels:
        pair = [TickBox(BOX * look.scale), directed(label, look, language)]
        widths_pair = [BOX * look.scale + 6, each - BOX * look.scale - 6]
        if language == "ur":
            pair, widths_pair = pair[::-1], widths_pair[::-1]
        cells += pair
        widths += widths_pair
    # Already in reading order for the pair; the whole row still reads from the right in Urdu.
    if language == "ur":
        pairs = [cells[i : i + 2] for i in range(0, len(cells), 2)][::-1]
        cells = [c for p in pairs for c in p]
        widths = [w for i in range(len(widths) - 2, -1, -2) for w in widths[i : i + 2]]
    return _line(cells, widths, language)


def _option(option: str, look: Look, language: str, width: float) -> Table:
    box = BOX * look.scale
    return _row(
        [TickBox(box), directed(option, look, language)], [box + 8, width - box - 8], language
    )


def _question(question: PaperQuestion, look: Look, language: str, width: float) -> Flowable:
    story: list[Flowable] = []
    if question.preface:
        # The equality questions' consent: what they are for, and that "no" leaves them blank.
        story += [
            Spacer(1, look.body * 0.4),
            directed(question.preface, look, language, "strong"),
            directed(
                _(monitoring.CONSENT_PAPER_NOTE),
                look,
                language,
            ),
        ]
    story.append(directed(f"{question.number}. {question.text}", look, language, "strong"))
    prefer = [_("Prefer not to say")] if question.prefer_not else []
    if question.kind == "choice":
        for option in [*question.options, *prefer]:
            story.append(_option(option, look, language, width))
    elif question.kind == "scale":
        story.append(_boxes([str(n) for n in range(1, 6)], look, language, width * 0.6))
        story.append(directed(_("1 is low, 5 is high."), look, language))
        for option in prefer:
            story.append(_option(option, look, language, width))
    elif question.kind == "yes_no":
        story.append(_boxes([_("Yes"), _("No"), *prefer], look, language, width))
    else:
        story.append(WritingLines(WRITING_LINES, look.body * 1.8))
        for option in prefer:
            story.append(_option(option, look, language, width))
    story.append(Spacer(1, look.body * 0.3))
    return KeepTogether(story)


def _other_ways(survey: PaperSurvey, content: PackContent, look: Look, language: str, width: float):
    """Where the sheet goes back, and the text and QR for answering on a phone instead."""
    words: list[Flowable] = [
        para(_("When you have finished"), look.style("heading", language), language),
        directed(
            _("Fold this sheet and put it in the return box: %(place)s", place=survey.return_to)
            if survey.return_to
            else _("Fold this sheet and hand it in at the site office."),
            look,
            language,
            "strong",
        ),
    ]
    if content.sms_number:
        words.append(
            directed(
                _(
                    "Or text %(keyword)s to %(number)s to answer on your phone.",
                    keyword=survey.keyword,
                    number=number(content.sms_number),
                ),
                look,
                language,
            )
        )
    if not survey.qr:
        return words
    qr = QrCode(survey.qr, QR * look.scale)
    code = [qr, para(_("Or scan this."), look.style("body", language), language)]
    cells = [[code, words]] if language == "ur" else [[words, code]]
    qr_width = QR * look.scale + 4 * mm
    widths = [qr_width, width - qr_width] if language == "ur" else [width - qr_width, qr_width]
    return [
        Table(
            cells,
            colWidths=widths,
            style=table_style(
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ),
        )
    ]


def _office(content: PackContent, look: Look, language: str, width: float) -> Table:
    """The box the office writes the sheet's number in, with the sheet's language and site."""
    label = directed(_("For the office: sheet number"), look, language, "body")
    box = Spacer(1, look.body * 2.2)
    where = para(f"{language} · {content.site_name}", look.style("body", "en"), "en")
    cells = [label, box, where]
    widths = [width * 0.42, width * 0.25, width * 0.33]
    if language == "ur":
        cells, widths = cells[::-1], widths[::-1]
    # The empty box stays in the middle whichever way the row reads.
    boxed = 1
    return Table(
        [cells],
        colWidths=widths,
        style=table_style(
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BOX", (boxed, 0), (boxed, 0), 1.2, "#000000"),
            ("LINEABOVE", (0, 0), (-1, 0), 0.6, "#777777"),
        ),
        spaceBefore=look.body * 0.6,
    )


def survey_sheet(
    survey: PaperSurvey, lang: LanguageContent, content: PackContent, look: Look
) -> list[Flowable]:
    """One survey's sheet (the caller wraps it in the language's locale)."""
    language = lang.language
    width = look.page[0] - 2 * look.margin
    story: list[Flowable] = [
        Marker(language=language, strip=None),
        para(_("Have your say"), look.style("heading", language), language),
        directed(survey.title, look, language, "title"),
    ]
    if survey.intro:
        story.append(directed(survey.intro, look, language))
    story.append(
        directed(
            _("Anonymous: do not write your name. Tick one box for each question."),
            look,
            language,
            "strong",
        )
    )
    story += [_question(q, look, language, width) for q in survey.questions]
    # Where it goes back stays with the office's box: a sheet that runs over keeps them together.
    story.append(
        KeepTogether(
            [
                *_other_ways(survey, content, look, language, width),
                _office(content, look, language, width),
            ]
        )
    )
    return story
