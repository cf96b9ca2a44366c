"""The whole data model: every model, and every package's privacy holder.

Every model is imported so the metadata is complete (Alembic and tests read it from here); the
holders are registered so erasure, export, retention and key rotation reach the channels' rows
too (the core cannot import the channels to find them). Like create_app, this module sits
above the channels: only the app's assembly, migrations and tests import it.
"""

# Content writes change the organisation's content version (the listeners live there).
import service.content.version  # noqa: F401
from service.audit.models import AuditEntry
from service.broadcasts.models import Broadcast
from service.callbacks.models import CallbackRequest
from service.contacts.models import Contact, Membership
from service.content.models import (
    Announcement,
    Event,
    Network,
    NetworkKeyword,
    SkippedDate,
    SupportLine,
    Translation,
)
from service.db import Base
from service.managers.models import Manager, ManagerRole
from service.organisations.models import KioskKey, Organisation, OrganisationNumber, Site
from service.outbox.models import OutboundMessage
from service.printing.models import PrintPack
from service.privacy import registry as privacy
from service.privacy.models import TwilioDeletion
from service.reach.models import ReachTally
from service.rsvps.models import Rsvp
from service.sms import privacy as sms_privacy
from service.sms import surveys as sms_surveys
from service.sms.models import ConversationState, InboundMessage
from service.speakup.models import SpeakUpCase, SpeakUpMessage, SpeakUpReceipt, SpeakUpThrottle
from service.surveys import operations as surveys
from service.surveys import privacy as survey_privacy
from service.surveys.models import (
    Survey,
    SurveyAnswer,
    SurveyQuestion,
    SurveyRecording,
    SurveyResponse,
    SurveyThrottle,
    SurveyToken,
)
from service.verification.models import CallerCheck, PendingAction, RequestKey
from service.voice import privacy as voice_privacy
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
    "SkippedDate",
    "SpeakUpCase",
    "SpeakUpMessage",
    "SpeakUpReceipt",
    "SpeakUpThrottle",
    "SupportLine",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyRecording",
    "SurveyResponse",
    "SurveyThrottle",
    "SurveyToken",
    "Translation",
    "TwilioDeletion",
    "VoiceCall",
    "VoiceNewsHeard",
]

privacy.register(sms_privacy.HOLDER, voice_privacy.HOLDER, survey_privacy.HOLDER)
surveys.when_closed("sms", sms_surveys.leave_closed_survey)
