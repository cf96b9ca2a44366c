"""Phone numbers: parse what people type into E.164, refuse what cannot be dialled."""

from __future__ import annotations

import re

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


class RegionNotServed(InvalidPhoneNumber):
    """The number belongs to a region the organisation does not text or call."""


class NotAMobile(InvalidPhoneNumber):
    """The number is valid but not a mobile: a landline, premium or shared-cost line."""


class NotCallable(InvalidPhoneNumber):
    """The number bills its caller more than an ordinary call: premium, shared-cost, 070."""


# Numbers a text may be sent to on someone's say-so. FIXED_LINE_OR_MOBILE is accepted on
# purpose: it is what phonenumbers answers where a numbering plan cannot tell the two apart
# (the US, Canada), and refusing it would make such a region unservable; no UK range is
# reported that way, so for the default (GB only) only true mobiles pass. Premium, shared-cost,
# personal (070) and VoIP numbers are never texted: SMS pumping earns on exactly those.
TEXTABLE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
# Numbers the service may ring or print as a dial-in: ordinary lines, freephone and 03 numbers;
# never premium (09), shared-cost (084/087) or personal (070) numbers that bill the caller.
CALLABLE_TYPES = TEXTABLE_TYPES | {
    phonenumbers.PhoneNumberType.FIXED_LINE,
    phonenumbers.PhoneNumberType.TOLL_FREE,
    phonenumbers.PhoneNumberType.UAN,
}


def regions(raw: str) -> frozenset[str]:
    """Region codes from a comma-separated setting ("GB,IE"), upper-cased."""
    return frozenset(r.strip().upper() for r in (raw or "").split(",") if r.strip())


def _checked(
    raw: str,
    allowed_regions: frozenset[str] | None,
    types: frozenset[int],
    refusal: type[InvalidPhoneNumber],
) -> str:
    e164 = normalise(raw)
    parsed = phonenumbers.parse(e164, None)
    # The region, not the calling code: Jersey, Guernsey and the Isle of Man share +44.
    region = phonenumbers.region_code_for_number(parsed)
    if allowed_regions is not None and region not in allowed_regions:
        raise RegionNotServed("the service does not text or call that region")
    if phonenumbers.number_type(parsed) not in types:
        raise refusal("that kind of number is not served")
    return e164


def textable(raw: str, allowed_regions: frozenset[str]) -> str:
    """The E.164 form of a mobile number in an allowed region; refuses anything else."""
    return _checked(raw, allowed_regions, TEXTABLE_TYPES, NotAMobile)


def callable_number(raw: str, allowed_regions: frozenset[str] | None) -> str:
    """The E.164 form of an ordinary (not premium) number in an allowed region (None: any)."""
    return _checked(raw, allowed_regions, CALLABLE_TYPES, NotCallable)


# A UK number as Twilio reports nearly every sender and every one of our own numbers: +44, a
# non-zero digit, nine more. Every such string is a possible GB number and is its own E.164
# form (tests/test_contacts.py checks this against phonenumbers), so parsing it, ~40 µs on each
# of From and To of every webhook, would only hand back the same string.
_UK_E164 = re.compile(r"\+44[1-9][0-9]{9}")


def normalise_inbound(raw: str) -> str:
    """The E.164 form of a number Twilio reports; any possible number is accepted.

    Twilio has already delivered the message, so a number that phonenumbers thinks is not
    (yet) allocated is still a real sender and must get its answer.
    """
    if _UK_E164.fullmatch(raw or ""):
        return raw
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


# What stands for the hidden digits: always the same, so a number's length is hidden too.
MASK = "•••• ••• "


def masked(number: str) -> str:
    """A number as every channel shows it: its last three digits only, e.g. '•••• ••• 456'.

    The one rule for every screen; kiosk/static/frontline.js (maskNumber) follows it for the
    digits typed on the pad, and tests/test_masking.py runs both on the same numbers.
    """
    digits = re.sub(r"[^0-9]", "", number)
    return MASK + digits[-3:]
