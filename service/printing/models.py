"""A record of each pack printed, so a sheet's code says whether its content has changed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db import Base, utcnow


class PrintPack(Base):
    """One pack as it was built: site, languages, month and a digest of its content."""

    __tablename__ = "print_pack"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Printed on every sheet; short enough to read out or type.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id", ondelete="CASCADE"))
    languages: Mapped[str] = mapped_column(String(40))
    size: Mapped[str] = mapped_column(String(4))
    large_print: Mapped[bool] = mapped_column(default=False)
    month: Mapped[dt.date]
    content_digest: Mapped[str] = mapped_column(String(64))
    pages: Mapped[int] = mapped_column(default=0)
    # Posters only, for these networks (a lead's print); None for the site's whole pack.
    network_ids: Mapped[list[int] | None] = mapped_column(default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
