"""Who may enter what: the VIP group and the affiliate accounts open to VIP members."""

from __future__ import annotations

from datetime import datetime

from domain.membership import opens_door
from storage.uow import UnitOfWork

ACCESS_TIER_CODE = "vip"


async def access_rank(uow: UnitOfWork) -> int | None:
    return await uow.catalog.tier_rank(ACCESS_TIER_CODE)


async def has_access(uow: UnitOfWork, member_id: int, now: datetime) -> bool:
    """Whether the member's effective tier at `now` opens the group."""
    return opens_door(await uow.memberships.held(member_id), await access_rank(uow), now)
