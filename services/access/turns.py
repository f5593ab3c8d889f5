"""What the outbox actions of bot/group_actions.py read and write when their turn comes.

The Telegram calls stay in the bot; each action looks at the member's access again
here, so a change in between (a renewal after an expiry) makes it skip rather than
act wrongly, and records what Telegram did (the link it made, someone gone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.reports import jakarta_day
from services.access._base import AccessBase
from services.access.config import IN_GROUP
from services.access.notices import alert_admins
from services.access.sync import set_presence
from services.entitlement import has_access


class InviteSkip(StrEnum):
    NO_GROUP = "no_group"  # no discussion group configured
    NO_ACCESS = "no_access"  # no VIP access any more
    INSIDE = "inside"  # already in the group


@dataclass(frozen=True, slots=True)
class InviteTurn:
    """An invite about to be sent: skipped, or the live link to send again (None: make
    one that opens the group until `expires_at`). `at` is when this was checked."""

    at: datetime
    skip: InviteSkip | None = None
    link: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RemovalTurn:
    """A removal about to be done: the member's name (None: not a member) and whether
    their VIP access is back (then they stay). `at` is when this was checked."""

    at: datetime
    name: str | None
    back: bool


class OutboxTurns(AccessBase):
    async def invite_turn(self, member_id: int) -> InviteTurn:
        """Whether the member still needs an invite, and a live link to reuse if any."""
        now = self.clock.now()
        chat_id = self.config.chat_id
        if chat_id is None:
            return InviteTurn(now, InviteSkip.NO_GROUP)
        async with self.uow() as uow:
            member = await uow.members.by_id(member_id)
            if member is None or not await has_access(uow, member.id, now):
                return InviteTurn(now, InviteSkip.NO_ACCESS)
            if await uow.access.presence(chat_id, member.telegram_id) in IN_GROUP:
                return InviteTurn(now, InviteSkip.INSIDE)
            invite = await uow.access.live_invite(member.id, now)
        if invite is not None:
            return InviteTurn(now, link=invite.invite_link, expires_at=invite.expires_at)
        return InviteTurn(now, expires_at=now + self.config.invite_ttl)

    async def invite_made(
        self, member_id: int, invite_link: str, created_at: datetime, expires_at: datetime
    ) -> None:
        """The personal link made at Telegram is the member's issued invite."""
        async with self.uow() as uow:
            await uow.access.add_invite(member_id, invite_link, created_at, expires_at)
            await uow.commit()

    async def removal_turn(self, member_id: int | None) -> RemovalTurn:
        """Who is about to be removed, and whether their VIP access came back meanwhile."""
        now = self.clock.now()
        if member_id is None:
            return RemovalTurn(now, None, False)
        async with self.uow() as uow:
            member = await uow.members.by_id(member_id)
            if member is None:
                return RemovalTurn(now, None, False)
            return RemovalTurn(now, member.full_name, await has_access(uow, member.id, now))

    async def removed(self, telegram_id: int, at: datetime) -> None:
        """They were taken out of the group (or were gone already)."""
        chat_id = self.config.chat_id
        if chat_id is None:
            return
        async with self.uow() as uow:
            await set_presence(uow, chat_id, telegram_id, "left", at)
            await uow.commit()

    async def alert_removal_refused(
        self, name: str, telegram_id: int, reason: str, action_id: int, at: datetime
    ) -> None:
        """Telegram refuses to remove this person (an admin of the group, the owner...)."""
        async with self.uow() as uow:
            await alert_admins(
                uow,
                self.config,
                "access.remove_refused",
                {"name": name, "telegram_id": telegram_id, "reason": reason},
                f"remove-refused:{action_id}",
                at,
            )
            await uow.commit()

    async def alert_rights(self, missing: str) -> bool:
        """Tell the admin group what the bot lacks in the discussion group (`missing`,
        already translated), once a day. True when the alert was queued."""
        now = self.clock.now()
        day = jakarta_day(now, self.config.zone).isoformat()
        async with self.uow() as uow:
            queued = await alert_admins(
                uow,
                self.config,
                "access.rights_missing",
                {"chat_id": self.config.chat_id, "missing": missing},
                f"group-rights:{day}",
                now,
            )
            await uow.commit()
        return queued
