from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.catalog import Plan, PlanPolicy, Tier, default_policy
from domain.membership import (
    REMINDER_WINDOWS,
    GrantRefusal,
    GrantRefused,
    HeldMembership,
    MembershipStatus,
    best_held,
    effective_tier,
    expiry_after,
    grant_refusal,
    is_active_at,
    remaining_days,
    reminder_due,
    renewal_expiry,
)
from tests.unit.samples import BASIC, BASIC_LIFETIME, NOW, VIP, VIP_30, VIP_LIFETIME

JAKARTA = timezone(timedelta(hours=7))


def held(plan: Plan, *, days_ago: int = 0, days_left: int = 0, id: int = 10) -> HeldMembership:
    activated = NOW - timedelta(days=days_ago)
    expires = None if plan.is_lifetime else NOW + timedelta(days=days_left)
    return HeldMembership(id, plan, plan.price, activated, expires)


# --- catalog -------------------------------------------------------------------------------


def test_a_plan_without_duration_is_lifetime_and_one_with_duration_is_not() -> None:
    assert BASIC_LIFETIME.is_lifetime
    assert not VIP_30.is_lifetime


@pytest.mark.parametrize(
    "make",
    [
        lambda: Plan(9, "x", VIP, 30, -1),
        lambda: Plan(9, "x", VIP, 0, 1_000),
        lambda: Plan(9, "x", VIP, -30, 1_000),
        lambda: Plan(9, "x", VIP, 30, 1.5),  # type: ignore[arg-type]
        lambda: Tier("vip", 0),
        lambda: Tier("", 1),
    ],
)
def test_the_catalog_refuses_negative_prices_empty_durations_and_ranks_below_one(
    make: Callable[[], object],
) -> None:
    with pytest.raises(ValueError):
        make()


def test_a_free_plan_is_allowed() -> None:
    assert Plan(9, "promo", BASIC, 7, 0).price == 0


def test_default_policy_allows_accumulate_for_temporal_plans_but_never_for_lifetime() -> None:
    assert default_policy(VIP_30) == PlanPolicy(allow_accumulate=True)
    assert default_policy(VIP_LIFETIME) == PlanPolicy(allow_accumulate=False)
    assert default_policy(VIP_30).always_full_from == frozenset()


# --- memberships ---------------------------------------------------------------------------


def test_membership_statuses_are_stored_as_lowercase_words() -> None:
    assert [s.value for s in MembershipStatus] == [
        "pending",
        "active",
        "expired",
        "upgraded",
        "cancelled",
    ]


def test_a_lifetime_membership_cannot_have_an_expiry_and_a_temporal_one_must() -> None:
    with pytest.raises(ValueError):
        HeldMembership(1, VIP_LIFETIME, 299_000, NOW, NOW + timedelta(days=1))
    with pytest.raises(ValueError):
        HeldMembership(1, VIP_30, 500_000, NOW, None)


def test_a_membership_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        HeldMembership(1, VIP_30, 500_000, datetime(2026, 1, 1), NOW)


def test_remaining_days_rounds_down_partial_days() -> None:
    expires = NOW + timedelta(days=14, hours=23, minutes=59)
    assert remaining_days(expires, NOW) == 14


def test_remaining_days_counts_a_full_day_exactly() -> None:
    assert remaining_days(NOW + timedelta(days=15), NOW) == 15


def test_remaining_days_is_zero_in_the_last_day_and_never_negative_after_expiry() -> None:
    assert remaining_days(NOW + timedelta(hours=5), NOW) == 0
    assert remaining_days(NOW, NOW) == 0
    assert remaining_days(NOW - timedelta(days=3, hours=2), NOW) == 0


def test_remaining_days_is_none_for_lifetime() -> None:
    assert remaining_days(None, NOW) is None


def test_remaining_days_does_not_depend_on_the_timezone_of_now() -> None:
    expires = NOW + timedelta(days=10, hours=1)
    assert remaining_days(expires, NOW.astimezone(JAKARTA)) == 10


def test_remaining_days_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError):
        remaining_days(NOW, datetime(2026, 1, 1))


def test_a_temporal_membership_is_active_until_the_instant_it_expires() -> None:
    m = held(VIP_30, days_ago=20, days_left=10)
    assert is_active_at(m, NOW)
    assert is_active_at(m, NOW + timedelta(days=10) - timedelta(microseconds=1))
    assert not is_active_at(m, NOW + timedelta(days=10))


def test_a_lifetime_membership_is_always_active_once_activated() -> None:
    m = held(BASIC_LIFETIME, days_ago=1)
    assert is_active_at(m, NOW + timedelta(days=365 * 50))
    assert not is_active_at(m, NOW - timedelta(days=2))


