"""Members' questions to the admins: one conversation per member, and the pairs of
messages that thread replies and carry edits between the member's chat and the admin
group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class Conversation(Base):
    """A member's conversation with the admins (a "ticket"): open while a question waits,
    answered after an admin's reply, closed by an admin; a new question reopens it."""

    __tablename__ = "qa_conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16))
    # The member's forum topic in the admin group (that chat: the group may change, and
    # thread ids start again in a new one), when the group is a forum.
    topic_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    topic_id: Mapped[int | None] = mapped_column(BigInteger)
    # When the oldest unanswered question of this episode arrived (None unless open).
    waiting_since: Mapped[datetime | None]
    # The overdue alert was raised for the episode that began at `waiting_since`.
    overdue_alerted: Mapped[bool] = mapped_column(Boolean, default=False)
    muted_until: Mapped[datetime | None]
    muted_by: Mapped[int | None] = mapped_column(BigInteger)
    last_question_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("status IN ('open', 'answered', 'closed')", name="status"),
        Index("ix_qa_conversations_status_waiting_since", "status", "waiting_since"),
        Index("ix_qa_conversations_topic", "topic_chat_id", "topic_id"),
    )


class ConversationMessage(Base):
    """One message and its copy on the other side: a question (the member's message and
    its copy in the admin group) or an answer (an admin's message and its copy to the
    member). The copy's id is filled in once Telegram has it."""

    __tablename__ = "qa_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("qa_conversations.id"))
    direction: Mapped[str] = mapped_column(String(8))
    member_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # Message ids count per chat: the admin group's id goes with the message's.
    admin_chat_id: Mapped[int] = mapped_column(BigInteger)
    admin_message_id: Mapped[int | None] = mapped_column(BigInteger)
    # How the copy was made, so an edit is carried the same way (bot/questions_relay.py).
    shape: Mapped[str] = mapped_column(String(16))
    admin_telegram_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime]

    __table_args__ = (
        CheckConstraint("direction IN ('question', 'answer')", name="direction"),
        Index("ix_qa_messages_conversation_member_message", "conversation_id", "member_message_id"),
        Index("uq_qa_messages_admin_message", "admin_chat_id", "admin_message_id", unique=True),
    )


class AdminPreference(Base):
    """What one admin chose for themselves: answers signed with their own name."""

    __tablename__ = "admin_preferences"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    sign_with_name: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime]
