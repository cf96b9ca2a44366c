"""SMS segment counting: GSM-7 and UCS-2 limits, escape and surrogate pairs at part boundaries."""

from __future__ import annotations

import math

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from service.messaging.segments import (
    GSM7,
    UCS2,
    SegmentCount,
    count,
    fits,
    is_gsm7,
    max_units,
)
from tests.support.fuzz import examples

# The GSM 03.38 tables written a second way, by Unicode name and code point, to check the
# module's own table against.
BASIC = frozenset(
    "\N{COMMERCIAL AT}\N{POUND SIGN}\N{DOLLAR SIGN}\N{YEN SIGN}"
    "\N{LATIN SMALL LETTER E WITH GRAVE}\N{LATIN SMALL LETTER E WITH ACUTE}"
    "\N{LATIN SMALL LETTER U WITH GRAVE}\N{LATIN SMALL LETTER I WITH GRAVE}"
    "\N{LATIN SMALL LETTER O WITH GRAVE}\N{LATIN CAPITAL LETTER C WITH CEDILLA}"
    "\N{LINE FEED}\N{LATIN CAPITAL LETTER O WITH STROKE}\N{LATIN SMALL LETTER O WITH STROKE}"
    "\N{CARRIAGE RETURN}\N{LATIN CAPITAL LETTER A WITH RING ABOVE}"
    "\N{LATIN SMALL LETTER A WITH RING ABOVE}"
    "\N{GREEK CAPITAL LETTER DELTA}\N{LOW LINE}\N{GREEK CAPITAL LETTER PHI}"
    "\N{GREEK CAPITAL LETTER GAMMA}\N{GREEK CAPITAL LETTER LAMDA}\N{GREEK CAPITAL LETTER OMEGA}"
    "\N{GREEK CAPITAL LETTER PI}\N{GREEK CAPITAL LETTER PSI}\N{GREEK CAPITAL LETTER SIGMA}"
    "\N{GREEK CAPITAL LETTER THETA}\N{GREEK CAPITAL LETTER XI}"
    "\N{LATIN CAPITAL LETTER AE}\N{LATIN SMALL LETTER AE}\N{LATIN SMALL LETTER SHARP S}"
    "\N{LATIN CAPITAL LETTER E WITH ACUTE}"
    "\N{INVERTED EXCLAMATION MARK}\N{LATIN CAPITAL LETTER A WITH DIAERESIS}"
    "\N{LATIN CAPITAL LETTER O WITH DIAERESIS}\N{LATIN CAPITAL LETTER N WITH TILDE}"
    "\N{LATIN CAPITAL LETTER U WITH DIAERESIS}\N{SECTION SIGN}"
    "\N{INVERTED QUESTION MARK}\N{LATIN SMALL LETTER A WITH DIAERESIS}"
    "\N{LATIN SMALL LETTER O WITH DIAERESIS}\N{LATIN SMALL LETTER N WITH TILDE}"
    "\N{LATIN SMALL LETTER U WITH DIAERESIS}\N{LATIN SMALL LETTER A WITH GRAVE}"
    "\N{CURRENCY SIGN}"
    + "".join(chr(c) for c in range(0x20, 0x24))  # space ! " #
    + "".join(chr(c) for c in range(0x25, 0x40))  # % & ' ( ) * + , - . / 0-9 : ; < = > ?
    + "".join(chr(c) for c in range(ord("A"), ord("Z") + 1))
    + "".join(chr(c) for c in range(ord("a"), ord("z") + 1))
)
EXT = frozenset(
    "\N{FORM FEED}\N{CIRCUMFLEX ACCENT}\N{LEFT CURLY BRACKET}\N{RIGHT CURLY BRACKET}"
    "\N{REVERSE SOLIDUS}\N{LEFT SQUARE BRACKET}\N{TILDE}\N{RIGHT SQUARE BRACKET}"
    "\N{VERTICAL LINE}\N{EURO SIGN}"
)
BASIC_SORTED = "".join(sorted(BASIC))
EXT_SORTED = "".join(sorted(EXT))

