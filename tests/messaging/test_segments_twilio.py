"""The segment counter against Twilio's own calculator (npm sms-segments-calculator).

Every catalog string, and texts generated around the GSM-7 and UCS-2 boundaries with the
emoji leads actually type (flags, skin tones, ZWJ sequences), must count the same in both.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from service.messaging.segments import count

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("twilio_segments.js")
CALCULATOR = PROJECT_ROOT / "node_modules" / "sms-segments-calculator"

# What people paste into a broadcast: several code points that read as one character.
CLUSTERS = (
    "🏳️‍🌈",  # rainbow flag: white flag, VS16, ZWJ, rainbow
    "🏳️‍⚧️",  # transgender flag
    "🇬🇧",  # a flag: two regional indicators
    "🇵🇱",
    "👍🏽",  # skin tone modifier
    "👨‍👩‍👧‍👦",  # family: a ZWJ sequence of four
    "❤️",  # heart with VS16
    "🙂",  # one astral code point
    "é",  # e + combining acute
    "ਖ਼",  # Gurmukhi with its nukta
    "ગુ",  # Gujarati consonant + vowel sign
    "\r\n",
)
FILLERS = ("a", "€", "ą", "ے")  # GSM-7, GSM-7 extension, UCS-2 Latin, UCS-2 Arabic script
# Lengths around one part, two parts and the single-segment limits of both encodings.
BOUNDARIES = (*range(64, 72), *range(131, 136), *range(150, 162), *range(199, 203), 305, 306, 307)


def catalog_texts() -> list[str]:
    """Every msgid and translation in the seven catalogs."""
    texts: set[str] = set()
    for po in sorted((PROJECT_ROOT / "locales").glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as handle:
            for message in read_po(handle):
                for value in (message.id, message.string):
                    values = value if isinstance(value, tuple) else (value,)
                    texts.update(v for v in values if v)
    return sorted(texts)


def boundary_texts() -> list[str]:
    """Texts whose last cluster lands on, just before or just after each part boundary."""
    texts = []
    for filler in FILLERS:
        for length in BOUNDARIES:
            base = filler * length
            texts.append(base)
            for cluster in CLUSTERS:
                texts.append(base + cluster)
                texts.append(base[: length // 2] + cluster + base[length // 2 :])
                texts.append(cluster + base)
                texts.append(base + cluster * 3)
    return texts


def twilio_counts(texts: list[str]) -> list[tuple[str, int]]:
    """[encoding, segments] for each text, from Twilio's calculator run in Node."""
    done = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
        # A few seconds on a quiet machine; a loaded one (the clock matrix beside other work)
        # took over two minutes. The limit is there to catch a hung Node, not a slow one.
        timeout=900,
    )
    return [tuple(pair) for pair in json.loads(done.stdout)]


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_every_text_counts_as_twilios_calculator_counts_it() -> None:
    assert CALCULATOR.exists(), "run `make test-tools` (npm ci) for sms-segments-calculator"
    texts = catalog_texts() + boundary_texts()
    assert len(texts) > 5000
    theirs = twilio_counts(texts)
    differ = [
        (text, (c.encoding, c.segments), expected)
        for text, expected in zip(texts, theirs, strict=True)
        if ((c := count(text)).encoding, c.segments) != expected
    ]
    assert differ == [], f"{len(differ)} of {len(texts)} differ, e.g. {differ[:5]}"


def test_a_rainbow_flag_is_never_split_between_two_parts() -> None:
    # 66 letters and the flag (6 code units) make 72 units: two parts, and the flag, which
    # would straddle the 67-unit boundary, moves whole into the second.
    text = "ą" * 66 + "🏳️‍🌈"
    assert count(text).units == 72
    assert count(text).segments == 2
    # 133 letters then the flag: the old per-code-unit packing fitted 134 units in two parts.
    text = "ą" * 131 + "🏳️‍🌈"
    assert count(text).segments == 3
