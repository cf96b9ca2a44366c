"""Conversations a worker has with the service, end to end through the signed webhook."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact, Membership
from service.contacts.operations import CONSENT_VERSION, find_contact
from service.content.models import Network
from service.rsvps.models import Rsvp
from service.sms.models import ConversationState, InboundMessage
from tests.support.sms import WORKER, Handset


def _contact(session, demo) -> Contact:
    contact = find_contact(session, demo.id, WORKER)
    assert contact is not None
    return contact


def _memberships(session) -> list[str]:
    return sorted(
        session.scalars(select(Network.slug).join(Membership, Membership.network_id == Network.id))
    )


def test_a_first_text_gets_a_welcome_with_the_language_hint_once(client, demo) -> None:
    handset = Handset(client)
    first = handset.send("HELP")
    assert len(first.texts) == 2
    assert "Welcome to Northgate City Council" in first.texts[0]
    assert "POLSKI" in first.texts[0] and "اردو" in first.texts[0]
    assert "NETWORKS" in first.texts[1]
    assert len(handset.send("HELP").texts) == 1


def test_networks_are_numbered_and_a_number_picks_one(phone) -> None:
    listing = phone.last("networks")
    assert re.search(r"^1 Careers Network$", listing, re.M)
    assert "Reply a number" in listing
    careers = phone.last("1")
    assert careers.startswith("Careers Network: Training")
    assert "JOIN CAREERS" in careers


def test_joining_an_open_network_is_immediate(phone, session) -> None:
    reply = phone.last("JOIN CARERS")
    assert reply.startswith("You have joined Carers Network")
    assert _memberships(session) == ["carers"]
    membership = session.scalars(select(Membership)).one()
    assert (membership.channel, membership.consent_version) == ("sms", None)
    assert phone.last("join carers") == "You are already in Carers Network."


def test_a_sensitive_network_needs_yes_and_records_consent(phone, session, demo) -> None:
    question = phone.last("JOIN MINDS")
    assert "encrypted" in question and "Reply YES" in question and "LEAVE MINDS" in question
    assert _memberships(session) == []  # nothing until YES
    phone.last("EVENTS")  # another command drops the question
    assert phone.last("YES").startswith("Thanks!")
    assert _memberships(session) == []
    phone.last("JOIN MINDS")
    joined = phone.last("yes")
    assert _memberships(session) == ["minds"]
    membership = session.scalars(select(Membership)).one()
    assert (membership.consent_version, membership.consent_channel) == (CONSENT_VERSION, "sms")
    assert membership.consent_at is not None
    # Discreet by default afterwards: texts use the discreet name, never the real one.
    assert '"Friday chat group"' in joined and "Minds Matter" not in joined
    assert _contact(session, demo).discreet is True
    listing = phone.last("NETWORKS")
    assert "Friday chat group" in listing
    for revealing in ("Minds Matter", "LGBT+", "Race Equality", "Disability"):
        assert revealing not in listing
    assert phone.last("NAME").startswith("OK, our texts will use")
    assert "Minds Matter" in phone.last("NETWORKS")


def test_a_typo_is_confirmed_before_acting(phone, session) -> None:
    asked = phone.last("JION CARERS")
    assert re.fullmatch(r"Did you mean JOIN CARERS\? Reply YES [1-9]\d{3}\.", asked)
    assert _memberships(session) == []
    assert phone.last("YES").startswith("You have joined Carers Network")
    assert re.fullmatch(
        r"Did you mean LEAVE CARERS\? Reply YES \d{4}\.", phone.last("LEAVE CARRERS")
    )
    assert phone.last("no") == "OK, nothing has changed."
    assert _memberships(session) == ["carers"]


def test_keywords_work_without_accents_and_in_the_texters_language(client, demo, session) -> None:
    handset = Handset(client)
    reply = handset.send("dolacz carers")  # DOŁĄCZ, typed without the Polish letters
    assert _memberships(session) == ["carers"]
    assert _contact(session, demo).language == "pl"
    welcome, joined = reply.texts
    assert "POMOC" in welcome and "ENGLISH" in welcome  # Polish help word; other languages
    assert "POLSKI" not in welcome
    assert "Carers Network" not in joined  # the network's Polish name is used


def test_leave_and_leave_all(phone, session) -> None:
    phone.last("JOIN CARERS")
    phone.last("JOIN CAREERS")
    phone.last("JOIN WOMEN")
    assert phone.last("LEAVE CARERS") == "You have left Carers Network."
    assert phone.last("LEAVE CARERS") == "You were not in Carers Network."
    assert phone.last("LEAVE ALL") == "You have left all 2 of your groups."
    assert _memberships(session) == []
    assert phone.last("leave all") == "You are not in any groups."


def test_events_rsvp_and_cancel(phone, session) -> None:
    listing = phone.last("EVENTS")
    lines = [line for line in listing.splitlines() if re.match(r"^\d+ ", line)]
    assert len(lines) >= 3
    # Local time, short: "1 Wed 2 Dec 11:00 How are you feeling hour".
    assert re.match(r"^1 \w{3} \d{1,2} \w{3} \d{2}:\d{2} \S", lines[0])
    # The place follows the title in brackets: "... How are you feeling hour (By phone)".
    title = lines[0].split(" ", 5)[5].rsplit(" (", 1)[0]
    going = phone.last("GOING 1")
    assert going.startswith(f"See you at {title}")
    assert session.scalar(select(func.count()).select_from(Rsvp)) == 1
    assert phone.last("YES 1").startswith("You already said you are going")
    assert phone.last("NOT GOING 1").startswith(f"OK, you are not going to {title}")
    assert session.scalar(select(func.count()).select_from(Rsvp)) == 0
    assert phone.last("GOING 99").startswith("There is no number 99")


def test_events_for_members_show_their_networks(phone) -> None:
    # Carers meet every other Thursday, so within EVENTS' three weeks on any day; Careers meets
    # monthly and was outside them from the 3rd of some months (the clock matrix found it).
    phone.last("JOIN CARERS")
    listing = phone.last("EVENTS")
    assert "Carers chat" in listing
    assert "Cuppa and chat" not in listing
    # EVENTS ALL shows a page at a time: the weekly Cuppa can be on the second when four
    # other events come before Friday (the random moment 2028-11-04T23:33Z found it).
    pages = [phone.last("EVENTS ALL")]
    while "Cuppa and chat" not in pages[-1] and "MORE" in pages[-1] and len(pages) < 5:
        pages.append(phone.last("MORE"))
    assert any("Cuppa and chat" in page for page in pages), pages


def test_talk_lists_support_with_the_crisis_line_first(phone) -> None:
    reply = phone.last("TALK")
    assert reply.index("Samaritans 116 123") < reply.index("Employee Assistance Programme")


def test_crisis_words_put_the_crisis_line_first_whatever_else_is_asked(phone) -> None:
    reply = phone.send("I just want to end it all. JOIN CARERS")
    assert reply.texts[0].startswith("If you are in danger now, call 999. Samaritans: 116 123")
    polish = phone.send("chcę się zabić")
    assert "116 123" in polish.texts[0]


def test_call_me_makes_a_callback_request(phone, session) -> None:
    reply = phone.send("CALL ME CARERS").texts
    assert reply == [
        "Thanks. Someone from Carers Network will call you back soon.",
        "When is a good time to call? Reply 1 morning, 2 afternoon, 3 evening, 4 any time.",
    ]
    request = session.scalars(select(CallbackRequest)).one()
    assert (request.channel, request.status, request.good_time) == ("sms", "open", "any")
    assert phone.last("3") == "Thanks. We will try to call you in the evening."
    session.refresh(request)
    assert request.good_time == "evening"
    # Answered: a later number is not taken as a time again.
    assert phone.last("1") != "Thanks. We will try to call you in the morning."
    session.refresh(request)
    assert request.good_time == "evening"
    assert phone.last("CALL ME CARERS").startswith("You have already asked")


def test_the_time_to_call_is_asked_in_the_members_language(phone, session) -> None:
    phone.last("LANGUAGE POLSKI")
    reply = phone.last("CALL ME")  # the second of two texts
    assert reply.startswith("Kiedy najlepiej zadzwonić? Odpisz 1 rano"), reply
    assert phone.last("9") == "Odpisz 1 rano, 2 po południu, 3 wieczorem lub 4 o dowolnej porze."
    assert phone.last("2") == "Dzięki. Spróbujemy zadzwonić po południu."
    request = session.scalars(select(CallbackRequest)).one()
    assert (request.good_time, request.language) == ("afternoon", "pl")


def test_language_by_keyword_or_by_its_own_name(phone, session, demo) -> None:
    phone.last("LANGUAGE POLSKI")
    assert _contact(session, demo).language == "pl"
    phone.last("ROMÂNĂ")
    assert _contact(session, demo).language == "ro"
    phone.last("اردو")
    assert _contact(session, demo).language == "ur"
    phone.last("english")
    assert _contact(session, demo).language == "en"


def test_stop_and_start_agree_with_twilio(phone, session, demo) -> None:
    phone.last("JOIN CARERS")
    assert phone.last("STOP").startswith("You will get no more texts")
    contact = _contact(session, demo)
    assert contact.opted_out_at is not None
    assert _memberships(session) == ["carers"]  # opting out is not leaving
    assert phone.last("EVENTS").startswith("You have stopped our texts")
    assert phone.last("START").startswith("Welcome back")
    assert _contact(session, demo).opted_out_at is None
    phone.last("STOP")
    phone.last("YES")  # YES re-subscribes at Twilio, so it does here too
    assert _contact(session, demo).opted_out_at is None
    phone.last("STOP PLEASE")  # not an exact opt-out word: Twilio ignores it, so do we
    assert _contact(session, demo).opted_out_at is None


def test_every_twilio_opt_out_word_opts_out(client, demo, session) -> None:
    words = ("STOP", "stopall", "Unsubscribe", "CANCEL", "end", "QUIT", "revoke", " OPTOUT ")
    for n, word in enumerate(words):
        handset = Handset(client, f"+4474005000{n:02d}")
        handset.send(word)
        assert find_contact(session, demo.id, handset.number).opted_out_at is not None, word
        handset.send("UNSTOP")
        assert find_contact(session, demo.id, handset.number).opted_out_at is None, word


def test_forget_me_erases_everything_about_the_number(phone, session, demo) -> None:
    phone.last("JOIN CARERS")
    phone.last("JOIN MINDS")
    phone.last("YES")
    phone.last("EVENTS")
    phone.last("GOING 1")
    phone.last("CALL ME")
    asked = re.search(r"Reply YES (\d{4}) to delete", phone.last("FORGET ME"))
    assert asked
    wrong = "1000" if asked.group(1) != "1000" else "1001"
    assert phone.last(f"YES {wrong}").startswith("That number does not match a question")
    assert _contact(session, demo).memberships  # nothing erased on the wrong number
    phone.last("FORGET ME")
    assert phone.last("YES") == "Done. We have deleted everything we held about this number."
    for model in (Contact, Membership, Rsvp, CallbackRequest, ConversationState):
        assert session.scalar(select(func.count()).select_from(model)) == 0, model
    assert session.scalar(select(func.count()).where(InboundMessage.contact_id.is_not(None))) == 0


def test_anything_else_gets_a_friendly_answer(phone) -> None:
    reply = phone.last("what time is the bus")
    assert reply.startswith("Sorry, I did not understand that.")
    assert "NETWORKS" in reply
    assert phone.last("JOIN SPACESHIPS") == (
        'I do not know the group "SPACESHIPS". Text NETWORKS to see them all.'
    )
    assert phone.last("7").startswith("Text NETWORKS or EVENTS first")


def test_events_for_a_member_of_two_networks_show_both(phone) -> None:
    # The member's networks come with their contact, aggregated ("3,7"): each of two counts.
    phone.last("JOIN CARERS")
    if "YES" in phone.last("JOIN MINDS"):
        phone.last("YES")
    listing = phone.last("EVENTS")
    assert "Carers chat" in listing
    assert "Cuppa and chat" in listing  # Minds Matter's
    assert "How are you feeling hour" not in listing
    assert "How are you feeling hour" in phone.last("EVENTS ALL")


def test_a_state_row_made_by_a_concurrent_text_is_no_error(client, session, demo, monkeypatch):
    """A member with no state row (a first HELP keeps none) sends two lists at once.

    A reading command reads the state before it takes any lock: the other text may insert the
    member's first state row in between. Its own row must take that one's place, not fail.
    """
    from sqlalchemy import insert

    from service.sms import lookup

    handset = Handset(client)
    handset.send("HELP")
    contact = _contact(session, demo)
    assert session.get(ConversationState, contact.id) is None
    real = lookup.contact_and_state

    def raced(session, *args, **kwargs):
        found = real(session, *args, **kwargs)
        if found[0] is not None and session.get(ConversationState, contact.id) is None:
            session.connection().execute(
                insert(ConversationState.__table__).values(contact_id=contact.id, list_kind="x")
            )
        return found

    monkeypatch.setattr(lookup, "contact_and_state", raced)
    assert re.search(r"^1 Careers Network$", handset.send("NETWORKS").texts[-1], re.M)
    monkeypatch.setattr(lookup, "contact_and_state", real)
    session.expire_all()
    assert handset.send("1").texts[-1].startswith("Careers Network: Training")
