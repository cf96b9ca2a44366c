"""Issue 19 item 10: a lead skips one date of a repeating event, and every channel drops it.

Each channel is asked through its real entry point before the skip, after it and after the
undo: signed SMS and voice webhooks, the kiosk's and the public pages, the reminder job, and
the noticeboard pack downloaded from the console and read back with pdftotext.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import subprocess

import pytest
from sqlalchemy import select

from kiosk.content import occurrence_stamp
from service.audit.models import AuditEntry
from service.content import queries
from service.content.models import Event, Network, SkippedDate
from service.db import utcnow
from service.formatting import when
from service.languages import CODES
from service.messaging.replies import CUT, when_short
from service.messaging.segments import count
from service.messaging.vocabulary import COMMANDS
from service.organisations.models import Site
from service.outbox.models import OutboundMessage
from service.rsvps.called_off import called_off_text
from service.rsvps.models import Rsvp
from service.rsvps.reminders import queue_reminders
from tests.support import factories
from tests.support.console import Console, new_manager, page_text
from tests.support.sms import Handset
from tests.support.texts import texts_to
from tests.support.voice import Caller

_numbers = itertools.count(200)


def _number() -> str:
    return f"+4474001{next(_numbers):05d}"


@pytest.fixture
def lead(console, managers):
    """The Minds Matter lead (the network of the Friday cuppa and chat), signed in."""
    console.sign_in(managers["network_lead"].email, managers["network_lead"].totp_secret)
    return console


@pytest.fixture
def cuppa(session, demo) -> Event:
    """The demo's weekly Friday cuppa and chat at Eastfield Depot."""
    return session.scalars(select(Event).where(Event.title == "Cuppa and chat")).one()


def next_two(session, demo, cuppa: Event) -> tuple[queries.Occurrence, queries.Occurrence]:
    """The cuppa's next two occurrences that have not begun."""
    now = utcnow()
    found = queries.upcoming_occurrences(
        session, demo.id, start=now, end=now + dt.timedelta(days=21), language="en"
    )
    ahead = [o for o in found if o.event_id == cuppa.id and o.starts_at > now]
    return ahead[0], ahead[1]


def skip(console: Console, event: Event, day: dt.date, *, undo: bool = False):
    path = f"/console/content/event/{event.id}"
    return console.post(
        f"{path}/{'unskip' if undo else 'skip'}", {"day": day.isoformat()}, token_from=path
    )


# What each channel shows, asked as its user would.


def sms_events(client) -> str:
    return Handset(client, _number()).send("EVENTS MINDS").text


def voice_events(client) -> str:
    call = Caller(client, _number())
    call.dial_in()
    call.press("1")  # English
    call.press("2")  # what's on this week
    return call.spoken()


def kiosk_events(client) -> str:
    return client.get("/kiosk/eastfield-depot/events").get_data(as_text=True)


def public_page(client) -> str:
    return client.get("/o/northgate/n/minds").get_data(as_text=True)


def test_a_skipped_date_leaves_every_channel_and_comes_back_on_undo(
    lead, client, session, demo, cuppa
) -> None:
    skipped, following = next_two(session, demo, cuppa)
    day = skipped.local_start.date()
    kiosk_link = f"/kiosk/eastfield-depot/events/{cuppa.id}/{occurrence_stamp(skipped)}"
    sms_line = f"{when_short(skipped.local_start, 'en')} Cuppa and chat"
    spoken = f"{when(skipped.local_start, 'en')}, Cuppa and chat"
    public = f'datetime="{skipped.starts_at.isoformat()}"'

    def shown() -> dict[str, bool]:
        return {
            "sms": sms_line in sms_events(client),
            "voice": spoken in voice_events(client),
            "kiosk": kiosk_link in kiosk_events(client),
            "kiosk page": client.get(kiosk_link).status_code == 200,
            "public": public in public_page(client),
        }

    everywhere = dict.fromkeys(("sms", "voice", "kiosk", "kiosk page", "public"), True)
    assert shown() == everywhere

    done = skip(lead, cuppa, day)
    assert done.status_code == 302
    page = page_text(lead.get(done.headers["Location"]))
    label = f"{day:%A} {day.day} {day:%B %Y}"
    assert f"Cuppa and chat is off on {label}" in page
    assert shown() == dict.fromkeys(everywhere, False)
    # The week after is untouched.
    assert f"{when_short(following.local_start, 'en')} Cuppa and chat" in sms_events(client)

    undone = skip(lead, cuppa, day, undo=True)
    assert undone.status_code == 302
    assert f"Cuppa and chat is on again on {label}" in page_text(
        lead.get(undone.headers["Location"])
    )
    assert shown() == everywhere

    entries = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action.in_(["event.skip", "event.unskip"]))
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.detail["id"], e.detail["day"]) for e in entries] == [
        ("event.skip", cuppa.id, day.isoformat()),
        ("event.unskip", cuppa.id, day.isoformat()),
    ]
    assert {e.manager_id for e in entries} == {lead_id(session)}


