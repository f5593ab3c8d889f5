"""Returning an account to the pool: when its holder's VIP access ends (`release_account`,
inside the access service's transaction) or when an admin takes it back."""

from __future__ import annotations

from datetime import datetime

from domain.affiliates import Account
from kernel.actor import Actor
from services.affiliates._base import ServiceBase
from services.affiliates._common import card_of, find_account, holder_of, target
from services.affiliates.parsing import AccountRef
from services.affiliates.problems import AffiliateError, AffiliateProblem
from services.affiliates.views import UnassignResult
from storage.uow import UnitOfWork

UNASSIGN_REASON = "admin"


async def release_account(
    uow: UnitOfWork, member_id: int, reason: str, now: datetime
) -> Account | None:
    """Return the member's account to the pool (inside the caller's transaction).

    None when they held none. The assignment history row is closed with `reason`."""
    held = await uow.affiliates.held_by(member_id)
    if held is None:
        return None
    if not await uow.affiliates.release(held.id, member_id):
        return None
    await uow.affiliates.close_assignment(held.id, member_id, reason, now)
    return await uow.affiliates.by_id(held.id)


class Releasing(ServiceBase):
    async def unassign(self, account: AccountRef | int, admin: Actor) -> UnassignResult:
        """Take the account back from its holder (they are told); it returns to the pool."""
        async with self.uow() as uow:
            result = await self._unassign(uow, account, admin)
            await uow.commit()
            return result

    async def _unassign(
        self, uow: UnitOfWork, account: AccountRef | int, admin: Actor
    ) -> UnassignResult:
        now = self.clock.now()
        found = await find_account(uow, account, lock=True)
        if found.holder_member_id is None:
            raise AffiliateError(AffiliateProblem.NOT_ASSIGNED, username=found.tiktok_username)
        member = await uow.members.by_id(found.holder_member_id)
        assert member is not None
        released = await release_account(uow, member.id, UNASSIGN_REASON, now)
        if released is None:
            raise AffiliateError(AffiliateProblem.NOT_ASSIGNED, username=found.tiktok_username)
        uow.audit.record(
            admin,
            "affiliate_unassign",
            target(found.id),
            now,
            username=found.tiktok_username,
            member=member.telegram_id,
        )
        await uow.outbox.tell_member(
            member,
            self.default_language,
            "affiliates.member_unassigned",
            {"username": found.tiktok_username},
            f"affiliate-unassigned:{found.id}:{member.id}:{now.isoformat()}",
            now,
        )
        return UnassignResult(await card_of(uow, released), holder_of(member))
