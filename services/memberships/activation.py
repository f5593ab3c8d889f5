"""The one way a membership starts or grows, for an approved payment and a grant by hand.

`activate` does what a quote buys, inside the caller's transaction. A renewal extends
the membership it renews from its expiry (or from now once lapsed); that row is locked
and read afresh first, so an expiry or another renewal committed meanwhile is seen, and
when it ended meanwhile the renewal becomes a new period from now. An upgrade ends its
base (upgraded) and points it at the new membership. Every change writes its history row
(membership_events). The caller audits, tells the member and brings group access in line.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.catalog import Plan
from domain.membership import HeldMembership, MembershipStatus, renewal_expiry
from domain.pricing import Quote, QuoteKind, activation_window
from storage.uow import UnitOfWork

__all__ = ["Activation", "activate"]


@dataclass(frozen=True, slots=True)
class Activation:
    """What `activate` did: renewed a membership, or started a new one."""

    membership_id: int
    renewed: bool
    old_expires_at: datetime | None  # the renewed membership's expiry before (renewals)
    expires_at: datetime | None  # None: for life
    event_id: int  # the history row of the renewal or of the new membership


async def activate(
    uow: UnitOfWork,
    member_id: int,
    plan: Plan,
    bought: Quote,
    now: datetime,
    actor_telegram_id: int,
    *,
    reason: str | None = None,
    by_hand: bool = False,
    held: Sequence[HeldMembership] | None = None,
) -> Activation:
    """Activate, renew or upgrade to `plan` as `bought` says, as of `now`.

    An approval passes the quote frozen in the request: its new membership's history row
    is "activated". A grant (`by_hand`) passes `domain.pricing.grant_quote`: the row
    names who granted it and why (`reason`, also on its history rows) and its history row
    is "granted". `held` is what the member holds when the caller read it already.
    Raises `PlanAlreadyActive` when another transaction started the same plan first.
    """
    if held is None:
        held = await uow.memberships.held(member_id)
    base = {h.id: h for h in held}.get(bought.base_membership_id or -1)
    if bought.kind is QuoteKind.RENEWAL and base is not None and base.expires_at:
        row = await uow.memberships.lock_active(base.id)
        if row is not None and row.expires_at is not None:
            new_expiry = renewal_expiry(row.expires_at, now, plan.duration_days or 0)
            event_id = await uow.memberships.record_event(
                row.id,
                "renewed",
                now,
                actor_telegram_id=actor_telegram_id,
                reason=reason,
                old_expires_at=row.expires_at,
                new_expires_at=new_expiry,
            )
            await uow.memberships.extend(row.id, new_expiry)
            return Activation(row.id, True, row.expires_at, new_expiry, event_id)
        base = None
    if bought.kind is QuoteKind.RENEWAL:
        # The renewed membership ended before this: the new period starts now.
        bought = dataclasses.replace(bought, kind=QuoteKind.NEW)
    starts, expires = activation_window(
        bought, now, plan.duration_days, base.expires_at if base else None
    )
    upgrades = base if bought.replaces_base else None
    if upgrades is not None:
        await uow.memberships.end(upgrades.id, MembershipStatus.UPGRADED, "upgraded", now)
        await uow.memberships.record_event(
            upgrades.id,
            "upgraded",
            now,
            actor_telegram_id=actor_telegram_id,
            reason=reason,
            old_expires_at=upgrades.expires_at,
        )
    membership_id = await uow.memberships.start(
        member_id=member_id,
        plan_id=plan.id,
        list_price=bought.list_price,
        activated_at=starts,
        expires_at=expires,
        now=now,
        granted_by=actor_telegram_id if by_hand else None,
        grant_reason=reason if by_hand else None,
    )
    if upgrades is not None:
        await uow.memberships.set_replaced_by(upgrades.id, membership_id)
    event_id = await uow.memberships.record_event(
        membership_id,
        "granted" if by_hand else "activated",
        now,
        actor_telegram_id=actor_telegram_id,
        reason=reason,
        new_expires_at=expires,
    )
    return Activation(membership_id, False, None, expires, event_id)