def lead_id(session) -> int:
    from service.managers.models import Manager

    return session.scalar(
        select(Manager.id).where(Manager.email == "network_lead@northgate.example")
    )


def test_going_to_a_date_skipped_since_the_list_was_sent_books_nothing(
    lead, client, session, demo, cuppa
) -> None:
    skipped, _following = next_two(session, demo, cuppa)
    handset = Handset(client, _number())
    listing = handset.send("EVENTS MINDS").text
    line = f"{when_short(skipped.local_start, 'en')} Cuppa and chat"
    number = re.search(rf"(\d+) {re.escape(line)}", listing).group(1)
    skip(lead, cuppa, skipped.local_start.date())
    reply = handset.send(f"GOING {number}").text
    assert "Cuppa and chat" not in reply
    assert session.scalars(select(Rsvp)).all() == []


def test_no_reminder_for_a_skipped_date_and_a_held_one_is_cancelled(
    lead, client, session, demo, cuppa, app
) -> None:
    config = app.config["FRONTLINE"]
    skipped, following = next_two(session, demo, cuppa)
    handset = Handset(client, _number())
    listing = handset.send("EVENTS MINDS").text
    for occurrence in (skipped, following):
        line = f"{when_short(occurrence.local_start, 'en')} Cuppa and chat"
        number = re.search(rf"(\d+) {re.escape(line)}", listing).group(1)
        assert "Cuppa and chat" in handset.send(f"GOING {number}").text
    # The day-before reminder for the skipped date is written and not yet sent...
    assert queue_reminders(session, config, skipped.starts_at - dt.timedelta(hours=24)) == 1
    held = session.scalars(select(OutboundMessage).where(OutboundMessage.kind == "reminder")).one()
    assert held.status == "pending"

    skip(lead, cuppa, skipped.local_start.date())

    session.expire_all()
    assert (held.status, held.skip_reason) == ("cancelled", "date skipped")
    assert queue_reminders(session, config, skipped.starts_at - dt.timedelta(hours=1)) == 0
    # The next week's, which still happens, is reminded as ever.
    assert queue_reminders(session, config, following.starts_at - dt.timedelta(hours=1)) == 1
    audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "event.skip")).one()
    assert audit.detail["reminders_cancelled"] == 1


def test_people_going_are_told_once_in_their_language(lead, client, session, demo, cuppa, vault):
    skipped, following = next_two(session, demo, cuppa)
    going = {}
    for code, language_word, going_word in (("en", "ENGLISH", "GOING"), ("pl", "POLSKI", "IDĘ")):
        handset = Handset(client, _number())
        handset.send(language_word)
        stamp = when_short(skipped.local_start, code)
        listing = handset.send(f"{COMMANDS['events'][code][0]} MINDS").text
        # A Polish list (UCS-2) may hold one line a page: MORE until the date shows.
        for _page in range(3):
            found = re.search(rf"(\d+) {re.escape(stamp)}", listing)
            if found:
                break
            listing = handset.send(COMMANDS["more"][code][0]).text
        assert found, (stamp, listing)
        number = found.group(1)
        handset.send(f"{going_word} {number}")
        going[code] = handset.number
    before = {code: len(texts_to(session, vault, n)) for code, n in going.items()}
    day = skipped.local_start.date()

    done = skip(lead, cuppa, day)
    flash = page_text(lead.get(done.headers["Location"]))
    assert "2 people who said they were going get a text that it is off." in flash
    english = texts_to(session, vault, going["en"])[before["en"] :]
    polish = texts_to(session, vault, going["pl"])[before["pl"] :]
    assert english == [
        f"Cuppa and chat on {when_short(skipped.local_start, 'en')} is not happening. "
        "Text EVENTS for what's on."
    ]
    assert polish == [
        f"Herbata i rozmowa, {when_short(skipped.local_start, 'pl')}, nie odbędzie się. "
        "Napisz WYDARZENIA, by zobaczyć wydarzenia."
    ]
    # Put back and skipped again by mistake: nobody is told twice.
    skip(lead, cuppa, day, undo=True)
    skip(lead, cuppa, day)
    assert len(texts_to(session, vault, going["en"])) == before["en"] + 1
    del following


