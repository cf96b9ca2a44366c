"""Editing content in the console: every channel reads what a lead saves, nothing else moves."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEntry
from service.content import queries
from service.content.models import Event, Network, SupportLine, Translation
from service.db import utcnow
from service.reach.operations import count_reach
from tests.support.console import event_form, page_text
from tests.support.settings import PUBLIC_URL


@pytest.fixture
def lead(console, managers):
    """The Minds Matter lead, signed in."""
    console.sign_in(managers["network_lead"].email, managers["network_lead"].totp_secret)
    return console


@pytest.fixture
def admin(console, managers):
    """An admin, signed in."""
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    return console


def event_id(session, title):
    return session.scalar(select(Event.id).where(Event.title == title))


def local_date(event: Event) -> str:
    """The day an event's series starts, in London, as the form's date field shows it."""
    starts_at = event.starts_at.replace(tzinfo=event.starts_at.tzinfo or dt.UTC)
    return starts_at.astimezone(ZoneInfo("Europe/London")).date().isoformat()


def network(session, slug):
    return session.scalar(select(Network).where(Network.slug == slug))


def audits(session, action):
    return session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_lead_sees_and_edits_only_their_network(lead, session):
    home = page_text(lead.get("/console/content"))
    assert "Cuppa and chat" in home and "Minds Matter" in home
    assert "Careers session" not in home and "Support lines" not in home
    careers = event_id(session, "Careers session")
    assert lead.get(f"/console/content/event/{careers}").status_code == 403
    assert lead.get(f"/console/content/network/{network(session, 'careers').id}").status_code == 403
    assert lead.get("/console/content/networks/new").status_code == 403
    assert lead.get("/console/content/support/new").status_code == 403


def test_a_lead_changes_an_event_and_every_channel_reads_it(lead, session, demo):
    cuppa = event_id(session, "Cuppa and chat")
    site = session.get(Event, cuppa).site_id
    minds = network(session, "minds").id
    path = f"/console/content/event/{cuppa}"
    saved = lead.post(
        path,
        event_form(
            network=str(minds),
            site=str(site),
            date=local_date(session.get(Event, cuppa)),
            title="Cuppa, chat and cake",
            days=["TU", "FR"],
            interval="2",
        ),
    )
    assert saved.status_code == 302, page_text(saved)[:500]
    session.expire_all()
    event = session.get(Event, cuppa)
    assert event.title == "Cuppa, chat and cake"
    assert event.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,FR"
    # The same store every channel reads: the SMS, voice and kiosk lists show the new title.
    found = queries.upcoming_occurrences(
        session,
        demo.id,
        start=utcnow(),
        end=utcnow() + dt.timedelta(days=31),
        language="en",
        network_ids=[minds],
    )
    mine = [o for o in found if o.event_id == cuppa]
    assert mine and all(o.title == "Cuppa, chat and cake" for o in mine)
    assert {o.local_start.strftime("%a") for o in mine} == {"Tue", "Fri"}
    # The page shows the next five dates, and the audit log says who changed what.
    page = page_text(lead.get(path))
    dates = re.findall(r"(Tuesday|Friday) \d+ \w+ 20\d\d, 12:30", page)
    assert len(dates) >= 5
    entry = audits(session, "content.update")[-1]
    assert entry.detail == {"kind": "event", "id": cuppa, "fields": ["title", "rrule"]}


def test_monthly_on_the_last_friday(lead, session):
    cuppa = event_id(session, "Cuppa and chat")
    minds = network(session, "minds").id
    # Half a year from the suite's day: the demo's series starts a year before it, so a fixed
    # date would fall before the start once the suite runs late enough (mid-2028 on).
    until = utcnow().date() + dt.timedelta(days=180)
    saved = lead.post(
        f"/console/content/event/{cuppa}",
        event_form(
            network=str(minds), repeat="monthly", nth="-1", weekday="FR", until=until.isoformat()
        ),
    )
    assert saved.status_code == 302
    session.expire_all()
    assert session.get(Event, cuppa).rrule == f"FREQ=MONTHLY;BYDAY=-1FR;UNTIL={until:%Y%m%d}T235959"


def test_a_lead_cannot_move_an_event_to_another_network(lead, session):
    cuppa = event_id(session, "Cuppa and chat")
    careers = network(session, "careers").id
    response = lead.post(f"/console/content/event/{cuppa}", event_form(network=str(careers)))
    # Careers is not among the lead's choices: the form refuses it and nothing changes.
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Event, cuppa).network_id == network(session, "minds").id


def test_a_bad_schedule_is_refused_politely_and_changes_nothing(lead, session):
    cuppa = event_id(session, "Cuppa and chat")
    minds = network(session, "minds").id
    before = session.get(Event, cuppa).rrule
    ends_first = lead.post(
        f"/console/content/event/{cuppa}", event_form(network=str(minds), end="12:00")
    )
    assert ends_first.status_code == 400
    assert "must end after it starts" in page_text(ends_first)
    no_days = lead.post(f"/console/content/event/{cuppa}", event_form(network=str(minds), days=[]))
    assert no_days.status_code == 400 and "choose the days" in page_text(no_days).lower()
    session.expire_all()
    assert session.get(Event, cuppa).rrule == before
    assert audits(session, "content.update") == []


def test_the_next_five_dates_preview_follows_the_form(lead):
    # Dates in December 2031, after every moment the suite runs at (2026 to 2030) and near
    # enough for the preview (which starts from now), so it does not depend on today.
    reply = lead.get(
        "/console/content/events/dates?date=2031-12-01&start=18:00&end=19:00"
        "&repeat=weekly&days=MO&days=WE&interval=1"
    ).get_json()
    assert reply == {
        "dates": [
            "Monday 1 December 2031, 18:00",
            "Wednesday 3 December 2031, 18:00",
            "Monday 8 December 2031, 18:00",
            "Wednesday 10 December 2031, 18:00",
            "Monday 15 December 2031, 18:00",
        ],
        "problem": "",
    }
    monthly = lead.get(
        "/console/content/events/dates?date=2031-12-01&start=18:00&end=19:00"
        "&repeat=monthly&nth=2&weekday=TU"
    ).get_json()
    assert monthly["dates"][:3] == [
        "Tuesday 9 December 2031, 18:00",
        "Tuesday 13 January 2032, 18:00",
        "Tuesday 10 February 2032, 18:00",
    ]
    broken = lead.get(
        "/console/content/events/dates?date=2031-12-01&start=18:00&end=17:00&repeat=once"
    ).get_json()
    assert broken["dates"] == [] and "end after it starts" in broken["problem"]


def test_keyword_clashes_are_found_as_you_type_and_refused_on_save(lead, session):
    minds = network(session, "minds")
    problems = lead.get(
        f"/console/content/keywords/check?network={minds.id}&words=CAREERS+join+Calm+MINDS"
    ).get_json()["problems"]
    assert {p["word"]: p["problem"] for p in problems} == {
        "CAREERS": "CAREERS is already a keyword of Careers Network",
        "join": "JOIN is a command word and cannot name a network",
    }
    words_before = sorted(k.word for k in minds.keywords)
    form = {
        "name": minds.name,
        "short_description": minds.short_description,
        "long_description": minds.long_description,
        "sensitive": "y",
        "discreet_name": minds.discreet_name,
        "keywords_en": "MINDS CAREERS",
    }
    refused = lead.post(f"/console/content/network/{minds.id}", form)
    assert refused.status_code == 400
    assert "CAREERS is already a keyword of Careers Network" in page_text(refused)
    session.expire_all()
    assert sorted(k.word for k in network(session, "minds").keywords) == words_before


def test_translations_side_by_side_with_a_reviewed_flag(lead, session):
    cuppa = event_id(session, "Cuppa and chat")
    path = f"/console/content/event/{cuppa}/translations/pl"
    page = page_text(lead.get(path))
    assert "Cuppa and chat" in page and "Polski" in page
    # The Polish glossary beside it: the words to use, and the ones not to.
    assert "Words to use in Polish" in page and "osoba zaufana" in page
    assert "opiekun : means carer" in page
    saved = lead.post(
        path,
        {
            "text-title": "Herbatka i pogawędka",
            "reviewed-title": "on",
            "text-description": "",
            "text-place": "Stołówka, zajezdnia Eastfield",
        },
    )
    assert saved.status_code == 302
    rows = {
        (t.field, t.text, t.reviewed)
        for t in session.scalars(
            select(Translation).where(
                Translation.owner_table == "event",
                Translation.owner_id == cuppa,
                Translation.language == "pl",
            )
        )
    }
    assert ("title", "Herbatka i pogawędka", True) in rows
    assert ("place", "Stołówka, zajezdnia Eastfield", False) in rows
    assert not any(field == "description" for field, _, _ in rows)
    # The SMS preview shows the Polish text as a member gets it, sent as UCS-2.
    preview = page_text(lead.get(path))
    assert re.search(
        r"Polish Herbatka i pogawędka, .{5,20} 12:30\. .{0,200}\(\d+ characters, UCS-2\)", preview
    )
    entry = audits(session, "translation.update")[-1]
    # The demo's Polish description was emptied, so it went too: English shows instead.
    assert entry.detail["language"] == "pl"
    assert set(entry.detail["fields"]) == {"title", "place", "description"}


def test_changing_the_english_clears_the_reviewed_flag(lead, session):
    cuppa = event_id(session, "Cuppa and chat")
    minds = network(session, "minds").id
    lead.post(
        f"/console/content/event/{cuppa}/translations/pl",
        {"text-title": "Herbatka", "reviewed-title": "on"},
    )
    # The event's own Polish title: other tables' rows may share the event's id.
    polish_title_reviewed = select(Translation.reviewed).where(
        Translation.owner_table == "event",
        Translation.owner_id == cuppa,
        Translation.language == "pl",
        Translation.field == "title",
    )
    lead.post(f"/console/content/event/{cuppa}", event_form(network=str(minds), place="Yard"))
    reviewed = session.scalar(polish_title_reviewed)
    assert reviewed is True  # the title did not change
    lead.post(f"/console/content/event/{cuppa}", event_form(network=str(minds), title="Cuppa time"))
    session.expire_all()
    reviewed = session.scalar(polish_title_reviewed)
    assert reviewed is False


def test_segment_counter_needs_the_csrf_token(lead):
    lead.get("/console/content")
    refused = lead.client.post(
        "/console/content/segments",
        json={"text": "Zażółć"},
        base_url=PUBLIC_URL,
    )
    assert refused.status_code == 400
    token = lead.token("/console/content/announcements/new")
    counted = lead.client.post(
        "/console/content/segments",
        json={"text": "Zażółć gęślą jaźń " * 5},
        headers={"X-CSRFToken": token, "Referer": PUBLIC_URL + "/console/"},
        base_url=PUBLIC_URL,
    ).get_json()
    assert counted == {"encoding": "UCS-2", "characters": 90, "segments": 2}


def test_admin_adds_a_support_line_and_a_bad_number_changes_nothing(admin, session):
    count_before = session.scalar(select(func.count()).select_from(SupportLine))
    refused = admin.post(
        "/console/content/support/new", {"name": "Advice", "phone": "not a number"}
    )
    assert refused.status_code == 400
    assert session.scalar(select(func.count()).select_from(SupportLine)) == count_before
    saved = admin.post(
        "/console/content/support/new",
        {"name": "Money advice", "phone": "0113 496 0555", "hours": "Mon–Fri 9–5"},
    )
    assert saved.status_code == 302
    line = session.scalar(select(SupportLine).where(SupportLine.name == "Money advice"))
    assert line.phone == "+441134960555"


def test_a_lead_announces_to_their_network_but_not_to_everyone(lead, session, demo):
    minds = network(session, "minds").id
    form = {"body": "Cuppa moves to the yard this week.", "publish_from": "2026-11-01T09:00"}
    assert lead.post(
        "/console/content/announcements/new", {**form, "network": "0"}
    ).status_code in (400, 403)
    saved = lead.post("/console/content/announcements/new", {**form, "network": str(minds)})
    assert saved.status_code == 302
    live = queries.live_announcements(
        session,
        demo.id,
        language="en",
        now=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
        network_ids=[minds],
    )
    assert any(a.body == "Cuppa moves to the yard this week." for a in live)


def test_deleting_an_event_is_audited_and_it_leaves_every_channel(admin, session):
    careers = event_id(session, "Careers session")
    path = f"/console/content/event/{careers}/delete"
    deleted = admin.post(
        f"/console/content/event/{careers}/delete",
        {},
        token_from=f"/console/content/event/{careers}",
    )
    assert deleted.status_code == 302
    assert session.get(Event, careers) is None
    assert audits(session, "content.delete")[-1].detail == {"kind": "event", "id": careers}
    assert path


def test_the_edit_forms_start_from_what_is_saved(lead, session, demo):
    cuppa = session.get(Event, event_id(session, "Cuppa and chat"))
    html = lead.get(f"/console/content/event/{cuppa.id}").get_data(as_text=True)
    assert re.search(rf'<option selected value="{cuppa.site_id}">', html)
    assert 'value="12:30"' in html and f'value="{local_date(cuppa)}"' in html
    assert '<input checked id="repeat-1" name="repeat" type="radio" value="weekly">' in html
    minds = network(session, "minds").id
    made = lead.post(
        "/console/content/announcements/new",
        {"body": "Summer hours", "network": str(minds), "publish_from": "2026-07-01T09:00"},
    )
    html = lead.get(made.headers["Location"]).get_data(as_text=True)
    # 09:00 in London in July is 08:00 UTC; the form shows the London time it was given.
    assert 'value="2026-07-01T09:00"' in html


def console_menu(response) -> list[str]:
    """The areas named in the console's menu on a page (none when it has no menu)."""
    menu = re.search(
        r'(?s)<nav class="menu" aria-label="Console">(.*?)</nav>', response.get_data(as_text=True)
    )
    return re.findall(r">([^<>]+)</a>", menu.group(1)) if menu else []


