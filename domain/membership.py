"""Memberships held by a member and the time rules around them.

Time is always a parameter (``now``) and must be timezone-aware: the bot runs in UTC while the
community lives in Asia/Jakarta, so a naive datetime is a bug waiting to happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.catalog import Plan, Tier

__all__ = [
    "REMINDER_WINDOWS",
    "GrantRefusal",
    "GrantRefused",
    "HeldMembership",
    "MembershipStatus",
    "best_held",
    "effective_tier",
    "expiry_after",
    "grant_refusal",
    "is_active_at",
    "opens_door",
    "remaining_days",
    "reminder_due",
    "renewal_expiry",
    "require_aware",
]

_ONE_DAY = timedelta(days=1)


class MembershipStatus(StrEnum):
    """Life cycle: pending → active → expired | upgraded | cancelled."""

    PENDING = "pending"
    ACTIVE = "active"
    EXPIRED = "expired"
    UPGRADED = "upgraded"
    CANCELLED = "cancelled"


def require_aware(value: datetime, name: str) -> None:
    """Reject naive datetimes: every instant in the domain must carry its timezone."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


@dataclass(frozen=True, slots=True)
class HeldMembership:
    """A membership whose payment was approved and which has not been replaced or cancelled.

    ``list_price`` is the plan's price when it was bought, because prices change later and
    credits are owed on what was paid for. ``expires_at`` is ``None`` exactly for lifetime plans.
    """

    id: int
    plan: Plan
    list_price: int
    activated_at: datetime
    expires_at: datetime | None

    def __post_init__(self) -> None:
        if isinstance(self.list_price, bool) or not isinstance(self.list_price, int):
            raise ValueError("list_price must be an int number of rupiah")
        if self.list_price < 0:
            raise ValueError("list_price must be >= 0")
        require_aware(self.activated_at, "activated_at")
        if self.plan.is_lifetime != (self.expires_at is None):
            raise ValueError("expires_at must be None for a lifetime plan and only for one")
        if self.expires_at is not None:
            require_aware(self.expires_at, "expires_at")


def remaining_days(expires_at: datetime | None, now: datetime) -> int | None:
    """Whole days from ``now`` to ``expires_at``, rounded down and never below 0.

    ``None`` for lifetime. Example: expiry in 14 days and 23 hours → 14; already expired → 0.
    """
    require_aware(now, "now")
    if expires_at is None:
        return None
    require_aware(expires_at, "expires_at")
    return max(0, (expires_at - now) // _ONE_DAY)


def is_active_at(m: HeldMembership, now: datetime) -> bool:
    """Active from activation on: lifetime for ever, temporal while ``now < expires_at``.

    A membership activated after ``now`` is not active yet, so asking about a past date
    (e.g. a report's date) does not see access bought later.
    """
    require_aware(now, "now")
    if now < m.activated_at:
        return False
    return m.expires_at is None or now < m.expires_at


def expiry_after(
    start: datetime, duration_days: int | None, extra_days: int = 0
) -> datetime | None:
    """A temporal plan expires ``duration_days`` (+ ``extra_days`` carried over) after ``start``.

    Lifetime (``duration_days is None``) never expires and returns ``None``.
    """
    require_aware(start, "start")
    if extra_days < 0:
        raise ValueError("extra_days must be >= 0")
    if duration_days is None:
        return None
    if duration_days < 1:
        raise ValueError("duration_days must be >= 1")
    return start + timedelta(days=duration_days + extra_days)


def renewal_expiry(
    current_expires_at: datetime, approved_at: datetime, duration_days: int
) -> datetime:
    """A renewal's period starts where the current one ends, or at approval if that is later.

    Example: VIP 30 days ending 2026-02-01, renewed on 2026-01-20 → ends 2026-03-03;
    renewed on 2026-02-05 (after it lapsed) → ends 2026-03-07.
    """
    require_aware(current_expires_at, "current_expires_at")
    require_aware(approved_at, "approved_at")
    if duration_days < 1:
        raise ValueError("duration_days must be >= 1")
    return max(current_expires_at, approved_at) + timedelta(days=duration_days)


def effective_tier(held: Sequence[HeldMembership], now: datetime) -> Tier | None:
    """The highest-rank tier among memberships active at ``now``; ``None`` when none is.

    Example: Basic Lifetime + VIP 30 days → VIP; once the VIP days run out → Basic.
    """
    active = [m.plan.tier for m in held if is_active_at(m, now)]
    if not active:
        return None
    return max(active, key=lambda tier: tier.rank)


def opens_door(held: Sequence[HeldMembership], door_rank: int | None, now: datetime) -> bool:
    """Whether the tier a member effectively holds at `now` reaches a door's tier rank
    (the VIP group, affiliate accounts); no such tier in the catalog opens nothing."""
    tier = effective_tier(held, now)
    return door_rank is not None and tier is not None and tier.rank >= door_rank


def best_held(held: Sequence[HeldMembership]) -> HeldMembership | None:
    """The membership that says most about a member: the highest tier, a lifetime before a
    temporal one of that tier (the first of equals); None when they hold nothing."""
    if not held:
        return None
    return max(held, key=lambda m: (m.plan.tier.rank, m.expires_at is None))


class GrantRefusal(StrEnum):
    """Why an admin may not grant a plan by hand: it would add nothing."""

    ALREADY_HOLDS = "already_holds"  # this lifetime plan is held already
    HOLDS_LIFETIME = "holds_lifetime"  # a lifetime of this tier or higher is held


@dataclass(frozen=True, slots=True)
class GrantRefused:
    reason: GrantRefusal
    held: Plan  # the plan that makes the grant pointless


def grant_refusal(held: Sequence[HeldMembership], plan: Plan) -> GrantRefused | None:
    """Whether granting `plan` by hand adds nothing to what is `held` (active rows).

    A lifetime plan already held → ALREADY_HOLDS. A held lifetime of the plan's tier or
    higher (Basic Lifetime when VIP Lifetime is held, VIP 30 days when VIP Lifetime is
    held) → HOLDS_LIFETIME. Anything else may be granted: Basic Lifetime → VIP Lifetime
    adds a membership, a temporal plan held already is extended."""
    if plan.is_lifetime and any(h.plan.id == plan.id for h in held):
        return GrantRefused(GrantRefusal.ALREADY_HOLDS, plan)
    better = next(
        (h for h in held if h.plan.is_lifetime and h.plan.tier.rank >= plan.tier.rank), None
    )
    if better is not None:
        return GrantRefused(GrantRefusal.HOLDS_LIFETIME, better.plan)
    return None


# Reminder windows, narrowest first: a membership inside several gets the narrowest.
REMINDER_WINDOWS: tuple[tuple[int, timedelta], ...] = (
    (1, timedelta(days=1)),
    (3, timedelta(days=3)),
)


def reminder_due(expires_at: datetime, started_at: datetime, now: datetime) -> int | None:
    """Which expiry reminder a temporal membership is due at `now`: 1 (its last day) or 3
    (days left), the narrowest window it is in; None outside them all.

    After downtime only the window it is in now counts (less than a day left → only the
    1-day one). A period no longer than the window (a 1-day plan) is not reminded right
    after it was bought."""
    left = expires_at - now
    for days, width in REMINDER_WINDOWS:
        if left <= width:
            return None if expires_at - started_at <= width else days
    return None
