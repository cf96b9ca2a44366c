"""The reach dashboard through the console: real SMS joins in, suppressed counts out."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.contacts import operations as contacts
from service.content.models import Network
from service.db import utcnow
from service.organisations.models import Site
from service.privacy.erasure import erase_contact
from service.reach.operations import COLUMNS, count_reach, month_of
from tests.support import factories
from tests.support.sms import Handset

PAGE = "/console/reach"
JOIN = 1 + COLUMNS.index("join")  # the label comes first in a line
MEMBERS = 1 + COLUMNS.index("members")


def _number(n: int) -> str:
    return f"+4474009{n:05d}"


def _join_by_sms(client, keyword: str, count: int, *, first: int) -> None:
    for n in range(first, first + count):
        reply = Handset(client, _number(n)).send(f"JOIN {keyword}")
        assert reply.status == 200 and "You have joined" in reply.text, reply.text


def _month(demo) -> str:
    return month_of(demo, utcnow()).strftime("%Y-%m")


def _query(demo, **filters: str) -> str:
    # This month only: the demo's made-up history fills the months before it.
    args = {"first": _month(demo), "last": _month(demo), **filters}
    return "&".join(f"{k}={v}" for k, v in args.items())


def _lines(page: str) -> dict[str, list[str]]:
    """Line label -> [label, cells...] from the page's table (body and total)."""
    # The table of what staff did; the people reached per site come before it.
    page = page.split('id="happenings"', 1)[-1]
    found = {}
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</tr>", page, re.S):
        label, rest = row.split("</th>", 1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", rest, re.S)
        found[html.unescape(label)] = [html.unescape(label), *map(html.unescape, cells)]
    return found


def _csv(response) -> dict[str, list[str]]:
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    return {row[0]: row for row in rows[1:]}


@pytest.fixture
def admin(console, managers):
    console.sign_in(managers["admin"].email, managers["admin"].totp_secret)
    return managers["admin"]


@pytest.mark.parametrize("role", ["network_lead", "site_manager", "guardian"])
def test_only_admins_see_reach(console, managers, role) -> None:
    manager = managers[role]
    console.sign_in(manager.email, manager.totp_secret)
    assert console.get(PAGE).status_code == 403
    assert console.get(PAGE + ".csv").status_code == 403
    assert 'href="/console/reach"' not in console.get("/console/").get_data(as_text=True)


def test_signed_out_is_sent_to_sign_in(console, demo) -> None:
    response = console.get(PAGE)
    assert response.status_code == 302 and "/console/sign-in" in response.headers["Location"]


def test_the_admin_sees_the_page_with_the_demo_history_by_default(console, admin) -> None:
    response = console.get(PAGE)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<caption" in page and 'scope="col"' in page and "Download CSV" in page
    assert "means between 1 and 4" in page
    lines = _lines(page)
    assert "Careers Network" in lines and "Total" in lines
    assert int(lines["Total"][JOIN]) > 50  # a year of demo history


def test_sms_joins_show_as_counts_small_ones_hidden(console, admin, client, demo) -> None:
    _join_by_sms(client, "CAREERS", 5, first=0)
    _join_by_sms(client, "CARERS", 3, first=10)
    _join_by_sms(client, "WOMEN", 2, first=20)
    lines = _lines(console.get(f"{PAGE}?{_query(demo)}").get_data(as_text=True))
    assert lines["Careers Network"][JOIN] == "5"
    assert lines["Careers Network"][MEMBERS] == "5"
    assert lines["Carers Network"][JOIN] == "<5"
    assert lines["Women's Voice"][JOIN] == "<5"
    assert lines["Race Equality Network"][JOIN] == "0"
    assert lines["Total"][JOIN] == "10"
    csv_lines = _csv(console.get(f"{PAGE}.csv?{_query(demo)}"))
    assert csv_lines["Careers Network"][JOIN] == "5"
    assert csv_lines["Carers Network"][JOIN] == "<5"
    assert csv_lines["Total"][JOIN] == "10"
    # Nothing in either names or numbers a person.
    assert "7400" not in console.get(f"{PAGE}?{_query(demo)}").get_data(as_text=True)


def test_a_lone_small_count_hides_its_neighbour_too(console, admin, client, demo) -> None:
    _join_by_sms(client, "CAREERS", 7, first=0)
    _join_by_sms(client, "CARERS", 3, first=10)
    for fetched in (
        _lines(console.get(f"{PAGE}?{_query(demo)}").get_data(as_text=True)),
        _csv(console.get(f"{PAGE}.csv?{_query(demo)}")),
    ):
        assert fetched["Carers Network"][JOIN] == "<5"
        assert fetched["Careers Network"][JOIN] == "hidden"
        assert fetched["Total"][JOIN] == "10"


def test_filters_narrow_the_table(console, admin, client, demo, session) -> None:
    _join_by_sms(client, "CAREERS", 6, first=0)
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    by_channel = _lines(
        console.get(f"{PAGE}?{_query(demo, group='channel', network=str(careers))}").get_data(
            as_text=True
        )
    )
    assert by_channel["Text (SMS)"][JOIN] == "6" and by_channel["Kiosk"][JOIN] == "0"
    by_kiosk = _lines(console.get(f"{PAGE}?{_query(demo, channel='kiosk')}").get_data(as_text=True))
    assert by_kiosk["Careers Network"][JOIN] == "0"
    by_site = _lines(console.get(f"{PAGE}?{_query(demo, group='site')}").get_data(as_text=True))
    assert by_site["No site known"][JOIN] == "6" and by_site["Eastfield Depot"][JOIN] == "0"
    eastfield = session.scalar(select(Site.id).where(Site.slug == "eastfield-depot"))
    one_site = _lines(
        console.get(f"{PAGE}?{_query(demo, group='site', site=str(eastfield))}").get_data(
            as_text=True
        )
    )
    assert set(one_site) == {"Eastfield Depot", "Total"}


def test_by_month_lines_follow_the_range(console, admin, demo) -> None:
    page = console.get(f"{PAGE}?group=month&first=2025-11&last=2026-01").get_data(as_text=True)
    assert list(_lines(page)) == ["November 2025", "December 2025", "January 2026", "Total"]
    assert _lines(page)["December 2025"][MEMBERS] == "—"


def test_a_backwards_range_is_refused(console, admin) -> None:
    response = console.get(f"{PAGE}?first=2026-05&last=2026-01")
    assert response.status_code == 400
    assert "must not be before" in response.get_data(as_text=True)


def test_the_csv_download_keeps_the_filters_and_is_audited(console, admin, session, demo):
    page = console.get(f"{PAGE}?{_query(demo, group='site', channel='sms')}").get_data(as_text=True)
    link = html.unescape(re.search(r'href="(/console/reach\.csv\?[^"]+)"', page).group(1))
    assert "group=site" in link and "channel=sms" in link and f"first={_month(demo)}" in link
    response = console.get(link)
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert ".csv" in response.headers["Content-Disposition"]
    assert next(iter(_csv(response))) == "Civic Hall"  # by site (alphabetical), as filtered
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "reach.export"))
    assert entry.manager_id == admin.id
    assert entry.detail["group"] == "site" and entry.detail["channel"] == "sms"
    assert "+44" not in json.dumps(entry.detail)


