"""/console/content: what a manager may edit, and networks with their keywords."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from zoneinfo import ZoneInfo

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from service import languages
from service.audit import operations as audit
from service.console import auth
from service.console.content_forms import (
    NetworkForm,
    keyword_field_name,
)
from service.console.sms_preview import sms_previews
from service.console.views import bp
from service.content import operations as content
from service.content.models import Announcement, Event, Network, SupportLine
from service.content.recurrence import next_starts
from service.db import get_session, utcnow
from service.errors import DomainError
from service.formatting import when
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


def _networks(manager: Manager) -> list[Network]:
    rows = get_session().scalars(
        select(Network)
        .where(Network.organisation_id == manager.organisation_id)
        .order_by(Network.name)
    )
    return [n for n in rows if may_edit(manager, n.id)]


def network_choices(manager: Manager) -> list[SelectChoice]:
    """The networks a manager may put content in; 0 is the whole organisation (admins)."""
    choices = [SelectChoice(n.id, n.name) for n in _networks(manager)]
    if may_edit(manager, None):
        choices.insert(0, SelectChoice(0, "The whole organisation"))
    return choices


def show_refusal(exc: DomainError, form) -> None:
    """Show a refusal beside its field when the form has one, else at the top."""
    field = getattr(exc, "field", "")
    target = getattr(form, {"recurrence": "repeat", "starts_at": "start"}.get(field, field), None)
    message = getattr(exc, "message", str(exc))
    if target is not None and hasattr(target, "errors"):
        target.errors = [*target.errors, message[:1].upper() + message[1:] + "."]
    flash("Nothing was saved. " + message[:1].upper() + message[1:] + ".")


@bp.get("/content")
@auth.requires("content.edit")
def content_home():
    """Everything the manager may edit, with how far each is translated."""
    manager, session = auth.manager(), get_session()
    org = organisation()
    networks = _networks(manager)
    editable = [n.id for n in networks]
    everywhere = may_edit(manager, None)
    events_query = select(Event).where(Event.organisation_id == org.id).order_by(Event.starts_at)
    if not everywhere:
        events_query = events_query.where(Event.network_id.in_(editable))
    events = session.scalars(events_query).all()
    announcements_query = select(Announcement).where(Announcement.organisation_id == org.id)
    if not everywhere:
        announcements_query = announcements_query.where(Announcement.network_id.in_(editable))
    announcements = session.scalars(
        announcements_query.order_by(Announcement.publish_from.desc())
    ).all()
    lines = (
        session.scalars(
            select(SupportLine)
            .where(SupportLine.organisation_id == org.id)
            .order_by(SupportLine.crisis.desc(), SupportLine.position)
        ).all()
        if everywhere
        else []
    )
    zone, now = ZoneInfo(org.timezone), utcnow()
    upcoming = {
        e.id: next_starts(
            first_start=e.starts_at,
            first_end=e.ends_at,
            rule=e.rrule,
            zone=zone,
            after=now,
            count=1,
        )
        for e in events
    }
    # Soonest first; events with no date ahead go last, oldest first.
    far = now + dt.timedelta(days=36500)
    events = sorted(events, key=lambda e: (upcoming[e.id][0] if upcoming[e.id] else far, e.id))
    return render_template(
        "console/content_home.html",
        networks=networks,
        events=events,
        upcoming={k: when(v[0].astimezone(zone), "en") if v else "" for k, v in upcoming.items()},
        announcements=announcements,
        lines=lines,
        everywhere=everywhere,
        progress=translation_progress([*networks, *events, *announcements, *lines]),
        names={n.id: n.name for n in networks},
        kind_of=kind_of,
        now=now,
    )


def translation_progress(items: list) -> dict[tuple[str, int], tuple[int, int, int]]:
    """(table, id) → (languages with any translation, of them fully reviewed, languages)."""
    from service.content.models import Translation

    others = len(languages.LANGUAGES) - 1
    found: dict[tuple[str, int], tuple[int, int, int]] = {}
    by_table: dict[str, list[int]] = {}
    for item in items:
        by_table.setdefault(item.__tablename__, []).append(item.id)
        found[(item.__tablename__, item.id)] = (0, 0, others)
    for table, ids in by_table.items():
        rows = get_session().execute(
            select(Translation.owner_id, Translation.language, Translation.reviewed).where(
                Translation.owner_table == table, Translation.owner_id.in_(ids)
            )
        )
        seen: dict[int, dict[str, bool]] = {}
        for owner_id, language, reviewed in rows:
            seen.setdefault(owner_id, {})
            seen[owner_id][language] = seen[owner_id].get(language, True) and reviewed
        for owner_id, per_language in seen.items():
            found[(table, owner_id)] = (
                len(per_language),
                sum(per_language.values()),
                others,
            )
    return found


# -- networks -------------------------------------------------------------------------------


def _keywords_from(form: NetworkForm) -> dict[str, list[str]]:
    return {
        lang.code: [
            w for w in re.split(r"[\s,]+", form[keyword_field_name(lang.code)].data or "") if w
        ]
        for lang in languages.LANGUAGES
    }


@bp.route("/content/networks/new", methods=["GET", "POST"])
@auth.requires("content.edit")
def network_new():
    """Add a network (admins)."""
    if not may_edit(auth.manager(), None):
        abort(403)
    form = NetworkForm()
    return _network_page(form, None)


@bp.route("/content/network/<int:item_id>", methods=["GET", "POST"])
@auth.requires("content.edit")
def network_edit(item_id: int):
    """Edit a network's text, sensitivity and keywords."""
    network = load("network", item_id)
    assert isinstance(network, Network)
    form = NetworkForm(obj=network) if request.method == "GET" else NetworkForm()
    if request.method == "GET":
        for lang in languages.LANGUAGES:
            words = [k.word for k in network.keywords if k.language == lang.code]
            form[keyword_field_name(lang.code)].data = " ".join(words)
    return _network_page(form, network)


