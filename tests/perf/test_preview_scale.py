"""A broadcast's preview (and Send, which reads it) costs the same for ten people or a million.

At national scale the preview read every recipient into Python and rendered each one's text:
4.5 s for 300,000 people. A person's text depends only on their language, their discretion and
the first targeted network they are in, so the preview now reads those kinds, counted by the
database. Here: every statement the preview runs returns a row per kind, never per person,
and the figures are exactly what rendering each person gave.
"""

from __future__ import annotations

from sqlalchemy import event

from service.broadcasts.operations import create_broadcast, recipients, renderer
from service.broadcasts.preview import preview
from service.contacts.operations import join_network
from service.content.operations import set_translation
from service.messaging.segments import count
from tests.support import factories

PEOPLE = 120


def test_the_preview_reads_kinds_of_people_not_each_person(session, app, connection) -> None:
    org = factories.create_organisation(session)
    carers = factories.create_network(session, org=org, name="Carers Network")
    lgbt = factories.create_network(
        session, org=org, name="LGBT+ Network", sensitive=True, discreet_name="Thursday group"
    )
    for n in range(PEOPLE):
        person = factories.create_contact(session, org=org, language=("en", "pl", "ur")[n % 3])
        person.discreet = n % 4 == 0
        for network in (carers, lgbt)[: 1 + n % 2] if n % 5 else (lgbt,):
            join_network(session, person, network, channel="sms", consent_version="v1")
    broadcast = create_broadcast(
        session,
        org,
        body="Meeting moved to Thursday at the depot canteen.",
        audience="networks",
        network_ids=[carers.id, lgbt.id],
    )
    set_translation(session, broadcast, "body", "pl", "Spotkanie przeniesione na czwartek.")
    session.flush()
    selects: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", record)
    try:
        shown = preview(session, broadcast, app.config["FRONTLINE"])
    finally:
        event.remove(connection, "before_cursor_execute", record)

    returned = [
        len(connection.exec_driver_sql(statement, parameters).fetchall())
        for statement, parameters in selects
    ]
    # 3 languages x discreet or not x 2 first networks at most: 12 kinds, for 120 people.
    assert max(returned) <= 12, (returned, [s for s, _ in selects])

    # The same figures as rendering every person one by one.
    people = recipients(session, broadcast, honour_held=False)
    render = renderer(session, broadcast, {p.language for p in people})
    assert shown.recipients == len(people) == PEOPLE
    for language in ("en", "pl", "ur"):
        mine = [p for p in people if p.language == language]
        assert shown.by_language[language] == len(mine)
        line = next(line for line in shown.lines if line.language == language)
        assert line.segments == sum(count(render.text(p)).segments for p in mine)
