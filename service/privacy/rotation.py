"""Rotating DATA_KEY: re-encrypt every stored ciphertext and rebuild keyed indexes, in batches.

The app keeps serving throughout: every process is configured with the new DATA_KEY and the
old one in OLD_DATA_KEYS, so it reads values and finds contacts under either key while rows
move. Each row is rewritten with a compare-and-set update (only if its ciphertext is still the
one read), so a value the app rewrote meanwhile is never clobbered; a re-run picks up anything
skipped. A commit per batch means a crash leaves every row wholly under one key or the other; each
batch records how far its column got (rotation_checkpoint) in the same commit, so a run killed
part-way is resumed by the next from the batch after the last committed one, for the same
target key. A run that finishes clears them: the next rotation reads every row again.

Not rotated: pending_action.code_hash and requester_index, send_request's hashes (codes live
minutes, counts a day, and lookups try every key's hash), and the speak-up throttle and
receipt hashes (short-lived, see Vault.purpose_hash). Kiosk-sealed numbers never reach the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from sqlalchemy import Column, String, column, delete, func, select, update, values
from sqlalchemy.orm import Session

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact
from service.crypto import DecryptionError, Vault, vault_of
from service.managers.models import Manager
from service.outbox.models import OutboundMessage
from service.privacy.models import RotationCheckpoint, TwilioDeletion
from service.privacy.registry import Target, holders
from service.speakup.models import SpeakUpMessage
from service.verification.models import PendingAction

BATCH_SIZE = 500


# Every core column holding Fernet ciphertext. A new encrypted column belongs here too, or
# in its package's privacy holder (see targets()).
TARGETS: tuple[Target, ...] = (
    Target(Contact.__table__, "phone_encrypted", "phone_index", ("organisation_id",)),  # type: ignore[arg-type]
    Target(Manager.__table__, "phone_encrypted"),  # type: ignore[arg-type]
    # body_hash is the loop guard's blind index of the body: rebuilt so it keeps matching.
    Target(OutboundMessage.__table__, "body_encrypted", "body_hash"),  # type: ignore[arg-type]
    Target(SpeakUpMessage.__table__, "body_encrypted"),  # type: ignore[arg-type]
    # A typed number not yet a contact: a code or "text me this" on its way, and the pending
    # request waiting for its code. Their indexes feed the per-number limits.
    Target(OutboundMessage.__table__, "to_encrypted", "to_index"),  # type: ignore[arg-type]
    Target(PendingAction.__table__, "phone_encrypted", "phone_index"),  # type: ignore[arg-type]
    # An erased number waiting for Twilio to list its records (minutes, or through an outage).
    Target(TwilioDeletion.__table__, "number_encrypted"),  # type: ignore[arg-type]
    Target(SpeakUpMessage.__table__, "audio_encrypted"),  # type: ignore[arg-type]
    # A handler's notes on a call-back (what was said, when to try again).
    Target(CallbackRequest.__table__, "notes_encrypted"),  # type: ignore[arg-type]
)


@dataclass
class Counts:
    """What happened to one column's rows."""

    rotated: int = 0
    current: int = 0
    unreadable: int = 0
    indexes_rebuilt: int = 0
    # Changed by the app between read and write (already under the new key): left alone.
    raced: int = 0
    # A contact whose new index another contact of the organisation already holds.
    duplicates: int = 0

    @property
    def rows(self) -> int:
        """Rows read (an index rebuilt is a row re-encrypted or current besides)."""
        return self.rotated + self.current + self.unreadable + self.raced + self.duplicates


@dataclass
class Report:
    """Counts per column; never a value."""

    columns: dict[str, Counts] = field(default_factory=dict)

    @property
    def problems(self) -> int:
        """Rows that need a person: unreadable under every key, or duplicate contacts."""
        return sum(c.unreadable + c.duplicates for c in self.columns.values())

    def lines(self) -> list[str]:
        """One line per column, for the command to print."""
        out = []
        for label, c in self.columns.items():
            line = f"{label}: {c.rotated} re-encrypted, {c.current} already current"
            if c.indexes_rebuilt:
                line += f", {c.indexes_rebuilt} index(es) rebuilt"
            if c.raced:
                line += f", {c.raced} changed meanwhile (run again)"
            if c.unreadable:
                line += f", {c.unreadable} UNREADABLE with every key"
            if c.duplicates:
                line += f", {c.duplicates} DUPLICATE contact(s) left under the old index"
            out.append(line)
        return out


def targets() -> tuple[Target, ...]:
    """Every encrypted column: the core's, then each registered package's."""
    return TARGETS + tuple(target for holder in holders() for target in holder.encrypted)