URDU = "آپ کا اگلا شفٹ کل صبح نو بجے ہے"
PUNJABI = "ਤੁਹਾਡੀ ਅਗਲੀ ਸ਼ਿਫਟ ਕੱਲ੍ਹ ਸਵੇਰੇ ਨੌਂ ਵਜੇ ਹੈ"
GUJARATI = "તમારી આગામી શિફ્ટ કાલે સવારે નવ વાગ્યે છે"
GRIN = "\N{GRINNING FACE}"  # outside the BMP: a surrogate pair in UTF-16


def gsm_septets(text: str) -> int:
    """An independent GSM-7 count: 2 for an extension character, 1 for the rest."""
    assert set(text) <= BASIC | EXT
    return sum(2 if c in EXT else 1 for c in text)


def utf16_units(text: str) -> int:
    """An independent UCS-2 count, from Python's own UTF-16 encoder."""
    return len(text.encode("utf-16-le")) // 2


# --- the tables -------------------------------------------------------------------------------


def test_the_test_tables_have_the_standard_sizes():
    assert len(BASIC) == 127  # 128 code points less the escape
    assert len(EXT) == 10


def test_the_whole_basic_table_is_gsm7_at_one_septet_each():
    assert is_gsm7(BASIC_SORTED)
    result = count(BASIC_SORTED)
    assert result == SegmentCount(encoding=GSM7, units=127, segments=1, characters=127)


@pytest.mark.parametrize("char", BASIC_SORTED)
def test_every_basic_character_costs_one_septet(char):
    assert count(char) == SegmentCount(encoding=GSM7, units=1, segments=1, characters=1)
    assert count(char * 160) == SegmentCount(GSM7, 160, 1, 160)
    assert count(char * 161) == SegmentCount(GSM7, 161, 2, 161)


@pytest.mark.parametrize("char", EXT_SORTED)
def test_every_extension_character_costs_two_septets(char):
    assert count(char) == SegmentCount(encoding=GSM7, units=2, segments=1, characters=1)
    assert count(char * 80) == SegmentCount(GSM7, 160, 1, 80)
    assert count(char * 81) == SegmentCount(GSM7, 162, 2, 81)


def test_the_whole_extension_table_costs_two_each():
    assert count(EXT_SORTED) == SegmentCount(GSM7, 20, 1, 10)


@pytest.mark.parametrize(
    "char",
    [
        "ç",  # only the capital Ç is in the table
        "á",
        "í",
        "ó",
        "ú",
        "ê",
        "`",
        "\x1b",  # the escape itself is not a character a text may carry
        "\t",
        "\N{LEFT DOUBLE QUOTATION MARK}",
        "\N{RIGHT SINGLE QUOTATION MARK}",
        "\N{EN DASH}",
        "\N{HORIZONTAL ELLIPSIS}",
        "\N{NO-BREAK SPACE}",
        "\N{OHM SIGN}",  # looks like Ω, is not
        "\N{INCREMENT}",  # looks like Δ, is not
        "ą",
        "ę",
        "ł",
        "ż",
        "ș",
        "ț",
        "ă",
        GRIN,
    ],
)
def test_characters_outside_gsm_make_the_text_ucs2(char):
    assert not is_gsm7(char)
    assert not is_gsm7("Shift starts at 9" + char)
    assert count("Shift starts at 9" + char).encoding == UCS2


def test_module_table_matches_the_independent_one_over_the_bmp_and_beyond():
    sample = [chr(c) for c in range(0x3000)] + [chr(c) for c in range(0x1F300, 0x1F700)]
    for char in sample:
        assert is_gsm7(char) == (char in BASIC or char in EXT), repr(char)


# --- GSM-7 boundaries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "segments"),
    [
        (0, 1),
        (1, 1),
        (159, 1),
        (160, 1),
        (161, 2),
        (305, 2),
        (306, 2),
        (307, 3),
        (458, 3),
        (459, 3),
        (460, 4),
        (612, 4),
        (613, 5),
    ],
)
def test_gsm7_boundaries(length, segments):
    text = "a" * length
    assert count(text) == SegmentCount(GSM7, length, segments, length)


