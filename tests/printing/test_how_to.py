"""The how-to sheet's phone instructions hold to the phone line as it behaves."""

from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from print_templates.how_to import MAIN_MENU, MORE_MENU, phone_menu_lines
from service.languages import CODES
from service.voice.prompts import PROMPTS
from service.voice.views import main_flow

SHEET = {"main": MAIN_MENU, "more": MORE_MENU}


@pytest.mark.parametrize("node", SHEET)
def test_every_key_on_the_sheet_leads_where_the_line_takes_it(app, node):
    with app.app_context():
        flow = main_flow()
    answered = {option.key: option.goto for option in flow.nodes[node].options}
    assert {key: target for key, target, _name in SHEET[node]} == {
        key: answered.get(key) for key, _target, _name in SHEET[node]
    }


@pytest.mark.parametrize("node", SHEET)
def test_the_sheet_lists_the_keys_the_menu_reads_out_in_its_order(app, node):
    with app.app_context():
        menu = main_flow().nodes[node]
        with force_locale("en"):
            spoken = re.findall(r"press ([1-9])", str(PROMPTS[menu.prompt]))
    # 0 (back) and star (repeat) work in every menu; the sheet names the choices.
    assert [key for key, _target, _name in SHEET[node]] == spoken


@pytest.mark.parametrize("code", CODES)
def test_the_menu_lines_name_every_key_in_each_language(app, code):
    with app.test_request_context(), force_locale(code):
        lines = phone_menu_lines()
    with app.test_request_context(), force_locale("en"):
        english = phone_menu_lines()
    main_keys = [key for key, _target, _name in MAIN_MENU]
    more_keys = [key for key, _target, _name in MORE_MENU]
    # The main menu's keys, then "Under 8:" and the keys behind it, in that order.
    assert re.findall(r"\b[1-9]\b", " ".join(lines)) == [*main_keys, "8", *more_keys]
    if code != "en":
        assert lines != english  # translated, not the English left in place
    else:
        assert lines[0].startswith("Then press: 1 Networks, 2 This week's events")
