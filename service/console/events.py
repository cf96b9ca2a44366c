"""/console/content/event: events, how they repeat, and a preview of their next dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms.fields.choices import SelectChoice

from service.audit import operations as audit
from service.config import get_config
from service.console import auth
from service.console.content_forms import ConfirmForm, EventForm, SkipDateForm
from service.console.shared import (
    load,
    may_edit,
    network_choices,
    organisation,
    save,
    show_refusal,
)
from service.console.sms_preview import sms_previews
from service.contacts.phone import RegionNotServed, callable_number, regions
from service.content import operations as content
from service.content import skips
from service.content.models import Event, Network
from service.content.recurrence import Repeat, next_starts, simple_repeat
from service.db import get_session, utcnow
from service.errors import DomainError, InvalidPhoneNumber, ValidationError
from service.formatting import when
from service.organisations.models import Site
from service.routes import Routes
from service.rsvps.called_off import call_off

routes = Routes()


def _event_form(event: Event | None, zone: ZoneInfo, formdata=None) -> EventForm:
    manager = auth.manager()
    form = EventForm(formdata=formdata) if formdata is not None else EventForm()
    form.network.choices = network_choices(manager)
    sites = get_session().scalars(
        select(Site).where(Site.organisation_id == manager.organisation_id).order_by(Site.name)
    )
    form.site.choices = [SelectChoice(0, "No particular site")] + [
        SelectChoice(s.id, s.name) for s in sites
    ]
    if event is not None and event.rrule and simple_repeat(event.rrule) is None:
        # A rule written elsewhere (the demo, the API): kept unless the lead picks another.
        form.repeat.choices = [*form.repeat.choices, SelectChoice("custom", f"Keep: {event.rrule}")]
    if event is not None and request.method == "GET" and formdata is None:
        start = event.starts_at.astimezone(zone)
        end = event.ends_at.astimezone(zone)
        repeat = simple_repeat(event.rrule)
        # Not obj=event: its network and site attributes are rows, and the form wants ids.
        form.process(
            title=event.title,
            place=event.place,
            description=event.description,
            dial_in_number=event.dial_in_number or "",
            dial_in_pin=event.dial_in_pin or "",
            capacity=event.capacity,
            network=event.network_id or 0,
            site=event.site_id or 0,
            date=start.date(),
            start=start.time(),
            end=end.time(),
            repeat=repeat.kind if repeat else "custom",
            days=list(repeat.days) if repeat else [],
            interval=repeat.interval if repeat else 1,
            nth=repeat.nth if repeat else 1,
            weekday=repeat.weekday if repeat else "MO",
            until=repeat.until if repeat else None,
        )
    return form


def _schedule(
    form: EventForm, zone: ZoneInfo, event: Event | None
) -> tuple[dt.datetime, dt.datetime, str | None]:
    """The first start and end in UTC, and the rule, from the form's wall-clock choices."""
    starts = dt.datetime.combine(form.date.data, form.start.data, tzinfo=zone)
    ends = dt.datetime.combine(form.date.data, form.end.data, tzinfo=zone)
    if ends <= starts:
        raise ValidationError("end", "the event must end after it starts")
    if form.repeat.data == "custom" and event is not None:
        rule = event.rrule
    else:
        rule = Repeat(
            kind=form.repeat.data,
            days=tuple(form.days.data or ()),
            interval=form.interval.data or 1,
            nth=form.nth.data or 1,
            weekday=form.weekday.data or "MO",
            until=form.until.data,
        ).rule()
    return starts.astimezone(dt.UTC), ends.astimezone(dt.UTC), rule


def _next_five(
    starts: dt.datetime,
    ends: dt.datetime,
    rule: str | None,
    zone: ZoneInfo,
    skipped: set[dt.date] | None = None,
) -> list[str]:
    dates = next_starts(
        first_start=starts,
        first_end=ends,
        rule=rule,
        zone=zone,
        after=utcnow(),
        skipped=skipped or set(),
    )
    return [_long_date(d, zone) for d in dates]


def _long_date(moment: dt.datetime, zone: ZoneInfo) -> str:
    return when(moment.astimezone(zone), "en", style="EEEE d MMMM y, HH:mm")


def _skipped(event: Event | None) -> set[dt.date]:
    return {s.day for s in event.skipped} if event is not None else set()


@routes.route("/content/events/new", methods=["GET", "POST"])
@auth.requires("content.edit")
def event_new():
    """Add an event."""
    return _event_page(None)


@routes.route("/content/event/<int:item_id>", methods=["GET", "POST"])
@auth.requires("content.edit")
def event_edit(item_id: int):
    """Edit an event, with its next five dates."""
    event = load("event", item_id)
    assert isinstance(event, Event)
    return _event_page(event)


def _event_page(event: Event | None):
    manager, session, org = auth.manager(), get_session(), organisation()
    zone = ZoneInfo(org.timezone)
    form = _event_form(event, zone)
    if form.validate_on_submit():
        network = session.get(Network, form.network.data) if form.network.data else None
        if not may_edit(manager, network.id if network else None):
            abort(403)
        try:
            starts, ends, rule = _schedule(form, zone, event)
            fields = {
                "title": form.title.data,
                "starts_at": starts,
                "ends_at": ends,
                "network": network,
                "description": form.description.data or "",
                "site": session.get(Site, form.site.data) if form.site.data else None,
                "place": form.place.data or "",
                "rrule": rule,
                "dial_in_number": _dial_in(form.dial_in_number.data),
                "dial_in_pin": (form.dial_in_pin.data or "").strip() or None,
                "capacity": form.capacity.data,
            }
            event = save(
                "event",
                event,
                fields,
                lambda: content.create_event(session, org, **fields),
                lambda it: content.update_event(session, it, **fields),
            )
        except DomainError as exc:
            show_refusal(exc, form)
            return _render_event(form, event, zone), 400
        session.commit()
        flash(f"Saved {event.title}.", "success")
        return redirect(url_for("console.event_edit", item_id=event.id))
    return _render_event(form, event, zone), 400 if form.errors else 200


