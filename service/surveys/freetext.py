"""Free-text answers without contact details: masked before they are stored, and again shown."""

from __future__ import annotations

import re

from service.log import mask_numbers

# Deliberately broad: an anonymous answer loses a false positive, never keeps an address.
_EMAIL = re.compile(r"[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]+")
EMAIL_MASK = "[e-mail]"


def masked(text: str) -> str:
    """The text with e-mail addresses and phone numbers replaced by placeholders."""
    return mask_numbers(_EMAIL.sub(EMAIL_MASK, text))
