"""The subject access export as a readable PDF, set in the noticeboard packs' Noto fonts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.platypus import Flowable, SimpleDocTemplate, Spacer

from print_templates.style import Look
from print_templates.text import para
from service import languages
from service.contacts.phone import display
from service.formatting import when

# Section titles, in the order the PDF reads; the keys are those of operations.subject_access.
SECTIONS = (
    ("memberships", "Networks you belong to"),
    ("rsvps", "Events you said you would go to"),
    ("texts_sent", "Texts we sent you, or were about to"),
    ("texts_received", "Texts you sent us"),
    ("callback_requests", "Call-backs you asked for"),
    ("calls", "Your calls to the phone line"),
    ("codes", "Codes we texted you (kiosk and web)"),
)
# Plain words for the fields a reader meets; anything else shows its key with spaces.
LABELS = {
    "opted_out_at": "Texts stopped (STOP)",
    "unusable_at": "Number cannot take texts since",
    "first_seen_at": "First contact",
    "last_seen_at": "Last contact",
    "discreet": "Sensitive networks not named in texts",
    "not_sent_because": "Not sent because",
    "understood_as": "Understood as",
    "voicemail_held_at_twilio": "Voicemail held at Twilio",
    "consent_wording_version": "Consent wording",
}
# The packs' clear print (14 pt body, sans serif): the person may well read it on paper.
LOOK = Look()
DATE_STYLE = "d MMMM yyyy, HH:mm"


def _label(key: str) -> str:
    return LABELS.get(key, key.replace("_", " ").capitalize())


def _value(key: str, value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key == "language" and value in languages.BY_CODE:
        return languages.BY_CODE[value].english_name
    if isinstance(value, str) and key.endswith(("_at", "_start")):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        return when(moment.astimezone(zone), "en", style=DATE_STYLE)
    if isinstance(value, dict):
        return "; ".join(f"{_label(k)}: {_value(k, v, zone)}" for k, v in value.items())
    if isinstance(value, list):
        return " / ".join(str(v) for v in value) or "—"
    return str(value)


def _record(item: dict[str, Any], zone: ZoneInfo, language: str) -> list[Flowable]:
    # Message bodies and replies are in the member's language: set in that script's font.
    out = []
    for key, value in item.items():
        if key in {"body", "replies"} and value:
            out.append(para(f"{_label(key)}:", LOOK.style("strong", "en"), "en"))
            for text in value if isinstance(value, list) else [value]:
                out.append(para(text, LOOK.style("body", language), language))
            continue
        out.append(
            para(f"{_label(key)}: {_value(key, value, zone)}", LOOK.style("body", "en"), "en")
        )
    out.append(Spacer(1, LOOK.body * 0.6))
    return out


def build_pdf(export: dict[str, Any], zone: ZoneInfo) -> bytes:
    """The export (from operations.subject_access) as a PDF a person can read."""
    contact = export["contact"]
    language = contact["language"]
    heading = LOOK.style("heading", "en")
    body = LOOK.style("body", "en")
    prepared = when(
        dt.datetime.fromisoformat(export["prepared_at"]).astimezone(zone),
        "en",
        style=DATE_STYLE,
    )
    story: list[Flowable] = [
        para(
            f"What {export['organisation']} holds about {display(contact['phone'])}",
            LOOK.style("title", "en"),
            "en",
        ),
        para(f"Prepared on {prepared}. Times are local ({zone.key}).", body, "en"),
        para("Your number and settings", heading, "en"),
        *_record({k: v for k, v in contact.items() if k != "phone"}, zone, language),
    ]
    for key, title in SECTIONS:
        items = export[key]
        story.append(para(f"{title} ({len(items)})", heading, "en"))
        if not items:
            story.append(para("None.", body, "en"))
        for item in items:
            story += _record(item, zone, item.get("language") or language)
    if export["conversation"]:
        story.append(para("Where our text conversation stands", heading, "en"))
        story += _record(export["conversation"], zone, language)
    story.append(para("Not included", heading, "en"))
    story += [para(text, body, "en") for text in export["not_included"]]
    buffer = io.BytesIO()
    margin = LOOK.margin
    SimpleDocTemplate(
        buffer,
        pagesize=LOOK.page,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin,
        title="Subject access export",
        # The PDF's own metadata must not carry the number: it shows in file browsers.
        author=export["organisation"],
    ).build(story)
    return buffer.getvalue()
