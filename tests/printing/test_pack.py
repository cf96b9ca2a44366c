"""The noticeboard pack read back: text per language, fonts, pages, QR codes, codes, bad input."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm

from print_templates import poster
from service.db import utcnow
from service.languages import LANGUAGES
from service.messaging.replies import word
from tests.support.printing import page_texts, render_pngs
from tests.support.settings import PUBLIC_URL

# Tests of the whole seven-language pack, built once per module (a PDF of some 150 pages and
# its PNGs): `make check` runs them; `make test` keeps the pack tests that build their own.
SEVEN_LANGUAGE_PACK = pytest.mark.slow
NETWORKS = 8  # in the demo council
ARABIC = re.compile(r"[\u0600-\u06FF]")
GURMUKHI = re.compile(r"[\u0A00-\u0A7F]")
GUJARATI = re.compile(r"[\u0A80-\u0AFF]")


@SEVEN_LANGUAGE_PACK
def test_the_cli_reports_pages_and_a_code(built):
    found = re.search(r"(\d+) pages, pack code ([0-9A-Z]{6})", built.output)
    assert found, built.output
    assert int(found.group(1)) == len(built.pages)


@SEVEN_LANGUAGE_PACK
def test_a_many_language_pack_reports_each_language_laid_out_one_line_each(built):
    # Not on a terminal (a log, CI): one line per language, with the rate; a bar on a terminal.
    lines = [re.sub(r" \([\d.]+ languages/s\)", "", line) for line in built.output.splitlines()]
    progress = [line for line in lines if line.startswith("languages:")]
    assert progress == [f"languages: {n} of 7 laid out" for n in range(1, 8)]
    assert lines.index(progress[-1]) < next(i for i, t in enumerate(lines) if "pack code" in t)


@SEVEN_LANGUAGE_PACK
def test_every_page_says_when_it_was_printed_and_its_code(built):
    code = re.search(r"pack code (\w+)", built.output).group(1)
    assert all(code in text for text in built.pages)


@SEVEN_LANGUAGE_PACK
def test_english_poster_has_name_keyword_number_and_next_dates(built):
    first = built.pages[0]
    assert "Careers Network" in first
    assert first.count("JOIN CAREERS") >= 1 + poster.STRIPS  # the big line and every strip
    assert "0113 496 0000" in first
    assert re.search(r"\d{1,2}:\d{2}", first)


@SEVEN_LANGUAGE_PACK
def test_each_language_has_a_poster_per_network_and_its_own_words(built, app_with_demo):
    app, _ = app_with_demo
    with app.app_context():
        join = {lang.code: word("join", lang.code) for lang in LANGUAGES}
    texts = "\n".join(built.pages)
    # Latin-script languages show their own JOIN word; the others show the English keyword.
    for code in ("en", "pl", "ro", "so"):
        assert f"{join[code]} " in texts, code
    assert ARABIC.search(texts) and GURMUKHI.search(texts) and GUJARATI.search(texts)
    # A poster per network per language: each carries the number on its eight strips.
    # The how-to sheet (the pack's last one or two pages) lists the number once per language.
    how_to = next(i for i, text in enumerate(built.pages) if "support by text and phone" in text)
    posters = [
        p
        for p in built.pages[:how_to]
        if p.count("0113 496 0000") >= poster.STRIPS and "116 123" not in p
    ]
    assert len(posters) == NETWORKS * len(LANGUAGES)
    # Every poster fits on its page: the strips and the "text this to" line are together.
    assert all(p.count("0113 496 0000") > poster.STRIPS for p in posters)


@SEVEN_LANGUAGE_PACK
def test_what_is_on_lists_four_weeks_from_the_print_date_on_one_page(built):
    whats_on = [p for p in built.pages if "What's on at Eastfield Depot" in p]
    assert len(whats_on) == 1
    page = whats_on[0]
    assert re.search(r"\b(Mon)\b", page) and "12:30" in page and "PIN" in page
    # The next page is the support sheet: nothing spilled over.
    following = built.pages[built.pages.index(page) + 1]
    assert "Call" not in following.split("PIN")[0] or "Get support" in following
    today = utcnow().date()
    listed = [
        dt.datetime.strptime(f"{m.group(1)} {m.group(2)} {today.year}", "%d %B %Y").date()
        for m in re.finditer(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day (\d+) (\w+),", page)
    ]
    assert listed
    for day in listed:
        # Dates in January of next year read as this year: bring them forward.
        day = day if day >= today - dt.timedelta(days=180) else day.replace(year=today.year + 1)
        assert today <= day < today + dt.timedelta(days=28), day


@SEVEN_LANGUAGE_PACK
def test_support_puts_the_crisis_line_first_and_cards_come_eight_to_a_page(built):
    support = next(p for p in built.pages if "Get support" in p)
    assert support.index("Samaritans") < support.index("Employee Assistance")
    assert "999" in support
    cards = built.pages[built.pages.index(support) + 1]
    assert cards.count("Samaritans: 116 123") == 8


@SEVEN_LANGUAGE_PACK
def test_the_how_to_sheet_speaks_every_language(built):
    # The sheet starts at its English subtitle and runs to the end of the pack (two pages).
    start = next(i for i, text in enumerate(built.pages) if "support by text and phone" in text)
    sheet = "\n".join(built.pages[start:])
    assert len(built.pages) - start <= 2
    for lang in LANGUAGES:
        if lang.code in ("en", "pl", "ro", "so"):
            assert lang.own_name in sheet
    assert "press 1 for English" in sheet  # the phone menu's language keys
    assert "Then press: 1 Networks, 2 This week's events, 3 Support" in sheet


@SEVEN_LANGUAGE_PACK
def test_every_font_is_embedded_as_a_subset(built):
    listing = subprocess.run(
        ["pdffonts", str(built.path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    names = [line.split()[0] for line in listing]
    for family in ("NotoSans-Regular", "NotoNastaliqUrdu", "NotoSansGurmukhi", "NotoSansGujarati"):
        assert any(family in n for n in names), (family, names)
    for line in listing:
        emb, sub = line.split()[-5], line.split()[-4]
        assert (emb, sub) == ("yes", "yes"), line
        assert re.match(r"[A-Z]{6}\+", line), line  # a subset's tag


@SEVEN_LANGUAGE_PACK
def test_every_page_renders_and_is_not_blank(built, pngs):
    assert len(pngs) == len(built.pages)
    for png in pngs:
        image = Image.open(png).convert("L")
        # Above the footer: a blank page would have nothing there.
        body = image.crop((0, 0, image.width, int(image.height * 0.9)))
        assert sum(body.histogram()[:128]) > 100, png


@SEVEN_LANGUAGE_PACK
def test_the_posters_qr_code_opens_the_networks_public_page(built, tmp_path):
    assert 25 * mm <= poster.QR_SIZE and poster.QR_QUIET_MODULES >= 4
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "150",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            str(built.path),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    png = next(tmp_path.glob("p-*.png"))
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    assert decoded == f"{PUBLIC_URL}/o/northgate/n/careers"


@SEVEN_LANGUAGE_PACK
def test_large_print_and_a3(built, app_with_demo, tmp_path):
    clear = tmp_path / "clear.pdf"
    large = tmp_path / "large.pdf"
    a3 = tmp_path / "a3.pdf"
    assert built.run("pack", "--site", "eastfield-depot", "-o", str(clear)).exit_code == 0
    assert (
        built.run("pack", "--site", "eastfield-depot", "--large-print", "-o", str(large)).exit_code
        == 0
    )
    assert (
        built.run("pack", "--site", "eastfield-depot", "--size", "A3", "-o", str(a3)).exit_code == 0
    )
    sizes = {name: font_sizes(path) for name, path in [("clear", clear), ("large", large)]}
    # The text people read (not the small print of the footer or the strips) is 14 / 18 pt.
    assert min(s for s in sizes["clear"] if s > 12) >= 14
    assert min(s for s in sizes["large"] if s > 12) >= 18
    box = PdfReader(a3).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 1191)
    render_pngs(large, built.path.parent / "large-png")


def font_sizes(path) -> set[float]:
    """Every font size text is set in, in points (text matrix scale times the font size)."""
    found: set[float] = set()

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.add(round(size * abs(tm[0] or tm[1]), 1))

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return found


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nowhere", "--lang", "en"], "no site called 'nowhere'"),
        (["--site", "eastfield-depot", "--lang", "en,xx"], "unknown language xx"),
        (["--site", "eastfield-depot", "--size", "A5"], "A5"),
    ],
)
@SEVEN_LANGUAGE_PACK
def test_bad_input_gives_a_clear_message_and_no_file(built, tmp_path, args, message):
    target = tmp_path / "pack.pdf"
    result = built.run("pack", *args, "-o", str(target))
    assert result.exit_code != 0
    assert message in result.output
    assert not target.exists()


@SEVEN_LANGUAGE_PACK
def test_the_pack_code_says_when_the_content_has_changed(built, app_with_demo, tmp_path):
    import datetime as dt
    from zoneinfo import ZoneInfo

    from service.content import operations as content_ops
    from service.db import get_database
    from service.organisations.operations import organisation_by_slug

    app, _ = app_with_demo
    target = tmp_path / "pack.pdf"
    out = built.run("pack", "--site", "eastfield-depot", "--lang", "en,ur", "-o", str(target))
    code = re.search(r"pack code (\w+)", out.output).group(1)
    fresh = built.run("pack-check", code.lower())
    assert fresh.exit_code == 0 and "up to date" in fresh.output
    with app.app_context(), get_database(app).session() as session:
        org = organisation_by_slug(session, "northgate")
        site = next(s for s in org.sites if s.slug == "eastfield-depot")
        # Noon tomorrow: inside the four weeks the pack covers.
        local = dt.datetime.now(ZoneInfo(org.timezone)) + dt.timedelta(days=1)
        start = local.replace(hour=12, minute=0, second=0, microsecond=0)
        content_ops.create_event(
            session,
            org,
            title="Depot open day",
            starts_at=start.astimezone(dt.UTC),
            ends_at=(start + dt.timedelta(hours=1)).astimezone(dt.UTC),
            site=site,
        )
    stale = built.run("pack-check", code)
    assert stale.exit_code == 1 and "out of date" in stale.output
    unknown = built.run("pack-check", "ZZZZZZ")
    assert unknown.exit_code != 0 and "no pack with code" in unknown.output
    assert page_texts(target)


def test_a_site_with_nothing_to_print_is_refused(app, session):
    from service.printing.operations import NothingToPrint, build_pack
    from tests.support.factories import create_organisation, create_site

    org = create_organisation(session)
    site = create_site(session, org=org)
    with pytest.raises(NothingToPrint):
        build_pack(session, site, ("en",), public_url=PUBLIC_URL, now=utcnow())


def test_posters_can_use_discreet_names_for_sensitive_networks(app, demo, session):
    from service.printing.operations import build_pack, find_site

    demo.print_discreet_names = True
    site = find_site(session, "eastfield-depot", demo.id)
    pack = build_pack(session, site, ("en",), public_url=PUBLIC_URL, now=utcnow())
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pack.pdf)).pages)
    assert "Friday chat group" in text
    assert "Minds Matter" not in text
    assert "Careers Network" in text  # not sensitive: its real name


class StripCanvas:
    """Records what draw_strips writes: each string with the font and size it was set in."""

    def __init__(self, strip: tuple[str, str]) -> None:
        self.frontline_strip = strip
        self.font = ("", 0.0)
        self.written: list[tuple[str, str, float]] = []

    def setFont(self, name: str, size: float) -> None:
        self.font = (name, size)

    def drawString(self, x: float, y: float, text: str) -> None:
        self.written.append((text, *self.font))

    def __getattr__(self, name: str):
        return lambda *args, **kwargs: None  # lines, dashes, translations: not measured here


@pytest.mark.parametrize("size", ["A4", "A3"])
@pytest.mark.parametrize("large_print", [False, True])
def test_every_keyword_fits_its_tear_off_strip_in_every_language(
    app, demo, session, size, large_print
) -> None:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from print_templates.style import Look
    from service.content import queries

    look = Look(size=size, large_print=large_print)
    room = poster.STRIP_HEIGHT * look.scale - 2 * 3 * mm  # 3 mm clear at each end
    checked = 0
    for code in (language.code for language in LANGUAGES):
        for network in queries.networks(session, demo.id, code):
            words = poster.join_words(network, code)
            canvas = StripCanvas((words, "0113 496 0000"))
            poster.draw_strips(canvas, look)
            assert len(canvas.written) == 2 * poster.STRIPS
            for text, font, points in canvas.written:
                assert stringWidth(text, font, points) <= room + 0.01, (code, text, points)
                assert points >= 7, f"{text!r} shrank to {points:.1f} pt: too small to read"
            checked += 1
    assert checked == NETWORKS * len(LANGUAGES)


@SEVEN_LANGUAGE_PACK
def test_no_page_in_any_language_has_a_missing_glyph(built):
    # "QQT6EA۔" (Urdu) and "QQT6EA।" (Punjabi, Gujarati): a code and a full stop in one word,
    # set in one font, drew the stop as a box (extracted as U+FFFF).
    for number, text in enumerate(built.pages, 1):
        assert "\uffff" not in text, f"page {number} has a missing glyph"


@SEVEN_LANGUAGE_PACK
def test_urdu_lines_read_right_to_left_with_numbers_left_to_right(built):
    urdu = [text for text in built.pages if ARABIC.search(text) and "Willow Court" in text]
    assert urdu, "no Urdu page lists an event"
    year = str(utcnow().year)
    for text in (t for t in built.pages if ARABIC.search(t)):
        # The footer's "2026۔": shaped as one right-to-left word, it came out as "6202".
        assert year[::-1] not in text
    for text in urdu:
        assert year in text
        # "18:00:" before an Urdu title: the colon goes to the time's left (read next), not
        # stray on its right between the date and the time.
        assert not re.search(r"\d\d:\d\d:", text)
        assert re.search(r": \d\d:\d\d", text)
