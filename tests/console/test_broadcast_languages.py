"""A broadcast's untranslated languages: flagged with their cost, sent in English or held for
their text (and released when it is added), edited without losing a word, counted in plurals."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.broadcasts.models import Broadcast
from service.contacts.models import Contact
from service.db import utcnow
from service.outbox.models import OutboundMessage
from tests.support.console import page_text
from tests.support.fake_twilio import config_at_fake
from tests.support.outbox import SENDER, Worker, minds_audience

config = config_at_fake(TWILIO_FROM_NUMBER=SENDER, SMS_SEND_RATE=0, MAX_DAILY_TEXTS=1000)

BODY = "Cuppa is in the yard on Friday."
POLISH = "Herbatka jest na podwórku w piątek."
URDU = "جمعہ کو صحن میں چائے ہے۔"


@pytest.fixture
def members(session, demo):
    """Minds Matter: three English members (one discreet), two Polish, one Urdu."""
    minds, made = minds_audience(session, demo)
    session.flush()
    return {"minds": minds, "contacts": made}


def _draft(console, managers, members, **fields):
    console.sign_in(managers["network_lead"].email, managers["network_lead"].totp_secret)
    form = {
        "body": BODY,
        "audience": "networks",
        "site": "0",
        "networks": [str(members["minds"].id)],
        "body_pl": POLISH,
        "urgent": "y",
        **fields,
    }
    made = console.post("/console/broadcasts/new", form)
    assert made.status_code == 302, page_text(made)[:400]
    path = made.headers["Location"].replace("http://localhost", "")
    return path, int(path.rsplit("/", 1)[1])


def _rows_by_language(session, broadcast_id):
    rows = session.scalars(
        select(OutboundMessage).where(OutboundMessage.broadcast_id == broadcast_id)
    ).all()
    found: dict[str, int] = {}
    for row in rows:
        language = session.get_one(Contact, row.contact_id).language
        found[language] = found.get(language, 0) + 1
    return found


def _audit(session, action):
    return session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
    ).first()


def test_urdu_is_flagged_with_its_cost_and_holding_it_sends_nothing_to_urdu_members(
    console, managers, members, session, app, queued, fake
):
    path, broadcast_id = _draft(console, managers, members)
    shown = page_text(console.get(path))
    # Urdu has members and no text: flagged, with the cost of sending it the English.
    assert "No translation" in shown
    assert "Urdu 1 person: 1 SMS segment in English, about £0.04" in shown
    assert "Recipients: 6 people. Cost: 6 SMS segments" in shown

    # Hold Urdu and update the totals: one fewer person, and the wait is said plainly.
    held = console.post(
        f"/console/broadcasts/{broadcast_id}/languages",
        {"untranslated-ur": "hold"},
        token_from=path,
    )
    assert held.status_code == 302
    shown = page_text(console.get(path))
    assert "Recipients: 5 people. Cost: 5 SMS segments" in shown
    assert "Urdu: 1 person waits for the text in their language." in shown
    assert "Send to 5 people now" in shown
    assert "Urdu Held: sent nothing yet 1" in shown  # the Urdu row says so too

    sent = console.post(
        f"/console/broadcasts/{broadcast_id}/send", {"untranslated-ur": "hold"}, token_from=path
    )
    assert sent.status_code == 302
    assert Worker(app, queued).run() == 5
    assert _rows_by_language(session, broadcast_id) == {"en": 3, "pl": 2}
    urdu_member = members["contacts"][5]
    assert not session.scalars(
        select(OutboundMessage).where(OutboundMessage.contact_id == urdu_member.id)
    ).all()
    entry = _audit(session, "broadcast.send")
    # Send records the lead's choices; the worker counted who it reaches.
    assert entry.detail["held"] == ["ur"] and "recipients" not in entry.detail
    assert session.get_one(Broadcast, broadcast_id).recipients == 5

    # The sent broadcast's page says who waits, and adding the Urdu text sends it to them only.
    shown = page_text(console.get(path))
    assert "Held until translated" in shown
    assert "Urdu: 1 person waits for the text in their language." in shown
    released = console.post(
        f"/console/broadcasts/{broadcast_id}/release",
        {"language": "ur", "text": URDU},
        token_from=path,
    )
    assert released.status_code == 302
    assert Worker(app, queued).run() == 1
    assert _rows_by_language(session, broadcast_id) == {"en": 3, "pl": 2, "ur": 1}
    # In Urdu, after the network's Urdu name, to the Urdu member only.
    assert [m["Body"] for m in fake.sent if URDU in m["Body"]] == [f"ذہنی صحت اہم ہے: {URDU}"]
    assert len(fake.sent) == 6  # nobody got it twice
    entry = _audit(session, "broadcast.release")
    assert entry.detail == {"id": broadcast_id, "language": "ur", "people": 1}
    assert "Held until translated" not in page_text(console.get(path))


def test_sending_english_to_an_untranslated_language_reaches_its_members_in_english(
    console, managers, members, session, app, queued, fake
):
    path, broadcast_id = _draft(console, managers, members)
    console.post(
        f"/console/broadcasts/{broadcast_id}/send",
        {"untranslated-ur": "english"},
        token_from=path,
    )
    assert Worker(app, queued).run() == 6
    assert _rows_by_language(session, broadcast_id) == {"en": 3, "pl": 2, "ur": 1}
    urdu_member = members["contacts"][5]
    row = session.scalar(
        select(OutboundMessage).where(OutboundMessage.contact_id == urdu_member.id)
    )
    assert row.language == "ur"
    urdu_texts = [m["Body"] for m in fake.sent if m["Body"].endswith(BODY)]
    assert len(urdu_texts) == 4  # three English members and the Urdu one, all in English
    assert _audit(session, "broadcast.send").detail["english"] == ["ur"]
    assert session.get(Broadcast, broadcast_id).held_languages is None
    # Sent: Edit no longer opens the form; the lead is told why, on the broadcast's page.
    edit = console.get(f"/console/broadcasts/{broadcast_id}/edit")
    assert edit.status_code == 302 and edit.headers["Location"].endswith(path)
    assert "Only a draft can be edited." in page_text(console.get(path))


def test_edit_returns_to_the_form_with_every_language_kept(console, managers, members, session):
    # A month after the suite's day: a fixed date is in the past (and refused) on later runs.
    later = f"{utcnow().date() + dt.timedelta(days=30):%Y-%m-%d}T09:00"
    path, broadcast_id = _draft(console, managers, members, body_ur=URDU, scheduled_for=later)
    form = console.get(f"/console/broadcasts/{broadcast_id}/edit")
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    # Everything typed is back: English, Polish, Urdu, the audience, urgency and the time.
    assert BODY in html and POLISH in html and URDU in html
    checked = re.findall(r"<input[^>]*checked[^>]*>", html)
    assert any(f'value="{members["minds"].id}"' in tag for tag in checked)
    assert any('name="urgent"' in tag for tag in checked)
    assert f'value="{later}"' in html

    # Changing Polish and clearing Urdu is what the preview then shows.
    changed = console.post(
        f"/console/broadcasts/{broadcast_id}/edit",
        {
            "body": BODY,
            "audience": "networks",
            "site": "0",
            "networks": [str(members["minds"].id)],
            "body_pl": "Herbata w piątek.",
            "body_ur": "",
            "scheduled_for": later,
        },
        token_from=f"/console/broadcasts/{broadcast_id}/edit",
    )
    assert changed.status_code == 302
    assert changed.headers["Location"].endswith(path)
    shown = page_text(console.get(path))
    assert "Herbata w piątek." in shown and POLISH not in shown and URDU not in shown
    assert "No translation" in shown
    assert session.get(Broadcast, broadcast_id).urgent is False
    assert _audit(session, "broadcast.edit") is not None


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["1 SMS segment", "6 SMS segments", "1 person", "6 people"]),
        # Polish and Romanian have three forms: 1, a few, many.
        ("pl", ["1 segment SMS", "6 segmentów SMS", "1 osoba", "6 osób"]),
        ("ro", ["1 segment SMS", "6 segmente SMS", "1 persoană", "6 persoane"]),
        ("ur", ["1 SMS سیگمنٹ", "6 SMS سیگمنٹس", "1 فرد", "6 افراد"]),
        ("pa", ["1 SMS ਹਿੱਸਾ", "6 SMS ਹਿੱਸੇ", "1 ਵਿਅਕਤੀ"]),
        ("gu", ["1 SMS ભાગ", "1 વ્યક્તિ", "6 વ્યક્તિઓ"]),
        ("so", ["1 qayb SMS", "6 qaybood SMS", "1 qof"]),
    ],
)
def test_counts_in_the_preview_take_each_catalogs_plural_forms(
    console, managers, members, language, expected
):
    path, _ = _draft(console, managers, members)
    page = console.get(path, headers={"Accept-Language": language})
    shown = page_text(page)
    for words in expected:
        assert words in shown, words
    # The translated section says which language it is in, and Urdu reads right to left.
    direction = "rtl" if language == "ur" else "ltr"
    assert f'<section aria-labelledby="preview" lang="{language}" dir="{direction}">' in (
        page.get_data(as_text=True)
    )
