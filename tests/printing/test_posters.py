"""Posters that hold their own on a noticeboard, measured from their rendered pixels.

Every poster fills its page (white space measured on the PNG), carries its network's colour
across the top, and the name on that band reads at 4.5:1 or more in colour and printed in grey.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from sqlalchemy import select

from print_templates import poster
from service.content import queries
from service.content.colours import band_colours, normalise
from service.content.models import Network
from service.db import utcnow
from service.languages import LANGUAGES
from tests.support.browser import ARTIFACTS
from tests.support.posters import band_seen, render_bands, white_space_share
from tests.support.printing import render_pngs
from tests.support.settings import PUBLIC_URL

# Before this layout a poster's white space measured 36-52% (48% for most) by the same
# measure: half the page blank between the QR code and the strips. The layout now grows its
# type until the page is full; a quarter of the page is the most a poster may leave empty
# (the margins a printer needs are 7% of it on their own).
MOST_WHITE_SPACE = 0.25
DPI = 40
NUMBER = "0113 496 0000"


def poster_pages(path: Path) -> list[int]:
    """The 1-based numbers of the pages that are posters: the number on every strip.

    The how-to sheet, last in a pack, lists the number once per language: it ends the search.
    """
    pages = []
    for number, page in enumerate(PdfReader(path).pages, 1):
        text = " ".join((page.extract_text() or "").split())
        if "support by text and phone" in text:
            break
        if text.count(NUMBER) >= poster.STRIPS and "116 123" not in text:
            pages.append(number)
    return pages


def expected_posters(session, org_id: int, codes: tuple[str, ...]) -> list[tuple[str, object]]:
    """(language, network) for each poster, in the order the pack prints them."""
    return [(code, n) for code in codes for n in queries.networks(session, org_id, code)]


def check_posters(path: Path, folder: Path, posters: list[tuple[str, object]]) -> None:
    """White space, band colour and band contrast of every poster in a pack."""
    pages = poster_pages(path)
    assert len(pages) == len(posters)
    pngs = render_pngs(path, folder, DPI)
    bands = render_bands(path, folder / "bands", pages)
    colours_by_language: dict[str, set] = {}
    text_colours = set()
    for page, (language, network) in zip(pages, posters, strict=True):
        where = f"page {page} ({language}, {network.slug})"
        share = white_space_share(pngs[page - 1], DPI)
        assert share <= MOST_WHITE_SPACE, f"{where}: {share:.0%} white space"
        seen = band_seen(bands[page])
        wanted = normalise(network.colour)
        assert seen.band == tuple(int(wanted[i : i + 2], 16) for i in (1, 3, 5)), where
        # The name is on the band (not a stray line): thousands of text pixels at 150 dpi.
        assert seen.text_pixels > 2000, where
        assert seen.in_colour >= 4.5, f"{where}: {seen.in_colour:.2f}:1 in colour"
        assert seen.in_grey >= 4.5, f"{where}: {seen.in_grey:.2f}:1 printed in grey"
        colours_by_language.setdefault(language, set()).add(seen.band)
        text_colours.add(seen.text)
    # Every network looks different from the others in the same language.
    for language, seen_colours in colours_by_language.items():
        count = sum(1 for code, _n in posters if code == language)
        assert len(seen_colours) == count, language
    # Dark bands carry white names and light ones black (the demo has both).
    assert {(255, 255, 255), (0, 0, 0)} <= text_colours


def test_white_space_counts_blank_patches_not_the_gaps_between_lines(tmp_path):
    blank = Image.new("L", (400, 560), 255)
    blank.save(tmp_path / "blank.png")
    assert white_space_share(tmp_path / "blank.png", DPI) == 1.0
    # Lines of "text" 4 mm apart fill the top half: only the bottom half (less the 5 mm the
    # text's last line reaches) counts as white.
    lines = blank.copy()
    draw = ImageDraw.Draw(lines)
    step = round(4 * DPI / 25.4)
    for y in range(0, 280, step):
        draw.line((0, y, 399, y), fill=0, width=1)
    lines.save(tmp_path / "lines.png")
    share = white_space_share(tmp_path / "lines.png", DPI)
    assert 0.45 < share < 0.5


def test_english_and_urdu_posters_fill_the_page_with_a_legible_colour_band(
    app, demo, session, tmp_path
):
    from service.printing.operations import build_pack, find_site

    codes = ("en", "ur")
    site = find_site(session, "eastfield-depot", demo.id)
    pack = build_pack(session, site, codes, public_url=PUBLIC_URL, now=utcnow())
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf)
    check_posters(path, ARTIFACTS / "posters-en-ur", expected_posters(session, demo.id, codes))


def test_a_colour_set_for_a_network_is_the_band_on_its_poster(app, demo, session, tmp_path):
    from service.content import operations as content
    from service.printing.operations import build_pack, find_site

    careers = session.scalar(select(Network).where(Network.slug == "careers"))
    keywords = {"en": [k.word for k in careers.keywords if k.language == "en"]}
    content.update_network(
        session,
        careers,
        name=careers.name,
        short_description=careers.short_description,
        keywords=keywords,
        long_description=careers.long_description,
        colour="#ffd966",
    )
    site = find_site(session, "eastfield-depot", demo.id)
    pack = build_pack(session, site, ("en",), public_url=PUBLIC_URL, now=utcnow())
    path = tmp_path / "pack.pdf"
    path.write_bytes(pack.pdf)
    first = poster_pages(path)[0]
    assert "Careers Network" in PdfReader(io.BytesIO(pack.pdf)).pages[first - 1].extract_text()
    seen = band_seen(render_bands(path, tmp_path / "bands", [first])[first])
    assert seen.band == (0xFF, 0xD9, 0x66)
    # A light band: the name in black.
    assert band_colours("#FFD966").text == "#000000" and seen.text == (0, 0, 0)


@pytest.mark.slow  # the seven-language pack: every poster in every language
def test_every_poster_in_every_language_fills_its_page_with_a_legible_band(built):
    from service.db import get_database
    from service.organisations.operations import organisation_by_slug

    codes = tuple(language.code for language in LANGUAGES)
    with built.app.app_context(), get_database(built.app).session() as session:
        org = organisation_by_slug(session, "northgate")
        posters = expected_posters(session, org.id, codes)
    check_posters(built.path, ARTIFACTS / "posters", posters)
