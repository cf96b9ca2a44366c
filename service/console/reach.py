"""/console/reach: how many people each network reaches, by channel, site and month; never who."""

from __future__ import annotations

from flask import Response, abort, render_template, url_for
from flask import request as http_request
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import Form, MonthField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from service.audit import operations as audit
from service.console import auth
from service.console.charts import bar_chart, line_chart, listing
from service.console.shared import csv_download
from service.content.models import Network
from service.db import get_session, utcnow
from service.organisations.models import Organisation, Site
from service.reach.operations import (
    CHANNEL_LABELS,
    CHANNELS,
    MAX_MONTHS,
    ReachQuery,
    add_months,
    default_range,
    month_of,
    reach_table,
)
from service.reach.people import ShownPeople, people_csv, people_reach, people_shown
from service.reach.suppression import HEADINGS, reach_csv, shown_table
from service.routes import Routes

routes = Routes()

ALL = ""  # the filter choice meaning "do not narrow by this"


class ReachFilterForm(Form):
    """The dashboard's filters: a GET form (it changes nothing, so it needs no CSRF token)."""

    group = SelectField(
        "Show a line for each",
        choices=[SelectChoice(key, label.lower()) for key, label in HEADINGS.items()],
        default="network",
        validators=[DataRequired()],
    )
    first = MonthField("From month", validators=[DataRequired()])
    last = MonthField("To month", validators=[DataRequired()])
    network = SelectField("Network", default=ALL)
    channel = SelectField(
        "Channel",
        choices=[SelectChoice(ALL, "All channels")]
        + [SelectChoice(c, CHANNEL_LABELS[c]) for c in CHANNELS],
        default=ALL,
    )
    site = SelectField("Site", default=ALL)

    def validate_last(self, field: MonthField) -> None:
        """The range runs forwards and is at most MAX_MONTHS long."""
        if self.first.data is None or field.data is None:
            return
        if field.data < self.first.data:
            raise ValidationError("The last month must not be before the first.")
        if add_months(self.first.data, MAX_MONTHS - 1) < field.data:
            raise ValidationError(f"Choose at most {MAX_MONTHS} months.")


def _filters(session: Session, organisation_id: int) -> tuple[ReachFilterForm, ReachQuery | None]:
    """The filter form from the query string, and the query it asks for (None when invalid)."""
    org = session.get_one(Organisation, organisation_id)
    first, last = default_range(org, utcnow())
    form = ReachFilterForm(http_request.args, first=first, last=last)
    networks = session.execute(
        select(Network.id, Network.name)
        .where(Network.organisation_id == organisation_id)
        .order_by(Network.name)
    ).all()
    sites = session.execute(
        select(Site.id, Site.name)
        .where(Site.organisation_id == organisation_id)
        .order_by(Site.name)
    ).all()
    form.network.choices = [
        SelectChoice(ALL, "All networks"),
        *(SelectChoice(str(i), name) for i, name in networks),
        SelectChoice("0", "Not about one network"),
    ]
    form.site.choices = [
        SelectChoice(ALL, "All sites"),
        *(SelectChoice(str(i), name) for i, name in sites),
        SelectChoice("0", "No site known"),
    ]
    if not form.validate():
        return form, None
    return form, ReachQuery(
        group_by=form.group.data,
        # MonthField reads "2026-01" as the first of the month.
        first_month=form.first.data.replace(day=1),
        last_month=form.last.data.replace(day=1),
        network_id=None if form.network.data == ALL else int(form.network.data),
        channel=None if form.channel.data == ALL else form.channel.data,
        site_id=None if form.site.data == ALL else int(form.site.data),
    )


def _arguments(query: ReachQuery) -> dict[str, str]:
    """The query as the form's own query string, so a link keeps every filter."""

    def chosen(value: object) -> str:
        return ALL if value is None else str(value)

    return {
        "group": query.group_by,
        "first": query.first_month.strftime("%Y-%m"),
        "last": query.last_month.strftime("%Y-%m"),
        "network": chosen(query.network_id),
        "channel": chosen(query.channel),
        "site": chosen(query.site_id),
    }


def _caption(query: ReachQuery) -> str:
    first, last = (m.strftime("%B %Y") for m in (query.first_month, query.last_month))
    span = first if first == last else f"{first} to {last}"
    return f"Reach by {HEADINGS[query.group_by].lower()}, {span}"


