"""The quote: what a member pays for a target plan given what they hold (SPEC "Upgrade pricing").

A quote is computed once and then frozen: it records every input of its breakdown (list price,
credit, mode, days carried, the base membership) so that the amount never changes after the
member has seen it and an admin can see exactly why it is what it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from domain.catalog import Plan, PlanPolicy
from domain.membership import (
    HeldMembership,
    expiry_after,
    is_active_at,
    remaining_days,
    renewal_expiry,
    require_aware,
)

__all__ = [
    "NotOffered",
    "NotOfferedReason",
    "Quote",
    "QuoteKind",
    "UpgradeMode",
    "activation_window",
    "available_modes",
    "grant_quote",
    "quote",
]


class QuoteKind(StrEnum):
    """Which pricing rule produced a quote."""

    NEW = "new"
    RENEWAL = "renewal"
    ACCUMULATE = "accumulate"
    FULL = "full"
    LIFETIME_DIFFERENCE = "lifetime_difference"
    LIFETIME_FULL = "lifetime_full"
    ADD_TEMPORAL = "add_temporal"


class UpgradeMode(StrEnum):
    """The member's choice when moving from one temporal plan to another."""

    ACCUMULATE = "accumulate"
    FULL = "full"


class NotOfferedReason(StrEnum):
    """Why a target plan cannot be bought right now."""

    DOWNGRADE = "downgrade"
    ALREADY_LIFETIME = "already_lifetime"
    MODE_NOT_ALLOWED = "mode_not_allowed"
    MODE_REQUIRED = "mode_required"


@dataclass(frozen=True, slots=True)
class Quote:
    """A priced offer and its breakdown, frozen at ``computed_at``.

    ``amount`` is what the member pays; ``credit`` is the value recognised from the base
    membership (it may exceed ``list_price``, in which case ``amount`` is 0).
    ``replaces_base``: the base membership becomes ``upgraded`` at approval.
    """

    target_plan_id: int
    kind: QuoteKind
    list_price: int
    credit: int
    amount: int
    days_carried: int
    base_membership_id: int | None
    base_plan_id: int | None
    base_list_price: int | None
    base_remaining_days: int | None
    replaces_base: bool
    mode: UpgradeMode | None
    lifetime_full_price_notice: bool
    computed_at: datetime

    def __post_init__(self) -> None:
        if self.list_price < 0 or self.credit < 0 or self.amount < 0 or self.days_carried < 0:
            raise ValueError("quote figures must not be negative")
        if self.amount > self.list_price:
            raise ValueError("a quote never asks more than the target's list price")

    @property
    def saving(self) -> int:
        """What the member saves against the list price (shown to them)."""
        return self.list_price - self.amount


@dataclass(frozen=True, slots=True)
class NotOffered:
    """The target plan is not for sale to this member; ``reason`` says why."""

    reason: NotOfferedReason


@dataclass(frozen=True, slots=True)
class _Situation:
    # ``kind`` is None exactly when the member must choose a mode (rule 4, temporal → temporal).
    kind: QuoteKind | None
    base: HeldMembership | None
    holds_temporal: bool


_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


def _expiry_key(m: HeldMembership) -> datetime:
    return _FAR_FUTURE if m.expires_at is None else m.expires_at