def test_expiry_after_adds_the_duration_and_any_carried_days() -> None:
    assert expiry_after(NOW, 30) == NOW + timedelta(days=30)
    assert expiry_after(NOW, 180, extra_days=15) == NOW + timedelta(days=195)


def test_expiry_after_is_none_for_lifetime() -> None:
    assert expiry_after(NOW, None) is None


def test_renewal_starts_where_the_current_period_ends() -> None:
    current_end = datetime(2026, 2, 1, tzinfo=UTC)
    approved = datetime(2026, 1, 20, tzinfo=UTC)
    assert renewal_expiry(current_end, approved, 30) == datetime(2026, 3, 3, tzinfo=UTC)


def test_renewal_approved_after_the_membership_lapsed_starts_at_approval() -> None:
    current_end = datetime(2026, 2, 1, tzinfo=UTC)
    approved = datetime(2026, 2, 5, tzinfo=UTC)
    assert renewal_expiry(current_end, approved, 30) == datetime(2026, 3, 7, tzinfo=UTC)


def test_effective_tier_is_none_without_active_memberships() -> None:
    assert effective_tier([], NOW) is None
    expired = HeldMembership(1, VIP_30, 500_000, NOW - timedelta(days=40), NOW - timedelta(days=10))
    assert effective_tier([expired], NOW) is None


def test_stacking_basic_lifetime_and_vip_30_days_gives_vip_then_basic_when_vip_expires() -> None:
    memberships = [
        held(BASIC_LIFETIME, days_ago=100, id=1),
        held(VIP_30, days_ago=20, days_left=10, id=2),
    ]
    assert effective_tier(memberships, NOW) == VIP
    assert effective_tier(memberships, NOW + timedelta(days=10)) == BASIC


def test_effective_tier_on_a_past_date_ignores_memberships_bought_later() -> None:
    memberships = [held(VIP_LIFETIME, days_ago=5)]
    assert effective_tier(memberships, NOW - timedelta(days=6)) is None
    assert effective_tier(memberships, NOW - timedelta(days=5)) == VIP


# --- grants by hand ------------------------------------------------------------------------


def test_a_lifetime_plan_already_held_cannot_be_granted_again() -> None:
    refused = grant_refusal([held(VIP_LIFETIME)], VIP_LIFETIME)
    assert refused == GrantRefused(GrantRefusal.ALREADY_HOLDS, VIP_LIFETIME)


def test_a_lifetime_of_the_tier_or_higher_makes_a_grant_pointless() -> None:
    vip_for_life = [held(VIP_LIFETIME, id=2)]
    assert grant_refusal(vip_for_life, BASIC_LIFETIME) == GrantRefused(
        GrantRefusal.HOLDS_LIFETIME, VIP_LIFETIME
    )
    assert grant_refusal(vip_for_life, VIP_30) == GrantRefused(
        GrantRefusal.HOLDS_LIFETIME, VIP_LIFETIME
    )


def test_basic_lifetime_may_be_granted_vip_and_a_temporal_plan_may_be_extended() -> None:
    assert grant_refusal([held(BASIC_LIFETIME)], VIP_LIFETIME) is None
    assert grant_refusal([held(BASIC_LIFETIME)], VIP_30) is None
    assert grant_refusal([held(VIP_30, days_left=5)], VIP_30) is None
    assert grant_refusal([], BASIC_LIFETIME) is None


# --- what members are told -----------------------------------------------------------------


def test_the_best_membership_is_the_highest_tier_and_a_lifetime_before_days() -> None:
    assert best_held([]) is None
    basic, vip_days = held(BASIC_LIFETIME, id=1), held(VIP_30, days_left=3, id=2)
    assert best_held([basic, vip_days]) == vip_days
    vip_life = held(VIP_LIFETIME, id=3)
    assert best_held([vip_days, vip_life, basic]) == vip_life


def test_reminders_come_three_days_and_one_day_before_the_end() -> None:
    started = NOW - timedelta(days=20)
    assert reminder_due(NOW + timedelta(days=3, seconds=1), started, NOW) is None
    assert reminder_due(NOW + timedelta(days=3), started, NOW) == 3
    assert reminder_due(NOW + timedelta(days=1, seconds=1), started, NOW) == 3
    # After downtime only the window it is in now: less than a day left, the last-day one.
    assert reminder_due(NOW + timedelta(hours=5), started, NOW) == 1
    assert [days for days, _ in REMINDER_WINDOWS] == [1, 3]


def test_a_period_no_longer_than_the_window_is_not_reminded_right_after_buying() -> None:
    bought_now = NOW
    assert reminder_due(NOW + timedelta(days=1), bought_now, NOW) is None
    assert reminder_due(NOW + timedelta(days=3), bought_now, NOW) is None
    assert reminder_due(NOW + timedelta(hours=20), NOW - timedelta(days=2), NOW) == 1