def _network_page(form: NetworkForm, network: Network | None):
    session = get_session()
    if form.validate_on_submit():
        fields = {
            "name": form.name.data,
            "short_description": form.short_description.data,
            "long_description": form.long_description.data or "",
            "sensitive": form.sensitive.data,
            "discreet_name": form.discreet_name.data or "",
            "keywords": _keywords_from(form),
        }
        try:
            network = save(
                "network",
                network,
                fields,
                lambda: content.create_network(
                    session, organisation(), slug=(form.slug.data or "").strip(), **fields
                ),
                lambda it: content.update_network(session, it, **fields),
            )
        except DomainError as exc:
            session.rollback()
            show_refusal(exc, form)
            return _render_network(form, network), 400
        session.commit()
        flash(f"Saved {network.name}.", "success")
        return redirect(url_for("console.network_edit", item_id=network.id))
    return _render_network(form, network), 400 if form.errors else 200


def _render_network(form: NetworkForm, network: Network | None) -> str:
    return render_template(
        "console/network_form.html",
        form=form,
        network=network,
        keyword_fields=[
            (lang, form[keyword_field_name(lang.code)]) for lang in languages.LANGUAGES
        ],
        previews=sms_previews(get_session(), network, utcnow()) if network else [],
    )


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


@bp.get("/content/keywords/check")
@auth.requires("content.edit")
def keyword_check():
    """Which typed keywords cannot be used, and why: the form checks as the lead types."""
    network_id = request.args.get("network", type=int)
    words = [w for w in re.split(r"[\s,]+", request.args.get("words", "")) if w][:20]
    org_id = auth.manager().organisation_id
    problems = [
        {"word": w, "problem": p}
        for w in words
        if (p := content.keyword_clash(get_session(), org_id, w, network_id)) is not None
    ]
    return jsonify(problems=problems)
