"""SQL statements a worker runs to send a batch of texts: a test fails when the count rises."""

from __future__ import annotations

from sqlalchemy import event, select

from service import tasks
from service.broadcasts.operations import create_broadcast, send_broadcast
from service.outbox.models import OutboundMessage
from tests.support import factories
from tests.support.fake_twilio import config_at_fake
from tests.support.outbox import MORNING
from tests.support.sms import DEMO_NUMBER

config = config_at_fake(SMS_SEND_RATE=0, QUIET_HOURS="", MAX_DAILY_TEXTS=1000)
TEXTS = 20
# The batch's claim: its rows, their contacts (locked), the day's texts to them, and one
# update of the rows claimed; then one read of the window's contacts for a STOP just before
# its texts go (all 20 here: the window is 32), and the SIDs written as the answers come back,
# at worst one statement a text (those that land together are written together). Before
# issue 20: 8 statements and a commit a text; then 2 statements a text, sent one at a time.
CLAIM_STATEMENTS = 4
WINDOW_CHECK = 1
PER_TEXT = 1


def test_a_batch_costs_a_few_statements_then_one_a_text(session, app, fake, connection) -> None:
    org = factories.create_organisation(session, numbers=(DEMO_NUMBER,))
    for _ in range(TEXTS):
        factories.create_contact(session, org=org)
    broadcast = create_broadcast(session, org, body="Depot open as usual.", audience="organisation")
    send_broadcast(session, broadcast, app.config["FRONTLINE"], MORNING)
    session.commit()
    ids = list(session.scalars(select(OutboundMessage.id).order_by(OutboundMessage.id)))
    statements: list[str] = []
    transactions = 0

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        nonlocal transactions
        head = statement.lstrip().upper()
        if head.startswith("RELEASE SAVEPOINT"):
            transactions += 1  # the test's harness turns each commit into a savepoint's release
        elif not head.startswith(("SAVEPOINT", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", before)
    try:
        tasks.send_outbound_batch.call_local(ids)
    finally:
        event.remove(connection, "before_cursor_execute", before)
    assert len(fake.sent) == TEXTS
    listing = "\n".join(s.split("\n")[0][:100] for s in statements)
    assert len(statements) <= CLAIM_STATEMENTS + WINDOW_CHECK + PER_TEXT * TEXTS, listing
    # The claim's, the window's check, at worst one a text, and the last SIDs' own.
    assert transactions <= 1 + 1 + TEXTS + 1
