"""A new member follows a leader's referral link and becomes their sub."""

from __future__ import annotations

from datetime import datetime

from domain.leaders import check_leader
from domain.people import Person
from storage.uow import UnitOfWork


async def attach_by_referral(
    uow: UnitOfWork, member: Person, code: str, now: datetime
) -> Person | None:
    """Make `member` the sub of the owner of `code`, when they have never had a leader.

    Returns the leader, or None when nothing changed (unknown code, their own code,
    a loop, or a member who already has or had a leader)."""
    leader = await uow.members.by_referral_code(code)
    if leader is None or leader.id == member.id:
        return None
    await uow.leaders.serialize_changes()
    if await uow.leaders.ever_led(member.id):
        return None
    if check_leader(member.id, leader.id, await uow.leaders.open_links()) is not None:
        return None
    uow.leaders.open_referral_link(member.id, leader.id, now)
    return leader
