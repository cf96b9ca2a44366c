"""Sheet 3: support lines, crisis first, and a page of wallet cards to cut out."""

from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepInFrame, PageBreak

from print_templates.common import Marker, number
from print_templates.content import LanguageContent, PackContent
from print_templates.style import Look, cut_guide
from print_templates.text import para
from service.messaging.replies import word

# Credit-card size; 2 x 4 fit an A4 page inside its margins.
CARD = (85 * mm, 54 * mm)


def support(lang: LanguageContent, content: PackContent, look: Look) -> list[Flowable]:
    """The support sheet and its wallet cards (the caller wraps it in the language's locale)."""
    language = lang.language
    body = look.style("body", language)
    story: list[Flowable] = [
        Marker(language=language, strip=None),
        para(_("Get support"), look.style("title", language), language),
        para(_("In danger now? Call 999."), look.style("big", language), language),
    ]
    for line in lang.support_lines:
        story.append(para(line.name, look.style("heading", language), language))
        story.append(para(number(line.phone), look.style("big", language, script="en"), "en"))
        story.append(
            para(_("Open 24 hours, every day") if line.always_open else line.hours, body, language)
        )
        if line.description:
            story.append(para(line.description, body, language))
    if content.sms_number:
        story.append(
            para(
                _(
                    "Text %(word)s to %(number)s for this list on your phone.",
                    word=word("talk", language),
                    number=number(content.sms_number),
                ),
                look.style("strong", language),
                language,
            )
        )
    story += [
        PageBreak(),
        Marker(language=language, strip=None),
        WalletCards(_card(lang, content, look), look),
    ]
    return story


def _card(lang: LanguageContent, content: PackContent, look: Look) -> list[Flowable]:
    language = lang.language
    body = look.style("body", language)
    card: list[Flowable] = [para(content.org_name, look.style("strong", language), language)]
    crisis = next((line for line in lang.support_lines if line.crisis), None)
    others = [line for line in lang.support_lines if not line.crisis]
    for line in ([crisis] if crisis else []) + others[:1]:
        card.append(para(f"{line.name}: {number(line.phone)}", body, language))
    if content.sms_number:
        card.append(
            para(
                _(
                    "Text %(word)s to %(number)s",
                    word=word("talk", language),
                    number=number(content.sms_number),
                ),
                body,
                language,
            )
        )
    return card


class WalletCards(Flowable):
    """Eight copies of a card on one page, each inside a dashed cut guide."""

    def __init__(self, card: list[Flowable], look: Look) -> None:
        super().__init__()
        self.card = card
        self.look = look

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """Two columns of four cards."""
        self.width, self.height = 2 * CARD[0], 4 * CARD[1]
        return self.width, self.height

    def draw(self) -> None:
        """Each card's text shrinks to fit its card, never the other way round."""
        for row in range(4):
            for col in range(2):
                x, y = col * CARD[0], (3 - row) * CARD[1]
                cut_guide(self.canv, x, y, *CARD)
                inner = (CARD[0] - 8 * mm, CARD[1] - 5 * mm)
                block = KeepInFrame(*inner, list(self.card), mode="shrink")
                _w, used = block.wrapOn(self.canv, *inner)
                block.drawOn(self.canv, x + 4 * mm, y + CARD[1] - 3 * mm - used)