def test_the_event_form_asks_for_a_place_and_a_capacity(lead, session):
    form = page_text(lead.get(f"/console/content/event/{event_id(session, 'Cuppa and chat')}"))
    assert " Place " in form and "Capacity (optional)" in form
    # "Places" beside "Place" read as venues: the number of people is the capacity.
    assert "Places" not in form


def test_a_lead_reaching_past_their_networks_gets_a_refusal_inside_the_console(lead, session):
    refused = lead.get(f"/console/content/event/{event_id(session, 'Careers session')}")
    assert refused.status_code == 403
    assert "Not allowed" in page_text(refused)
    assert "Content" in console_menu(refused) and "Sign out" in page_text(refused)
    assert refused.headers["Cache-Control"] == "no-store"


def test_an_unknown_console_address_is_a_404_inside_the_console(lead, client):
    missing = lead.get("/console/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in page_text(missing)
    assert "Content" in console_menu(missing)
    # Outside the console, a missing page is not dressed as the console's.
    elsewhere = client.get("/no-such-page")
    assert elsewhere.status_code == 404 and "console" not in elsewhere.get_data(as_text=True)


def test_a_signed_out_visitor_gets_the_404_without_the_menu(client):
    missing = client.get("/console/no-such-page", base_url=PUBLIC_URL)
    assert missing.status_code == 404 and console_menu(missing) == []


def lead_home_row(response, name):
    """The cells of a network's row on the console home's figures table."""
    html = response.get_data(as_text=True)
    row = re.search(rf'(?s)<tr><th scope="row">{re.escape(name)}</th>(.*?)</tr>', html)
    return re.findall(r"<td>([^<]*)</td>", row.group(1)) if row else None


def test_a_leads_home_names_their_networks_with_this_months_figures(lead, session, demo):
    home = lead.get("/console/")
    assert "Your networks in " in page_text(home)
    before = lead_home_row(home, "Minds Matter")
    assert before is not None and len(before) == 4  # members now, joins, leaves, RSVPs
    assert lead_home_row(home, "Careers Network") is None  # not a network they lead
    minds = network(session, "minds").id
    count_reach(session, demo.id, measure="join", channel="sms", network_id=minds, amount=9)
    session.flush()
    joins = lead_home_row(lead.get("/console/"), "Minds Matter")[1]
    # Small counts show as "<5" (1 to 4), so nine more joins land between 9 and 13.
    expected = {str(int(before[1]) + 9)} if before[1].isdigit() else {"10", "11", "12", "13"}
    assert joins in expected


def test_an_admin_leads_no_network_and_sees_no_figures_table(admin):
    assert "Your networks in" not in page_text(admin.get("/console/"))
