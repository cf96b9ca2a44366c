"""Phone numbers: parse what people type into E.164, refuse what cannot be dialled."""

from __future__ import annotations

import phonenumbers

from service.errors import InvalidPhoneNumber


def normalise(raw: str, region: str = "GB") -> str:
    """The E.164 form of a number typed in national or international format."""
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("a phone number is required")
    # The messages never repeat what was typed: an exception that escapes is logged.
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber("that is not a phone number") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhoneNumber("that is not a number that can be dialled")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_inbound(raw: str) -> str:
    """The E.164 form of a number Twilio reports; any possible number is accepted.

    Twilio has already delivered the message, so a number that phonenumbers thinks is not
    (yet) allocated is still a real sender and must get its answer.
    """
    text = (raw or "").strip()
    try:
        parsed = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber("that is not a phone number") from None
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidPhoneNumber("that is not a phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def display(e164: str) -> str:
    """A number as people read it aloud: national format at home, international otherwise."""
    parsed = phonenumbers.parse(e164, None)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == 44
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)


def masked(e164: str) -> str:
    """The number with all but its last three digits hidden, for screens and logs of people."""
    return "•" * max(len(e164) - 3, 0) + e164[-3:]
