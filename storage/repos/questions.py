"""Members' questions: their conversations with the admins and the message pairs.

A conversation is one row per member; its status moves by compare-and-set, so two admins
tapping "answered" and "close" at once, or a question arriving while one taps, leave one
clear result. A message pair is written when a question or an answer arrives; the copy's
id on the other side is filled in once Telegram has sent it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdminPreference, Conversation, ConversationMessage, Member
from storage.repos._rows import PlainRows, read_plain

OPEN = "open"
ANSWERED = "answered"
CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class ConversationRecord:
    id: int
    member_id: int
    status: str
    topic_chat_id: int | None
    topic_id: int | None
    waiting_since: datetime | None
    overdue_alerted: bool
    muted_until: datetime | None
    muted_by: int | None
    last_question_at: datetime | None


@dataclass(frozen=True, slots=True)
class MessagePair:
    id: int
    conversation_id: int
    direction: str
    member_message_id: int | None
    admin_message_id: int | None
    shape: str
    admin_telegram_id: int | None


@dataclass(frozen=True, slots=True)
class WaitingConversation:
    """An open conversation as the admins' list shows it."""

    conversation: ConversationRecord
    member_telegram_id: int
    first_name: str
    last_name: str | None
    username: str | None


# Read as plain rows (never ORM objects): the status and the pairs change by Core UPDATEs,
# which an object held in the session would not see.
_CONVERSATIONS = PlainRows(Conversation)
_PAIRS = PlainRows(ConversationMessage)


def _conversation(row: Any) -> ConversationRecord:
    return ConversationRecord(
        id=row.id,
        member_id=row.member_id,
        status=row.status,
        topic_chat_id=row.topic_chat_id,
        topic_id=row.topic_id,
        waiting_since=row.waiting_since,
        overdue_alerted=row.overdue_alerted,
        muted_until=row.muted_until,
        muted_by=row.muted_by,
        last_question_at=row.last_question_at,
    )


def _pair(row: Any) -> MessagePair:
    return MessagePair(
        id=row.id,
        conversation_id=row.conversation_id,
        direction=row.direction,
        member_message_id=row.member_message_id,
        admin_message_id=row.admin_message_id,
        shape=row.shape,
        admin_telegram_id=row.admin_telegram_id,
    )


class QuestionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # ------------------------------------------------------------ conversations

    async def _one_conversation(
        self, condition: Any, *, lock: bool = False
    ) -> ConversationRecord | None:
        statement = _CONVERSATIONS.select().where(condition).limit(1)
        if lock:
            statement = statement.with_for_update()
        row = (await read_plain(self.session, statement, {})).first()
        return _conversation(_CONVERSATIONS.take(row)) if row is not None else None

    async def conversation(
        self, conversation_id: int, *, lock: bool = False
    ) -> ConversationRecord | None:
        return await self._one_conversation(_CONVERSATIONS.c.id == conversation_id, lock=lock)

    async def conversation_of(self, member_id: int) -> ConversationRecord | None:
        return await self._one_conversation(_CONVERSATIONS.c.member_id == member_id)

    async def by_topic(self, chat_id: int, topic_id: int) -> ConversationRecord | None:
        return await self._one_conversation(
            and_(_CONVERSATIONS.c.topic_chat_id == chat_id, _CONVERSATIONS.c.topic_id == topic_id)
        )

    async def start(self, member_id: int, now: datetime) -> ConversationRecord:
        """The member's conversation, made (closed, nothing asked yet) when they have none;
        two first questions at once make one."""
        bind = self.session.bind
        dialect = bind.dialect.name if bind is not None else "sqlite"
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        await self.session.execute(
            insert(Conversation)
            .values(
                member_id=member_id,
                status=CLOSED,
                overdue_alerted=False,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[Conversation.member_id])
        )
        found = await self.conversation_of(member_id)
        assert found is not None
        return found

    async def asked(self, conversation_id: int, now: datetime) -> str | None:
        """A new question: the conversation is open from now on (waiting since now, unless
        it was already open, when the oldest question keeps waiting). Returns the status
        it had, None when the conversation is gone."""
        row = await self.conversation(conversation_id, lock=True)
        if row is None:
            return None
        values: dict[str, object] = {"last_question_at": now, "updated_at": now}
        if row.status != OPEN:
            values.update(status=OPEN, waiting_since=now, overdue_alerted=False)
        await self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return row.status

    async def move(
        self, conversation_id: int, allowed_from: Iterable[str], to: str, now: datetime
    ) -> bool:
        """Compare-and-set the status; leaving `open` ends the wait."""
        values: dict[str, object] = {"status": to, "updated_at": now}
        if to != OPEN:
            values["waiting_since"] = None
        else:
            values["waiting_since"] = now
            values["overdue_alerted"] = False
        result = await self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, Conversation.status.in_(list(allowed_from)))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def set_topic(
        self, conversation_id: int, chat_id: int, topic_id: int, *, was: int | None, now: datetime
    ) -> bool:
        """Compare-and-set the forum topic (a lost topic is replaced once)."""
        current = Conversation.topic_id.is_(None) if was is None else Conversation.topic_id == was
        result = await self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id, current)
            .values(topic_chat_id=chat_id, topic_id=topic_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def mute(
        self, conversation_id: int, until: datetime | None, by: int | None, now: datetime
    ) -> bool:
        result = await self.session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(muted_until=until, muted_by=by, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def overdue(self, waiting_before: datetime, limit: int) -> list[WaitingConversation]:
        """Open conversations waiting since before `waiting_before` whose alert was not
        raised yet, oldest first."""
        return await self._waiting(
            and_(
                Conversation.waiting_since <= waiting_before,
                Conversation.overdue_alerted.is_(False),
            ),
            limit,
        )

    async def waiting(self, limit: int) -> list[WaitingConversation]:
        """Open conversations, oldest question first."""
        return await self._waiting(None, limit)

    async def _waiting(self, condition: object, limit: int) -> list[WaitingConversation]:
        statement = (
            select(*_CONVERSATIONS.columns, Member.telegram_id, Member.first_name,
                   Member.last_name, Member.username)
            .join(Member, Member.id == Conversation.member_id)
            .where(Conversation.status == OPEN)
            .order_by(Conversation.waiting_since, Conversation.id)
            .limit(limit)
        )  # fmt: skip
        if condition is not None:
            statement = statement.where(condition)  # type: ignore[arg-type]
        rows = await read_plain(self.session, statement, {})
        width = len(_CONVERSATIONS.columns)
        return [
            WaitingConversation(_conversation(_CONVERSATIONS.take(row)), *row[width:])
            for row in rows.all()
        ]

    async def count_open(self) -> int:
        return int(
            await self.session.scalar(
                select(func.count()).select_from(Conversation).where(Conversation.status == OPEN)
            )
            or 0
        )

    async def mark_alerted(self, conversation_ids: list[int]) -> None:
        if conversation_ids:
            await self.session.execute(
                update(Conversation)
                .where(Conversation.id.in_(conversation_ids))
                .values(overdue_alerted=True)
                .execution_options(synchronize_session=False)
            )

    # ------------------------------------------------------------ message pairs

    async def add_message(
        self,
        conversation_id: int,
        direction: str,
        shape: str,
        now: datetime,
        *,
        admin_chat_id: int,
        member_message_id: int | None = None,
        admin_message_id: int | None = None,
        admin_telegram_id: int | None = None,
    ) -> int:
        result = await self.session.execute(
            _PAIRS.table.insert()
            .values(
                conversation_id=conversation_id,
                direction=direction,
                shape=shape,
                member_message_id=member_message_id,
                admin_chat_id=admin_chat_id,
                admin_message_id=admin_message_id,
                admin_telegram_id=admin_telegram_id,
                created_at=now,
            )
            .returning(_PAIRS.c.id)
        )
        return int(result.scalar_one())

    async def copied(
        self,
        pair_id: int,
        *,
        member_message_id: int | None = None,
        admin_message_id: int | None = None,
        shape: str | None = None,
    ) -> None:
        """The copy's id on the other side, once Telegram sent it (and how it was made)."""
        values = {
            key: value
            for key, value in (
                ("member_message_id", member_message_id),
                ("admin_message_id", admin_message_id),
                ("shape", shape),
            )
            if value is not None
        }
        if values:
            await self.session.execute(
                update(ConversationMessage)
                .where(ConversationMessage.id == pair_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def _one_pair(self, statement: Any) -> MessagePair | None:
        row = (await read_plain(self.session, statement.limit(1), {})).first()
        return _pair(_PAIRS.take(row)) if row is not None else None

    async def pair(self, pair_id: int) -> MessagePair | None:
        return await self._one_pair(_PAIRS.select().where(_PAIRS.c.id == pair_id))

    async def by_admin_message(self, chat_id: int, message_id: int) -> MessagePair | None:
        return await self._one_pair(
            _PAIRS.select().where(
                _PAIRS.c.admin_chat_id == chat_id, _PAIRS.c.admin_message_id == message_id
            )
        )

    async def by_member_message(
        self, conversation_id: int, member_message_id: int
    ) -> MessagePair | None:
        """The pair of a message in the member's chat: their question, or the copy of an
        answer (the first one made, when a question was copied in two parts)."""
        return await self._one_pair(
            _PAIRS.select()
            .where(
                _PAIRS.c.conversation_id == conversation_id,
                _PAIRS.c.member_message_id == member_message_id,
                or_(_PAIRS.c.direction == "answer", _PAIRS.c.shape != "header"),
            )
            .order_by(_PAIRS.c.id)
        )

    # ------------------------------------------------------------ admins' choices

    async def signs_with_name(self, telegram_id: int) -> bool:
        row = await self.session.get(AdminPreference, telegram_id)
        return bool(row is not None and row.sign_with_name)

    async def set_signature(self, telegram_id: int, with_name: bool, now: datetime) -> None:
        row = await self.session.get(AdminPreference, telegram_id)
        if row is None:
            self.session.add(
                AdminPreference(telegram_id=telegram_id, sign_with_name=with_name, updated_at=now)
            )
        else:
            row.sign_with_name = with_name
            row.updated_at = now
        await self.session.flush()
