"""Retention: rows aged 0 to 800 days, purged against the configured periods, to the day."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from service.audit.models import AuditEntry
from service.callbacks.models import CallbackRequest
from service.cli import cli
from service.config import ConfigError, from_env
from service.contacts.operations import get_or_create_contact
from service.db import get_database, utcnow
from service.managers.models import SignInThrottle
from service.outbox.models import OutboundMessage
from service.privacy.retention import purge, rules
from service.sms.models import InboundMessage
from service.speakup.models import SpeakUpCase, SpeakUpMessage
from service.verification.models import CallerCheck, PendingAction, RequestKey, SendRequest
from service.voice.models import VoiceCall

NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)
# Either side of every default period (1, 90, 180, 730 days), and far beyond.
AGES = (0, 1, 2, 30, 89, 90, 91, 179, 180, 181, 365, 729, 730, 731, 800)


def seed(session, vault, org, now: dt.datetime) -> tuple[dict[int, str], dict[int, str]]:
    """One row per age in every purged table, plus rows that no age may purge."""
    contact, _ = get_or_create_contact(session, org.id, "+447400123456")
    session.flush()
    recordings: dict[int, str] = {}
    for n, days in enumerate(AGES):
        at = now - dt.timedelta(days=days)
        common = {"organisation_id": org.id, "contact_id": contact.id}
        recordings[days] = f"RE{n:032x}"
        session.add_all(
            [
                InboundMessage(message_sid=f"SM{n:032x}", received_at=at, command="help", **common),
                # Finished: counted from when it finished, not when it was written.
                _text(
                    vault,
                    f"done-{n}",
                    "delivered",
                    common,
                    created_at=at - dt.timedelta(days=3),
                    sent_at=at - dt.timedelta(days=3),
                    finished_at=at,
                ),
                # Sent, never heard of again: counted from when it was sent.
                _text(vault, f"sent-{n}", "sent", common, created_at=at, sent_at=at),
                # A code to a number never verified: it holds the number, so goes with codes.
                _text(
                    vault,
                    f"typed-{n}",
                    "sent",
                    {"organisation_id": org.id, "contact_id": None},
                    to_encrypted=vault.encrypt("+447400999888"),
                    to_index="i",
                    created_at=at,
                    sent_at=at,
                ),
                # Never sent: the worker still owns it, whatever its age.
                _text(vault, f"pending-{n}", "pending", common, created_at=at),
                PendingAction(
                    token=f"t{n}",
                    action="join",
                    channel="kiosk",
                    code_hash="h",
                    created_at=at,
                    expires_at=at + dt.timedelta(minutes=10),
                    **common,
                ),
                RequestKey(
                    organisation_id=org.id, key=f"key-{n}", outcome="refused", created_at=at
                ),
                SignInThrottle(key=f"{n:064x}", window_start=at, count=1),
                CallerCheck(
                    call_sid=f"CA{n:032x}",
                    code_hash="h",
                    created_at=at,
                    expires_at=at + dt.timedelta(minutes=10),
                    **common,
                ),
                SendRequest(organisation_id=org.id, kind="code", number_index="i", created_at=at),
                CallbackRequest(
                    channel="voice",
                    status="done",
                    created_at=at,
                    closed_at=at,
                    recording_sid=recordings[days],
                    **common,
                ),
                # Still open: somebody has yet to call them back.
                CallbackRequest(channel="sms", status="open", created_at=at, **common),
                VoiceCall(call_sid=f"CA{n:032x}", started_at=at, status="completed", **common),
                AuditEntry(organisation_id=org.id, action="sign_in", detail={}, created_at=at),
                # A closed case goes after its period; an open one stays, however quiet.
                SpeakUpCase(
                    organisation_id=org.id,
                    locator=f"C{n:02d}",
                    code_hash="h",
                    channel="voice",
                    status="closed",
                    last_activity_at=at,
                    messages=[
                        SpeakUpMessage(
                            author="worker",
                            body_encrypted=vault.encrypt("(voice message)"),
                            voice=True,
                            audio_encrypted=vault.encrypt_bytes(b"audio"),
                        )
                    ],
                ),
                SpeakUpCase(
                    organisation_id=org.id,
                    locator=f"O{n:02d}",
                    code_hash="h",
                    channel="sms",
                    last_activity_at=at,
                ),
            ]
        )
    session.flush()
    return recordings


def _text(vault, key: str, status: str, common: dict, **times) -> OutboundMessage:
    return OutboundMessage(
        kind="self",
        dedupe_key=key,
        body_encrypted=vault.encrypt("hello"),
        body_hash="h",
        status=status,
        **common,
        **times,
    )


def older_than(days: int) -> int:
    """How many of the seeded ages are past a period of this many days."""
    return sum(age > days for age in AGES)


@pytest.mark.parametrize(
    "periods",
    [
        {},  # the defaults
        {
            "RETAIN_INBOUND_DAYS": 30,
            "RETAIN_OUTBOX_DAYS": 2,
            "RETAIN_CODES_DAYS": 30,
            "RETAIN_CALLBACKS_DAYS": 365,
            "RETAIN_VOICE_CALLS_DAYS": 800,
            "RETAIN_AUDIT_DAYS": 365,
        },
    ],
)
def test_rows_go_on_the_day_after_their_period(app, session, demo, vault, config, fake, periods):
    config = config.replace(**periods)
    recordings = seed(session, vault, demo, NOW)
    # A small batch, so every table takes several commits.
    counts = purge(get_database(app), config, NOW, batch=4)

    days = {rule.name: getattr(config, rule.setting) for rule in rules()}
    assert counts == {
        "inbound_message": older_than(days["inbound_message"]),
        # The delivered and the merely sent rows of each age; never the pending ones.
        "outbound_message": 2 * older_than(days["outbound_message"]),
        "typed_number_text": older_than(days["typed_number_text"]),
        "pending_action": older_than(days["pending_action"]),
        "request_key": older_than(days["request_key"]),
        "sign_in_throttle": older_than(days["sign_in_throttle"]),
        "caller_check": older_than(days["caller_check"]),
        "send_request": older_than(days["send_request"]),
        "speakup_case": older_than(days["speakup_case"]),
        "callback_request": older_than(days["callback_request"]),
        "voice_call": older_than(days["voice_call"]),
        "audit_entry": older_than(days["audit_entry"]),
    }
    kept = len(AGES) - older_than(days["inbound_message"])
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == kept
    oldest = session.scalar(select(func.min(InboundMessage.received_at)))
    assert oldest == NOW - dt.timedelta(days=days["inbound_message"])  # the boundary day stays
    pending = select(func.count()).where(OutboundMessage.status == "pending")
    assert session.scalar(pending) == len(AGES)
    still_open = select(func.count()).where(CallbackRequest.status == "open")
    assert session.scalar(still_open) == len(AGES)
    # The voicemails of the purged requests are deleted at Twilio; the others are not. (A
    # speak-up voice message's audio is the service's own: it goes with its case's row.)
    gone = [sid for age, sid in recordings.items() if age > days["callback_request"]]
    assert sorted(fake.deleted) == sorted(gone)
    still = select(func.count()).where(SpeakUpCase.status == "open")
    assert session.scalar(still) == len(AGES)


def test_a_purge_with_nothing_to_do_deletes_nothing(app, demo, config):
    counts = purge(get_database(app), config, NOW)
    assert set(counts) == {rule.name for rule in rules()} and not any(counts.values())


def soon() -> dt.datetime:
    """Ages counted from a few minutes ahead: a boundary row is still just inside its period
    when the command reads the clock a moment later."""
    return utcnow() + dt.timedelta(minutes=5)


def test_frontline_purge_reports_counts_only(app, session, demo, vault):
    seed(session, vault, demo, soon())
    result = app.test_cli_runner().invoke(cli, ["purge"])
    assert result.exit_code == 0, result.output
    assert f"inbound_message: {older_than(90)} deleted" in result.output
    assert f"audit_entry: {older_than(730)} deleted" in result.output
    assert "+44" not in result.output


def test_the_periodic_job_purges(app, session, demo, vault, fake):
    from service.tasks import purge_expired

    seed(session, vault, demo, soon())
    purge_expired.call_local()
    assert session.scalar(select(func.count()).select_from(VoiceCall)) == len(AGES) - older_than(90)


def test_periods_are_settings_with_floors():
    config = from_env(
        {
            "FRONTLINE_ENV": "development",
            "FRONTLINE_RETAIN_INBOUND_DAYS": "30",
            "FRONTLINE_RETAIN_AUDIT_DAYS": "400",
        }
    )
    assert (config.RETAIN_INBOUND_DAYS, config.RETAIN_AUDIT_DAYS) == (30, 400)
    with pytest.raises(ConfigError, match="FRONTLINE_RETAIN_AUDIT_DAYS must be at least 365"):
        from_env({"FRONTLINE_ENV": "development", "FRONTLINE_RETAIN_AUDIT_DAYS": "30"})
    with pytest.raises(ConfigError, match="FRONTLINE_RETAIN_CODES_DAYS must be at least 1"):
        from_env({"FRONTLINE_ENV": "development", "FRONTLINE_RETAIN_CODES_DAYS": "0"})


def test_frontline_purge_reports_each_batch_when_output_is_not_a_terminal(
    app, session, demo, vault, monkeypatch
):
    from service.privacy import retention

    seed(session, vault, demo, soon())
    monkeypatch.setattr(retention, "BATCH", 1)
    monkeypatch.setattr(retention.purge, "__kwdefaults__", {"batch": 1, "progress": None})
    result = app.test_cli_runner().invoke(cli, ["purge"])
    assert result.exit_code == 0, result.output
    due = older_than(90)
    batches = [line for line in result.output.splitlines() if line.startswith("inbound_message:")]
    # One line per batch of one row, counting up to all that were due, then the total.
    assert due > 1 and len(batches) == due + 1
    for done, line in enumerate(batches[:-1], start=1):
        assert line.startswith(f"inbound_message: {done} of {due} deleted (")
    assert batches[-1] == f"inbound_message: {due} deleted"


def test_a_purge_rests_between_batches_and_still_deletes_everything(
    app, session, demo, vault, config, monkeypatch
):
    from service import pacing

    ticks, rests = [0.0], []

    def clock() -> float:
        ticks[0] += 0.01
        return ticks[0]

    monkeypatch.setattr(pacing, "clock", clock)
    monkeypatch.setattr(pacing, "sleep", lambda seconds: rests.append(round(seconds, 6)))
    seed(session, vault, demo, NOW)
    counts = purge(get_database(app), config, NOW, batch=4)
    assert counts["inbound_message"] == older_than(config.RETAIN_INBOUND_DAYS)
    kept = len(AGES) - older_than(config.RETAIN_INBOUND_DAYS)
    assert session.scalar(select(func.count()).select_from(InboundMessage)) == kept
    # A tenth of the time at work (PURGE_SHARE): nine times each full batch's 10 ms after it,
    # and no rest after a rule's last, short batch.
    full_batches = sum(n // 4 for n in counts.values())
    assert rests == [0.09] * full_batches and full_batches >= 4
