"""TwiML as text: twilio's classes build the document, and this writes it out.

str(response) runs ElementTree.tostring, which maps namespaces over the whole tree and encodes
through a text wrapper: for a menu of ten spoken lines that was a tenth of a phone step's CPU.
A TwiML tree has no namespaces, comments or processing instructions, so writing its elements
directly gives the same characters (tests/voice/test_twiml.py holds it to str()) in a fraction
of the time.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element

from twilio.twiml import TwiML

DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'
# ElementTree's escapes (its _escape_cdata and _escape_attrib), in its order: & first.
_IN_TEXT = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_IN_ATTRIBUTE = (*_IN_TEXT, ('"', "&quot;"), ("\r", "&#13;"), ("\n", "&#10;"), ("\t", "&#09;"))


def render(response: TwiML) -> str:
    """The document exactly as str(response) writes it, declaration first."""
    parts = [DECLARATION]
    _write(response.xml(), parts.append)
    return "".join(parts)


def _write(element: Element, write: Callable[[str], object]) -> None:
    write("<" + element.tag)
    # In the order twilio set them (sorted by name), as ElementTree keeps them.
    for name, value in element.items():
        write(f' {name}="{_escaped(value, _IN_ATTRIBUTE)}"')
    if element.text or len(element):
        write(">")
        if element.text:
            write(_escaped(element.text, _IN_TEXT))
        for child in element:
            _write(child, write)
        write(f"</{element.tag}>")
    else:
        write(" />")
    if element.tail:
        write(_escaped(element.tail, _IN_TEXT))


def _escaped(text: str, replacements: tuple[tuple[str, str], ...]) -> str:
    # Most values need nothing: looking costs less than replacing (as in ElementTree).
    for char, entity in replacements:
        if char in text:
            text = text.replace(char, entity)
    return text
