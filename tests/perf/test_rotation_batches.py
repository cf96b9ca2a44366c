"""rotate-data-key on PostgreSQL moves a batch in a fixed number of statements (issue 20).

Row by row it took two round trips per contact, about 60 contacts a second on a busy machine:
days for a national employer. Batched, each outcome must stay what it was row by row: a
value the app changed meanwhile is left alone, a duplicate contact is reported, not merged.
"""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from service.contacts.models import Contact
from service.contacts.operations import get_or_create_contact
from service.crypto import Vault, vault_of
from service.db import get_database
from service.privacy.rotation import TARGETS, Counts, _rotate_batch, rotate_all
from tests.support.factories import create_organisation
from tests.support.settings import NEXT_DATA_KEY, TEST_DATA_KEY

pytestmark = pytest.mark.postgres

CONTACTS = 30
BATCH = 10
CONTACT_TARGET = TARGETS[0]


@pytest.fixture
def rotated(rotated_app):
    """The database of the app under NEXT_DATA_KEY, with the test key as old."""
    return get_database(rotated_app)


@pytest.fixture
def org(session):
    """An organisation with CONTACTS contacts under the test key."""
    made = create_organisation(session)
    for n in range(CONTACTS):
        get_or_create_contact(session, made.id, f"+4474001{n:05d}")
    session.commit()
    return made


def test_a_batch_of_contacts_takes_a_fixed_number_of_statements(org, rotated, connection):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        if "contact" in statement and not statement.lstrip().upper().startswith("SAVEPOINT"):
            statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        report = rotate_all(rotated.sessionmaker, batch_size=BATCH)
    finally:
        event.remove(connection, "before_cursor_execute", count)

    counts = report.columns[CONTACT_TARGET.label]
    assert (counts.rotated, counts.indexes_rebuilt) == (CONTACTS, CONTACTS)
    # Per batch: read the rows, look up taken indexes, one UPDATE; then the empty last read
    # and the column's count. Row by row it was 2 per contact: over 60.
    assert len(statements) <= 3 * (CONTACTS // BATCH) + 2, len(statements)
    vault_b = Vault(NEXT_DATA_KEY)
    with rotated.sessionmaker() as session:
        stored = session.execute(select(Contact.phone_encrypted, Contact.phone_index)).all()
    for token, index in stored:
        assert index == vault_b.blind_index(vault_b.decrypt(token))


def test_a_value_changed_after_it_was_read_is_left_alone(org, rotated):
    with rotated.sessionmaker() as session:
        table = Contact.__table__
        rows = session.execute(
            select(
                table.c.id, table.c.phone_encrypted, table.c.phone_index, table.c.organisation_id
            )
            .order_by(table.c.id)
            .limit(3)
        ).all()
        # The app rewrites the first one meanwhile (a member's number under the new key).
        changed = Vault(NEXT_DATA_KEY).encrypt("+447400999999")
        session.execute(
            update(table).where(table.c.id == rows[0][0]).values(phone_encrypted=changed)
        )
        counts = Counts()
        _rotate_batch(session, vault_of(session), CONTACT_TARGET, rows, counts)
        session.commit()
        kept = session.scalar(select(table.c.phone_encrypted).where(table.c.id == rows[0][0]))
    assert (counts.raced, counts.rotated) == (1, 2)
    assert kept == changed


def test_a_contact_whose_new_index_another_holds_is_reported_not_merged(org, rotated, session):
    number = "+447400100000"  # the first contact's number
    vault_b = Vault(NEXT_DATA_KEY)
    # The same number wrote in under key B too, mid-rotation: a second contact.
    session.add(
        Contact(
            organisation_id=org.id,
            phone_encrypted=vault_b.encrypt(number),
            phone_index=vault_b.blind_index(number),
        )
    )
    session.commit()

    report = rotate_all(rotated.sessionmaker, batch_size=BATCH)

    counts = report.columns[CONTACT_TARGET.label]
    assert counts.duplicates == 1 and report.problems == 1
    old_index = Vault(TEST_DATA_KEY).blind_index(number)
    assert session.scalar(select(Contact.id).where(Contact.phone_index == old_index)) is not None
