"""Working a call-back: who sees it (support team, site managers), notes, outcomes and undo."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.audit.models import AuditEntry
from service.callbacks.models import CallbackRequest
from service.callbacks.operations import request_callback
from service.contacts.operations import get_or_create_contact
from service.content.models import Network
from service.organisations.models import Site
from tests.support.console import new_manager, page_text

QUEUE = "/console/callbacks"


def _id(session, model, slug: str) -> int:
    return session.scalar(select(model.id).where(model.slug == slug))


def ask(session, org, phone: str, network: str | None, site: str | None, **extra):
    """A member's call-back request, made as every channel makes one."""
    contact, _ = get_or_create_contact(session, org.id, phone)
    row, _created = request_callback(
        session,
        contact,
        network_id=_id(session, Network, network) if network else None,
        channel="kiosk",
        site_id=_id(session, Site, site) if site else None,
        **extra,
    )
    return row


@pytest.fixture
def requests_(session, demo):
    """Careers at Eastfield, Minds Matter (sensitive) at Eastfield, Carers at Riverside."""
    rows = {
        "careers_east": ask(
            session,
            demo,
            "+447400100001",
            "careers",
            "eastfield-depot",
            language="pl",
            good_time="evening",
        ),
        "minds_east": ask(session, demo, "+447400100002", "minds", "eastfield-depot"),
        "carers_river": ask(session, demo, "+447400100003", "carers", "riverside-depot"),
        "org_east": ask(session, demo, "+447400100004", None, "eastfield-depot"),
    }
    session.flush()
    return rows


def sign_in(console, manager) -> None:
    console.sign_in(manager.email, manager.totp_secret)


def snapshot(session, row: CallbackRequest) -> tuple:
    session.refresh(row)
    return (row.status, row.outcome, row.notes_encrypted, row.closed_at, row.closed_by)


def test_the_support_team_sees_every_request_with_site_language_and_time(
    console, managers, requests_
):
    sign_in(console, managers["support_team"])
    text = page_text(console.get(QUEUE))
    for name in ("Careers Network", "Minds Matter", "Carers Network", "Organisation-wide"):
        assert name in text
    assert "Evening in Polish Eastfield Depot" in text
    assert "Riverside Depot" in text


def test_a_site_manager_sees_their_sites_requests_but_no_sensitive_network(
    console, managers, requests_
):
    sign_in(console, managers["site_manager"])  # Eastfield Depot
    text = page_text(console.get(QUEUE))
    assert "Careers Network" in text and "Organisation-wide" in text
    # Another site's request, and a sensitive network's at their own site, are not theirs.
    assert "Carers Network" not in text and "Riverside" not in text
    assert "Minds Matter" not in text and "•••• ••• 002" not in text


@pytest.mark.parametrize(
    ("who", "target"),
    [
        ("other_site", "careers_east"),  # a site manager of another site
        ("site_manager", "carers_river"),  # Eastfield's manager, a Riverside request
        ("site_manager", "minds_east"),  # their own site, but a sensitive network
        ("unrelated_lead", "careers_east"),  # the lead of an unrelated network
        ("unrelated_lead", "org_east"),
        ("guardian", "careers_east"),
    ],
)
def test_someone_else_cannot_see_or_act_on_a_request(
    console, session, demo, managers, requests_, who, target
):
    if who == "other_site":
        manager = new_manager(
            session,
            demo,
            "willow@northgate.example",
            ("site_manager", None, _id(session, Site, "willow-court")),
        )
    elif who == "unrelated_lead":
        manager = new_manager(
            session,
            demo,
            "women@northgate.example",
            ("network_lead", _id(session, Network, "women"), None),
        )
    else:
        manager = managers[who]
    session.flush()
    row = requests_[target]
    if target == "careers_east":  # something to undo, so an undo would show
        row.outcome = "no_answer"
        session.flush()
    before = snapshot(session, row)
    sign_in(console, manager)
    page = console.get(QUEUE)
    assert page.status_code in (200, 403)
    assert f'id="request-{row.id}"' not in page.get_data(as_text=True)
    token_page = QUEUE if page.status_code == 200 else "/console/"
    attempts = {
        "notes": {"notes": "changed by someone else"},
        "outcome": {"outcome": "reached"},
        "undo": {},
        "done": {},
        "reveal": {},
    }
    for action, form in attempts.items():
        response = console.post(f"{QUEUE}/{row.id}/{action}", form, token_from=token_page)
        assert response.status_code in (403, 404), (action, response.status_code)
    assert snapshot(session, row) == before
    touched = session.scalars(
        select(AuditEntry.action).where(AuditEntry.manager_id == manager.id)
    ).all()
    assert [a for a in touched if a.startswith(("callback.", "number."))] == []


def test_notes_an_outcome_that_keeps_it_open_one_that_closes_it_and_undo(
    console, session, managers, requests_
):
    row = requests_["careers_east"]
    sign_in(console, managers["site_manager"])
    saved = console.post(
        f"{QUEUE}/{row.id}/notes", {"notes": "Prefers after 6pm, ask for Ania"}, token_from=QUEUE
    )
    assert saved.status_code == 302
    session.refresh(row)
    # Stored encrypted: the words are not in the row.
    assert row.notes_encrypted and "Ania" not in row.notes_encrypted
    assert "Prefers after 6pm, ask for Ania" in console.get(QUEUE).get_data(as_text=True)

    console.post(f"{QUEUE}/{row.id}/outcome", {"outcome": "no_answer"}, token_from=QUEUE)
    text = page_text(console.get(QUEUE))
    assert "Saved: No answer. It stays in the queue." in text
    assert "Last call: No answer" in text
    session.refresh(row)
    assert (row.status, row.outcome) == ("open", "no_answer")

    console.post(f"{QUEUE}/{row.id}/outcome", {"outcome": "reached"}, token_from=QUEUE)
    session.refresh(row)
    assert (row.status, row.outcome) == ("done", "reached")
    text = page_text(console.get(QUEUE))
    assert "Saved: Reached them. Marked done." in text
    done = text[text.index("Done in the last 30 days") :]
    assert "Reached them" in done and "Prefers after 6pm" in done

    # Undo: the request waits again, without its outcome, and the undo is in the audit log.
    console.post(f"{QUEUE}/{row.id}/undo", {}, token_from=QUEUE)
    session.refresh(row)
    assert (row.status, row.outcome, row.closed_at) == ("open", None, None)
    text = page_text(console.get(QUEUE))
    assert "Undone: the request is waiting again." in text
    assert "None yet." in text  # nothing left in the done list
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.manager_id == managers["site_manager"].id)
    ).all()
    assert {"callback.notes", "callback.outcome", "callback.undo"} <= set(actions)
    # Nothing to undo twice.
    console.post(f"{QUEUE}/{row.id}/undo", {}, token_from=QUEUE)
    assert "There was nothing to undo." in page_text(console.get(QUEUE))


def test_an_unknown_outcome_is_refused(console, session, managers, requests_):
    row = requests_["careers_east"]
    sign_in(console, managers["support_team"])
    response = console.post(f"{QUEUE}/{row.id}/outcome", {"outcome": "shouted"}, token_from=QUEUE)
    assert response.status_code == 400
    session.refresh(row)
    assert (row.status, row.outcome) == ("open", None)


def test_with_no_smtp_server_the_console_says_alerts_are_off(console, managers, requests_):
    sign_in(console, managers["support_team"])
    assert "E-mail alerts are off" in page_text(console.get(QUEUE))
