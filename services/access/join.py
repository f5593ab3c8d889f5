"""Join requests and presence: who is let in, and what the bot saw in the group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.states import InviteStatus
from services.access._base import AccessBase
from services.access.notices import language_of
from services.access.sync import queue_removal, revoke_link, set_presence
from services.entitlement import has_access
from storage.uow import UnitOfWork


class JoinVerdict(StrEnum):
    APPROVE = "approve"
    NOT_OURS = "not_ours"  # no link, or a link the bot did not make for a member
    NOT_HOLDER = "not_holder"  # someone else's personal link
    EXPIRED = "expired"
    USED = "used"
    NO_ACCESS = "no_access"  # their own link, but VIP has ended


@dataclass(frozen=True, slots=True)
class JoinDecision:
    verdict: JoinVerdict
    invite_id: int | None = None
    member_id: int | None = None
    language: str | None = None


class Joining(AccessBase):
    async def decide_join(
        self, chat_id: int, telegram_id: int, invite_link: str | None
    ) -> JoinDecision:
        """Whether a join request to the discussion group is approved (read only): only
        for an active VIP presenting their own, unused, unexpired invite."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            language = (
                language_of(member, self.config.default_language) if member is not None else None
            )
            if chat_id != self.config.chat_id or not invite_link:
                return JoinDecision(JoinVerdict.NOT_OURS, language=language)
            invite = await uow.access.invite_by_link(invite_link)
            if invite is None:
                return JoinDecision(JoinVerdict.NOT_OURS, language=language)
            if member is None or invite.member_id != member.id:
                return JoinDecision(JoinVerdict.NOT_HOLDER, invite.id, language=language)
            if invite.status == InviteStatus.USED:
                verdict = JoinVerdict.USED
            elif invite.status != InviteStatus.ISSUED or invite.expires_at <= now:
                verdict = JoinVerdict.EXPIRED
            elif not await has_access(uow, member.id, now):
                verdict = JoinVerdict.NO_ACCESS
            else:
                verdict = JoinVerdict.APPROVE
            return JoinDecision(verdict, invite.id, member.id, language)

    async def joined(self, invite_id: int, telegram_id: int) -> bool:
        """After approving: the invite is used (compare-and-set), its link is revoked and
        the member counts as inside. False when it was not issued any more."""
        now = self.clock.now()
        async with self.uow() as uow:
            used = await uow.access.use_invite(invite_id, now)
            if used is None:
                # Approved at Telegram, but the invite was withdrawn meanwhile (VIP ended
                # between the decision and now): they are inside without access.
                await self._enforce(uow, telegram_id, now)
                await uow.commit()
                return False
            link, member_id = used
            if self.config.chat_id is not None:
                await set_presence(uow, self.config.chat_id, telegram_id, "member", now)
                await revoke_link(uow, self.config, member_id, link, now)
            await uow.commit()
            return True

    async def _enforce(self, uow: UnitOfWork, telegram_id: int, now: datetime) -> None:
        if self.config.chat_id is None:
            return
        await set_presence(uow, self.config.chat_id, telegram_id, "member", now)
        member = await uow.members.by_telegram_id(telegram_id)
        if member is None or not await has_access(uow, member.id, now):
            await queue_removal(
                uow, telegram_id, member.id if member is not None else None, now, self.config
            )

    async def record_presence(self, chat_id: int, telegram_id: int, status: str) -> None:
        """What a chat_member update said about someone in the discussion group."""
        if chat_id != self.config.chat_id:
            return
        now = self.clock.now()
        async with self.uow() as uow:
            await set_presence(uow, chat_id, telegram_id, status, now)
            await uow.commit()
