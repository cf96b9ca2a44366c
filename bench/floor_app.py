"""A second baseline: the least a returning member's EVENTS text must do, on the raw driver.

Not the service: what the stack itself allows. It checks the signature with one HMAC (as the
service does), finds the organisation by the number texted, reads the member's contact, state
and history with the service's own lookup statement, encrypts the stored answer, and writes
what an answered reading text writes, as the service writes it: on SQLite last seen, the
conversation state and the inbound row in one write transaction; on PostgreSQL the service's
one statement (service.sms.finish) committed without waiting for the WAL's flush. All of it on
sqlite3 or psycopg directly: no ORM, no session, no conversation, no content (the answer is a
fixed text). bench/sms_webhook.py serves it beside the echo app on the database the service's
rows used, so a run shows how near the echo app a real answer could come on that database.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import sqlite3
from typing import Any

from flask import Flask, Response, abort, request
from sqlalchemy.dialects.postgresql import psycopg as postgresql_psycopg
from sqlalchemy.dialects.sqlite import pysqlite
from sqlalchemy.engine import make_url

from service import with_dev_secrets
from service.config import from_env, validate
from service.crypto import Vault
from service.db import SQLITE_BUSY_TIMEOUT_MS
from service.sms import finish, lookup

config = with_dev_secrets(validate(from_env()))
vault = Vault(config.DATA_KEY, old_keys=config.old_data_keys)
URL = config.PUBLIC_URL.rstrip("/") + "/twilio/sms"
TOKEN = config.TWILIO_AUTH_TOKEN.encode()
ANSWER = "Events this week: none for your networks. Text NETWORKS to see them."
TWIML = (
    f'<?xml version="1.0" encoding="UTF-8"?><Response><Message>{ANSWER}</Message></Response>'
).encode()


class SQLite:
    """The floor's statements on one sqlite3 connection, opened after the fork."""

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

    def __init__(self, path: str) -> None:
        self.path = path
        self.lookup = lookup._statement(1).compile(dialect=pysqlite.dialect())
        self.lookup_sql = str(self.lookup)
        self.db: sqlite3.Connection | None = None

    def connection(self) -> sqlite3.Connection:
        if self.db is None:
            self.db = sqlite3.connect(self.path, isolation_level=None)
            for pragma in (
                "journal_mode=WAL",
                f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
                "foreign_keys=ON",
                "synchronous=NORMAL",
            ):
                self.db.execute(f"PRAGMA {pragma}")
        return self.db

    def organisation(self, e164: str) -> int:
        return self.connection().execute(self.FOR_NUMBER, (e164,)).fetchone()[0]

    def contact(self, params: dict[str, Any]) -> int | None:
        values = {**self.lookup.params, **params, "since": params["since"].isoformat(" ")}
        order = self.lookup.positiontup or ()
        row = self.connection().execute(self.lookup_sql, [values[k] for k in order]).fetchone()
        return row[0]

    def write(self, organisation_id: int, contact_id: int, sid: str, now: dt.datetime) -> None:
        db, stamp = self.connection(), now.isoformat(" ")
        stored = vault.encrypt(json.dumps([ANSWER]))
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in self.WRITES:
                db.execute(statement, (stamp, contact_id))
            db.execute(self.CLAIM, (sid, organisation_id, contact_id, stamp, stored))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise


class PostgreSQL:
    """The floor's statements on one psycopg connection, opened after the fork."""

    FOR_NUMBER = "SELECT organisation_id FROM organisation_number WHERE e164 = %s"

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        dialect = postgresql_psycopg.dialect()
        self.lookup = lookup._statement(1).compile(dialect=dialect)
        self.finish = finish._statement(None, durable=False).compile(dialect=dialect)
        self.db: Any = None

    def connection(self) -> Any:
        if self.db is None:
            import psycopg

            self.db = psycopg.connect(
                host=self.url.host,
                port=self.url.port or 5432,
                user=self.url.username,
                password=self.url.password,
                dbname=self.url.database,
            )
        return self.db

    def organisation(self, e164: str) -> int:
        return self.connection().execute(self.FOR_NUMBER, (e164,), prepare=True).fetchone()[0]

    def contact(self, params: dict[str, Any]) -> int | None:
        values = {**self.lookup.params, **params}
        row = self.connection().execute(self.lookup.string, values, prepare=True).fetchone()
        return row[0]

    def write(self, organisation_id: int, contact_id: int, sid: str, now: dt.datetime) -> None:
        values = {
            "seen_id": contact_id,
            "seen_at": now,
            "r_message_sid": sid,
            "r_organisation_id": organisation_id,
            "r_received_at": now,
            "r_command": "events",
            "r_segments": 1,
            "r_replies_encrypted": vault.encrypt(json.dumps([ANSWER])),
            "r_body_encrypted": None,
        }
        db = self.connection()
        try:
            db.execute(self.finish.string, values, prepare=True).fetchone()
            db.commit()
        except BaseException:
            db.rollback()
            raise


database = (
    PostgreSQL(config.database_url)
    if config.database_url.startswith("postgresql")
    else SQLite(config.database_url.removeprefix("sqlite:///"))
)
app = Flask(__name__)


@app.post("/twilio/sms")
def events() -> Response:
    """A returning member's EVENTS, answered with a fixed text and written as the service does."""
    form = request.form
    signed = URL + "".join(key + value for key in sorted(form) for value in form.getlist(key))
    expected = base64.b64encode(hmac.new(TOKEN, signed.encode(), hashlib.sha1).digest())
    if not hmac.compare_digest(expected, request.headers.get("X-Twilio-Signature", "").encode()):
        abort(403)
    organisation_id = database.organisation(form["To"])
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    contact_id = database.contact(
        {
            "organisation_id": organisation_id,
            "message_sid": form["MessageSid"],
            "since": now - dt.timedelta(minutes=1),
            "index_0": vault.blind_index(form["From"]),
        }
    )
    if contact_id is None:
        abort(404)  # the bench sends EVENTS from returning members only
    database.write(organisation_id, contact_id, form["MessageSid"], now)
    return Response(TWIML, mimetype="text/xml")
