"""Round trips of FORGET ME's erasing YES and of a retention purge batch (issue 20, item 5).

At national scale neither reads more rows than at demo size: what they cost is their round
trips to the database, each a wait of milliseconds on a busy machine. FORGET ME's reply is
due within 100 ms, and 5,000,000 expired texts are purged a batch at a time while webhooks
go on. Counted as tests/perf/test_statement_counts.py counts the hot paths.
"""

from __future__ import annotations

import datetime as dt
import re

from service.db import utcnow
from service.privacy import retention
from tests.perf.test_statement_counts import counting
from tests.support.sms import Handset

# The erasing YES: the contact, the SIDs owed at Twilio (the core's and every holder's in one
# statement: was six, one per column and holder), every holder's rows, the contact. Was 21.
ERASING_YES = 16


def test_the_erasing_yes_of_forget_me(client, demo, connection) -> None:
    handset = Handset(client, "+447400555201")
    handset.send("JOIN CARERS")
    handset.send("YES")
    asked = handset.send("FORGET ME")
    code = re.search(r"YES (\d{4})", asked.text)
    with counting(connection) as count:
        done = handset.send("YES " + code.group(1) if code else "YES")
    assert done.status == 200 and done.texts
    listing = "\n".join(s.split("\n")[0][:120] for s in count.statements)
    # Distinct statements: SQLite's driver sends the rows owed at Twilio one INSERT each,
    # PostgreSQL's in one.
    assert len(set(count.statements)) <= ERASING_YES, listing
    assert sum("FROM callback_request" in s for s in count.statements) <= 1, listing


def test_a_purge_batch_is_one_statement(client, demo, connection, session, config) -> None:
    # The ids are chosen and deleted by the database in one statement: they never come to
    # Python and go back as thousands of bound parameters, a round trip more per batch.
    for n in range(3):
        Handset(client, f"+44740055521{n}").send("HELLO")
    rule = next(r for r in retention.rules() if r.name == "inbound_message")
    # Two years on by days, not by year: the suite may run on 29 February.
    later = utcnow() + dt.timedelta(days=2 * 366)
    with counting(connection) as count:
        deleted = retention.purge_batch(session, rule, config, later, 2)
    assert deleted == 2
    assert len(count.statements) == 1, count.statements
    with counting(connection) as count:
        assert retention.purge_batch(session, rule, config, later, 2) >= 1
    assert len(count.statements) == 1, count.statements
