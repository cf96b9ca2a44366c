"""Import every model so the metadata is complete (Alembic and tests read it from here)."""

from service.audit.models import AuditEntry
from service.broadcasts.models import Broadcast
from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact, Membership
from service.content.models import (
    Announcement,
    Event,
    Network,
    NetworkKeyword,
    SupportLine,
    Translation,
)
from service.db import Base
from service.managers.models import Manager, ManagerRole
from service.organisations.models import KioskKey, Organisation, OrganisationNumber, Site
from service.outbox.models import OutboundMessage
from service.printing.models import PrintPack
from service.privacy.models import TwilioDeletion
from service.reach.models import ReachTally
from service.rsvps.models import Rsvp
from service.sms.models import ConversationState, InboundMessage
from service.speakup.models import SpeakUpCase, SpeakUpMessage, SpeakUpReceipt, SpeakUpThrottle
from service.verification.models import CallerCheck, PendingAction, RequestKey
from service.voice.models import VoiceCall, VoiceNewsHeard

__all__ = [
    "Announcement",
    "AuditEntry",
    "Base",
    "Broadcast",
    "CallbackRequest",
    "CallerCheck",
    "Contact",
    "ConversationState",
    "Event",
    "InboundMessage",
    "KioskKey",
    "Manager",
    "ManagerRole",
    "Membership",
    "Network",
    "NetworkKeyword",
    "Organisation",
    "OrganisationNumber",
    "OutboundMessage",
    "PendingAction",
    "PrintPack",
    "ReachTally",
    "RequestKey",
    "Rsvp",
    "Site",
    "SpeakUpCase",
    "SpeakUpMessage",
    "SpeakUpReceipt",
    "SpeakUpThrottle",
    "SupportLine",
    "Translation",
    "TwilioDeletion",
    "VoiceCall",
    "VoiceNewsHeard",
]
