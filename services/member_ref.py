"""Who an admin means by a Telegram id or @username, found inside the caller's unit of
work, so that a command's lookup and its change share one transaction.

A module of its own rather than a part of services.members: the member services use
leaders, access and affiliates, and those look members up too (an import cycle
otherwise)."""

from __future__ import annotations

from domain.people import Person
from kernel.admin_input import AdminProblem, AdminToolError, MemberRef
from storage.uow import UnitOfWork


async def find_member(uow: UnitOfWork, ref: MemberRef) -> Person:
    """The member an admin means by Telegram id or @username (raises MEMBER_NOT_FOUND).

    Usernames are case-insensitive; a name that changed hands is found on the member
    who was seen with it last."""
    if ref.telegram_id is not None:
        member = await uow.members.by_telegram_id(ref.telegram_id)
    else:
        member = await uow.members.by_username(ref.username or "")
    if member is None:
        raise AdminToolError(AdminProblem.MEMBER_NOT_FOUND, given=str(ref))
    return member