def _classify(
    held: Sequence[HeldMembership], target: Plan, now: datetime
) -> _Situation | NotOffered:
    require_aware(now, "now")
    active = [m for m in held if is_active_at(m, now)]
    if not active:
        return _Situation(QuoteKind.NEW, None, holds_temporal=False)

    target_rank = target.tier.rank
    if target_rank < max(m.plan.tier.rank for m in active):
        return NotOffered(NotOfferedReason.DOWNGRADE)
    lifetimes = [m for m in active if m.plan.is_lifetime]
    if any(m.plan.tier.rank >= target_rank for m in lifetimes):
        return NotOffered(NotOfferedReason.ALREADY_LIFETIME)
    # From here every held lifetime is of a lower tier than the target.
    temporals = [m for m in active if not m.plan.is_lifetime]
    holds_temporal = bool(temporals)

    if target.is_lifetime:
        if lifetimes:
            # Most valuable lower lifetime first: the member gets the best difference.
            best = max(lifetimes, key=lambda m: (m.plan.tier.rank, m.list_price, m.id))
            return _Situation(QuoteKind.LIFETIME_DIFFERENCE, best, holds_temporal)
        base = max(temporals, key=lambda m: (m.plan.tier.rank, _expiry_key(m), m.id))
        return _Situation(QuoteKind.LIFETIME_FULL, base, holds_temporal)

    same_plan = [m for m in temporals if m.plan.id == target.id]
    if same_plan:
        return _Situation(QuoteKind.RENEWAL, max(same_plan, key=_expiry_key), holds_temporal)

    # A lifetime wins a tie of rank against a temporal: its days give no credit anyway.
    base = max(
        active,
        key=lambda m: (m.plan.tier.rank, m.plan.is_lifetime, _expiry_key(m), m.id),
    )
    if base.plan.is_lifetime:
        return _Situation(QuoteKind.ADD_TEMPORAL, base, holds_temporal)
    return _Situation(None, base, holds_temporal)


def _modes_for(situation: _Situation, policy: PlanPolicy) -> tuple[UpgradeMode, ...]:
    if situation.kind is not None or situation.base is None:
        return ()
    if not policy.allow_accumulate or situation.base.plan.id in policy.always_full_from:
        return (UpgradeMode.FULL,)
    return (UpgradeMode.ACCUMULATE, UpgradeMode.FULL)


def available_modes(
    held: Sequence[HeldMembership], target: Plan, policy: PlanPolicy, now: datetime
) -> tuple[UpgradeMode, ...]:
    """The modes a member may choose for ``target`` (SPEC rules 4 and 6).

    Empty when no choice applies: a new purchase, a renewal, a lifetime target, a temporal
    plan added on top of a lower-tier lifetime, or a plan not offered at all.
    ``(ACCUMULATE, FULL)`` from another temporal plan; only ``(FULL,)`` when the target's
    policy disallows accumulate or lists the held plan in ``always_full_from``.
    """
    situation = _classify(held, target, now)
    if isinstance(situation, NotOffered):
        return ()
    return _modes_for(situation, policy)


def quote(
    held: Sequence[HeldMembership],
    target: Plan,
    policy: PlanPolicy,
    now: datetime,
    mode: UpgradeMode | None = None,
) -> Quote | NotOffered:
    """Price ``target`` for a member holding ``held`` at ``now`` (only active memberships count).

    1. Nothing active → ``NEW`` at the plan's price.
    2. Target tier below the effective tier → ``DOWNGRADE``; a held lifetime of the target's
       tier or higher → ``ALREADY_LIFETIME``.
    3. Lifetime target: from a lower-tier lifetime pay the difference (Basic Lifetime 97.000 →
       VIP Lifetime 299.000 = 202.000); otherwise from a temporal plan the full price (180-day
       plan of 1.500.000 with 90 days left → Lifetime 3.000.000 costs 3.000.000), with notice.
    4. Temporal target: the same plan held → ``RENEWAL`` at full price. From another temporal
       plan the member picks a mode. ``ACCUMULATE``: credit = held list price × remaining days
       ÷ its duration, rounded down (30-day plan of 500.000 with 15 days left → 180-day plan of
       1.500.000 costs 1.250.000, saving 250.000). ``FULL``: full price, remaining days carried.
       A mode is required when both are available; a mode outside the available ones, or any
       mode where no choice applies, → ``MODE_NOT_ALLOWED``.
    5. Temporal target over a lower-tier lifetime → ``ADD_TEMPORAL`` at full price; the lifetime
       stays.
    """
    situation = _classify(held, target, now)
    if isinstance(situation, NotOffered):
        return situation

    modes = _modes_for(situation, policy)
    if mode is not None and mode not in modes:
        return NotOffered(NotOfferedReason.MODE_NOT_ALLOWED)
    if situation.kind is None and mode is None:
        if len(modes) > 1:
            return NotOffered(NotOfferedReason.MODE_REQUIRED)
        mode = modes[0]

    base = situation.base
    base_remaining = None if base is None else remaining_days(base.expires_at, now)
    kind = situation.kind
    credit = 0
    days_carried = 0
    if kind is None:
        assert base is not None and base.plan.duration_days is not None
        assert base_remaining is not None
        if mode is UpgradeMode.ACCUMULATE:
            kind = QuoteKind.ACCUMULATE
            # Multiply before dividing: exact in integers, rounded down once.
            credit = base.list_price * base_remaining // base.plan.duration_days
        else:
            kind = QuoteKind.FULL
            days_carried = base_remaining
    elif kind is QuoteKind.LIFETIME_DIFFERENCE:
        assert base is not None
        credit = base.list_price

    return Quote(
        target_plan_id=target.id,
        kind=kind,
        list_price=target.price,
        credit=credit,
        amount=max(0, target.price - credit),
        days_carried=days_carried,
        base_membership_id=None if base is None else base.id,
        base_plan_id=None if base is None else base.plan.id,
        base_list_price=None if base is None else base.list_price,
        base_remaining_days=base_remaining,
        replaces_base=kind
        in (
            QuoteKind.ACCUMULATE,
            QuoteKind.FULL,
            QuoteKind.LIFETIME_DIFFERENCE,
            QuoteKind.LIFETIME_FULL,
        ),
        mode=mode if kind in (QuoteKind.ACCUMULATE, QuoteKind.FULL) else None,
        lifetime_full_price_notice=target.is_lifetime and situation.holds_temporal,
        computed_at=now,
    )


