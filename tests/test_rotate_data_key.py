"""`frontline rotate-data-key`: lookups work mid-rotation; every ciphertext moves to the new key."""

from __future__ import annotations

import json
import re

import pytest
from cryptography.fernet import InvalidToken
from sqlalchemy import func, select

from service.cli import rotate_data_key
from service.config import Config, ConfigError, validate
from service.contacts.models import Contact
from service.contacts.operations import find_contact, get_or_create_contact
from service.crypto import Vault
from service.db import get_session, utcnow
from service.managers.models import Manager
from service.outbox.models import OutboundMessage
from service.privacy.rotation import targets
from service.sms.models import InboundMessage
from service.speakup.models import SpeakUpCase, SpeakUpMessage
from tests.support.factories import create_organisation
from tests.support.settings import NEXT_DATA_KEY, TEST_DATA_KEY

NUMBERS = ("+447700900001", "+447700900002", "+447700900003")


@pytest.fixture
def seeded(session):
    """An organisation with a row in every encrypted column, all under the test key (A)."""
    org = create_organisation(session)
    vault_a = Vault(TEST_DATA_KEY)
    contacts = [get_or_create_contact(session, org.id, n)[0] for n in NUMBERS]
    session.add(
        OutboundMessage(
            organisation_id=org.id,
            contact_id=contacts[0].id,
            kind="reply",
            dedupe_key="rotate-test-1",
            body_encrypted=vault_a.encrypt("See you Friday"),
            body_hash=vault_a.blind_index("See you Friday"),
        )
    )
    session.add(
        InboundMessage(
            message_sid="SM" + "1" * 32,
            organisation_id=org.id,
            contact_id=contacts[1].id,
            command="events",
            replies_encrypted=vault_a.encrypt(json.dumps(["Events this week"])),
            body_encrypted=vault_a.encrypt("EVENTS"),
        )
    )
    session.add(
        Manager(
            organisation_id=org.id,
            email="lead@example.org",
            password_hash="x",
            phone_encrypted=vault_a.encrypt("+447700900099"),
        )
    )
    case = SpeakUpCase(
        organisation_id=org.id,
        locator="ABCD1234",
        code_hash="x",
        channel="sms",
        last_activity_at=utcnow(),
    )
    session.add(case)
    session.flush()
    session.add(
        SpeakUpMessage(case_id=case.id, author="worker", body_encrypted=vault_a.encrypt("help"))
    )
    session.commit()
    return org


def _all_ciphertexts(session) -> list[str]:
    found = []
    for target in targets():
        column = target.table.c[target.column]
        found += session.scalars(select(column).where(column.is_not(None))).all()
    return found


def test_lookups_work_before_the_rows_are_rotated(seeded, rotated_app) -> None:
    session = get_session()
    contact = find_contact(session, seeded.id, NUMBERS[0])
    assert contact is not None and contact.phone == NUMBERS[0]
    assert contact.phone_index != Vault(NEXT_DATA_KEY).blind_index(NUMBERS[0])  # still under key A
    again, created = get_or_create_contact(session, seeded.id, NUMBERS[1])
    assert not created and again.phone == NUMBERS[1]
    count = session.scalar(select(func.count()).where(Contact.organisation_id == seeded.id))
    assert count == len(NUMBERS)


def test_rotation_moves_every_value_to_the_new_key(seeded, rotated_app) -> None:
    runner = rotated_app.test_cli_runner()
    result = runner.invoke(rotate_data_key)
    assert result.exit_code == 0, result.output
    assert "contact.phone_encrypted: 3 re-encrypted" in result.output
    assert "3 index(es) rebuilt" in result.output
    assert "speakup_message.body_encrypted: 1 re-encrypted" in result.output
    assert not any(n[4:] in result.output for n in NUMBERS)  # counts only, never a number

    session = get_session()
    only_b = Vault(NEXT_DATA_KEY)
    values = _all_ciphertexts(session)
    assert len(values) >= 3 + 1 + 2 + 1 + 1
    for token in values:
        only_b.decrypt(token)
    for contact in session.scalars(select(Contact).where(Contact.organisation_id == seeded.id)):
        assert contact.phone_index == only_b.blind_index(only_b.decrypt(contact.phone_encrypted))
    outbound = session.scalar(select(OutboundMessage).where(OutboundMessage.kind == "reply"))
    assert outbound is not None and outbound.body_hash == only_b.blind_index("See you Friday")
    assert find_contact(session, seeded.id, NUMBERS[2]) is not None

    # A second run finds everything current and writes nothing.
    second = runner.invoke(rotate_data_key)
    assert second.exit_code == 0, second.output
    assert " 0 re-encrypted" in second.output and "rebuilt" not in second.output
    assert _all_ciphertexts(session) == values


