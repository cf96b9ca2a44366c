"""A network's colour: the band across its poster, legible in colour and on a mono printer.

Text on the band is white or black, whichever reads better; a colour is accepted only when that
text keeps a WCAG contrast of at least 4.5:1 both on the colour itself and on the grey a
greyscale printer turns it into. Every sRGB colour reaches 4.5:1 against white or black, but
not always in grey: pure red (#FF0000) needs black text in colour (5.3:1) yet prints as a dark
grey on which black text reads at 2.5:1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from service.errors import ValidationError

MIN_CONTRAST = 4.5
WHITE = "#FFFFFF"
BLACK = "#000000"
# Dark and light colours that each pass both checks with room to spare, different enough in
# hue to tell apart across a noticeboard, and alternating dark and light so neighbouring
# networks also differ in grey.
PALETTE = (
    "#1F4E9C",  # blue
    "#F2B632",  # amber
    "#00695C",  # teal
    "#7FC8F8",  # sky
    "#7B1FA2",  # purple
    "#F59BBF",  # pink
    "#B3261E",  # red
    "#9CCC65",  # green
    "#4E342E",  # brown
    "#FFD966",  # yellow
)
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")


def normalise(raw: str) -> str:
    """'#1f4e9c', '1F4E9C' -> '#1F4E9C'; anything else is refused."""
    found = _HEX.fullmatch((raw or "").strip())
    if not found:
        raise ValidationError("colour", "give a colour as # and six hex digits, e.g. #1F4E9C")
    return f"#{found.group(1).upper()}"


def _channels(colour: str) -> tuple[int, int, int]:
    value = normalise(colour)
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance (0 black to 1 white)."""
    r, g, b = (_linear(c) for c in _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def grey(colour: str) -> int:
    """The grey level (0-255) a greyscale print gives the colour (ITU-R 601 luma)."""
    # The weighting PIL's "L" conversion and most printer drivers use, on the encoded values.
    r, g, b = _channels(colour)
    return round((r * 299 + g * 587 + b * 114) / 1000)


def grey_luminance(colour: str) -> float:
    """The relative luminance of the colour once printed in grey."""
    return _linear(grey(colour))


def contrast(first: float, second: float) -> float:
    """WCAG contrast ratio between two relative luminances."""
    light, dark = max(first, second), min(first, second)
    return (light + 0.05) / (dark + 0.05)


@dataclass(frozen=True)
class BandColours:
    """A band's colour, the text colour on it, and the contrast in colour and in grey."""

    band: str
    text: str
    in_colour: float
    in_grey: float

    @property
    def legible(self) -> bool:
        """True when text on the band reads at 4.5:1 or more both in colour and in grey."""
        return min(self.in_colour, self.in_grey) >= MIN_CONTRAST


def band_colours(colour: str) -> BandColours:
    """White or black text on the band: whichever has the better worst case (colour, grey)."""
    band = normalise(colour)
    options = [
        BandColours(
            band,
            text,
            contrast(luminance(band), luminance(text)),
            contrast(grey_luminance(band), luminance(text)),
        )
        for text in (WHITE, BLACK)
    ]
    return max(options, key=lambda o: min(o.in_colour, o.in_grey))


def checked(colour: str) -> str:
    """The colour, normalised, if poster text on it stays legible in colour and in grey."""
    found = band_colours(colour)
    if not found.legible:
        raise ValidationError(
            "colour",
            f"{found.band} is too mid-toned for poster text: "
            f"{'white' if found.text == WHITE else 'black'} text on it reads at "
            f"{found.in_colour:.1f}:1 in colour and {found.in_grey:.1f}:1 printed in grey "
            f"(at least {MIN_CONTRAST}:1 is needed); choose a darker or a lighter shade",
        )
    return found.band


def default_colour(taken: list[str] | tuple[str, ...]) -> str:
    """The first palette colour no other network has yet (the palette repeats when all are)."""
    used = [normalise(c) for c in taken if c]
    for colour in PALETTE:
        if colour not in used:
            return colour
    return PALETTE[len(used) % len(PALETTE)]
