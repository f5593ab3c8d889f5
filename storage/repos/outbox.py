"""Outbox rows: queued inside a service's transaction, sent by the relay."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.language import resolve_language
from domain.people import Person
from kernel.notices import Button, Notice
from storage.models import Member, OutboxMessage
from storage.repos._rows import PlainRows, read_plain


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """A row due for sending, detached from the session that read it."""

    id: int
    chat_id: int
    text_key: str
    params: dict[str, Any]
    language: str
    buttons: dict[str, Any] | None
    photo_file_id: str | None
    document_file_id: str | None
    attempts: int
    kind: str = "message"
    member_id: int | None = None

    @classmethod
    def of(cls, row: OutboxMessage) -> QueuedMessage:
        return cls(
            id=row.id,
            chat_id=row.chat_id,
            text_key=row.text_key,
            params=dict(row.params),
            language=row.language,
            buttons=row.buttons,
            photo_file_id=row.photo_file_id,
            document_file_id=row.document_file_id,
            attempts=row.attempts,
            kind=row.kind,
            member_id=row.member_id,
        )


# What is due, read on every pass of the relay (after every commit that queued a
# message): built once. A message waits while an earlier message to its chat waits
# for a retry; actions have no order to keep.
_ROWS = PlainRows(OutboxMessage)
_outbox = _ROWS.c
_earlier = _ROWS.table.alias("earlier")
_HELD_BACK = (
    select(_earlier.c.id)
    .where(
        _earlier.c.status == "pending",
        _earlier.c.next_attempt_at > bindparam("now"),
        _earlier.c.kind == "message",
        _earlier.c.chat_id == _outbox.chat_id,
        _earlier.c.id < _outbox.id,
    )
    .exists()
)
_DUE = (
    _ROWS.select()
    .where(
        _outbox.status == "pending",
        _outbox.next_attempt_at <= bindparam("now"),
        or_(_outbox.kind != "message", ~_HELD_BACK),
    )
    .order_by(_outbox.id)
    .limit(bindparam("limit"))
)
_QUEUED_KEY = select(_outbox.id).where(_outbox.dedupe_key == bindparam("key"))
# Asked on /me and the VIP screens (is an invite or removal for them still waiting?).
_PENDING_ACTION = {
    (by_member, by_chat): select(_outbox.id)
    .where(
        _outbox.kind == bindparam("kind"),
        _outbox.status == "pending",
        *([_outbox.member_id == bindparam("member")] if by_member else []),
        *([_outbox.chat_id == bindparam("chat")] if by_chat else []),
    )
    .limit(1)
    for by_member in (False, True)
    for by_chat in (False, True)
}
_DUE_LEAVING_OUT = _DUE.where(_outbox.chat_id.not_in(bindparam("busy", expanding=True)))


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.queued = 0
        self._rows: list[dict[str, Any]] = []  # queued by enqueue, not written yet
        self._keys: set[str] = set()  # their dedupe keys

    async def tell_member(
        self,
        member: Person,
        default_language: str,
        key: str,
        params: dict[str, Any],
        dedupe_key: str,
        now: datetime,
        buttons: tuple[tuple[Button, ...], ...] = (),
    ) -> bool:
        """Queue a message to a member, in their language, once per dedupe key."""
        language = resolve_language(
            member.chosen_language, member.telegram_language, default_language
        )
        notice = Notice(
            chat_id=member.telegram_id,
            member_id=member.id,
            text_key=key,
            language=language,
            params=params,
            buttons=buttons,
            dedupe_key=dedupe_key,
        )
        return await self.enqueue(notice, now)

    async def enqueue(self, notice: Notice, now: datetime) -> bool:
        """Queue a message; False when one with the same dedupe key exists already
        (queued earlier, in this transaction too). The row is written with the others
        queued in this transaction: before any read of the outbox, or at commit."""
        if notice.dedupe_key is not None:
            if notice.dedupe_key in self._keys:
                return False
            existing = await self.session.execute(_QUEUED_KEY, {"key": notice.dedupe_key})
            if existing.first() is not None:
                return False
            self._keys.add(notice.dedupe_key)
        self._hold(notice, now)
        return True

    async def enqueue_many(self, notices: Collection[Notice], now: datetime) -> int:
        """`enqueue` for many notices, with one query for the dedupe keys queued already
        instead of one per notice (a sweep queueing a thousand reminders); how many were
        queued."""
        keys = [n.dedupe_key for n in notices if n.dedupe_key is not None]
        done = (await self.queued_keys(keys) if keys else set()) | self._keys
        queued = 0
        for notice in notices:
            if notice.dedupe_key is not None:
                if notice.dedupe_key in done:
                    continue
                done.add(notice.dedupe_key)
                self._keys.add(notice.dedupe_key)
            self._hold(notice, now)
            queued += 1
        return queued

    def _hold(self, notice: Notice, now: datetime) -> None:
        rows = [[b.to_json() for b in row] for row in notice.buttons]
        self._rows.append(
            {
                "kind": notice.kind,
                "chat_id": notice.chat_id,
                "member_id": notice.member_id,
                "dedupe_key": notice.dedupe_key,
                "text_key": notice.text_key,
                "params": notice.params,
                "language": notice.language,
                "buttons": {"rows": rows} if rows else None,
                "photo_file_id": notice.photo_file_id,
                "document_file_id": notice.document_file_id,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": max(now, notice.not_before or now),
                "created_at": now,
            }
        )
        self.queued += 1

    async def write_queued(self) -> None:
        """Writes the rows `enqueue` holds, in the order they were queued (one statement;
        the unit of work calls this before it commits)."""
        if self._rows:
            rows, self._rows = self._rows, []
            await self.session.execute(insert(_ROWS.table), rows)

    async def due(
        self, now: datetime, limit: int, busy_chats: Collection[int] = ()
    ) -> list[QueuedMessage]:
        """Rows to send now, oldest first, keeping each chat's messages in order: a message
        waits while an earlier message to its chat waits for a retry. Chats in `busy_chats`
        (being sent to right now) are left out so they cannot crowd out the others.
        Actions (invites, removals, deletions) have no order to keep."""
        await self.write_queued()
        statement, params = _DUE, {"now": now, "limit": limit}
        if busy_chats:
            statement, params = _DUE_LEAVING_OUT, {**params, "busy": list(busy_chats)}
        result = await read_plain(self.session, statement, params)
        return [QueuedMessage.of(_ROWS.take(row)) for row in result.all()]

    async def next_due_at(self) -> datetime | None:
        await self.write_queued()
        result = await self.session.execute(
            select(OutboxMessage.next_attempt_at)
            .where(OutboxMessage.status == "pending")
            .order_by(OutboxMessage.next_attempt_at)
            .limit(1)
        )
        return result.scalar_one_or_none()

    async def mark_sent(self, sent: list[tuple[int, int | None]], now: datetime) -> None:
        """Marks (row id, Telegram message id) pairs sent, many in one executemany (the
        relay's group commit). Compare-and-set: a row leaves `pending` once, so it is
        never sent again."""
        if not sent:
            return
        table = OutboxMessage.__table__
        assert isinstance(table, Table)
        statement = (
            update(table)
            .where(table.c.id == bindparam("row_id"), table.c.status == "pending")
            .values(status="sent", sent_at=now, sent_message_id=bindparam("message_id"))
        )
        connection = await self.session.connection()
        await connection.execute(
            statement, [{"row_id": row_id, "message_id": message_id} for row_id, message_id in sent]
        )

    async def retry_later(self, row_id: int, at: datetime, error: str, count: bool) -> None:
        values: dict[str, Any] = {"next_attempt_at": at, "last_error": error[:256]}
        if count:
            values["attempts"] = OutboxMessage.attempts + 1
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
            .values(**values)
        )

    async def pending_action(
        self, kind: str, member_id: int | None = None, chat_id: int | None = None
    ) -> bool:
        """True when an action of `kind` for this member (or chat) is still waiting."""
        await self.write_queued()
        statement = _PENDING_ACTION[(member_id is not None, chat_id is not None)]
        found = await read_plain(
            self.session, statement, {"kind": kind, "member": member_id, "chat": chat_id}
        )
        return found.first() is not None

    async def give_up(self, row_id: int, status: str, error: str) -> None:
        await self.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
            .values(status=status, last_error=error[:256])
        )

    async def mark_member_blocked(self, chat_id: int, now: datetime) -> None:
        await self.session.execute(
            update(Member)
            .where(Member.telegram_id == chat_id, Member.blocked_bot_at.is_(None))
            .values(blocked_bot_at=now)
        )

    async def queued_keys(self, dedupe_keys: Collection[str]) -> set[str]:
        """Which of these dedupe keys a message was queued with already (in any status)."""
        await self.write_queued()
        found = await self.session.execute(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(list(dedupe_keys)))
        )
        return {key for key in found.scalars() if key is not None}

    async def tell_members(
        self,
        told: list[tuple[Person, str]],
        default_language: str,
        key: str,
        params: dict[str, Any],
        now: datetime,
    ) -> int:
        """`tell_member` for many (member, dedupe key) pairs at once: one query for the
        keys queued already, one multi-row insert for the rest (the unique dedupe key
        still refuses a duplicate); how many were queued."""
        done = await self.queued_keys([dedupe_key for _, dedupe_key in told]) if told else set()
        rows = [
            {
                "kind": "message",
                "chat_id": member.telegram_id,
                "member_id": member.id,
                "dedupe_key": dedupe_key,
                "text_key": key,
                "params": params,
                "language": resolve_language(
                    member.chosen_language, member.telegram_language, default_language
                ),
                "buttons": None,
                "photo_file_id": None,
                "document_file_id": None,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for member, dedupe_key in told
            if dedupe_key not in done
        ]
        if rows:
            await self.session.execute(insert(OutboxMessage), rows)
            self.queued += len(rows)
        return len(rows)