def test_unreadable_rows_are_counted_and_fail_the_command(seeded, rotated_app) -> None:
    session = get_session()
    manager = session.scalar(select(Manager).where(Manager.email == "lead@example.org"))
    assert manager is not None
    manager.phone_encrypted = Vault("a key nobody kept").encrypt("+447700900098")
    session.commit()
    result = rotated_app.test_cli_runner().invoke(rotate_data_key)
    assert result.exit_code == 1
    assert "manager.phone_encrypted: 0 re-encrypted, 0 already current, 1 UNREADABLE" in (
        result.output
    )


def test_refuses_without_an_old_key(app) -> None:
    result = app.test_cli_runner().invoke(rotate_data_key)
    assert result.exit_code == 1
    assert "nothing to rotate" in result.output


def test_old_keys_setting_is_checked(config: Config) -> None:
    assert config.replace(OLD_DATA_KEYS=" a , b ").old_data_keys == ("a", "b")
    for bad in ("a,,b", "a,a", TEST_DATA_KEY):
        with pytest.raises(ConfigError, match="OLD_DATA_KEYS"):
            validate(config.replace(OLD_DATA_KEYS=bad))


def test_vault_rotate_skips_current_values() -> None:
    old, new = Vault("A"), Vault("B", old_keys=("A",))
    token = old.encrypt("x")
    rotated = new.rotate(token)
    assert rotated is not None and new.rotate(rotated) is None
    with pytest.raises(InvalidToken):
        Vault("B")._fernet.decrypt(token.encode())
    assert new.blind_indexes("x") == (Vault("B").blind_index("x"), old.blind_index("x"))


def test_kiosk_number_sealed_to_the_old_key_still_opens(rotated_app) -> None:
    import datetime as dt

    from cryptography.hazmat.primitives.asymmetric import ec

    from service.verification.api import _open_with_any_key
    from service.verification.sealing import SealError, raw_public_key, seal

    kiosk = ec.generate_private_key(ec.SECP256R1())
    now = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    where = {"org_id": 1, "site_id": 2}

    def sealed(key: str, value: dict) -> dict:
        expires = int(now.timestamp()) + 3600
        return seal(key, value, kiosk_private_key=kiosk, kiosk_id=3, expires=expires, **where)

    opened = {"kiosk_public_key": raw_public_key(kiosk), "now": now, **where}
    assert _open_with_any_key(sealed(TEST_DATA_KEY, {"phone": "x"}), **opened) == {"phone": "x"}
    assert _open_with_any_key(sealed(NEXT_DATA_KEY, {"phone": "y"}), **opened) == {"phone": "y"}
    with pytest.raises(SealError):
        _open_with_any_key(sealed("a key nobody kept", {"phone": "z"}), **opened)


def test_rotation_reports_each_batch_when_output_is_not_a_terminal(seeded, rotated_app) -> None:
    result = rotated_app.test_cli_runner().invoke(rotate_data_key, ["--batch-size", "2"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("contact.phone")]
    # One line per committed batch of two, then the summary: rows so far of all, and the rate.
    assert re.fullmatch(r"contact\.phone_encrypted: 2 of 3 rows read \([\d.]+ rows/s\)", lines[0])
    assert re.fullmatch(r"contact\.phone_encrypted: 3 of 3 rows read \([\d.]+ rows/s\)", lines[1])
    assert lines[2].startswith("contact.phone_encrypted: 3 re-encrypted")


def test_every_encrypted_column_is_rotated() -> None:
    # A column left out keeps its values under the old key: once that key is retired they
    # cannot be read (a call-back's notes, and the queue page that shows them).
    from service.models import Base

    encrypted = {
        f"{table.name}.{column.name}"
        for table in Base.metadata.tables.values()
        for column in table.columns
        if column.name.endswith("_encrypted")
    }
    rotated = {f"{t.table.name}.{t.column}" for t in targets()}
    assert encrypted - rotated == set()
