"""The texts a code step sends, written to fit two segments in every language."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from service.content.queries import NetworkView, Occurrence, SupportLineView
from service.formatting import when
from service.messaging.replies import (
    ASKED_CONSENT_SEGMENTS,
    dial_in,
    fit,
    fit_list,
    support_line,
    word,
)


def code_text(org_name: str, code: str, language: str) -> str:
    """The text that carries a code typed back on the screen."""
    with force_locale(language):
        return fit(
            _(
                "%(org)s: your code is %(code)s. Type it on the screen within 10 minutes. "
                "If you did not ask for it, ignore this text.",
                org=org_name,
                code=code,
            ),
            _("Your code: %(code)s. It works for 10 minutes.", code=code),
        )


def caller_code_text(org_name: str, code: str, language: str) -> str:
    """The text that carries a code keyed in on a phone call, proving the caller has the phone."""
    with force_locale(language):
        return fit(
            _(
                "%(org)s: your phone line code is %(code)s. Key it in on the call. If you are "
                "not calling us, someone may be using your number: ignore this text.",
                org=org_name,
                code=code,
            ),
            _("Your phone line code: %(code)s.", code=code),
        )


def network_name_for_text(network: NetworkView) -> str:
    """A network's name fit for a text to a number typed at a kiosk: a sensitive one is not named.

    Whoever typed the number may not be whoever holds the phone, and the phone may be shared.
    """
    if network.sensitive:
        return network.discreet_name or _("the private group you chose")
    return network.name


def joined_text(network: NetworkView, position: int, *, discreet: bool, language: str) -> str:
    """The text after a join at a kiosk or on a web page: what was joined, and how to leave.

    A member who keeps private groups private gets the discreet name and the group's number
    in the list (as on SMS), never the name or keyword that would say what it is.
    """
    private = network.sensitive and discreet
    which = str(position) if private else network.typeable_keyword()
    with force_locale(language):
        values = {
            "name": network.display_name(discreet=discreet),
            "leave": f"{word('leave', language)} {which}",
            "networks": word("networks", language),
        }
        return fit(
            _(
                "You have joined %(name)s. We will text you about what is on. To leave, "
                "reply %(leave)s. To see all groups, reply %(networks)s.",
                **values,
            ),
            _("You have joined %(name)s. To leave, reply %(leave)s.", **values),
        )


def reply_to_join(network: NetworkView, language: str, yes: str, channel: str = "kiosk") -> str:
    """Asks a person to confirm with YES and the number a join asked for at a kiosk or by phone."""
    with force_locale(language):
        if network.sensitive:
            return _private_join_question(network, yes, channel)
        if channel == "voice":
            # Anyone can call with this number as caller ID: the phone's owner decides here.
            return fit(
                _(
                    "You asked on the phone to join %(name)s. Reply %(yes)s to join. If it was "
                    "not you, ignore this text.",
                    name=network_name_for_text(network),
                    yes=yes,
                )
            )
        return fit(
            _(
                "You asked at the kiosk to join %(name)s. Reply %(yes)s to join. If it was not "
                "you, ignore this text.",
                name=network_name_for_text(network),
                yes=yes,
            )
        )


def _private_join_question(network: NetworkView, yes: str, channel: str) -> str:
    # The YES to this text is the consent: the phone's owner may not be who heard the warning
    # on the call or read it on the kiosk (a caller ID proves nothing, a shared phone), so the
    # text says it all again, without naming the group.
    values = {"name": network_name_for_text(network), "yes": yes}
    if channel == "voice":
        text = _(
            "You asked on the phone to join %(name)s. Being a member can show something "
            "personal about you. We keep your number (encrypted) and that you joined. Only the "
            "organisers see it, never your manager. You can leave at any time. Reply %(yes)s to "
            "join. If it was not you, ignore this text.",
            **values,
        )
    else:
        text = _(
            "You asked at the kiosk to join %(name)s. Being a member can show something "
            "personal about you. We keep your number (encrypted) and that you joined. Only the "
            "organisers see it, never your manager. You can leave at any time. Reply %(yes)s to "
            "join. If it was not you, ignore this text.",
            **values,
        )
    return fit(text, segments=ASKED_CONSENT_SEGMENTS)


def reply_to_rsvp(occurrence: Occurrence, language: str, yes: str) -> str:
    """Asks a person whose kiosk was offline to confirm they are going."""
    with force_locale(language):
        return fit(
            _(
                "You asked at the kiosk to go to %(title)s, %(when)s. Reply %(yes)s to confirm.",
                title=occurrence.title,
                when=when(occurrence.local_start, language),
                yes=yes,
            )
        )


def reply_to_callback(language: str, yes: str) -> str:
    """Asks a person whose kiosk was offline to confirm they want a call back."""
    with force_locale(language):
        return fit(
            _(
                "You asked at the kiosk for someone to call you back. Reply %(yes)s and we will "
                "call this number.",
                yes=yes,
            )
        )


def event_details(occurrence: Occurrence, language: str) -> str:
    """An event as "text me this" sends it: what, when, where, how to join by phone."""
    with force_locale(language):
        where = occurrence.place or occurrence.site_name
        parts = [
            f"{occurrence.title}: {when(occurrence.local_start, language)}.",
            f"{where}." if where else "",
            dial_in(occurrence),
        ]
        return fit(" ".join(p for p in parts if p), parts[0])


def confirmed_by_reply(outcome: str, language: str) -> str:
    """The answer to a YES that confirmed a kiosk request."""
    with force_locale(language):
        if outcome == "full":
            return _("Sorry, that session is now full.")
        if outcome == "expired":
            return _("That request has run out. Please ask again at the kiosk.")
        return _("Done. Thank you.")


def support_lines_text(lines: list[SupportLineView], language: str) -> str:
    """The support lines as TALK texts them: each name, number and hours, as many as fit."""
    with force_locale(language):
        entries = [
            support_line(line.name, line.phone, "" if line.always_open else line.hours)
            for line in lines
        ]
        if lines[0].always_open:
            entries[0] += " " + _("(any time)")
        text, _shown, _more = fit_list(
            _("Support:"),
            entries,
            _("%(call_me)s: we call you back.", call_me=word("call_me", language)),
        )
        return text
