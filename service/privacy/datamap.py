"""The data map: every column of every table, personal or not, and how long each is kept.

docs/data-map.md is generated from this and the models (service/privacy/mapdoc.py); a test fails
when a model gains a column that is in neither PERSONAL nor NOT_PERSONAL, so a new column is
always a decision someone wrote down. It reads the tables from the metadata, so its caller
has imported every model first (service.models, as `frontline data-map` and the tests do).
"""

from __future__ import annotations

from dataclasses import dataclass

from service.db import Base


@dataclass(frozen=True)
class Personal:
    """What personal data a column can hold, and why the service holds it."""

    category: str
    purpose: str


def _columns(table: str, category: str, purpose: str, *names: str) -> dict[str, Personal]:
    return {f"{table}.{name}": Personal(category, purpose) for name in names}


# Categories, in plain words (the privacy notice uses the same ones).
NUMBER = "Phone number (encrypted)"
PSEUDONYM = "Pseudonymous reference (keyed hash, or an id Twilio can tie to a number)"
SPECIAL = "Special category, inferred: which network (health, disability, sexuality, ethnicity…)"
CONSENT = "Consent record"
CHOICES = "The person's choices and settings"
CONTENT = "Message content (encrypted)"
ACTIVITY = "Activity: what the person did, when, through which channel"
VOICE = "Voicemail (audio held at Twilio; we hold its reference)"
STAFF = "Console user's account data"
LINK = "Link to the person's contact row"

