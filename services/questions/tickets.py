"""Conversations as tickets: their status changed by admins' buttons, muting, the list of
questions waiting, and the alert for one waiting too long."""

from __future__ import annotations

from datetime import timedelta

from domain.membership import effective_tier
from domain.people import full_name
from kernel.actor import Actor
from kernel.notices import Notice
from services.questions._base import QuestionBase
from services.questions.views import ConversationView, StatusChange, Waiting
from storage.repos.questions import ANSWERED, CLOSED, OPEN, ConversationRecord
from storage.uow import UnitOfWork

# Which status an admin may move a conversation to, from which.
_MOVES = {
    ANSWERED: {OPEN},
    CLOSED: {OPEN, ANSWERED},
    OPEN: {ANSWERED, CLOSED},
}
MAX_MUTE = timedelta(days=365)
OVERDUE_LISTED = 20
WAITING_SORTED = 500


class Tickets(QuestionBase):
    async def view(self, conversation_id: int) -> ConversationView | None:
        async with self.uow() as uow:
            conversation = await uow.questions.conversation(conversation_id)
            return await self._view(uow, conversation) if conversation else None

    async def _view(self, uow: UnitOfWork, conversation: ConversationRecord) -> ConversationView:
        member = await uow.members.by_id(conversation.member_id)
        muted = conversation.muted_until
        return ConversationView(
            id=conversation.id,
            status=conversation.status,
            member_name=member.full_name if member is not None else "?",
            muted_until=self._date(muted) if muted and muted > self.clock.now() else None,
        )

    async def set_status(
        self, admin: Actor, conversation_id: int, status: str, *, shown: str | None = None
    ) -> tuple[StatusChange, ConversationView | None]:
        """Compare-and-set: open -> answered or closed, answered -> closed, and back to
        open; the same tap twice changes nothing the second time. `shown` is the status
        the tapped buttons were drawn for: when it is no longer the status (the member
        asked again since), nothing changes and the admin sees what is new."""
        now = self.clock.now()
        async with self.uow() as uow:
            conversation = await uow.questions.conversation(conversation_id)
            if conversation is None or status not in _MOVES:
                return StatusChange.GONE, None
            if conversation.status == status:
                return StatusChange.ALREADY, await self._view(uow, conversation)
            if shown is not None and conversation.status != shown:
                return StatusChange.STALE, await self._view(uow, conversation)
            if conversation.status not in _MOVES[status]:
                return StatusChange.NOT_ALLOWED, await self._view(uow, conversation)
            allowed = {shown} if shown is not None else _MOVES[status]
            if not await uow.questions.move(conversation_id, allowed, status, now):
                current = await uow.questions.conversation(conversation_id)
                assert current is not None
                return StatusChange.ALREADY, await self._view(uow, current)
            uow.audit.record(admin, f"qa_{status}", f"conversation:{conversation_id}", now)
            changed = await uow.questions.conversation(conversation_id)
            assert changed is not None
            view = await self._view(uow, changed)
            await uow.commit()
        return StatusChange.CHANGED, view

    async def mute(self, admin: Actor, conversation_id: int, hours: int) -> ConversationView | None:
        """Keep the member's messages out of the admin group for `hours` (stored; they are
        told so when they write); 0 lifts it."""
        now = self.clock.now()
        until = now + min(timedelta(hours=hours), MAX_MUTE) if hours > 0 else None
        async with self.uow() as uow:
            if not await uow.questions.mute(
                conversation_id, until, admin.telegram_id if until else None, now
            ):
                return None
            uow.audit.record(admin, "qa_mute" if until else "qa_unmute",
                             f"conversation:{conversation_id}", now, hours=hours)  # fmt: skip
            conversation = await uow.questions.conversation(conversation_id)
            assert conversation is not None
            view = await self._view(uow, conversation)
            await uow.commit()
        return view

    async def waiting_count(self) -> int:
        """How many questions wait for an answer (the admin home's count)."""
        async with self.uow() as uow:
            return await uow.questions.count_open()

    async def waiting(self, limit: int = 30) -> tuple[int, list[Waiting]]:
        """How many questions wait for an answer, and the first `limit`: VIP (the highest
        tier) first, then the longest waiting (of the WAITING_SORTED oldest: more than
        that waiting at once is not a list anyone reads to the end)."""
        now = self.clock.now()
        async with self.uow() as uow:
            total = await uow.questions.count_open()
            rows = await uow.questions.waiting(WAITING_SORTED)
            held = await uow.memberships.held_by_members([r.conversation.member_id for r in rows])
        listed = []
        for row in rows:
            tier = effective_tier(held.get(row.conversation.member_id, []), now)
            since = row.conversation.waiting_since or now
            listed.append(
                (
                    -(tier.rank if tier is not None else 0),
                    since,
                    Waiting(
                        conversation_id=row.conversation.id,
                        name=full_name(row.first_name, row.last_name),
                        username=row.username,
                        telegram_id=row.member_telegram_id,
                        tier=tier.code if tier is not None else None,
                        waiting_minutes=max(0, int((now - since).total_seconds() // 60)),
                        topic_id=row.conversation.topic_id,
                    ),
                )
            )
        listed.sort(key=lambda item: (item[0], item[1]))
        return total, [item[2] for item in listed[:limit]]

    async def raise_overdue(self) -> int:
        """Questions still unanswered `answer_within` after they were asked are raised in
        the admin group, each wait once (a new question after an answer starts a new wait).
        One message lists them all. Returns how many were raised."""
        now = self.clock.now()
        async with self.uow() as uow:
            rows = await uow.questions.overdue(now - self.answer_within, OVERDUE_LISTED)
            if not rows:
                return 0
            await uow.questions.mark_alerted([r.conversation.id for r in rows])
            lines = [
                {
                    "key": "qa.overdue_line",
                    "params": {
                        "name": full_name(r.first_name, r.last_name),
                        "conversation": r.conversation.id,
                        "minutes": int((now - (r.conversation.waiting_since or now))
                                       .total_seconds() // 60),
                    },
                }
                for r in rows
            ]  # fmt: skip
            await uow.outbox.enqueue(
                Notice(
                    chat_id=self.admin_chat_id,
                    text_key="qa.overdue",
                    language=self.default_language,
                    params={
                        "count": len(rows),
                        "minutes": int(self.answer_within.total_seconds() // 60),
                        "lines": lines,
                    },
                ),
                now,
            )
            await uow.commit()
        return len(rows)
