"""People reached: each person once a month, at their site, through real texts and kiosk codes;
shown as shares of headcount with small numbers (and what would give them away) hidden."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import time_machine
from sqlalchemy import select

from service.contacts import operations as contacts
from service.content.models import Network
from service.db import utcnow
from service.organisations.models import Site
from service.privacy.erasure import erase_contact
from service.reach.models import PERSON, ReachTally
from service.reach.operations import add_months, month_of
from service.reach.people import PeopleReach, SitePlace, people_shown
from service.verification import operations as verification
from tests.support.console import page_text
from tests.support.kiosks import start_kiosk_join
from tests.support.sms import Handset
from tests.support.texts import code_in, texts_to


def _people(session, demo) -> list[tuple[str, dt.date, str, int, int]]:
    """(month, channel, site, count) of people counted: the shared demo has none of its own."""
    rows = session.scalars(
        select(ReachTally).where(
            ReachTally.organisation_id == demo.id, ReachTally.measure == PERSON
        )
    )
    return sorted((t.month.isoformat(), t.channel, t.site_id, t.count) for t in rows)


def _site(session, slug: str) -> Site:
    return session.scalar(select(Site).where(Site.slug == slug))


def test_a_person_counts_once_a_month_however_often_they_text(client, demo, session) -> None:
    month = month_of(demo, utcnow()).isoformat()
    phone = Handset(client, "+447400222001")
    for text in ("HELP", "EVENTS", "JOIN CAREERS", "TALK"):
        assert phone.send(text).status == 200
    Handset(client, "+447400222002").send("NETWORKS")
    assert _people(session, demo) == [(month, "sms", 0, 2)]
    # Next month the same person counts again, once.
    following = add_months(month_of(demo, utcnow()), 1)
    with time_machine.travel(dt.datetime(following.year, following.month, 3, 12, tzinfo=dt.UTC)):
        phone.send("EVENTS")
        phone.send("HELP")
    assert _people(session, demo) == [(month, "sms", 0, 2), (following.isoformat(), "sms", 0, 1)]


def test_a_kiosk_code_counts_the_person_at_the_kiosks_site(client, demo, session, vault) -> None:
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    riverside = _site(session, "riverside-depot").id
    started = start_kiosk_join(session, demo, "07400 222003", careers, riverside)
    month = month_of(demo, utcnow()).isoformat()
    assert _people(session, demo) == []  # a number typed at a kiosk proves nothing yet
    code = code_in(texts_to(session, vault, "+447400222003")[-1])
    assert verification.check_code(session, demo, started.token, code).status == "done"
    assert _people(session, demo) == [(month, "kiosk", riverside, 1)]
    # The same person texting later that month was already counted, under the kiosk.
    Handset(client, "+447400222003").send("EVENTS")
    assert _people(session, demo) == [(month, "kiosk", riverside, 1)]
    # Erasing them leaves the count: it never said who.
    erase_contact(session, contacts.find_contact(session, demo.id, "+447400222003"))
    session.flush()
    assert _people(session, demo) == [(month, "kiosk", riverside, 1)]


def _reach(people: dict, members: dict, headcounts: dict[int, int | None]) -> PeopleReach:
    month = dt.date(2026, 10, 1)
    sites = tuple(SitePlace(key, f"Site {key}", count) for key, count in headcounts.items())
    return PeopleReach(
        months=(dt.date(2026, 9, 1), month),
        month=month,
        sites=(*sites, SitePlace(0, "No site known", None)),
        members=members,
        people={(month, site, channel): n for (site, channel), n in people.items()},
    )


def test_a_small_number_is_hidden_with_its_share_and_whatever_would_give_it_away() -> None:
    shown = people_shown(
        _reach(
            {(1, "sms"): 40, (1, "kiosk"): 20, (2, "sms"): 30, (2, "kiosk"): 3},
            {1: 120, 2: 80},
            {1: 400, 2: 200},
        ),
        dt.date(2026, 11, 1),
    )
    one, two, _unknown = shown.sites
    assert (one.headcount, one.members, one.members_share) == ("400", "120", "30%")
    assert (one.people, one.people_share) == ("60", "15%")
    # Site 2's 3 kiosk users are "<5". With its total of 33 on show its 30 by text would give
    # them away, so that is hidden too; then site 1's kiosk 20 (beside the 3 in the kiosk
    # column, whose total shows) and with it site 1's 40 by text, until no line has a hidden
    # cell alone. The totals and each site's people still show.
    assert two.channels == ("hidden", "0", "<5", "0")
    assert one.channels == ("hidden", "0", "hidden", "0")
    assert (two.people, two.people_share) == ("33", "17%")
    for line in (one, two, shown.total):
        cells = [line.people, *line.channels]
        assert cells.count("<5") + cells.count("hidden") != 1
    assert shown.total.people == "93" and shown.total.people_share == "16%"
    assert shown.total.channels == ("70", "0", "23", "0")
    hidden = {c for line in shown.sites for c in line.channels if not c.isdigit()}
    assert hidden <= {"<5", "hidden"}


def test_a_site_without_a_headcount_shows_no_share_and_no_total_share() -> None:
    shown = people_shown(
        _reach({(1, "sms"): 40, (2, "voice"): 25}, {1: 50, 2: 10}, {1: 400, 2: None}),
        dt.date(2026, 10, 1),
    )
    assert shown.sites[1].members_share == "—" and shown.sites[1].people_share == "—"
    assert shown.total.headcount == "—" and shown.total.people_share == "—"
    assert [t.label for t in shown.share_by_site] == ["Site 1"]
    # The headline month is the range's last whole month; this month is marked as so far.
    assert shown.month_label == "October 2026 (so far)"


def test_the_dashboard_and_its_csv_show_the_same_hidden_figures(
    console, managers, client, demo, session
) -> None:
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    for n in range(7):
        Handset(client, f"+4474002221{n:02d}").send("HELP")
    this_month = month_of(demo, utcnow()).strftime("%Y-%m")
    query = f"first={this_month}&last={this_month}"
    page = console.get(f"/console/reach?{query}").get_data(as_text=True)
    assert "Are we reaching staff at each site?" in page
    people = page.split('id="people-caption"', 1)[1].split("</table>", 1)[0]
    row = re.search(r"No site known</th>(.*?)</tr>", people, re.S).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row) == ["—", "0", "—", "7", "—"]
    # Without a headcount no share is drawn: the page says where to enter one.
    assert "No site has a headcount yet" in page_text(console.get(f"/console/reach?{query}"))
    download = console.get(f"/console/reach/people.csv?{query}")
    assert download.headers["Content-Disposition"].startswith('attachment; filename="people-')
    rows = list(csv.reader(io.StringIO(download.get_data().decode("utf-8-sig"))))
    assert ["No site known", "", "0", "", "7", "", "7", "0", "0", "0"] in rows
    assert "7400" not in download.get_data(as_text=True)


def test_a_first_text_of_the_month_locks_the_contact_before_its_conversation(
    client, demo, connection
) -> None:
    # Eight texts at once on PostgreSQL deadlocked (503s in CI): the one counting the person
    # flushed its conversation state before its compare-and-set on the contact, while the others'
    # flushes lock the contact first. Every request must take the contact's row first.
    from sqlalchemy import event

    from service.db import get_session

    phone = Handset(client, "+447400333999")
    with time_machine.travel(utcnow() - dt.timedelta(days=40)):
        phone.send("HELP")
    phone.send("EVENTS")  # leaves a list in the conversation, which the next EVENTS rewrites
    updates: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("UPDATE"):
            updates.append(statement.split()[1])

    with time_machine.travel(utcnow() + dt.timedelta(days=40)):
        get_session().expunge_all()  # a fresh request, as in production
        event.listen(connection, "before_cursor_execute", seen)
        try:
            assert phone.send("EVENTS").status == 200
        finally:
            event.remove(connection, "before_cursor_execute", seen)
    assert "conversation_state" in updates, updates
    assert updates.index("contact") < updates.index("conversation_state"), updates
