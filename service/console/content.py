"""/console/content: what a manager may edit, and networks with their keywords."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from service import languages
from service.console import auth
from service.console.content_forms import (
    NetworkForm,
    keyword_field_name,
)
from service.console.shared import (
    editable_networks,
    kind_of,
    load,
    may_edit,
    organisation,
    save,
    show_refusal,
)
from service.console.sms_preview import sms_previews
from service.content import colours
from service.content import operations as content
from service.content.models import Announcement, Event, Network, SupportLine
from service.content.recurrence import next_starts
from service.db import get_session, utcnow
from service.errors import DomainError
from service.formatting import when
from service.routes import Routes

routes = Routes()


@routes.get("/content")
@auth.requires("content.edit")
def content_home():
    """Everything the manager may edit, with how far each is translated."""
    manager, session = auth.manager(), get_session()
    org = organisation()
    networks = editable_networks(manager)
    editable = [n.id for n in networks]
    everywhere = may_edit(manager, None)
    events_query = (
        select(Event)
        .where(Event.organisation_id == org.id)
        .options(selectinload(Event.skipped))
        .order_by(Event.starts_at)
    )
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
            skipped={s.day for s in e.skipped},
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


@routes.route("/content/networks/new", methods=["GET", "POST"])
@auth.requires("content.edit")
def network_new():
    """Add a network (admins)."""
    if not may_edit(auth.manager(), None):
        abort(403)
    form = NetworkForm()
    if request.method == "GET":
        # A colour input always sends a colour: offer the palette's next one, not black.
        taken = get_session().scalars(
            select(Network.colour).where(Network.organisation_id == auth.manager().organisation_id)
        )
        form.colour.data = colours.default_colour(list(taken))
    return _network_page(form, None)


@routes.route("/content/network/<int:item_id>", methods=["GET", "POST"])
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
            "colour": form.colour.data or None,
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
        band=colours.band_colours(network.colour) if network else None,
    )


@routes.get("/content/keywords/check")
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
