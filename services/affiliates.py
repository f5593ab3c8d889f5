"""TikTok affiliate accounts (SPEC "Affiliate accounts"): the pool, assignments, status.

An account is held by at most one member and a member holds at most one account
(unique `holder_member_id`); every assignment is also kept in `affiliate_assignments`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from services.clock import Clock
from storage.models import AffiliateAccount, AffiliateAssignment
from storage.uow import UnitOfWork, UnitOfWorkFactory


async def release_account(
    uow: UnitOfWork, member_id: int, reason: str, now: datetime
) -> AffiliateAccount | None:
    """Return the member's account to the pool (inside the caller's transaction).

    None when they held none. The assignment history row is closed with `reason`."""
    found = await uow.session.execute(
        select(AffiliateAccount).where(AffiliateAccount.holder_member_id == member_id)
    )
    account = found.scalar_one_or_none()
    if account is None:
        return None
    released = await uow.session.execute(
        update(AffiliateAccount)
        .where(
            AffiliateAccount.id == account.id,
            AffiliateAccount.holder_member_id == member_id,
        )
        .values(holder_member_id=None, assigned_at=None, assigned_by=None)
    )
    if not released.rowcount:  # type: ignore[attr-defined]
        return None
    await uow.session.execute(
        update(AffiliateAssignment)
        .where(
            AffiliateAssignment.account_id == account.id,
            AffiliateAssignment.member_id == member_id,
            AffiliateAssignment.unassigned_at.is_(None),
        )
        .values(unassigned_at=now, unassign_reason=reason[:32])
    )
    await uow.session.refresh(account)
    return account


class AffiliateService:
    """The pool as admins and holders see it. Filled in by the affiliates work (issue 5):
    add, import/export CSV, list, assign/unassign, status, yellow cart, notes, and the
    holder's own account and credentials."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        admin_chat_id: int,
        keys: tuple[str, ...] = (),
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
        self.admin_chat_id = admin_chat_id
        self.keys = keys