@pytest.mark.parametrize("code", CODES)
def test_the_called_off_text_fits_two_segments_in_every_language(code) -> None:
    moment = dt.datetime(2026, 12, 30, 18, 30, tzinfo=dt.UTC)
    text = called_off_text("How are you feeling hour and a long title", moment, code)
    assert count(text).segments <= 2 and not text.endswith(CUT), (code, text)
    assert "%(" not in text and "How are you feeling hour and a long title" in text


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "pack.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(out.split())


def test_a_pack_printed_after_the_skip_leaves_the_date_out(
    lead, app, session, demo, cuppa, managers, tmp_path
) -> None:
    skipped, following = next_two(session, demo, cuppa)
    admin = Console(app.test_client())
    admin.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    eastfield = session.scalar(select(Site.id).where(Site.slug == "eastfield-depot"))

    def pack() -> str:
        response = admin.post(
            "/console/print", {"site": str(eastfield), "langs": "en", "size": "A4"}
        )
        assert response.mimetype == "application/pdf", response.get_data(as_text=True)[:300]
        return pdf_text(response.data, tmp_path)

    line = f"{when(skipped.local_start, 'en')}: Cuppa and chat"
    assert line in pack()
    skip(lead, cuppa, skipped.local_start.date())
    text = pack()
    assert line not in text
    assert f"{when(following.local_start, 'en')}: Cuppa and chat" in text


def test_a_lead_of_another_network_cannot_skip_or_restore_a_date(
    console, client, session, demo, cuppa, managers
) -> None:
    skipped, _following = next_two(session, demo, cuppa)
    day = skipped.local_start.date()
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    other = new_manager(
        session, demo, "careers-lead@northgate.example", ("network_lead", careers, None)
    )
    session.flush()
    console.sign_in(other.email, other.totp_secret)
    # The token comes from a page the careers lead may open; the event is not theirs.
    for action in ("skip", "unskip"):
        refused = console.post(
            f"/console/content/event/{cuppa.id}/{action}",
            {"day": day.isoformat()},
            token_from="/console/content",
        )
        assert refused.status_code == 403
    assert session.scalars(select(SkippedDate)).all() == []
    assert (
        session.scalars(select(AuditEntry).where(AuditEntry.action.like("event.%skip"))).all() == []
    )
    assert f"{when_short(skipped.local_start, 'en')} Cuppa and chat" in sms_events(client)


def test_an_admin_of_another_organisation_finds_no_such_event(
    console, client, session, demo, cuppa
) -> None:
    skipped, _following = next_two(session, demo, cuppa)
    elsewhere = factories.create_organisation(session, slug="southby", name="Southby Council")
    stranger = new_manager(session, elsewhere, "admin@southby.example", ("admin", None, None))
    session.flush()
    console.sign_in(stranger.email, stranger.totp_secret)
    refused = console.post(
        f"/console/content/event/{cuppa.id}/skip",
        {"day": skipped.local_start.date().isoformat()},
        token_from="/console/content",
    )
    assert refused.status_code == 404
    assert session.scalars(select(SkippedDate)).all() == []


def test_a_date_the_event_does_not_fall_on_or_a_one_off_is_refused(
    lead, session, demo, cuppa
) -> None:
    skipped, _following = next_two(session, demo, cuppa)
    thursday = skipped.local_start.date() - dt.timedelta(days=1)
    refused = skip(lead, cuppa, thursday)
    assert refused.status_code == 302
    page = page_text(lead.get(refused.headers["Location"]))
    assert "Nothing was skipped. Cuppa and chat does not happen on" in page
    assert session.scalars(select(SkippedDate)).all() == []


def test_deleting_an_event_takes_its_skipped_dates_with_it(lead, session, demo, cuppa) -> None:
    skipped, _following = next_two(session, demo, cuppa)
    skip(lead, cuppa, skipped.local_start.date())
    assert len(session.scalars(select(SkippedDate)).all()) == 1
    path = f"/console/content/event/{cuppa.id}"
    gone = lead.post(f"/console/content/event/{cuppa.id}/delete", {}, token_from=path)
    assert gone.status_code == 302
    session.expire_all()
    assert session.scalars(select(SkippedDate)).all() == []