# Told after each committed batch: the column's label, rows in the batch, rows in the column;
# and, as `resumed`, when a column carries on from a stopped run: label, rows done, rows in all.
Progress = Callable[[str, int, int], None]


def rotate_all(
    open_session: Callable[[], Session],
    *,
    batch_size: int = BATCH_SIZE,
    progress: Progress | None = None,
    resumed: Progress | None = None,
) -> Report:
    """Move every target column to the current data key, one committed batch at a time.

    Where an earlier run for the same key was stopped, each column resumes after its last
    committed batch, and the report counts both runs' rows.
    """
    report = Report()
    session = open_session()
    try:
        key_check = vault_of(session).purpose_hash(CHECK_PURPOSE, "target key")
    finally:
        session.close()
    for target in targets():
        report.columns[target.label] = _rotate_target(
            open_session,
            target,
            batch_size,
            progress or (lambda *_: None),
            _Checkpoints(open_session, target.label, key_check, resumed or (lambda *_: None)),
        )
    session = open_session()
    try:
        session.execute(delete(RotationCheckpoint))
        session.commit()
    finally:
        session.close()
    return report


# The keyed hash a checkpoint is made under (Vault.purpose_hash: never a blind index).
CHECK_PURPOSE = "rotation checkpoint"


@dataclass
class _Checkpoints:
    """One column's checkpoint: where a stopped run for this key got to, and recording ours."""

    open_session: Callable[[], Session]
    label: str
    key_check: str
    resumed: Progress

    def start(self, first_id: int | str, total: int) -> tuple[int | str, Counts, bool]:
        """(the id to carry on after, the counts so far, whether the column is finished)."""
        session = self.open_session()
        try:
            found = session.get(RotationCheckpoint, self.label)
            if found is None or found.key_check != self.key_check:
                return first_id, Counts(), False  # none, or another rotation's: from the top
            counts = Counts(**json.loads(found.counts))
            last = int(found.last_id) if isinstance(first_id, int) else found.last_id
        finally:
            session.close()
        self.resumed(self.label, counts.rows, total)
        return last, counts, found.finished

    def record(
        self, session: Session, last_id: int | str, counts: Counts, finished: bool = False
    ) -> None:
        """Record the column's progress in the session's transaction (the batch's own)."""
        session.merge(
            RotationCheckpoint(
                label=self.label,
                key_check=self.key_check,
                last_id=str(last_id),
                finished=finished,
                counts=json.dumps(asdict(counts)),
            )
        )


def _column_size(open_session: Callable[[], Session], target: Target) -> int:
    session = open_session()
    try:
        value_col: Column = target.table.c[target.column]
        return session.scalar(select(func.count()).where(value_col.is_not(None))) or 0
    finally:
        session.close()


def _rotate_target(
    open_session: Callable[[], Session],
    target: Target,
    size: int,
    progress: Progress,
    checkpoints: _Checkpoints,
) -> Counts:
    total = _column_size(open_session, target)
    table = target.table
    # The primary key orders the batches: an integer id, or a random one (survey answers).
    pk: Column = next(iter(table.primary_key.columns))
    value_col: Column = table.c[target.column]
    index_col: Column | None = table.c[target.index_column] if target.index_column else None
    scope_cols = [table.c[name] for name in target.index_scope]
    last_id, counts, finished = checkpoints.start(0 if pk.type.python_type is int else "", total)
    if finished:
        return counts
    while True:
        session = open_session()
        try:
            columns = [pk, value_col, *([index_col] if index_col is not None else []), *scope_cols]
            rows = session.execute(
                select(*columns)
                .where(pk > last_id, value_col.is_not(None))
                .order_by(pk)
                .limit(size)
            ).all()
            if not rows:
                checkpoints.record(session, last_id, counts, finished=True)
                session.commit()
                return counts
            vault = vault_of(session)
            if session.get_bind().dialect.name == "postgresql":
                _rotate_batch(session, vault, target, rows, counts)
            else:
                for row in rows:
                    _rotate_row(session, vault, target, row, counts)
            last_id = rows[-1][0]
            checkpoints.record(session, last_id, counts)
            session.commit()
            progress(target.label, len(rows), total)
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _rotate_row(session: Session, vault: Vault, target: Target, row, counts: Counts) -> None:
    table = target.table
    row_id, token = row[0], row[1]
    try:
        new_token = vault.rotate(token)
        plaintext = vault.decrypt(token) if target.index_column else None
    except DecryptionError:
        counts.unreadable += 1
        return
    changes: dict[str, str] = {}
    if new_token is not None:
        changes[target.column] = new_token
    pk = next(iter(table.primary_key.columns))
    conditions = [pk == row_id, table.c[target.column] == token]
    if target.index_column and plaintext is not None:
        old_index = row[2]
        new_index = vault.blind_index(plaintext)
        if new_index != old_index:
            if target.index_scope and _index_taken(session, target, row, new_index):
                counts.duplicates += 1
                return
            changes[target.index_column] = new_index
            conditions.append(table.c[target.index_column] == old_index)
    if not changes:
        counts.current += 1
        return
    result = session.execute(update(table).where(*conditions).values(**changes))
    if result.rowcount == 0:  # type: ignore[attr-defined]
        counts.raced += 1
        return
    if new_token is not None:
        counts.rotated += 1
    else:
        counts.current += 1
    if target.index_column in changes:
        counts.indexes_rebuilt += 1