def test_an_empty_text_is_one_gsm7_segment():
    assert count("") == SegmentCount(encoding=GSM7, units=0, segments=1, characters=0)
    assert is_gsm7("")
    assert fits("", 1)
    assert not fits("", 0)


def test_euro_counts_double():
    assert count("€" * 80) == SegmentCount(GSM7, 160, 1, 80)
    assert count("€" * 81) == SegmentCount(GSM7, 162, 2, 81)
    assert count("a" * 158 + "€") == SegmentCount(GSM7, 160, 1, 159)
    assert count("a" * 159 + "€") == SegmentCount(GSM7, 161, 2, 160)


def test_an_escape_pair_never_straddles_a_part_boundary():
    # 151 + 2 = 153: the pair ends part one exactly, so 306 septets still fit in two.
    assert count("a" * 151 + "€" + "a" * 153) == SegmentCount(GSM7, 306, 2, 305)
    # 152 + 2 would straddle: part one carries 152 and the pair opens part two.
    assert count("a" * 152 + "€" + "a" * 7) == SegmentCount(GSM7, 161, 2, 160)
    assert count("a" * 152 + "€" + "a" * 151) == SegmentCount(GSM7, 305, 2, 304)
    # The same 306 septets as the first case now need a third part.
    assert count("a" * 152 + "€" + "a" * 152) == SegmentCount(GSM7, 306, 3, 305)
    assert max_units(GSM7, 2) == 306  # the capacity ignores the straddle


def test_an_escape_pair_straddling_the_second_boundary():
    # Parts of 153 and 152 (the pair opens part three), then 153.
    text = "a" * 153 + "a" * 152 + "{" + "a" * 151
    assert count(text) == SegmentCount(GSM7, 458, 3, 305 + 1 + 151)
    text = "a" * 153 + "a" * 152 + "{" + "a" * 152
    assert count(text) == SegmentCount(GSM7, 459, 4, 305 + 1 + 152)


def test_a_run_of_extension_pairs_fills_152_septets_a_part():
    # 153 is odd, so a run of pairs fills each part with 76 pairs (152 septets).
    assert count("~" * 152) == SegmentCount(GSM7, 304, 2, 152)
    assert count("~" * 153) == SegmentCount(GSM7, 306, 3, 153)


def test_cr_and_lf_are_one_septet_each():
    assert count("line one\r\nline two") == SegmentCount(GSM7, 18, 1, 18)


# --- UCS-2 boundaries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("length", "segments"),
    [
        (1, 1),
        (69, 1),
        (70, 1),
        (71, 2),
        (133, 2),
        (134, 2),
        (135, 3),
        (200, 3),
        (201, 3),
        (202, 4),
        (268, 4),
        (269, 5),
    ],
)
def test_ucs2_boundaries(length, segments):
    text = "ł" * length
    assert count(text) == SegmentCount(UCS2, length, segments, length)


@pytest.mark.parametrize("position", [0, 1, 50, 98, 99])
def test_one_polish_letter_switches_a_latin_text_to_ucs2(position):
    latin = ("Twoja zmiana zaczyna sie jutro o dziewiatej rano, prosimy o punktualnosc. " * 2)[:99]
    assert count(latin) == SegmentCount(GSM7, 99, 1, 99)
    text = latin[:position] + "ł" + latin[position:]
    assert len(text) == 100
    assert count(text) == SegmentCount(UCS2, 100, 2, 100)


def test_romanian_letters_switch_to_ucs2():
    assert count("Tura începe mâine la ora nouă, vă așteptăm") == SegmentCount(UCS2, 42, 1, 42)


@pytest.mark.parametrize("text", [URDU, PUNJABI, GUJARATI])
def test_south_asian_scripts_are_ucs2(text):
    result = count(text)
    assert result.encoding == UCS2
    assert not is_gsm7(text)
    assert result.units == utf16_units(text) == len(text)
    assert result.segments == 1
    doubled = count(text * 3)
    assert doubled.units == 3 * len(text)
    assert doubled.segments == math.ceil(3 * len(text) / 67)


