"""A whole pack as one PDF.

Per language: a poster per network, what's on, support, then a sheet per open survey. Last,
the how-to sheet in every language.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from flask_babel import force_locale
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate

from print_templates import fonts, how_to, poster, support, survey_sheet, whats_on
from print_templates.common import footer
from print_templates.content import PackContent
from print_templates.style import Look


def render(
    content: PackContent, look: Look, progress: Callable[[str, int, int], None] | None = None
) -> tuple[bytes, int]:
    """The pack's PDF bytes and its page count.

    progress, when given, hears ("languages", 1, languages in all) as each language's pages
    are laid out: laying out is most of a many-language pack's time.
    """
    out = io.BytesIO()
    width, height = look.page
    m = look.margin
    doc = BaseDocTemplate(
        out,
        pagesize=look.page,
        title=f"{content.org_name}: {content.site_name}",
        author=content.org_name,
        subject=f"Noticeboard pack {content.code}",
        creator="Frontline Connect",
        # The canvas otherwise starts every page in Helvetica, a font it would not embed.
        initialFontName=fonts.font_for("en"),
        leftMargin=m,
        rightMargin=m,
        topMargin=m,
        bottomMargin=m,
    )
    # Room at the foot of every page for the footer; posters also keep room for the strips.
    sheet = Frame(m, m * 1.6, width - 2 * m, height - m * 2.6, id="sheet")
    # A poster's frame runs up to the page's top edge, for its colour band to reach it.
    p = look.poster_margin
    strips_top = poster.strips_bottom(look) + poster.STRIP_HEIGHT * look.scale + 6 * mm * look.scale
    poster_frame = Frame(
        p,
        strips_top,
        width - 2 * p,
        height - strips_top,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="poster",
    )

    def decorate_poster(canvas, document) -> None:
        poster.draw_strips(canvas, look)
        footer(canvas, document, content, look, margin=p)

    def decorate(canvas, document) -> None:
        footer(canvas, document, content, look)

    templates = {
        "poster": PageTemplate("poster", [poster_frame], onPageEnd=decorate_poster),
        "sheet": PageTemplate("sheet", [sheet], onPageEnd=decorate),
    }
    sections: list[tuple[str, list]] = []
    language_ends: list[int] = []  # how many sections there are once each language's are in
    for lang in content.languages:
        with force_locale(lang.language):
            sections += [("poster", poster.poster(n, lang, content, look)) for n in lang.networks]
            if not content.posters_only:
                sections.append(("sheet", whats_on.whats_on(lang, content, look)))
                sections.append(("sheet", support.support(lang, content, look)))
                sections += [
                    ("sheet", survey_sheet.survey_sheet(s, lang, content, look))
                    for s in lang.surveys
                ]
        language_ends.append(len(sections))
    if not content.posters_only:
        sections.append(("sheet", how_to.how_to(content, look)))
    # The first page takes the first template; every later section names its own before the
    # page break that starts it, or the new page would keep the previous section's.
    first = sections[0][0]
    doc.addPageTemplates([templates[first]] + [t for n, t in templates.items() if n != first])
    story: list = []
    lengths = [0]  # the story's length after each section
    for template, flowables in sections:
        if story:
            story.append(PageBreak(nextTemplate=template))
        story += flowables
        lengths.append(len(story))
    if progress is not None:
        ends = [lengths[end] for end in language_ends]
        doc.setProgressCallBack(_languages_laid_out(ends, progress))
    doc.build(story)
    return out.getvalue(), doc.page


def _languages_laid_out(
    ends: list[int], progress: Callable[[str, int, int], None]
) -> Callable[[str, int], None]:
    """ReportLab's progress callback (flowables handled), told as languages finished."""
    finished = 0

    def on_progress(kind: str, value: int) -> None:
        nonlocal finished
        if kind != "PROGRESS":
            return
        while finished < len(ends) and value >= ends[finished]:
            finished += 1
            progress("languages", 1, len(ends))

    return on_progress
