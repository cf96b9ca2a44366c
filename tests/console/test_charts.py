"""Console charts: server-drawn SVG that the page's policy lets in, named, in colours that read."""

from __future__ import annotations

import re

from service.console.charts import COLOURS, STYLE, TEXT, bar_chart, line_chart
from service.content.colours import WHITE, contrast, luminance


def test_every_series_colour_and_the_text_read_on_the_white_plot() -> None:
    # WCAG 1.4.11 asks 3:1 of graphics; these meet the 4.5:1 asked of text.
    assert STYLE.plot_background.upper() == WHITE
    for colour in (*COLOURS, TEXT):
        assert contrast(luminance(colour), luminance(WHITE)) >= 4.5, colour


def test_a_chart_is_an_image_with_its_text_alternative_and_no_script(app) -> None:
    with app.test_request_context("/console/reach"):
        svg = bar_chart(
            "Share of staff reached",
            "Eastfield Depot: 22%; Civic Hall: hidden.",
            ["Eastfield Depot", "Civic Hall"],
            [("Members now", [22.0, None])],
            horizontal=True,
            percent=True,
        )
        trend = line_chart("Each month", "Two months.", ["Oct", "Nov"], [("A", [5.0, 7.5])])
        from flask import g

        nonce = g.csp_nonce
    for drawn in (svg, trend):
        assert drawn.startswith("<svg") and 'role="img"' in drawn
        assert "<script" not in drawn and ' style="' not in drawn  # the CSP would refuse both
        assert re.search(rf'<style nonce="{nonce}"', drawn)
    assert 'aria-label="Eastfield Depot: 22%; Civic Hall: hidden."' in svg
    assert "<title>Share of staff reached</title>" in svg
    # Labels are text a reader can select and a printer prints, not glyphs drawn as paths.
    assert ">Eastfield Depot</text>" in svg and ">100%</text>" in svg
