"""How many SMS segments a text is sent as, counted exactly the way the carrier splits it.

A text made only of GSM 03.38 characters goes as GSM-7: 160 septets in a single segment, 153 in
each part of a concatenated message (the rest of each part is the concatenation header). The
extension-table characters cost two septets (escape + character) and an escape pair is never
split across parts, so a part may carry only 152. One character outside GSM 03.38 sends the
whole text as UCS-2: 70 UTF-16 code units in a single segment, 67 per part.

Nothing a reader sees as one character is split between two parts: text is packed by grapheme
cluster (a flag, an emoji with a skin tone, a ZWJ sequence such as the rainbow flag, a letter
with its combining marks), as Twilio's own segment calculator does. Its one exception is kept
too: CR LF counts as two characters, not one cluster.

National language shift tables are not used (Twilio does not use them), and no character is
ever replaced: "smart" substitution of curly quotes and the like is out of scope here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import regex

GSM7: Final = "GSM-7"
UCS2: Final = "UCS-2"

# The GSM 03.38 basic table in code order, 16 to a row. 0x1B is the escape to the extension
# table, not a character, and so is left out of the second row.
_BASIC_ROWS: Final = (
    "@£$¥èéùìòÇ\nØø\rÅå",  # 0x00
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ",  # 0x10 (0x1B, escape, omitted)
    " !\"#¤%&'()*+,-./",  # 0x20
    "0123456789:;<=>?",  # 0x30
    "¡ABCDEFGHIJKLMNO",  # 0x40
    "PQRSTUVWXYZÄÖÑÜ§",  # 0x50
    "¿abcdefghijklmno",  # 0x60
    "pqrstuvwxyzäöñüà",  # 0x70
)
GSM7_BASIC: Final = frozenset("".join(_BASIC_ROWS))
# The extension table: each costs the escape septet plus its own.
GSM7_EXTENSION: Final = frozenset("\x0c^{}\\[~]|€")
_GSM7: Final = GSM7_BASIC | GSM7_EXTENSION

_SINGLE: Final = {GSM7: 160, UCS2: 70}
_PART: Final = {GSM7: 153, UCS2: 67}


@dataclass(frozen=True)
class SegmentCount:
    """How a text goes out: its encoding, its size in that encoding and its number of segments."""

    encoding: str  # GSM7 or UCS2
    units: int  # septets (an extension character counts 2) or UTF-16 code units
    segments: int  # how many SMS segments the text is sent as; an empty text is 1
    characters: int  # len(text)


def is_gsm7(text: str) -> bool:
    """Whether every character of the text is in the GSM 03.38 basic or extension table."""
    return all(char in _GSM7 for char in text)


# Extended grapheme clusters (Unicode's rules, from the maintained `regex` module).
_CLUSTER: Final = regex.compile(r"\X")


def _gsm7_cost(char: str) -> int:
    return 2 if char in GSM7_EXTENSION else 1


def _ucs2_cost(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def clusters(text: str) -> list[str]:
    """The text's user-perceived characters, with CR LF as two (as Twilio's calculator has it)."""
    found: list[str] = []
    for cluster in _CLUSTER.findall(text):
        found.extend(("\r", "\n") if cluster == "\r\n" else (cluster,))
    return found


def _parts(costs: list[int], capacity: int) -> int:
    """The number of parts when clusters are packed in order, none split between two."""
    parts, used = 1, 0
    for cost in costs:
        if used + cost > capacity and used:
            parts += 1
            used = 0
        # A cluster longer than a whole part (a very long ZWJ run) must be split after all.
        while used + cost > capacity:
            parts += 1
            cost -= capacity
        used += cost
    return parts


def _gsm7_parts(text: str, units: int) -> int:
    """Parts of a long GSM-7 text; every character is its own cluster, bar CR LF (two anyway)."""
    if units == len(text):  # no escape pairs: nothing can leave a septet unused
        return -(-units // _PART[GSM7])
    return _parts([_gsm7_cost(char) for char in text], _PART[GSM7])


def count(text: str) -> SegmentCount:
    """The encoding, size and number of SMS segments a text is sent as."""
    # Called for every candidate reply and every prefix of a list, so the sizes are taken in C
    # (set and str methods) and clusters are only found when they can change the count.
    if _GSM7.issuperset(text):
        # No GSM 03.38 character joins another into one cluster (CR LF counts as two anyway),
        # so the text packs character by character.
        units = len(text) + sum(text.count(char) for char in GSM7_EXTENSION)
        segments = 1 if units <= _SINGLE[GSM7] else _gsm7_parts(text, units)
        return SegmentCount(encoding=GSM7, units=units, segments=segments, characters=len(text))
    units = len(text.encode("utf-16-le", "surrogatepass")) // 2
    if units <= _SINGLE[UCS2]:
        segments = 1
    else:
        costs = [sum(_ucs2_cost(char) for char in cluster) for cluster in clusters(text)]
        segments = _parts(costs, _PART[UCS2])
    return SegmentCount(encoding=UCS2, units=units, segments=segments, characters=len(text))


def fits(text: str, max_segments: int) -> bool:
    """Whether the text goes out in at most max_segments segments."""
    return count(text).segments <= max_segments


def max_units(encoding: str, segments: int) -> int:
    """The most units that number of segments can carry, ignoring pairs that cannot straddle."""
    if encoding not in _SINGLE:
        raise ValueError(f"unknown SMS encoding {encoding!r}; expected {GSM7!r} or {UCS2!r}")
    if segments < 1:
        raise ValueError(f"a message is at least one segment, not {segments}")
    return _SINGLE[encoding] if segments == 1 else segments * _PART[encoding]