def _dial_in(raw: str | None) -> str | None:
    """The dial-in number typed, held to the organisation's regions (the core refuses premium)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return callable_number(raw, regions(get_config().ALLOWED_REGIONS))
    except RegionNotServed:
        raise ValidationError(
            "dial_in_number", "a dial-in number must be in the organisation's own country"
        ) from None
    except InvalidPhoneNumber:
        raise ValidationError(
            "dial_in_number", "a dial-in number must be an ordinary or freephone number"
        ) from None


def _render_event(form: EventForm, event: Event | None, zone: ZoneInfo) -> str:
    dates: list[str] = []
    skipping: list[tuple[dt.date, str]] = []
    skipped: list[tuple[dt.date, str]] = []
    if event is not None:
        dates = _next_five(event.starts_at, event.ends_at, event.rrule, zone, _skipped(event))
        if event.rrule is not None:
            session, now = get_session(), utcnow()
            # The next eight dates, each with its own Skip button; any other by the date box.
            skipping = [
                (d.astimezone(zone).date(), _long_date(d, zone))
                for d in skips.next_dates(session, event, now, count=8)
            ]
            skipped = [
                (day, f"{day:%A} {day.day} {day:%B %Y}")
                for day in skips.skipped_ahead(session, event, now)
            ]
    return render_template(
        "console/event_form.html",
        form=form,
        event=event,
        dates=dates,
        skipping=skipping,
        skipped=skipped,
        skip_form=SkipDateForm(),
        previews=sms_previews(get_session(), event, utcnow()) if event else [],
        delete=ConfirmForm(),
    )


@routes.post("/content/event/<int:item_id>/skip")
@auth.requires("content.edit")
def event_skip(item_id: int):
    """Skip one date of a repeating event on every channel (a bank holiday, Christmas)."""
    event, day = _posted_day(item_id)
    session = get_session()
    try:
        start = skips.skip_date(session, event, day, now=utcnow())
    except DomainError as exc:
        session.rollback()
        flash("Nothing was skipped. " + _sentence(exc))
        return redirect(url_for("console.event_edit", item_id=item_id))
    done = call_off(session, event, start)
    _audit_day(
        "event.skip", event, day, told=done.told, reminders_cancelled=done.reminders_cancelled
    )
    session.commit()
    told = (
        f" {done.told} {'person' if done.told == 1 else 'people'} who said they were going "
        f"{'gets' if done.told == 1 else 'get'} a text that it is off."
        if done.told
        else ""
    )
    flash(
        f"{event.title} is off on {day:%A} {day.day} {day:%B %Y}: gone from texts, the phone "
        f"line, kiosks and public pages now, and from packs printed from now on.{told}",
        "success",
    )
    return redirect(url_for("console.event_edit", item_id=item_id))


@routes.post("/content/event/<int:item_id>/unskip")
@auth.requires("content.edit")
def event_unskip(item_id: int):
    """Undo a skip: the date is on again on every channel."""
    event, day = _posted_day(item_id)
    session = get_session()
    if skips.restore_date(session, event, day):
        _audit_day("event.unskip", event, day)
        session.commit()
        flash(f"{event.title} is on again on {day:%A} {day.day} {day:%B %Y}.", "success")
    return redirect(url_for("console.event_edit", item_id=item_id))


def _posted_day(item_id: int) -> tuple[Event, dt.date]:
    # 404 outside the organisation, 403 outside the lead's networks; 400 without a valid day.
    event = load("event", item_id)
    assert isinstance(event, Event)
    form = SkipDateForm()
    if not form.validate_on_submit():
        abort(400)
    return event, form.day.data


def _audit_day(action: str, event: Event, day: dt.date, **more: object) -> None:
    manager = auth.manager()
    audit.record(
        get_session(),
        manager.organisation_id,
        manager.id,
        action,
        id=event.id,
        day=day.isoformat(),
        **more,
    )


def _sentence(exc: DomainError) -> str:
    message = getattr(exc, "message", str(exc))
    return message[:1].upper() + message[1:] + "."


@routes.get("/content/events/dates")
@auth.requires("content.edit")
def event_dates():
    """The next five dates of the schedule being typed: the form's live preview."""
    org = organisation()
    zone = ZoneInfo(org.timezone)
    item_id = request.args.get("event", type=int)
    event = load("event", item_id) if item_id else None
    form = EventForm(formdata=MultiDict(request.args), meta={"csrf": False})
    for name in ("date", "start", "end", "until", "interval", "nth", "days", "weekday", "repeat"):
        form[name].process(MultiDict(request.args))
    if not (form.date.data and form.start.data and form.end.data):
        return jsonify(dates=[], problem="Give the first date and the times.")
    try:
        starts, ends, rule = _schedule(form, zone, event)
        if rule is not None:
            content.check_rule(org, rule, starts)
    except DomainError as exc:
        return jsonify(dates=[], problem=getattr(exc, "message", str(exc)).capitalize() + ".")
    return jsonify(dates=_next_five(starts, ends, rule, zone, _skipped(event)), problem="")