def test_urdu_punjabi_gujarati_at_the_ucs2_boundary():
    for text in (URDU, PUNJABI, GUJARATI):
        long = (text * 10)[:70]
        assert count(long) == SegmentCount(UCS2, 70, 1, 70)
        assert count((text * 10)[:71]) == SegmentCount(UCS2, 71, 2, 71)


def test_an_emoji_costs_two_units():
    assert count(GRIN) == SegmentCount(encoding=UCS2, units=2, segments=1, characters=1)
    assert count(GRIN * 35) == SegmentCount(UCS2, 70, 1, 35)
    assert count(GRIN * 36) == SegmentCount(UCS2, 72, 2, 36)
    assert count("a" * 68 + GRIN) == SegmentCount(UCS2, 70, 1, 69)
    assert count("a" * 69 + GRIN) == SegmentCount(UCS2, 71, 2, 70)


def test_a_bmp_symbol_costs_one_unit():
    assert count("\N{BLACK HEART SUIT}") == SegmentCount(UCS2, 1, 1, 1)


def test_the_edges_of_the_bmp():
    assert count("\uffff") == SegmentCount(UCS2, 1, 1, 1)  # the last BMP code point
    assert count("\U00010000") == SegmentCount(UCS2, 2, 1, 1)  # the first beyond it
    assert count("\U0010ffff") == SegmentCount(UCS2, 2, 1, 1)


def test_a_surrogate_pair_never_straddles_a_part_boundary():
    # 65 + 2 = 67: the pair ends part one exactly, so 134 units still fit in two.
    assert count("ł" * 65 + GRIN + "ł" * 67) == SegmentCount(UCS2, 134, 2, 133)
    # 66 + 2 would straddle unit 67: the pair moves to part two.
    assert count("ł" * 66 + GRIN + "ł" * 3) == SegmentCount(UCS2, 71, 2, 70)
    assert count("ł" * 66 + GRIN + "ł" * 65) == SegmentCount(UCS2, 133, 2, 132)
    assert count("ł" * 66 + GRIN + "ł" * 66) == SegmentCount(UCS2, 134, 3, 133)
    assert max_units(UCS2, 2) == 134


def test_emoji_only_runs_leave_a_unit_in_each_part():
    # 67 is odd, so each part holds 33 emoji (66 units).
    assert count(GRIN * 66) == SegmentCount(UCS2, 132, 2, 66)
    assert count(GRIN * 67) == SegmentCount(UCS2, 134, 3, 67)


def test_an_emoji_in_a_gsm_text_switches_the_whole_text():
    text = "a" * 100 + GRIN
    assert count(text) == SegmentCount(UCS2, 102, 2, 101)
    assert count("a" * 100) == SegmentCount(GSM7, 100, 1, 100)


def test_extension_characters_cost_one_unit_once_the_text_is_ucs2():
    assert count("€" * 70 + "ł") == SegmentCount(UCS2, 71, 2, 71)


# --- fits and max_units -----------------------------------------------------------------------


def test_max_units():
    assert [max_units(GSM7, n) for n in (1, 2, 3, 4)] == [160, 306, 459, 612]
    assert [max_units(UCS2, n) for n in (1, 2, 3, 4)] == [70, 134, 201, 268]


@pytest.mark.parametrize(("encoding", "segments"), [("GSM-8", 1), ("ucs-2", 1), (GSM7, 0)])
def test_max_units_rejects_nonsense(encoding, segments):
    with pytest.raises(ValueError):
        max_units(encoding, segments)


def test_fits_at_the_boundaries():
    assert fits("a" * 160, 1)
    assert not fits("a" * 161, 1)
    assert fits("a" * 161, 2)
    assert fits("a" * 306, 2)
    assert not fits("a" * 307, 2)
    assert fits("a" * 459, 3)
    assert not fits("a" * 460, 3)
    assert fits("ł" * 70, 1)
    assert not fits("ł" * 71, 1)
    assert fits("ł" * 134, 2)
    assert not fits("ł" * 135, 2)
    assert fits("ł" * 201, 3)
    assert not fits("ł" * 202, 3)


