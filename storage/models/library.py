"""The learning library: sections, lessons (each open from a tier upward), the parts of a
lesson's content (one message or an album, kept by file id so the lesson outlives the
admin's own message) and one row per time a member opened a lesson."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.library import ContentKind
from storage.models.base import Base

PART_KINDS = f"kind IN ({', '.join(repr(k.value) for k in ContentKind)})"


class LibrarySection(Base):
    __tablename__ = "library_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    # domain.library.section_key(name): "Dasar AI" and "dasar  ai" are one section.
    name_key: Mapped[str] = mapped_column(String(80), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class LibraryLesson(Base):
    __tablename__ = "library_lessons"

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("library_sections.id"))
    title: Mapped[str] = mapped_column(String(80))
    # The lowest tier that opens it (a higher rank opens it too).
    tier_id: Mapped[int] = mapped_column(ForeignKey("tiers.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None]
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime]
    # The admin's draft it came from: a second "add" of the same draft adds nothing.
    draft_key: Mapped[str] = mapped_column(String(64), unique=True)

    __table_args__ = (Index("ix_library_lessons_section_position", "section_id", "position"),)


class LibraryLessonPart(Base):
    __tablename__ = "library_lesson_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("library_lessons.id"))
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(256))
    html: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint(PART_KINDS, name="kind"),
        UniqueConstraint("lesson_id", "position"),
    )


class LibraryDraftPart(Base):
    """A part of an album an admin is sending as a lesson's content, kept until the
    draft is added or dropped. One row per part, so parts arriving at the same time (in
    several processes) are never lost to one another's write."""

    __tablename__ = "library_draft_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_key: Mapped[str] = mapped_column(String(64))
    album: Mapped[str] = mapped_column(String(64))  # Telegram's media_group_id
    message_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    file_id: Mapped[str | None] = mapped_column(String(256))
    html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint(PART_KINDS, name="kind"),
        UniqueConstraint("draft_key", "message_id"),
        Index("ix_library_draft_parts_created_at", "created_at"),
    )


class LibraryView(Base):
    """One row per opening: views in a period (opens, distinct members) are counted
    over `opened_at`, which a per-member counter could not tell."""

    __tablename__ = "library_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(ForeignKey("library_lessons.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    opened_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_library_views_lesson_member", "lesson_id", "member_id"),
        Index("ix_library_views_opened_at", "opened_at"),
    )
