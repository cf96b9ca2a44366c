"""One rule for showing a phone number on a screen, in Python and in the kiosk's JavaScript."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from service.contacts.phone import masked

FRONTLINE_JS = Path(__file__).resolve().parent.parent / "kiosk" / "static" / "frontline.js"
NUMBERS = [
    "+447400123456",
    "07400123456",
    "07400 123456",
    "+44 (0)7400 123-456",
    "+33612345678",
    "0113 496 0000",
    "447400123456",
    "0740",
    "12",
    "",
    "+",
    # Digits of other scripts are not what the pad types: neither masker counts them.
    "07400 123 45٦",
    "٠٧٤٠٠١٢٣٤٥٦",
]


def _mixed(rng: random.Random) -> str:
    alphabet = "0123456789 +-()•٠١٢abc\u00a0"
    return "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 20)))


def _in_node(numbers: list[str]) -> list[str]:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: the Makefile's test-tools install it")
    script = (
        "const { maskNumber } = require(process.argv[1]);"
        "const numbers = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(numbers.map(maskNumber)));"
    )
    done = subprocess.run(
        [node, "-e", script, str(FRONTLINE_JS)],
        input=json.dumps(numbers),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_the_kiosk_script_masks_every_number_as_the_service_does() -> None:
    rng = random.Random(18)
    numbers = NUMBERS + [_mixed(rng) for _ in range(500)]
    assert _in_node(numbers) == [masked(n) for n in numbers]


def test_a_shown_number_keeps_only_its_last_three_digits_and_hides_its_length() -> None:
    assert masked("+447400123456") == "•••• ••• 456"
    # The same person's number looks the same however it was written.
    assert masked("07400 123456") == masked("+447400123456")
    # A longer or shorter number looks no different, bar its last three digits.
    assert masked("+33612345678") == "•••• ••• 678"
    assert masked("+4474001234567") == "•••• ••• 567"
