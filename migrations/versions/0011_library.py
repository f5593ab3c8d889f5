"""The learning library: sections, lessons gated by tier, views.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PART_KINDS = "kind IN ('text', 'photo', 'video', 'document', 'audio', 'voice', 'animation')"


def upgrade() -> None:
    op.create_table(
        "library_sections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("name_key", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_sections")),
        sa.UniqueConstraint("name_key", name=op.f("uq_library_sections_name_key")),
    )
    op.create_table(
        "library_lessons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("section_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("tier_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("draft_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["section_id"],
            ["library_sections.id"],
            name=op.f("fk_library_lessons_section_id_library_sections"),
        ),
        sa.ForeignKeyConstraint(
            ["tier_id"], ["tiers.id"], name=op.f("fk_library_lessons_tier_id_tiers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_lessons")),
        sa.UniqueConstraint("draft_key", name=op.f("uq_library_lessons_draft_key")),
    )
    op.create_index(
        "ix_library_lessons_section_position", "library_lessons", ["section_id", "position"]
    )
    op.create_table(
        "library_lesson_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("html", sa.Text(), nullable=True),
        sa.CheckConstraint(PART_KINDS, name=op.f("ck_library_lesson_parts_kind")),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["library_lessons.id"],
            name=op.f("fk_library_lesson_parts_lesson_id_library_lessons"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_lesson_parts")),
        sa.UniqueConstraint(
            "lesson_id", "position", name=op.f("uq_library_lesson_parts_lesson_id_position")
        ),
    )
    op.create_table(
        "library_draft_parts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_key", sa.String(length=64), nullable=False),
        sa.Column("album", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("file_id", sa.String(length=256), nullable=True),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(PART_KINDS, name=op.f("ck_library_draft_parts_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_draft_parts")),
        sa.UniqueConstraint(
            "draft_key", "message_id", name=op.f("uq_library_draft_parts_draft_key_message_id")
        ),
    )
    op.create_index("ix_library_draft_parts_created_at", "library_draft_parts", ["created_at"])
    op.create_table(
        "library_views",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lesson_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["lesson_id"],
            ["library_lessons.id"],
            name=op.f("fk_library_views_lesson_id_library_lessons"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_library_views_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_views")),
    )
    op.create_index("ix_library_views_lesson_member", "library_views", ["lesson_id", "member_id"])
    op.create_index("ix_library_views_opened_at", "library_views", ["opened_at"])


def downgrade() -> None:
    op.drop_index("ix_library_views_opened_at", table_name="library_views")
    op.drop_index("ix_library_views_lesson_member", table_name="library_views")
    op.drop_table("library_views")
    op.drop_index("ix_library_draft_parts_created_at", table_name="library_draft_parts")
    op.drop_table("library_draft_parts")
    op.drop_table("library_lesson_parts")
    op.drop_index("ix_library_lessons_section_position", table_name="library_lessons")
    op.drop_table("library_lessons")
    op.drop_table("library_sections")
