"""Console users: admins, network leads, site managers, the support team and the guardian."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, utcnow

ROLES = ("admin", "network_lead", "site_manager", "guardian", "support_team")


class Manager(Base):
    """A person who signs in to the console."""

    __tablename__ = "manager"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    # Set when the manager first proves their authenticator works; until then they enrol.
    totp_confirmed_at: Mapped[dt.datetime | None]
    # The last TOTP time step accepted: a code is good once, not for its whole 30 s.
    totp_last_step: Mapped[int | None]
    # Wrong codes in a row: past a few, each one doubles the wait before the next is checked.
    totp_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    totp_blocked_until: Mapped[dt.datetime | None]
    # Part of every session's id: signing out raises it, so no copy of a cookie still works.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    disabled_at: Mapped[dt.datetime | None]
    # The phone the service rings to bridge a call-back (encrypted like every number).
    phone_encrypted: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    roles: Mapped[list[ManagerRole]] = relationship(
        back_populates="manager", cascade="all, delete-orphan"
    )


class ManagerRole(Base):
    """One role of a manager, scoped to a network or site where the role needs one."""

    __tablename__ = "manager_role"
    __table_args__ = (UniqueConstraint("manager_id", "role", "network_id", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("manager.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    network_id: Mapped[int | None] = mapped_column(ForeignKey("network.id", ondelete="CASCADE"))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))

    manager: Mapped[Manager] = relationship(back_populates="roles")


class SignInThrottle(Base):
    """Failed passwords per typed email (known or not, so both are throttled alike)."""

    __tablename__ = "sign_in_throttle"

    # sha256 of the normalised email: equal for a known and an unknown address.
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[dt.datetime] = mapped_column(index=True)
    count: Mapped[int] = mapped_column(default=0)
