"""Network colours: WCAG contrast of the poster band's text, in colour and printed in grey."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from service.content import colours
from service.errors import ValidationError

hex_colours = st.integers(0, 0xFFFFFF).map(lambda v: f"#{v:06X}")


def ratio(first: str, second: str) -> float:
    return colours.contrast(colours.luminance(first), colours.luminance(second))


def test_contrast_matches_wcags_reference_values():
    assert ratio("#FFFFFF", "#000000") == pytest.approx(21)
    # #767676 is the lightest grey that reads at 4.5:1 on white; #777777 just misses.
    assert ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert ratio("#777777", "#FFFFFF") < 4.5


def test_text_on_the_band_is_white_on_dark_and_black_on_light():
    assert colours.band_colours("#1f4e9c").text == colours.WHITE
    assert colours.band_colours("FFD966").text == colours.BLACK


def test_every_palette_colour_reads_in_colour_and_in_grey():
    assert len(set(colours.PALETTE)) == len(colours.PALETTE)
    for colour in colours.PALETTE:
        band = colours.band_colours(colour)
        assert band.in_colour >= 4.5 and band.in_grey >= 4.5, band


def test_pure_red_is_refused_because_it_prints_as_a_mid_grey():
    band = colours.band_colours("#FF0000")
    # Black reads on red in colour, but red prints as a dark grey black text is lost on.
    assert ratio("#FF0000", "#000000") > 4.5
    assert not band.legible
    with pytest.raises(ValidationError) as refused:
        colours.checked("#ff0000")
    assert "printed in grey" in refused.value.message
    assert "darker or a lighter" in refused.value.message


@pytest.mark.parametrize("raw", ["", "red", "#12345", "#GGGGGG", "#1234567"])
def test_only_six_hex_digits_are_a_colour(raw):
    with pytest.raises(ValidationError):
        colours.checked(raw)


@given(hex_colours)
def test_any_colour_reads_at_4_5_to_1_in_colour_with_the_chosen_text(colour):
    # The better of white and black always reaches 4.5:1 (the worst case is 4.58:1), so only
    # the grey print can make a colour unusable.
    band = colours.band_colours(colour)
    assert max(ratio(colour, colours.WHITE), ratio(colour, colours.BLACK)) >= 4.58 - 1e-9
    if band.legible:
        assert colours.checked(colour) == colour
    else:
        with pytest.raises(ValidationError):
            colours.checked(colour)


def test_new_networks_take_the_first_unused_palette_colour():
    assert colours.default_colour([]) == colours.PALETTE[0]
    assert colours.default_colour([colours.PALETTE[0].lower()]) == colours.PALETTE[1]
    assert colours.default_colour(list(colours.PALETTE)) == colours.PALETTE[0]
