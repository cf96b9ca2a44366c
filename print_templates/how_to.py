"""Sheet 4: how to use the service, in every language on one sheet."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from reportlab.platypus import Flowable, Table

from print_templates.common import Marker, number
from print_templates.content import PackContent
from print_templates.style import Look, table_style
from print_templates.text import para
from service import languages
from service.messaging.replies import word

# The phone line's menus as the sheet prints them: (key, where it leads, the sheet's name).
# print_templates may not import the voice channel, so this is data; a test holds it to
# ivr_flows/main.yaml and to the keys each menu's prompt reads out, so the two cannot drift.
MAIN_MENU = (
    ("1", "networks", _l("Networks")),
    ("2", "events", _l("This week's events")),
    ("3", "support", _l("Support")),
    ("4", "message", _l("Leave a message")),
    ("8", "more", _l("More choices")),
)
MORE_MENU = (
    ("5", "live", _l("Join a session now")),
    ("6", "speakup", _l("Speak up")),
    ("7", "mine", _l("Your groups")),
    ("9", "language", _l("Language")),
)


def phone_menu_lines() -> list[str]:
    """The main menu's choices, then those behind "more", in the current locale's words."""

    def listed(menu: tuple[tuple[str, str, object], ...]) -> str:
        return ", ".join(f"{key} {name}" for key, _target, name in menu)

    # One paragraph per language: at 14 pt the seven languages take two pages as it is.
    more_key = next(key for key, target, _name in MAIN_MENU if target == "more")
    return [
        _("Then press: %(choices)s.", choices=listed(MAIN_MENU))
        + " "
        + _("Under %(key)s: %(choices)s.", key=more_key, choices=listed(MORE_MENU))
    ]


def how_to(content: PackContent, look: Look) -> list[Flowable]:
    """Text HELP, or call and press the language's key: one block per language."""
    blocks = []
    for digit, lang in enumerate(languages.LANGUAGES, start=1):
        code = lang.code
        with force_locale(code):
            block = [para(lang.own_name, look.style("heading", code), code)]
            if content.sms_number:
                block.append(
                    para(
                        _(
                            "Text %(word)s to %(number)s.",
                            word=word("help", code),
                            number=number(content.sms_number),
                        ),
                        look.style("body", code),
                        code,
                    )
                )
            if content.voice_number:
                block.append(
                    para(
                        _(
                            "Call %(number)s and press %(digit)s for %(language)s.",
                            number=number(content.voice_number),
                            digit=digit,
                            language=lang.own_name,
                        ),
                        look.style("body", code),
                        code,
                    )
                )
                block.extend(
                    para(line, look.style("body", code), code) for line in phone_menu_lines()
                )
        blocks.append(block)
    width = (look.page[0] - 2 * look.margin) / 2
    rows = [
        blocks[i : i + 2] + [[]] * (2 - len(blocks[i : i + 2])) for i in range(0, len(blocks), 2)
    ]
    table = Table(rows, colWidths=[width, width])
    table.setStyle(table_style(("VALIGN", (0, 0), (-1, -1), "TOP")))
    with force_locale("en"):
        subtitle = _("Staff networks, events and support by text and phone")
    return [
        Marker(language="en", strip=None),
        para(content.org_name, look.style("title", "en"), "en"),
        para(subtitle, look.style("big", "en"), "en"),
        table,
    ]
