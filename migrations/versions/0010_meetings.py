"""Meetings (Zoom): schedules, RSVP, reminders claimed by a sweep, attendance.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _per_occurrence(table: str) -> list[sa.Column[int] | sa.Constraint]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f(f"fk_{table}_meeting_id_meetings")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f(f"fk_{table}_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=120), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        sa.Column("repeat", sa.String(length=16), nullable=False),
        sa.Column("join_link", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.String(length=800), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("draft_token", sa.String(length=40), nullable=True),
        sa.Column("continued_as", sa.Integer(), nullable=True),
        sa.CheckConstraint("audience IN ('vip', 'members')", name=op.f("ck_meetings_audience")),
        sa.CheckConstraint(
            "repeat IN ('once', 'weekly', 'monthly')", name=op.f("ck_meetings_repeat")
        ),
        sa.CheckConstraint("status IN ('scheduled', 'cancelled')", name=op.f("ck_meetings_status")),
        sa.CheckConstraint(
            "duration_minutes >= 5 AND duration_minutes <= 600", name=op.f("ck_meetings_duration")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
        sa.UniqueConstraint("draft_token", name=op.f("uq_meetings_draft_token")),
    )
    op.create_index("ix_meetings_status_starts_at", "meetings", ["status", "starts_at"])
    op.create_table(
        "meeting_rsvps",
        *_per_occurrence("meeting_rsvps"),
        sa.Column("answer", sa.String(length=8), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "answer IN ('yes', 'no', 'maybe')", name=op.f("ck_meeting_rsvps_answer")
        ),
        sa.UniqueConstraint(
            "meeting_id",
            "occurrence",
            "member_id",
            name=op.f("uq_meeting_rsvps_meeting_id_occurrence_member_id"),
        ),
    )
    op.create_index("ix_meeting_rsvps_member_id", "meeting_rsvps", ["member_id"])
    op.create_table(
        "meeting_reminders",
        *_per_occurrence("meeting_reminders"),
        sa.Column("offset_minutes", sa.Integer(), nullable=False),
        sa.Column("sent", sa.Boolean(), nullable=False),
        sa.Column("with_link", sa.Boolean(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint(
            "meeting_id",
            "occurrence",
            "member_id",
            "offset_minutes",
            name="uq_meeting_reminders_claim",
        ),
    )
    op.create_table(
        "meeting_attendance",
        *_per_occurrence("meeting_attendance"),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("marked_by", sa.BigInteger(), nullable=True),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('member', 'admin')", name=op.f("ck_meeting_attendance_source")
        ),
        sa.UniqueConstraint(
            "meeting_id",
            "occurrence",
            "member_id",
            name=op.f("uq_meeting_attendance_meeting_id_occurrence_member_id"),
        ),
    )
    op.create_index("ix_meeting_attendance_member_id", "meeting_attendance", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_attendance_member_id", table_name="meeting_attendance")
    op.drop_table("meeting_attendance")
    op.drop_table("meeting_reminders")
    op.drop_index("ix_meeting_rsvps_member_id", table_name="meeting_rsvps")
    op.drop_table("meeting_rsvps")
    op.drop_index("ix_meetings_status_starts_at", table_name="meetings")
    op.drop_table("meetings")
