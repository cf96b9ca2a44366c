"""Charts for console pages: static SVG drawn on the server by pygal, shown inline.

Server-drawn SVG works without JavaScript, prints, and needs nothing from the internet; the
surveys' results can use the same functions. pygal (3.1.3, released June 2026, maintained)
was chosen over matplotlib, whose SVG draws each letter as a path (no text to read or
select) and which brings numpy and Pillow with it. Every chart is an image with a title and
a text alternative, drawn beside a table holding the same figures, so nothing is only in it.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Sequence

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from service.http_security import csp_nonce

# pygal 3.1 puts an old-style finder on sys.meta_path for its map plugins (pygal.maps.*). It
# has no find_spec, so on Python 3.11 every later import through it warns (an error under
# the tests' filterwarnings), and 3.12 ignores it anyway. No map is drawn here: it goes.
sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]

# Dark colours, each at least 4.5:1 on the white plot (WCAG 1.4.11 asks 3:1 of graphics), in
# hues apart from one another; the table beside a chart carries the figures for anyone who
# cannot tell two of them apart.
COLOURS = ("#1F4E9C", "#B04A00", "#2B7A3D", "#7A3B93", "#A1123C", "#00666E", "#4D4D4D")
TEXT = "#1A1A1A"
STYLE = Style(
    background="#FFFFFF",
    plot_background="#FFFFFF",
    foreground=TEXT,
    foreground_strong="#000000",
    foreground_subtle="#595959",
    opacity="1",
    opacity_hover="1",
    transition="0ms",
    colors=COLOURS,
    font_family='"Noto Sans", "DejaVu Sans", Arial, sans-serif',
    title_font_size=24,
    label_font_size=19,
    major_label_font_size=19,
    legend_font_size=19,
    value_font_size=18,
    tooltip_font_size=18,
)
_COMMON = {
    "style": STYLE,
    # No script from pygal's site: the console's policy allows only its own, and a chart
    # must not need one.
    "js": [],
    "disable_xml_declaration": True,
    "explicit_size": False,
    "width": 640,
    "height": 440,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 2,
    "truncate_legend": -1,
    "truncate_label": -1,
    "print_values": False,
    "show_y_guides": True,
}


def _inline(svg: str, description: str) -> Markup:
    """The SVG, made fit for the page: an image named by its text alternative, styles allowed."""
    svg = re.sub(r"<!--.*?-->", "", svg)
    # pygal's one script only configures its interactive tooltips, which are not loaded.
    svg = re.sub(r"<script\b.*?</script>", "", svg, flags=re.S)
    # The page's policy admits an inline <style> only with the request's nonce, and no style
    # attribute at all: pygal's one (the hidden tooltip's) becomes a presentation attribute.
    svg = svg.replace("<style ", f'<style nonce="{csp_nonce()}" ', 1)
    svg = svg.replace('style="opacity: 0"', 'opacity="0"')
    svg = svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(description)}" focusable="false" ', 1
    )
    return Markup(svg)  # noqa: S704 - pygal escapes every label and title it writes


def listing(pairs: Sequence[tuple[str, str]]) -> str:
    """Label and figure pairs as one sentence, for a chart's text alternative."""
    return "; ".join(f"{label}: {value}" for label, value in pairs) + "."


def drawn(shown: str) -> int | None:
    """A count as shown in a table, as a bar: its number, or None (no bar) for "<5" or hidden."""
    # Only a count shown in full is drawn: a bar for "<5" would give the number away.
    return int(shown) if shown.isdigit() else None


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    horizontal: bool = False,
    stacked: bool = False,
    percent: bool = False,
) -> Markup:
    """Bars for each label, one colour per series; None draws no bar (a hidden figure)."""
    kind = {
        (False, False): "Bar",
        (True, False): "HorizontalBar",
        (False, True): "StackedBar",
        (True, True): "HorizontalStackedBar",
    }[(horizontal, stacked)]
    return _inline(_drawn(kind, title, *_frozen(labels, series), percent), description)


def _thin(chart: pygal.graph.graph.Graph, labels: Sequence[str], horizontal: bool) -> None:
    # Twelve months do not fit side by side: every other one is labelled, all are in the table.
    if not horizontal and len(labels) > 6:
        chart.x_labels_major_every = 2
        chart.show_minor_x_labels = False


def line_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    percent: bool = False,
) -> Markup:
    """A line per series over the labels (months); None leaves a gap (a hidden figure)."""
    return _inline(_drawn("Line", title, *_frozen(labels, series), percent), description)


def _frozen(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> tuple:
    return tuple(labels), tuple((name, tuple(values)) for name, values in series)


# Drawing is pure Python and takes tens of milliseconds a chart; the same figures (the same
# months, nothing new counted) give the same drawing, so a page shown again reuses it.
@functools.lru_cache(maxsize=64)
def _drawn(
    kind: str,
    title: str,
    labels: tuple[str, ...],
    series: tuple[tuple[str, tuple[float | None, ...]], ...],
    percent: bool,
) -> str:
    horizontal = kind.startswith("Horizontal")
    if kind == "Line":
        # A trend's axis ends a little above its highest point, not at 100%: the rise is news.
        axis = _axis(percent, series, full_scale=False)
        chart = pygal.Line(title=title, **_COMMON, **axis, dots_size=5)
    else:
        # One series (a survey question's answers) needs no key: the title says what it is.
        chart = getattr(pygal, kind)(
            title=title, **{**_COMMON, "show_legend": len(series) > 1}, **_axis(percent, series)
        )
    # pygal lays horizontal bars out from the bottom up: reversed, they read top-down in the
    # same order as the table beside them.
    order = (lambda items: list(items)[::-1]) if horizontal else list
    chart.x_labels = order(labels)
    _thin(chart, labels, horizontal)
    for name, values in series:
        extra = {"stroke_style": {"width": 3}} if kind == "Line" else {}
        chart.add(name, order(values), **extra)
    return chart.render(is_unicode=True)


def _axis(
    percent: bool, series: Sequence[tuple[str, Sequence[float | None]]], *, full_scale: bool = True
) -> dict:
    if percent:
        # Bars run 0 to 100% whatever the figures, so that 8% looks small; further if a site's
        # members outnumber its headcount (a headcount out of date), rather than cut a bar off.
        top = max((v for _name, values in series for v in values if v is not None), default=0)
        ceiling = max(10, -(-top // 10) * 10)
        top = max(100, ceiling) if full_scale else ceiling
        # Few enough guide lines that their labels never run into each other.
        step = 25 if top >= 100 else 10 if top > 40 else 5
        return {
            "value_formatter": lambda v: f"{v:.0f}%",
            "range": (0, top),
            "y_labels": list(range(0, int(top) + 1, step)),
            "include_x_axis": True,
        }
    # People are counted in whole numbers: with nothing above a few to draw (nothing yet, or
    # every count hidden), pygal would label its axis 0.2, 0.4 and so on, shown as 0, 0, 1.
    columns = zip(*(values for _name, values in series), strict=True)
    top = max((sum(v or 0 for v in column) for column in columns), default=0)
    if top < 10:
        return {
            "value_formatter": lambda v: f"{v:,.0f}",
            "include_x_axis": True,
            "range": (0, 10),
            "y_labels": list(range(0, 11, 2)),
        }
    return {"value_formatter": lambda v: f"{v:,.0f}", "include_x_axis": True}
