"""Phone numbers are encrypted at rest and found through the keyed blind index."""

from __future__ import annotations

import phonenumbers
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text

from service.contacts import operations
from service.contacts.models import Contact, Membership
from service.contacts.operations import (
    CONSENT_VERSION,
    find_contact,
    get_or_create_contact,
    join_network,
    join_with_consent,
    set_discreet,
)
from service.contacts.phone import display, masked, normalise, normalise_inbound
from service.crypto import DecryptionError, Vault
from service.errors import ContactGone, InvalidPhoneNumber
from tests.support import factories


def test_vault_round_trip_and_keyed_index() -> None:
    vault = Vault("one key")
    token = vault.encrypt("+447400123456")
    assert "447400123456" not in token
    assert vault.decrypt(token) == "+447400123456"
    assert vault.encrypt("+447400123456") != token  # fresh nonce every time
    assert vault.blind_index("+447400123456") == Vault("one key").blind_index("+447400123456")
    assert vault.blind_index("+447400123456") != Vault("other key").blind_index("+447400123456")
    with pytest.raises(DecryptionError):
        Vault("other key").decrypt(token)


def test_a_rotated_key_still_reads_old_values() -> None:
    token = Vault("old").encrypt("+447400123456")
    assert Vault("new", old_keys=("old",)).decrypt(token) == "+447400123456"


def test_numbers_are_stored_encrypted_and_found_in_any_format(session) -> None:
    org = factories.create_organisation(session)
    contact, created = get_or_create_contact(session, org.id, "07400 123456")
    session.flush()
    assert created
    raw = session.execute(
        text("SELECT phone_encrypted, phone_index FROM contact WHERE id = :id"), {"id": contact.id}
    ).one()
    assert "7400123456" not in raw.phone_encrypted and "7400123456" not in raw.phone_index
    assert contact.phone == "+447400123456"
    assert find_contact(session, org.id, "+44 7400 123456").id == contact.id
    again, created_again = get_or_create_contact(session, org.id, "+447400123456")
    assert (again.id, created_again) == (contact.id, False)


def test_the_same_number_is_a_separate_contact_per_organisation(session) -> None:
    one = factories.create_organisation(session)
    two = factories.create_organisation(session)
    a = factories.create_contact(session, org=one, phone="+447400123456")
    b = factories.create_contact(session, org=two, phone="+447400123456")
    assert a.id != b.id
    assert find_contact(session, one.id, "+447400123456").id == a.id
    assert len(session.scalars(select(Contact)).all()) == 2


@pytest.mark.parametrize("raw", ["", "hello", "07700 900123", "0123", "+44 7400 12345678901"])
def test_invalid_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise(raw)


@given(st.from_regex(r"\+44[1-9][0-9]{9}", fullmatch=True))
def test_a_uk_number_in_e164_is_its_own_inbound_form(raw: str) -> None:
    # normalise_inbound returns such a number unparsed: phonenumbers must agree, digit for digit.
    parsed = phonenumbers.parse(raw, "GB")
    assert phonenumbers.is_possible_number(parsed)
    assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == raw
    assert normalise_inbound(raw) == raw


@pytest.mark.parametrize(
    "raw", ["", "hello", "+4474001234567", "+44074001234567", "+4412", "\n+44", "+447400123456\n7"]
)
def test_impossible_inbound_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidPhoneNumber):
        normalise_inbound(raw)


def test_inbound_numbers_in_other_forms_are_parsed() -> None:
    assert normalise_inbound(" +447400123456 ") == "+447400123456"
    assert normalise_inbound("07400 123456") == "+447400123456"
    assert normalise_inbound("+48221234567") == "+48221234567"


def test_numbers_are_shown_in_national_format_and_masked() -> None:
    assert normalise("0113 496 0000") == "+441134960000"
    assert display("+441134960000") == "0113 496 0000"
    assert display("+48221234567").startswith("+48 ")
    assert masked("+447400123456") == "•••• ••• 456"


def test_a_first_sensitive_group_makes_messages_discreet_on_any_channel(session) -> None:
    org = factories.create_organisation(session)
    open_group = factories.create_network(session, org=org, slug="careers")
    minds = factories.create_network(session, org=org, slug="minds", sensitive=True)
    lgbt = factories.create_network(session, org=org, slug="lgbt", sensitive=True)
    contact = factories.create_contact(session, org=org)
    join_network(session, contact, open_group, channel="sms")
    assert not contact.discreet
    created = join_with_consent(
        session, contact, minds, channel="voice", consent_version=CONSENT_VERSION
    )
    assert created and contact.discreet
    # Once the member chose real names, a second private group, or the first again, keeps that.
    set_discreet(session, contact, False)
    join_with_consent(session, contact, lgbt, channel="kiosk", consent_version=CONSENT_VERSION)
    join_with_consent(session, contact, minds, channel="sms", consent_version=CONSENT_VERSION)
    assert not contact.discreet


def _erased_by_another_request(session, contact: Contact) -> None:
    """The contact's row deleted as another request's committed erasure leaves it: gone from
    the database, still loaded in this session."""
    session.execute(
        delete(Contact).where(Contact.id == contact.id).execution_options(synchronize_session=False)
    )


def test_a_number_found_then_erased_before_it_is_counted_is_made_again(
    session, monkeypatch
) -> None:
    org = factories.create_organisation(session)
    erased = factories.create_contact(session, org=org, phone="+447400123456")
    session.flush()
    real = operations.find_contact

    def found_then_erased(*args, **kwargs):
        found = real(*args, **kwargs)
        _erased_by_another_request(session, found)
        return found

    monkeypatch.setattr(operations, "find_contact", found_then_erased)
    contact, created = get_or_create_contact(session, org.id, "+447400123456", channel="voice")
    session.flush()
    assert created and contact is not erased  # (SQLite may give it the same id again)
    monkeypatch.setattr(operations, "find_contact", real)
    assert find_contact(session, org.id, "+447400123456") is contact


def test_joining_a_contact_erased_since_it_was_read_says_so(session) -> None:
    org = factories.create_organisation(session)
    minds = factories.create_network(session, org=org, slug="minds", sensitive=True)
    contact = factories.create_contact(session, org=org)
    session.flush()
    _erased_by_another_request(session, contact)
    with pytest.raises(ContactGone):
        join_with_consent(session, contact, minds, channel="sms", consent_version=CONSENT_VERSION)
    assert session.scalar(select(func.count()).select_from(Membership)) == 0
