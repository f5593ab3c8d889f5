"""The account an admin may give a member right now (the button on an approval card),
and the tap on that button."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.affiliates import offer
from kernel.actor import Actor
from services.affiliates._base import ServiceBase
from services.affiliates.assign import assign_member
from services.affiliates.problems import AffiliateError
from services.affiliates.views import AssignResult, Offer
from services.entitlement import has_access
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class OfferTap:
    """A tap on "Assign @name": the assignment, or why not and what is offered now."""

    assigned: AssignResult | None
    refusal: AffiliateError | None = None
    # When the member could still get an account, but another one than the tap named:
    # the new offer, and the username of the tapped account (None when it is gone).
    changed_to: Offer | None = None
    tapped_username: str | None = None


async def offer_of(uow: UnitOfWork, member_id: int, now: datetime) -> Offer | None:
    """The account to offer this member now: an active VIP holding none, when one is
    available (inside the caller's transaction: an approval card reads it with the
    approval)."""
    member = await uow.members.by_id(member_id)
    if member is None:
        return None
    chosen = offer(
        await has_access(uow, member.id, now),
        await uow.affiliates.held_by(member.id),
        await uow.affiliates.next_available(),
    )
    if chosen is None:
        return None
    return Offer(member.id, member.full_name, chosen.id, chosen.tiktok_username)


class Offering(ServiceBase):
    async def offer_for(self, member_id: int) -> Offer | None:
        """The next available account, when the member is an active VIP holding none."""
        async with self.uow() as uow:
            return await offer_of(uow, member_id, self.clock.now())

    async def take_offer(self, account_id: int, member_id: int, admin: Actor) -> OfferTap:
        """Give exactly the offered account to the member; when that is refused, what the
        member could be offered now. One transaction either way."""
        now = self.clock.now()
        async with self.uow() as uow:
            try:
                done = await assign_member(
                    uow, account_id, member_id, admin, now, self.default_language
                )
            except AffiliateError as error:
                instead = await offer_of(uow, member_id, now)
                if instead is None or instead.account_id == account_id:
                    return OfferTap(None, error)
                tapped = await uow.affiliates.by_id(account_id)
                username = tapped.tiktok_username if tapped is not None else None
                return OfferTap(None, error, instead, username)
            await uow.commit()
            return OfferTap(done)
