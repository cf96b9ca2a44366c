"""Import every model so the metadata is complete (Alembic and tests read it from here)."""

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
from service.organisations.models import Organisation, OrganisationNumber, Site

__all__ = [
    "Announcement",
    "Base",
    "Contact",
    "Event",
    "Manager",
    "ManagerRole",
    "Membership",
    "Network",
    "NetworkKeyword",
    "Organisation",
    "OrganisationNumber",
    "Site",
    "SupportLine",
    "Translation",
]