def test_network_names_cannot_run_as_formulas(console, admin, session, demo) -> None:
    factories.create_network(session, org=demo, name='=HYPERLINK("http://evil.example","Hi")')
    session.flush()
    rows = _csv(console.get(f"{PAGE}.csv?{_query(demo)}"))
    assert '\'=HYPERLINK("http://evil.example","Hi")' in rows
    assert not any(label.startswith(("=", "+", "-", "@")) for label in rows)


def test_counts_survive_the_people_being_erased(console, admin, client, demo, session) -> None:
    _join_by_sms(client, "CAREERS", 5, first=0)
    erase_contact(session, contacts.find_contact(session, demo.id, _number(0)))
    session.flush()
    lines = _lines(console.get(f"{PAGE}?{_query(demo)}").get_data(as_text=True))
    assert lines["Careers Network"][JOIN] == "5"
    assert lines["Careers Network"][MEMBERS] == "<5"


def test_another_organisations_counts_never_show(console, admin, demo, session) -> None:
    other = factories.create_organisation(session, name="Southgate Council")
    theirs = factories.create_network(session, org=other, name="Southgate Carers")
    careers = session.scalar(select(Network.id).where(Network.slug == "careers"))
    for network_id in (theirs.id, careers):
        count_reach(
            session, other.id, measure="join", channel="sms", network_id=network_id, amount=40
        )
    session.flush()
    page = console.get(f"{PAGE}?{_query(demo)}").get_data(as_text=True)
    assert "Southgate" not in page
    assert _lines(page)["Total"][JOIN] == "0"


def test_a_pack_printed_in_the_console_counts_for_its_site(console, admin, demo, session) -> None:
    eastfield = session.scalar(select(Site.id).where(Site.slug == "eastfield-depot"))
    done = console.post("/console/print", {"site": eastfield, "langs": "en", "size": "A4"})
    assert done.mimetype == "application/pdf"
    lines = _lines(console.get(f"{PAGE}?{_query(demo, group='site')}").get_data(as_text=True))
    download = 1 + COLUMNS.index("download")
    assert lines["Eastfield Depot"][download] == "<5"
    assert lines["Willow Court Care Home"][download] == "0"
