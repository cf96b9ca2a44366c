"""Helpers every console area shares: the manager's organisation, what they may edit, saving."""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, flash
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from service.audit import operations as audit
from service.console import auth
from service.content import operations as content
from service.content.models import Announcement, Event, Network, SupportLine
from service.db import get_session
from service.errors import DomainError
from service.managers.models import Manager
from service.managers.permissions import can, can_everywhere
from service.organisations.models import Organisation

Item = Network | Event | SupportLine | Announcement
KINDS: dict[str, type[Item]] = {
    "network": Network,
    "event": Event,
    "support": SupportLine,
    "announcement": Announcement,
}


def organisation() -> Organisation:
    """The signed-in manager's organisation."""
    return get_session().get_one(Organisation, auth.manager().organisation_id)


def may_edit(manager: Manager, network_id: int | None) -> bool:
    """Content of one network is its lead's; organisation-wide content is the admins'."""
    if network_id is None:
        return can_everywhere(manager, "content.edit")
    return can(manager, "content.edit", network_id=network_id)


def kind_of(item: Network | Event | SupportLine | Announcement) -> str:
    """The console's name for an item's kind, as in its addresses."""
    return next(kind for kind, model in KINDS.items() if isinstance(item, model))


def network_of(item: Network | Event | SupportLine | Announcement) -> int | None:
    """The network an item belongs to, which decides who may edit it."""
    if isinstance(item, Network):
        return item.id
    return getattr(item, "network_id", None)


def load(kind: str, item_id: int) -> Network | Event | SupportLine | Announcement:
    """An item of this organisation that the manager may edit; 404 or 403 otherwise."""
    model = KINDS.get(kind)
    item = get_session().get(model, item_id) if model else None
    if item is None or item.organisation_id != auth.manager().organisation_id:
        abort(404)
    if not may_edit(auth.manager(), network_of(item)):
        abort(403)
    return item


def editable_networks(manager: Manager) -> list[Network]:
    """The organisation's networks this manager may edit, by name."""
    rows = get_session().scalars(
        select(Network)
        .where(Network.organisation_id == manager.organisation_id)
        .order_by(Network.name)
    )
    return [n for n in rows if may_edit(manager, n.id)]


def network_choices(manager: Manager) -> list[SelectChoice]:
    """The networks a manager may put content in; 0 is the whole organisation (admins)."""
    choices = [SelectChoice(n.id, n.name) for n in editable_networks(manager)]
    if may_edit(manager, None):
        choices.insert(0, SelectChoice(0, "The whole organisation"))
    return choices


def show_refusal(exc: DomainError, form) -> None:
    """Undo the refused save, and say why beside its field when the form has one, else on top."""
    get_session().rollback()
    field = getattr(exc, "field", "")
    target = getattr(form, {"recurrence": "repeat", "starts_at": "start"}.get(field, field), None)
    message = getattr(exc, "message", str(exc))
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, message[:1].upper() + message[1:] + "."]
    flash("Nothing was saved. " + message[:1].upper() + message[1:] + ".")


def field_values(item) -> dict[str, object]:
    """The item's own columns, to see which an edit changed."""
    skip = {"id", "organisation_id", "created_at"}
    return {c.key: getattr(item, c.key) for c in item.__table__.columns if c.key not in skip}


def changed_fields(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """The fields whose value differs."""
    return [f for f in before if before[f] != after[f]]


def save(
    kind: str,
    item: Item | None,
    fields: dict[str, object],
    create: Callable[[], Item],
    update: Callable[[Item], object],
) -> Item:
    """Create or update an item, mark translations of changed English stale, and audit it.

    Raises the operation's DomainError before anything is audited; the caller commits.
    """
    session, manager = get_session(), auth.manager()
    if item is None:
        item, changed, action = create(), sorted(fields), "content.create"
    else:
        before = field_values(item)
        update(item)
        changed, action = changed_fields(before, field_values(item)), "content.update"
        content.mark_translations_stale(session, item, changed)
    audit.record(
        session, manager.organisation_id, manager.id, action, kind=kind, id=item.id, fields=changed
    )
    return item


def download(body: bytes, mimetype: str, name: str) -> Response:
    """A file the browser saves as name rather than shows."""
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def csv_download(text: str, name: str) -> Response:
    """A CSV file to save, in UTF-8 with a byte-order mark.

    Excel, which most councils open CSV in, then reads Polish and Urdu names correctly.
    """
    return download(text.encode("utf-8-sig"), "text/csv", name)