PERSONAL: dict[str, Personal] = {
    **_columns("contact", NUMBER, "To text and call the person back", "phone_encrypted"),
    **_columns("contact", PSEUDONYM, "To find a number without decrypting any", "phone_index"),
    **_columns(
        "contact",
        CHOICES,
        "To answer in their language and honour STOP and discretion",
        "language",
        "discreet",
        "opted_out_at",
        "unusable_at",
        "site_id",
    ),
    **_columns(
        "contact",
        ACTIVITY,
        "To know when a number was first and last heard from (and count each person once a month)",
        "created_at",
        "last_seen_at",
    ),
    **_columns(
        "contact",
        CHOICES,
        "How many networks they belong to: kept with the reach counts of members now",
        "network_count",
    ),
    **_columns("membership", LINK, "Whose membership it is", "contact_id"),
    **_columns("membership", SPECIAL, "To send a network's news to its members", "network_id"),
    **_columns("membership", ACTIVITY, "To show when and how they joined", "joined_at", "channel"),
    **_columns(
        "membership",
        CONSENT,
        "Proof of explicit consent for sensitive networks",
        "consent_version",
        "consent_at",
        "consent_channel",
    ),
    **_columns("rsvp", LINK, "Whose RSVP it is", "contact_id"),
    **_columns(
        "rsvp", SPECIAL, "To remind them of the event (its network may be sensitive)", "event_id"
    ),
    **_columns(
        "rsvp",
        ACTIVITY,
        "To remind them and count places",
        "occurrence_start",
        "channel",
        "created_at",
    ),
    **_columns("conversation_state", LINK, "Whose conversation it is", "contact_id"),
    **_columns(
        "conversation_state",
        ACTIVITY,
        "To understand a reply such as '2' or YES",
        "list_kind",
        "list_items",
        "list_offset",
        "pending_kind",
        "pending_payload",
        "updated_at",
    ),
    **_columns("inbound_message", LINK, "Whose text it was (emptied on erasure)", "contact_id"),
    **_columns("inbound_message", PSEUDONYM, "To recognise Twilio's retries", "message_sid"),
    **_columns(
        "inbound_message", ACTIVITY, "Rate limits and support", "received_at", "command", "segments"
    ),
    **_columns(
        "inbound_message",
        CONTENT,
        "Same answer to a retried webhook; bodies only if SMS_KEEP_BODIES is on",
        "replies_encrypted",
        "body_encrypted",
    ),
    **_columns("outbound_message", LINK, "Who the text is for", "contact_id"),
    **_columns(
        "outbound_message",
        NUMBER,
        'Where a code or "text me this" goes before the number is a contact',
        "to_encrypted",
    ),
    **_columns(
        "outbound_message",
        PSEUDONYM,
        "Counts and finds texts to a number that is not a contact (keyed hash)",
        "to_index",
    ),
    **_columns("outbound_message", CONTENT, "To send the text", "body_encrypted"),
    **_columns(
        "outbound_message",
        PSEUDONYM,
        "Loop guard (keyed hash of the body); Twilio's message id for status callbacks",
        "body_hash",
        "twilio_sid",
        "dedupe_key",
    ),
    **_columns(
        "outbound_message",
        ACTIVITY,
        "To send once, at the right time, and show delivery",
        "network_ids",
        "kind",
        "language",
        "status",
        "not_before",
        "not_after",
        "next_attempt_at",
        "error_code",
        "skip_reason",
        "created_at",
        "sending_at",
        "sent_at",
        "finished_at",
    ),
    **_columns("callback_request", LINK, "Who to call back", "contact_id"),
    **_columns("callback_request", SPECIAL, "Which network's lead calls back", "network_id"),
    **_columns(
        "callback_request",
        ACTIVITY,
        "To work through the queue",
        "channel",
        "status",
        "created_at",
        "closed_at",
        "attempts",
        "last_attempt_at",
        "site_id",
        "language",
        "good_time",
        "outcome",
        "alerted_at",
    ),
    **_columns(
        "callback_request",
        CONTENT,
        "What whoever calls back noted about the call (what was said, when to try again)",
        "notes_encrypted",
    ),
    **_columns(
        "callback_request",
        PSEUDONYM,
        "Twilio's ids of the calls involved",
        "callback_call_sid",
        "call_sid",
    ),
    **_columns(
        "callback_request",
        VOICE,
        "So the lead can play the voicemail",
        "recording_sid",
        "recording_url",
        "recording_seconds",
    ),
    **_columns("voice_call", LINK, "Who called", "contact_id"),
    **_columns("voice_call", PSEUDONYM, "To match Twilio's status callbacks", "call_sid"),
    **_columns(
        "voice_call",
        ACTIVITY,
        "Call status and length, for support and cost",
        "status",
        "duration_seconds",
        "language",
        "started_at",
        "updated_at",
    ),
    **_columns("pending_action", LINK, "Whose request it is (a YES-confirmed one)", "contact_id"),
    **_columns(
        "pending_action",
        NUMBER,
        "The number a code went to; it becomes a contact only once the code matches",
        "phone_encrypted",
    ),
    **_columns(
        "pending_action",
        SPECIAL,
        "What they asked to join or go to",
        "network_id",
        "event_id",
        "occurrence_start",
    ),
    **_columns(
        "pending_action", CONSENT, "The consent wording shown before the code", "consent_version"
    ),
    **_columns(
        "pending_action",
        ACTIVITY,
        "To do the request once the code matches",
        "action",
        "site_id",
        "channel",
        "language",
        "good_time",
        "by_reply",
        "attempts",
        "created_at",
        "expires_at",
        "completed_at",
    ),
    **_columns(
        "pending_action",
        PSEUDONYM,
        "Keyed hashes of the code and of the asking browser's address (rate limits)",
        "code_hash",
        "requester_index",
        "token",
        "phone_index",
    ),
    **_columns("caller_check", LINK, "Whose phone the code was texted to", "contact_id"),
    **_columns(
        "caller_check",
        PSEUDONYM,
        "Ties a code to one call (caller ID alone proves nothing), and its keyed hash",
        "call_sid",
        "code_hash",
    ),
    **_columns(
        "caller_check",
        ACTIVITY,
        "To limit tries and codes an hour, and know the caller proved it is them",
        "attempts",
        "created_at",
        "expires_at",
        "verified_at",
    ),
    **_columns(
        "send_request",
        PSEUDONYM,
        "Limits texts per address, per number and per day (keyed hashes, never either one)",
        "requester_index",
        "number_index",
    ),
    **_columns("send_request", ACTIVITY, "Limits texts per day", "kind", "created_at"),
    **_columns(
        "request_key",
        ACTIVITY,
        "A replayed request gets the first answer",
        "key",
        "action_id",
        "outcome",
        "created_at",
    ),
    **_columns(
        "manager",
        STAFF,
        "To sign in to the console and be called for call-backs",
        "email",
        "display_name",
        "password_hash",
        "totp_secret",
        "totp_confirmed_at",
        "totp_last_step",
        "totp_failures",
        "totp_blocked_until",
        "session_generation",
        "disabled_at",
        "created_at",
    ),
    **_columns(
        "manager", NUMBER, "The phone a lead is rung on to bridge a call-back", "phone_encrypted"
    ),
    **_columns(
        "manager_role",
        STAFF,
        "What a console user may do",
        "manager_id",
        "role",
        "network_id",
        "site_id",
    ),
    **_columns(
        "audit_entry",
        STAFF,
        "Who did what in the console (never a number or a body)",
        "manager_id",
        "action",
        "detail",
        "created_at",
    ),
    **_columns("broadcast", STAFF, "Which console user wrote a broadcast", "created_by"),
    **_columns("callback_request", STAFF, "Which lead closed the request", "closed_by"),
    **_columns(
        "twilio_deletion",
        NUMBER,
        "An erased number, only until Twilio has listed its texts and calls for deletion",
        "number_encrypted",
    ),
    **_columns(
        "twilio_deletion",
        PSEUDONYM,
        "Which record to delete at Twilio, and the erased contact's old reference",
        "sid",
        "contact_ref",
    ),
    **_columns(
        "twilio_deletion",
        ACTIVITY,
        "That an erasure is still being carried out at Twilio",
        "erasure",
        "kind",
        "attempts",
        "next_attempt_at",
        "done_at",
        "created_at",
    ),
    # Speak-up: anonymous by design, but a concern can itself hold special-category data.
    **_columns(
        "speakup_case",
        PSEUDONYM,
        "A code only the worker holds (slow hash)",
        "locator",
        "code_hash",
    ),
    **_columns(
        "speakup_case",
        ACTIVITY,
        "To follow the case",
        "channel",
        "status",
        "last_activity_at",
        "alerted",
    ),
    **_columns(
        "speakup_message",
        CONTENT,
        "What the worker raised and the guardian answered",
        "body_encrypted",
        "author",
        "unread",
    ),
    **_columns(
        "speakup_message",
        CONTENT,
        "A voice message left for the guardian: its audio, copied from Twilio and encrypted",
        "voice",
        "audio_encrypted",
        "audio_type",
    ),
    **_columns(
        "survey",
        PSEUDONYM,
        "The random key of the survey's one-response-per-person tokens (encrypted), destroyed "
        "when the survey closes",
        "token_key_encrypted",
    ),
    **_columns(
        "survey",
        CONTENT,
        "While a survey is open, its answers as they stood at the last batch of ten or more "
        "responses (counts and written answers, encrypted, with no one's name), deleted at close",
        "answers_batch_encrypted",
    ),
    **_columns(
        "survey_token",
        PSEUDONYM,
        "One response each: a keyed hash of the number under the survey's key, deleted at close",
        "token",
    ),
    **_columns(
        "survey_token",
        CONTENT,
        "An unfinished respondent's place and answers so far, until they finish or it closes",
        "finished",
        "position",
        "progress_encrypted",
    ),
    **_columns(
        "survey_response",
        LINK,
        "Who answered, in an attributable survey only (never in an anonymous one)",
        "contact_id",
    ),
    **_columns(
        "survey_response",
        ACTIVITY,
        "How a response came in, for the results' breakdowns; names no one",
        "channel",
        "site_id",
        "language",
        "complete",
        "verified",
    ),
    **_columns(
        "survey_throttle",
        PSEUDONYM,
        "Limits a kiosk's or web address's answers given without a proven number (a keyed hash "
        "of the kiosk or address and the hour, under the survey's key; deleted at close)",
        "key",
        "window_start",
        "count",
    ),
    **_columns(
        "survey_paper_entry",
        CONTENT,
        "A returned paper sheet's answers as typed in, encrypted, until a second entry agrees "
        "and they become an anonymous response (or the survey closes); names no respondent",
        "entry_encrypted",
    ),
    **_columns(
        "survey_paper_entry",
        STAFF,
        "Which console user typed the sheet in (for the double entry), never who filled it in",
        "entered_by",
    ),
    **_columns(
        "survey_answer",
        CONTENT,
        "Survey answers: anonymous (linked to no one) unless the survey is attributable; free "
        "text encrypted, with numbers and e-mail addresses masked",
        "outcome",
        "value",
        "text_encrypted",
    ),
    **_columns(
        "survey_recording",
        CONTENT,
        "A free-text survey answer said on the phone: its audio, copied from Twilio and "
        "encrypted, with no call, number or time; deleted with its answer when unfinished",
        "audio_encrypted",
        "audio_type",
    ),
    **_columns(
        "sign_in_throttle",
        STAFF,
        "Limits password guesses per typed email (a hash of it, kept minutes)",
        "key",
        "window_start",
        "count",
    ),
    **_columns(
        "speakup_throttle",
        PSEUDONYM,
        "Limits guesses (HMAC under an hourly random salt, never the number; gone each hour)",
        "key",
        "window_start",
        "count",
    ),
    **_columns(
        "speakup_receipt",
        PSEUDONYM,
        "A retried webhook raises no second case",
        "sid_hash",
        "received_hour",
        "case_id",
    ),
    **_columns(
        "voice_news_heard",
        PSEUDONYM,
        "The phone line's news is read to a number once a day (keyed hash of day and number, "
        "never the number)",
        "marker",
        "heard_on",
    ),
}

