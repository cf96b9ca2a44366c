"""Subject access: everything held about a number, as JSON and as a PDF a person can read."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from service.contacts.operations import find_contact
from service.db import utcnow
from service.outbox.operations import send_to_contact
from service.privacy.operations import subject_access
from tests.support.privacy import ask_at_kiosk, use_phone_and_text

NUMBER, NATIONAL, RECORDING = "+447400111222", "07400 111222", "RE" + "c" * 32
URDU = "آپ کی میٹنگ جمعہ کو ہے"


def seed(client, session, demo):
    """One person on every channel, with one text in Urdu waiting to go."""
    use_phone_and_text(client, NUMBER, recording=RECORDING)
    ask_at_kiosk(client, session, NATIONAL, "e" * 40)
    contact = find_contact(session, demo.id, NUMBER)
    send_to_contact(
        session, contact.id, demo.id, URDU, kind="self", dedupe_key="urdu", language="ur"
    )
    session.flush()
    return contact


def test_the_export_holds_everything_about_the_number(client, session, demo):
    contact = seed(client, session, demo)
    export = subject_access(session, contact, utcnow())
    json.dumps(export)  # plain values only
    assert export["contact"]["phone"] == NUMBER
    assert export["contact"]["language"] == "en"
    networks = {m["network"]: m for m in export["memberships"]}
    assert set(networks) == {"Carers Network", "Minds Matter"}
    minds = networks["Minds Matter"]
    assert minds["sensitive"] is True
    assert minds["consent"]["wording_version"] and minds["consent"]["channel"] == "sms"
    assert networks["Carers Network"]["consent"] is None
    assert len(export["rsvps"]) == 1 and export["rsvps"][0]["channel"] == "sms"
    bodies = [m["body"] for m in export["texts_sent"]]
    assert URDU in bodies
    assert any("code" in b.lower() for b in bodies)  # the kiosk's code, decrypted
    received = [m["body"] for m in export["texts_received"]]
    assert received[:3] == ["HELLO", "JOIN CARERS", "JOIN MINDS"]
    assert all(m["replies"] for m in export["texts_received"])
    requests = export["callback_requests"]
    assert len(requests) == 2
    assert [r["voicemail_seconds"] for r in requests] == [None, 12]
    assert export["calls"][0]["status"] == "completed"
    assert export["codes"][0]["action"] == "join" and export["codes"][0]["channel"] == "kiosk"
    assert export["conversation"]["offered_list"] == "networks"
    assert "Twilio" in export["not_included"][1]


def test_the_console_downloads_json_and_a_readable_pdf(client, session, demo, console, managers):
    contact = seed(client, session, demo)
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    page = console.post("/console/privacy", {"phone": NATIONAL}).get_data(as_text=True)
    assert f"/console/privacy/{contact.id}/export.pdf" in page

    as_json = console.post(
        f"/console/privacy/{contact.id}/export.json", {}, token_from="/console/privacy"
    )
    assert as_json.mimetype == "application/json"
    disposition = as_json.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "111222" not in disposition
    assert as_json.headers["Cache-Control"] == "no-store"
    assert as_json.get_json()["contact"]["phone"] == NUMBER

    as_pdf = console.post(
        f"/console/privacy/{contact.id}/export.pdf", {}, token_from="/console/privacy"
    )
    assert as_pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(as_pdf.get_data()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "What Northgate" in text and "07400 111222" in text
    for words in (
        "Networks you belong to (2)",
        "Minds Matter",
        "Consent",
        "Texts you sent us",
        "JOIN CARERS",
        "Call-backs you asked for (2)",
        "Voicemail seconds: 12",
        "Not included",
    ):
        assert words in text, words
    assert "111222" not in (reader.metadata.title or "") + (reader.metadata.author or "")
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("NotoNastaliqUrdu" in f for f in fonts), fonts  # the Urdu text, in its own font