def test_fits_respects_straddles():
    assert fits("a" * 151 + "€" + "a" * 153, 2)
    assert not fits("a" * 152 + "€" + "a" * 152, 2)
    assert not fits("ł" * 66 + GRIN + "ł" * 66, 2)


# --- properties -------------------------------------------------------------------------------

GSM_CHARS = st.sampled_from(BASIC_SORTED + EXT_SORTED)
MIXED_CHARS = st.sampled_from(BASIC_SORTED + EXT_SORTED + "łą" + GRIN + "\N{PILE OF POO}")
MIXED = st.one_of(
    st.text(),
    st.text(GSM_CHARS, max_size=700),
    st.text(MIXED_CHARS, max_size=400),
)


@settings(max_examples=examples(300), deadline=None)
@given(MIXED)
def test_counts_are_consistent(text):
    result = count(text)
    assert result.segments >= 1
    assert fits(text, result.segments)
    assert not fits(text, result.segments - 1)
    assert result.characters == len(text)
    assert result.units >= len(text)  # no character costs less than one unit
    assert result.units <= max_units(result.encoding, result.segments)
    if result.encoding == GSM7:
        assert is_gsm7(text)
        assert result.units == gsm_septets(text)
        assert result.units <= 2 * len(text)
        single, part = 160, 153
    else:
        assert not is_gsm7(text)
        assert result.units == utf16_units(text)
        assert result.units <= 2 * len(text)
        single, part = 70, 67
    assert (result.segments == 1) == (result.units <= single)
    if result.segments > 1:
        assert result.segments >= math.ceil(result.units / part)
        # every part but the last loses at most one unit to a pair that would straddle
        assert result.segments <= math.ceil(result.units / (part - 1))


@settings(max_examples=examples(300), deadline=None)
@given(st.text(st.sampled_from(BASIC_SORTED), max_size=160))
def test_short_basic_gsm_texts_are_one_segment(text):
    assert count(text) == SegmentCount(GSM7, len(text), 1, len(text))


@settings(max_examples=examples(300), deadline=None)
@given(st.text(st.sampled_from(BASIC_SORTED), min_size=161, max_size=1000))
def test_long_basic_gsm_texts_split_at_153(text):
    assert count(text).segments == math.ceil(len(text) / 153)


@settings(max_examples=examples(300), deadline=None)
@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=300))
def test_ucs2_units_match_the_utf16_codec(text):
    result = count(text)
    if result.encoding == UCS2:
        assert result.units == utf16_units(text)
    else:
        assert result.units == gsm_septets(text)


def packed_parts(text: str) -> int:
    """An independent count: greedy packing of grapheme clusters (CR LF as two) into parts."""
    gsm = set(text) <= BASIC | EXT
    single, part = (160, 153) if gsm else (70, 67)
    costs = [
        gsm_septets(c) if gsm else utf16_units(c)
        for cluster in regex.findall(r"\X", text)
        for c in (("\r", "\n") if cluster == "\r\n" else (cluster,))
    ]
    if sum(costs) <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > part:
            parts, used = parts + 1, 0
        used += cost
    return parts


# Texts around the two-part boundaries, where a list reply is trimmed to fit: GSM-7 with escape
# pairs and CR LF anywhere, and the same with a character that makes the text UCS-2.
NEAR_TWO_PARTS = st.one_of(
    st.text(st.sampled_from(BASIC_SORTED + EXT_SORTED + "\r\n"), min_size=280, max_size=320),
    st.text(st.sampled_from(BASIC_SORTED + "€\r\n"), min_size=150, max_size=170),
    st.text(MIXED_CHARS, min_size=120, max_size=145),
    st.text(
        st.sampled_from("ąłe\u0301" + GRIN + "\N{REGIONAL INDICATOR SYMBOL LETTER G}"),
        min_size=60,
        max_size=140,
    ),
)


@settings(max_examples=examples(1000), deadline=None)
@given(NEAR_TWO_PARTS)
def test_segments_equal_a_cluster_by_cluster_packing(text):
    assert count(text).segments == packed_parts(text)
