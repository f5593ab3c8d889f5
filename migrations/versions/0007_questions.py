"""Members' questions to the admins: conversations (tickets) with their status, forum
topic, overdue alert and mute; the pairs of messages that thread replies both ways; and
each admin's choice of signature.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qa_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("topic_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("topic_id", sa.BigInteger(), nullable=True),
        sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("overdue_alerted", sa.Boolean(), nullable=False),
        sa.Column("muted_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("muted_by", sa.BigInteger(), nullable=True),
        sa.Column("last_question_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'answered', 'closed')", name=op.f("ck_qa_conversations_status")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_qa_conversations_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_conversations")),
        sa.UniqueConstraint("member_id", name=op.f("uq_qa_conversations_member_id")),
    )
    op.create_index(
        "ix_qa_conversations_status_waiting_since",
        "qa_conversations",
        ["status", "waiting_since"],
    )
    op.create_index("ix_qa_conversations_topic", "qa_conversations", ["topic_chat_id", "topic_id"])
    op.create_table(
        "qa_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("member_message_id", sa.BigInteger(), nullable=True),
        sa.Column("admin_chat_id", sa.BigInteger(), nullable=False),
        sa.Column("admin_message_id", sa.BigInteger(), nullable=True),
        sa.Column("shape", sa.String(length=16), nullable=False),
        sa.Column("admin_telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "direction IN ('question', 'answer')", name=op.f("ck_qa_messages_direction")
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["qa_conversations.id"],
            name=op.f("fk_qa_messages_conversation_id_qa_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_messages")),
    )
    op.create_index(
        "uq_qa_messages_admin_message",
        "qa_messages",
        ["admin_chat_id", "admin_message_id"],
        unique=True,
    )
    op.create_index(
        "ix_qa_messages_conversation_member_message",
        "qa_messages",
        ["conversation_id", "member_message_id"],
    )
    op.create_table(
        "admin_preferences",
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("sign_with_name", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_admin_preferences")),
    )


def downgrade() -> None:
    op.drop_table("admin_preferences")
    op.drop_index("uq_qa_messages_admin_message", table_name="qa_messages")
    op.drop_index("ix_qa_messages_conversation_member_message", table_name="qa_messages")
    op.drop_table("qa_messages")
    op.drop_index("ix_qa_conversations_topic", table_name="qa_conversations")
    op.drop_index("ix_qa_conversations_status_waiting_since", table_name="qa_conversations")
    op.drop_table("qa_conversations")