@routes.get("/reach")
@auth.requires("reach.view")
def reach():
    """The reach dashboard: counts by network, channel, site or month, small ones hidden."""
    manager = auth.manager()
    session = get_session()
    # Held here, so that the session's identity map keeps it for every step below.
    org = session.get_one(Organisation, manager.organisation_id)
    form, query = _filters(session, org.id)
    if query is None:
        return render_template("console/reach.html", form=form, table=None), 400
    table = shown_table(reach_table(session, org.id, query))
    people = _people(session, org, query)
    return render_template(
        "console/reach.html",
        form=form,
        table=table,
        caption=_caption(query),
        csv_url=url_for("console.reach_csv", **_arguments(query)),
        people=people,
        charts=_charts(people),
        people_csv_url=url_for("console.reach_people_csv", **_arguments(query)),
    )


def _people(session: Session, org: Organisation, query: ReachQuery) -> ShownPeople:
    """People reached per site over the query's months (its other filters do not apply)."""
    this_month = month_of(org, utcnow())
    reach = people_reach(session, org.id, query.first_month, query.last_month, this_month)
    return people_shown(reach, this_month)


def _charts(people: ShownPeople) -> dict[str, object]:
    """The three charts, each with a text alternative that says what its table says."""
    with_headcount = [s for s in people.sites if s.members_percent is not None]
    charts: dict[str, object] = {}
    month = people.month_label
    if with_headcount:
        charts["shares"] = bar_chart(
            f"Share of staff reached, {month}",
            f"Bar chart of members now and people heard from in {month}, as a share of each "
            "site's headcount. "
            + listing(
                [
                    (s.label, f"members {s.members_share}, heard from {s.people_share}")
                    for s in with_headcount
                ]
            ),
            [s.label for s in with_headcount],
            [
                ("Members now", [s.members_percent for s in with_headcount]),
                ("Heard from", [s.people_percent for s in with_headcount]),
            ],
            horizontal=True,
            percent=True,
        )
    if people.share_by_site:
        charts["trend"] = line_chart(
            "Share of staff heard from each month",
            "Line chart of the people heard from each month as a share of each site's "
            "headcount. " + _monthly(people, people.share_by_site),
            people.month_labels,
            [(line.label, line.values) for line in people.share_by_site],
            percent=True,
        )
    channels = people.people_by_channel[:-1]
    charts["channels"] = bar_chart(
        "People heard from each month, by the first channel they used",
        "Stacked bar chart of the people heard from each month, split by the channel each "
        "first used that month. " + _monthly(people, channels),
        people.month_labels,
        [(line.label, line.values) for line in channels],
        stacked=True,
    )
    return charts


def _monthly(people: ShownPeople, lines) -> str:
    # A chart's lines in words: each one's label, then its value month by month.
    return listing(
        [
            (
                line.label,
                ", ".join(f"{m} {c}" for m, c in zip(people.month_labels, line.cells, strict=True)),
            )
            for line in lines
        ]
    )


@routes.get("/reach.csv", endpoint="reach_csv")
@auth.requires("reach.view")
def reach_csv_download():
    """The same table as CSV, with the same suppression; each download is audited."""
    session, org, query = _export_query()
    text = reach_csv(shown_table(reach_table(session, org.id, query)))
    return _exported(text, "reach.export", query, f"reach-by-{query.group_by}")


@routes.get("/reach/people.csv", endpoint="reach_people_csv")
@auth.requires("reach.view")
def reach_people_csv_download():
    """People reached per site and month as CSV, hidden exactly as on the page; audited."""
    session, org, query = _export_query()
    text = people_csv(_people(session, org, query))
    return _exported(text, "reach.export.people", query, "people-reached")


def _export_query() -> tuple[Session, Organisation, ReachQuery]:
    # An export asked for without a valid query is refused: there is no page to show errors on.
    session = get_session()
    org = session.get_one(Organisation, auth.manager().organisation_id)
    _form, query = _filters(session, org.id)
    if query is None:
        abort(400)
    return session, org, query


def _exported(text: str, action: str, query: ReachQuery, name: str) -> Response:
    # Every export is audited with the query that made it.
    manager, session = auth.manager(), get_session()
    arguments = _arguments(query)
    audit.record(session, manager.organisation_id, manager.id, action, **arguments)
    session.commit()
    return csv_download(text, f"{name}-{arguments['first']}-to-{arguments['last']}.csv")
