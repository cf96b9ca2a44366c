"""A second baseline: the least a returning member's EVENTS text must do, on raw sqlite3.

Not the service: what the stack itself allows. It checks the signature with one HMAC (as the
service does), finds the organisation by the number texted, reads the member's contact, state
and history with the service's own lookup statement, encrypts the stored answer, and writes
what an answered text writes (last seen, conversation state, the inbound row) in one write
transaction, all on sqlite3 directly: no ORM, no session, no conversation, no content (the
answer is a fixed text). bench/sms_webhook.py serves it beside the echo app, on the service's
demo database, so a run shows how far the echo ratio a real answer could reach on SQLite.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import sqlite3

from flask import Flask, Response, abort, request
from sqlalchemy.dialects import sqlite as sqlite_dialect

from service import with_dev_secrets
from service.config import from_env, validate
from service.crypto import Vault
from service.db import SQLITE_BUSY_TIMEOUT_MS
from service.sms.lookup import _statement

config = with_dev_secrets(validate(from_env()))
vault = Vault(config.DATA_KEY, old_keys=config.old_data_keys)
DATABASE = config.database_url.removeprefix("sqlite:///")
URL = config.PUBLIC_URL.rstrip("/") + "/twilio/sms"
TOKEN = config.TWILIO_AUTH_TOKEN.encode()
LOOKUP = _statement(1).compile(dialect=sqlite_dialect.dialect())
LOOKUP_SQL = str(LOOKUP)
ANSWER = "Events this week: none for your networks. Text NETWORKS to see them."
TWIML = (
    f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{ANSWER}</Message></Response>'
).encode()
# The service reads the whole organisation row; the floor needs only its id.
FOR_NUMBER = "SELECT organisation_id FROM organisation_number WHERE e164 = ?"
WRITES = (
    "UPDATE contact SET last_seen_at = ? WHERE id = ?",
    "UPDATE conversation_state SET updated_at = ? WHERE contact_id = ?",
)
CLAIM = (
    "INSERT INTO inbound_message (message_sid, organisation_id, contact_id, received_at,"
    " command, segments, replies_encrypted) VALUES (?, ?, ?, ?, 'events', 1, ?)"
    " ON CONFLICT (message_sid) DO NOTHING RETURNING id"
)

app = Flask(__name__)
_connection: sqlite3.Connection | None = None


def connection() -> sqlite3.Connection:
    """This worker's connection, opened after the fork with the service's pragmas."""
    global _connection
    if _connection is None:
        _connection = sqlite3.connect(DATABASE, isolation_level=None)
        for pragma in (
            "journal_mode=WAL",
            f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
            "foreign_keys=ON",
            "synchronous=NORMAL",
        ):
            _connection.execute(f"PRAGMA {pragma}")
    return _connection


@app.post("/twilio/sms")
def events() -> Response:
    """A returning member's EVENTS, answered with a fixed text and written as the service does."""
    form = request.form
    signed = URL + "".join(key + value for key in sorted(form) for value in form.getlist(key))
    expected = base64.b64encode(hmac.new(TOKEN, signed.encode(), hashlib.sha1).digest())
    if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "").encode()):
        abort(403)
    db = connection()
    (organisation_id,) = db.execute(FOR_NUMBER, (form["To"],)).fetchone()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    params = {
        **LOOKUP.params,
        "organisation_id": organisation_id,
        "message_sid": form["MessageSid"],
        "since": (now - dt.timedelta(minutes=1)).isoformat(" "),
        "index_0": vault.blind_index(form["From"]),
    }
    contact_id = db.execute(LOOKUP_SQL, [params[k] for k in LOOKUP.positiontup]).fetchone()[0]
    if contact_id is None:
        abort(404)  # the bench sends EVENTS from returning members only
    stored = vault.encrypt(json.dumps([ANSWER]))
    stamp = now.isoformat(" ")
    db.execute("BEGIN IMMEDIATE")
    try:
        for statement in WRITES:
            db.execute(statement, (stamp, contact_id))
        db.execute(CLAIM, (form["MessageSid"], organisation_id, contact_id, stamp, stored))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return Response(TWIML, mimetype="text/xml")
