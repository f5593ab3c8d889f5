"""Leader links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.states import (
    LeaderSource,
)
from storage.models.base import Base, _partial
from storage.types import status_enum


class LeaderLink(Base):
    """Who leads a member, and since when; closed links are the history."""

    __tablename__ = "leader_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    leader_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    source: Mapped[LeaderSource] = mapped_column(status_enum(LeaderSource, "source"))
    valid_from: Mapped[datetime]
    valid_to: Mapped[datetime | None]
    set_by: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("member_id <> leader_member_id", name="not_self"),
        Index("uq_leader_links_open", "member_id", unique=True, **_partial("valid_to IS NULL")),
        # /numbers: every leader's team at a day, from the index alone.
        Index(
            "ix_leader_links_leader_dates",
            "leader_member_id",
            "valid_from",
            "valid_to",
            "member_id",
        ),
    )
