"""Posters measured from their rendered pixels: white space, and the colour band's contrast."""

from __future__ import annotations

import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageFilter

from service.content.colours import contrast

# A point is white space when no ink lies within this distance of it: a blank patch at least
# 1 cm across, about a line and a half of body text. Gaps narrower than that are the ordinary
# spacing between lines, words and paragraphs, which a reader sees as part of the text.
WHITE_SPACE_RADIUS_MM = 5
# Paper-white: what a printer leaves unprinted (a light tint of a colour is darker than this).
NEAR_WHITE = 240


def white_space_share(png: Path, dpi: int) -> float:
    """The share of the page's pixels that are white space (no ink within 5 mm)."""
    image = Image.open(png).convert("L")
    radius = round(WHITE_SPACE_RADIUS_MM * dpi / 25.4)
    # A minimum filter spreads every dark pixel over the square around it.
    spread = image.filter(ImageFilter.MinFilter(2 * radius + 1))
    histogram = spread.histogram()
    return sum(histogram[NEAR_WHITE:]) / sum(histogram)


def _linear(level: float) -> float:
    c = level / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(rgb: tuple[int, int, int]) -> float:
    r, g, b = (_linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@dataclass(frozen=True)
class BandSeen:
    """A poster's band as rendered: its colour, its text's colour and their contrast."""

    band: tuple[int, int, int]
    text: tuple[int, int, int]
    text_pixels: int
    in_colour: float
    in_grey: float


def render_bands(pdf: Path, folder: Path, pages: list[int], dpi: int = 150) -> dict[int, Path]:
    """The top 90 mm of each page (where a poster's band is) as a colour PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for page in pages:
        stem = folder / f"band-{page:03d}"
        crop = ["-x", "0", "-y", "0", "-W", str(round(210 / 25.4 * dpi))]
        crop += ["-H", str(round(90 / 25.4 * dpi))]
        pick = ["-singlefile", "-f", str(page), "-l", str(page)]
        subprocess.run(
            ["pdftoppm", "-r", str(dpi), "-png", *pick, *crop, str(pdf), str(stem)], check=True
        )
        found[page] = stem.with_suffix(".png")
    return found


def band_seen(png: Path, dpi: int = 150) -> BandSeen:
    """Read a band back: its colour at the page's left edge, its text where pixels differ.

    The band runs to the page's edges while text keeps a 10 mm margin, so the column 5 mm in
    shows where the band ends. Contrast in grey is measured on the PNG converted to greyscale
    (PIL's luma, as a mono printer driver converts), text against band.
    """
    image = Image.open(png).convert("RGB")
    edge = round(5 * dpi / 25.4)
    band = image.getpixel((edge, edge))
    bottom = next(
        (y for y in range(edge, image.height) if image.getpixel((edge, y)) != band), image.height
    )
    region = image.crop((0, 0, image.width, bottom))
    grey_region = region.convert("L")
    band_grey = grey_region.getpixel((edge, edge))
    raw = region.tobytes()
    colours = [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]
    greys = list(grey_region.tobytes())
    # Text: pixels clearly apart from the band. Anti-aliased edges sit between the two, so the
    # text's own level is taken where most of its pixels are, the farthest tenth from the band.
    text = [(c, g) for c, g in zip(colours, greys, strict=True) if abs(g - band_grey) > 40]
    if not text:
        return BandSeen(band, band, 0, 1.0, 1.0)
    text.sort(key=lambda pair: abs(pair[1] - band_grey))
    core = text[int(len(text) * 0.9) :]
    text_grey = sorted(g for _c, g in core)[len(core) // 2]
    text_colour = Counter(c for c, _g in core).most_common(1)[0][0]
    return BandSeen(
        band=band,
        text=text_colour,
        text_pixels=len(text),
        in_colour=contrast(_luminance(band), _luminance(text_colour)),
        in_grey=contrast(_linear(band_grey), _linear(text_grey)),
    )