# Columns that hold nothing about a person: ids, organisation data, published content.
NOT_PERSONAL: frozenset[str] = frozenset(
    f"{table}.{name}"
    for table, names in {
        "organisation": "id slug name timezone default_language print_discreet_names created_at "
        "content_version",
        "organisation_number": "id organisation_id e164 sms voice",
        "site": "id organisation_id slug name kind address kiosk_enabled default_language "
        "kiosk_key_hash kiosk_key_issued_at headcount",
        "kiosk_key": "id organisation_id site_id public_key created_at revoked_at",
        "network": "id organisation_id parent_id slug name short_description long_description "
        "sensitive discreet_name colour created_at",
        "network_keyword": "id organisation_id network_id language word",
        "event": "id organisation_id network_id site_id title description place starts_at "
        "ends_at rrule dial_in_number dial_in_pin capacity audio_url created_at",
        "event_skip": "id organisation_id event_id day created_at",
        "support_line": "id organisation_id name phone hours description crisis always_open "
        "position",
        "announcement": "id organisation_id network_id body publish_from publish_until audio_url",
        "translation": "id owner_table owner_id field language text reviewed updated_at",
        "broadcast": "id organisation_id body audience site_id network_ids urgent scheduled_for "
        "status recipients created_at sent_at cancelled_at fan_out_after fanned_out fanned_out_at "
        "held_languages",
        "print_pack": "id code organisation_id site_id languages size large_print month "
        "content_digest pages created_at network_ids",
        "reach_tally": "id organisation_id month network_id site_id channel measure count",
        "broadcast_tally": "id broadcast_id status slot count",
        "reach_members": "id organisation_id network_id site_id channel count",
        "reach_member_people": "id organisation_id site_id count",
        "contact": "id organisation_id",
        "membership": "id",
        "rsvp": "id",
        "inbound_message": "id organisation_id",
        "outbound_message": "id organisation_id broadcast_id urgent attempts queued_at segments "
        "cost_estimate_pence",
        "callback_request": "id organisation_id",
        "voice_call": "id organisation_id",
        "pending_action": "id organisation_id",
        "caller_check": "id organisation_id",
        "request_key": "id organisation_id",
        "send_request": "id organisation_id",
        "manager": "id organisation_id",
        "manager_role": "id",
        "audit_entry": "id organisation_id",
        "speakup_case": "id organisation_id",
        "survey": "id organisation_id title intro we_did return_to keyword closes_at status mode "
        "audience network_ids site_ids created_at opened_at closed_at reminded_at",
        "survey_question": "id survey_id position kind text options prefer_not monitoring",
        "survey_response": "id survey_id",
        "survey_answer": "id response_id question_id recording_id",
        "survey_recording": "id survey_id",
        "survey_token": "survey_id",
        "survey_throttle": "survey_id",
        "survey_paper_entry": "id survey_id sheet",
        "survey_paper_sheet": "id survey_id sheet",
        "speakup_message": "id case_id",
        "twilio_deletion": "id organisation_id",
        "voice_news_heard": "id organisation_id",
        # How far a stopped key rotation got: a column's name, a row id, counts of rows.
        "rotation_checkpoint": "label key_check last_id finished counts updated_at",
    }.items()
    for name in names.split()
)