def activation_window(
    quote: Quote,
    approved_at: datetime,
    target_duration_days: int | None,
    base_expires_at: datetime | None,
) -> tuple[datetime, datetime | None]:
    """``(starts_at, expires_at)`` of the membership a quote buys, once approved at ``approved_at``.

    ``NEW``/``ACCUMULATE``/``ADD_TEMPORAL``: approval + the target's duration. ``FULL``: the same
    plus the days carried frozen in the quote (the number the member was told). ``RENEWAL``:
    from the base's expiry, or approval if that is later (see ``renewal_expiry``). Lifetime
    kinds, and ``NEW`` of a lifetime plan: from approval, never expiring.
    """
    require_aware(approved_at, "approved_at")
    kind = quote.kind
    if kind in (QuoteKind.LIFETIME_DIFFERENCE, QuoteKind.LIFETIME_FULL):
        if target_duration_days is not None:
            raise ValueError(f"a {kind} quote needs a lifetime target")
        return approved_at, None
    if kind is QuoteKind.NEW:
        return approved_at, expiry_after(approved_at, target_duration_days)
    if target_duration_days is None:
        raise ValueError(f"a {kind} quote needs a temporal target")
    if kind is QuoteKind.RENEWAL:
        if base_expires_at is None:
            raise ValueError("a renewal needs the expiry of the membership it extends")
        starts_at = max(base_expires_at, approved_at)
        return starts_at, renewal_expiry(base_expires_at, approved_at, target_duration_days)
    extra = quote.days_carried if kind is QuoteKind.FULL else 0
    return approved_at, expiry_after(approved_at, target_duration_days, extra)


def grant_quote(held: Sequence[HeldMembership], target: Plan, now: datetime) -> Quote:
    """What granting ``target`` by hand buys (paid outside the bot; see
    ``domain.membership.grant_refusal`` for when a grant is refused).

    An active membership of the same temporal plan (even one past its expiry the expiry
    job has not ended yet) is renewed: ``RENEWAL`` from it, extended from its expiry or
    from now if that is later. Otherwise ``NEW``: from now for the plan's duration, or for
    life. At the plan's price; nothing held is replaced.
    """
    require_aware(now, "now")
    current = next((m for m in held if m.plan.id == target.id), None)
    renews = current is not None and current.expires_at is not None and not target.is_lifetime
    base = current if renews else None
    return Quote(
        target_plan_id=target.id,
        kind=QuoteKind.RENEWAL if base is not None else QuoteKind.NEW,
        list_price=target.price,
        credit=0,
        amount=target.price,
        days_carried=0,
        base_membership_id=None if base is None else base.id,
        base_plan_id=None if base is None else base.plan.id,
        base_list_price=None if base is None else base.list_price,
        base_remaining_days=None if base is None else remaining_days(base.expires_at, now),
        replaces_base=False,
        mode=None,
        lifetime_full_price_notice=False,
        computed_at=now,
    )
