"""Giving an account to an active VIP who holds none: by hand, or the next available one."""

from __future__ import annotations

from datetime import datetime

from domain.affiliates import Account, Unassignable, why_unassignable
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from services.affiliates._base import ServiceBase
from services.affiliates._common import card_of, find_account, holder_of, target
from services.affiliates.parsing import AccountRef
from services.affiliates.problems import AffiliateError, AffiliateProblem
from services.affiliates.views import AssignResult
from services.entitlement import has_access
from services.member_ref import find_member
from storage.repos.affiliates import Taking
from storage.uow import UnitOfWork


async def _refuse_unassignable(uow: UnitOfWork, account: Account) -> None:
    """ACCOUNT_TAKEN (naming its holder) or ACCOUNT_NOT_ACTIVE, when it cannot be given."""
    why = why_unassignable(account)
    if why is Unassignable.TAKEN:
        assert account.holder_member_id is not None
        holder = await uow.members.by_id(account.holder_member_id)
        raise AffiliateError(
            AffiliateProblem.ACCOUNT_TAKEN,
            username=account.tiktok_username,
            holder=holder.full_name if holder is not None else "-",
        )
    if why is Unassignable.NOT_ACTIVE:
        raise AffiliateError(
            AffiliateProblem.ACCOUNT_NOT_ACTIVE,
            username=account.tiktok_username,
            status={"key": f"affiliates.status_{account.shop_status.value}"},
        )


async def assign_member(
    uow: UnitOfWork,
    account: AccountRef | int | None,
    member_id: int,
    admin: Actor,
    now: datetime,
    language: str,
) -> AssignResult:
    """Give the account (or, with None, the next available one) to an active VIP who holds
    none, inside the caller's transaction (not committed). `language`: the member's
    message when they never chose one."""
    # Locking the member serialises two assignments to the same person.
    member = await uow.members.lock(member_id)
    if member is None:
        raise AffiliateError(AffiliateProblem.MEMBER_NOT_FOUND, given=str(member_id))
    name = member.full_name
    if not await has_access(uow, member.id, now):
        raise AffiliateError(AffiliateProblem.NOT_VIP, name=name)
    held = await uow.affiliates.held_by(member.id)
    if held is not None:
        raise AffiliateError(
            AffiliateProblem.MEMBER_HAS_ACCOUNT, name=name, username=held.tiktok_username
        )
    if account is None:
        chosen = await uow.affiliates.next_available(lock=True)
        if chosen is None:
            raise AffiliateError(AffiliateProblem.NONE_AVAILABLE)
    else:
        chosen = await find_account(uow, account, lock=True)
        await _refuse_unassignable(uow, chosen)
    taking = await uow.affiliates.take(chosen.id, member.id, admin.telegram_id, now)
    if taking is Taking.GONE:
        raise AffiliateError(
            AffiliateProblem.ACCOUNT_TAKEN, username=chosen.tiktok_username, holder="-"
        )
    if taking is Taking.MEMBER_HOLDS_ONE:
        # The unique holder column: the member got another account at the same moment.
        raise AffiliateError(AffiliateProblem.MEMBER_HAS_ACCOUNT, name=name, username="?")
    assignment = await uow.affiliates.record_assignment(
        chosen.id, member.id, admin.telegram_id, now
    )
    uow.audit.record(
        admin,
        "affiliate_assign",
        target(chosen.id),
        now,
        username=chosen.tiktok_username,
        member=member.telegram_id,
        assignment=assignment,
    )
    await uow.outbox.tell_member(
        member,
        language,
        "affiliates.member_assigned",
        {"username": chosen.tiktok_username},
        f"affiliate-assigned:{assignment}",
        now,
    )
    taken = await uow.affiliates.by_id(chosen.id)
    assert taken is not None
    return AssignResult(await card_of(uow, taken), holder_of(member))


class Assigning(ServiceBase):
    async def assign(
        self, account: AccountRef | int | None, member_id: int, admin: Actor
    ) -> AssignResult:
        """Give the account (or, with None, the next available one) to an active VIP who
        holds none. Two admins at once: one wins, the other is told who holds it."""
        now = self.clock.now()
        async with self.uow() as uow:
            result = await assign_member(uow, account, member_id, admin, now, self.default_language)
            await uow.commit()
            return result

    async def assign_to(
        self, account: AccountRef | None, member: MemberRef, admin: Actor
    ) -> AssignResult:
        """`assign` to the member an admin means (/assignaccount), looked up in the same
        transaction (MEMBER_NOT_FOUND before any other refusal)."""
        now = self.clock.now()
        async with self.uow() as uow:
            found = await find_member(uow, member)
            result = await assign_member(uow, account, found.id, admin, now, self.default_language)
            await uow.commit()
            return result