# How long each table's personal data is kept, when no purge rule covers it.
KEPT = {
    "contact": "Until the person texts FORGET ME or an admin erases them in the console",
    "membership": "Until the person leaves the network, or is erased",
    "rsvp": "Until the person is erased, or the event is deleted",
    "conversation_state": "Overwritten by each text; deleted when the person is erased",
    "manager": "While the console account exists",
    "manager_role": "While the console account exists",
    "broadcast": "While the broadcast exists (the author link is cleared when they go)",
    "speakup_case": "Open cases stay until the guardian closes them; closed ones as above",
    "speakup_message": "With its case: deleted when a closed case's period ends",
    "voice_news_heard": "Until a later day's first news marker is written, which deletes all "
    "earlier days' markers",
    "twilio_deletion": "Until Twilio confirms each record deleted (minutes, at most 14 days or "
    "an outage); then only an audit entry with counts",
    "survey": "The token key: from opening until the survey closes, then destroyed",
    "survey_token": "Until the survey closes: unfinished answers become an anonymous response, "
    "then every token and the key that made them are deleted",
    "survey_response": "With the survey; anonymous, so never found for one person (attributable "
    "surveys' responses go with the contact)",
    "survey_answer": "With its response",
    "survey_throttle": "Until the next hour's first unproven answer to the survey, or its close",
    "survey_recording": "With its answer's survey; an unfinished answer's recording goes when "
    "its answers are erased or answered again",
    "survey_paper_entry": "Until a second entry of the sheet agrees (then an anonymous response), "
    "an admin throws it away, or the survey closes",
    "speakup_throttle": "Deleted on the hour, every hour, with the random salt its keys used",
    "speakup_receipt": "Deleted on the hour, every hour, with the random salt its keys used",
}


def tables() -> dict[str, list[str]]:
    """Every table in the models and its columns, tables by name, columns in model order."""
    return {
        name: [c.name for c in table.columns]
        for name, table in sorted(Base.metadata.tables.items())
    }


def uncovered() -> list[str]:
    """Columns in the models that the map does not classify, and entries for columns gone."""
    present = {f"{t}.{c}" for t, cols in tables().items() for c in cols}
    both = set(PERSONAL) & NOT_PERSONAL
    missing = present - set(PERSONAL) - NOT_PERSONAL
    stale = (set(PERSONAL) | NOT_PERSONAL) - present
    return (
        sorted(missing)
        + [f"{c} (no longer in the models)" for c in sorted(stale)]
        + [f"{c} (listed as both)" for c in sorted(both)]
    )
