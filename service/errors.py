"""Typed errors raised by domain operations; every channel turns them into a polite answer."""

from __future__ import annotations


class DomainError(Exception):
    """Base class: the request was understood and refused; nothing was written."""


class ValidationError(DomainError):
    """A value is missing or malformed."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class InvalidPhoneNumber(ValidationError):
    """A phone number that cannot be dialled."""

    def __init__(self, message: str) -> None:
        super().__init__("phone", message)


class KeywordClash(ValidationError):
    """A keyword already belongs to another network of the organisation."""

    def __init__(self, word: str, owner: str) -> None:
        super().__init__("keywords", f"{word} is already a keyword of {owner}")
        self.word = word
        self.owner = owner


class InvalidRecurrence(ValidationError):
    """A recurrence rule that RFC 5545 parsing rejects."""

    def __init__(self, message: str) -> None:
        super().__init__("recurrence", message)


class NotFound(DomainError):
    """The thing asked for does not exist in this organisation."""


class ContactGone(DomainError):
    """The contact was erased by another request after this one read it.

    Raised by the first write that locks the contact's row (the rows before it are rolled back
    with the request): a caller reads the sender again, who is now a new number, or gives up.
    """

    def __init__(self, contact_id: int) -> None:
        super().__init__(f"contact {contact_id} was erased")
        self.contact_id = contact_id
