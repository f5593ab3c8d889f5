"""The account an admin may give a member right now (the button on an approval card)."""

from __future__ import annotations

from datetime import datetime

from domain.affiliates import offer
from services.affiliates._base import ServiceBase
from services.affiliates.views import Offer
from services.entitlement import has_access
from storage.uow import UnitOfWork


async def _offer(uow: UnitOfWork, member_id: int, now: datetime) -> Offer | None:
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
            return await _offer(uow, member_id, self.clock.now())

    async def offer_after_approval(self, request_id: int) -> Offer | None:
        """The offer for the member of an approved payment request (for its card)."""
        async with self.uow() as uow:
            request = await uow.payments.get(request_id)
            if request is None:
                return None
            return await _offer(uow, request.member_id, self.clock.now())
