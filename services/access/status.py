"""What a member sees of the group in /me, and asking for a new invite."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kernel.actions import INVITE_ACTION
from services.access._base import AccessBase
from services.access.config import IN_GROUP
from services.access.sync import queue_invite
from services.entitlement import has_access


@dataclass(frozen=True, slots=True)
class GroupStatus:
    configured: bool
    has_access: bool
    inside: bool
    invite_link: str | None = None
    invite_expires_at: datetime | None = None
    invite_queued: bool = False


class StatusQueries(AccessBase):
    async def status(self, telegram_id: int) -> GroupStatus:
        """What /me shows about the group."""
        now = self.clock.now()
        configured = self.config.chat_id is not None
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return GroupStatus(configured, False, False)
            access = await has_access(uow, member.id, now)
            inside = configured and (
                await uow.access.presence(self.config.chat_id or 0, telegram_id) in IN_GROUP
            )
            invite = await uow.access.live_invite(member.id, now)
            return GroupStatus(
                configured,
                access,
                inside,
                invite.invite_link if invite is not None else None,
                invite.expires_at if invite is not None else None,
                await uow.outbox.pending_action(INVITE_ACTION, member.id),
            )

    async def request_invite(self, telegram_id: int) -> GroupStatus:
        """A VIP outside the group asks for a (new) invite: queued unless a live one exists."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is not None and await has_access(uow, member.id, now):
                await queue_invite(uow, member, now, self.config)
                await uow.commit()
        return await self.status(telegram_id)