@dataclass(frozen=True)
class _Change:
    """One row's compare-and-set: what was read, and what it becomes."""

    row_id: int | str
    token: str
    new_token: str
    old_index: str | None
    new_index: str | None
    rotated: bool


def _rotate_batch(session: Session, vault: Vault, target: Target, rows, counts: Counts) -> None:
    """A batch's rows in two statements, whatever its size, with _rotate_row's outcome per row.

    One finds the indexes already taken, one compare-and-set UPDATE ... FROM (VALUES ...)
    RETURNING the rows it changed. Row by row, each of a million contacts cost two round
    trips (about 60 rows a second on a busy two-core machine).
    """
    changes: list[_Change] = []
    for row in rows:
        try:
            new_token = vault.rotate(row[1])
            plaintext = vault.decrypt(row[1]) if target.index_column else None
        except DecryptionError:
            counts.unreadable += 1
            continue
        old_index = row[2] if target.index_column else None
        new_index = vault.blind_index(plaintext) if plaintext is not None else old_index
        if new_token is None and new_index == old_index:
            counts.current += 1
            continue
        changes.append(
            _Change(
                row[0], row[1], new_token or row[1], old_index, new_index, new_token is not None
            )
        )
    if target.index_column and target.index_scope:
        changes = _without_taken_indexes(session, target, rows, changes, counts)
    if not changes:
        return
    table = target.table
    pk: Column = next(iter(table.primary_key.columns))
    text_type = table.c[target.column].type
    given = values(
        column("row_id", pk.type),
        column("token", text_type),
        column("new_token", text_type),
        column("old_index", String()),
        column("new_index", String()),
        name="given",
    ).data([(c.row_id, c.token, c.new_token, c.old_index, c.new_index) for c in changes])
    conditions = [pk == given.c.row_id, table.c[target.column] == given.c.token]
    assignments = {target.column: given.c.new_token}
    if target.index_column:
        index_col = table.c[target.index_column]
        conditions.append(index_col.is_not_distinct_from(given.c.old_index))
        assignments[target.index_column] = given.c.new_index
    done = set(session.scalars(update(table).where(*conditions).values(assignments).returning(pk)))
    for change in changes:
        if change.row_id not in done:
            counts.raced += 1
            continue
        if change.rotated:
            counts.rotated += 1
        else:
            counts.current += 1
        if change.new_index != change.old_index:
            counts.indexes_rebuilt += 1


def _without_taken_indexes(
    session: Session, target: Target, rows, changes: list[_Change], counts: Counts
) -> list[_Change]:
    """The changes whose new index no other row of their scope holds; the rest are duplicates."""
    assert target.index_column is not None
    table = target.table
    scope_of = {row[0]: tuple(row[3:]) for row in rows}
    moving = [c for c in changes if c.new_index != c.old_index]
    if not moving:
        return changes
    holders = session.execute(
        select(
            table.c.id,
            table.c[target.index_column],
            *(table.c[name] for name in target.index_scope),
        ).where(table.c[target.index_column].in_({c.new_index for c in moving}))
    ).all()
    held = {(holder[1], tuple(holder[2:])): holder[0] for holder in holders}
    kept = []
    for change in changes:
        holder = held.get((change.new_index, scope_of[change.row_id]))
        if change.new_index != change.old_index and holder not in (None, change.row_id):
            counts.duplicates += 1
            continue
        kept.append(change)
    return kept


def _index_taken(session: Session, target: Target, row, new_index: str) -> bool:
    # Another row already holds the new index: the same number wrote in under both keys at
    # once. Merging contacts is a person's decision, so the row is reported, not changed.
    table = target.table
    scope = [table.c[name] == row[3 + i] for i, name in enumerate(target.index_scope)]
    assert target.index_column is not None
    taken = session.scalar(
        select(table.c.id).where(
            table.c[target.index_column] == new_index, table.c.id != row[0], *scope
        )
    )
    return taken is not None
