from datetime import datetime, timedelta

import pytest

from domain.catalog import Plan, PlanPolicy, default_policy
from domain.membership import HeldMembership
from domain.pricing import (
    NotOffered,
    NotOfferedReason,
    Quote,
    QuoteKind,
    UpgradeMode,
    activation_window,
    available_modes,
    grant_quote,
    quote,
)
from tests.unit.samples import (
    BASIC_30,
    BASIC_LIFETIME,
    NOW,
    VIP,
    VIP_30,
    VIP_90,
    VIP_180,
    VIP_LIFETIME,
)

ALLOW = PlanPolicy(allow_accumulate=True)


def held(
    plan: Plan,
    *,
    days_left: int = 0,
    id: int = 100,
    list_price: int | None = None,
) -> HeldMembership:
    activated = NOW - timedelta(days=1 if plan.is_lifetime else plan.duration_days or 0)
    expires = None if plan.is_lifetime else NOW + timedelta(days=days_left, hours=3)
    price = plan.price if list_price is None else list_price
    return HeldMembership(id, plan, price, activated, expires)


def offered(result: Quote | NotOffered) -> Quote:
    assert isinstance(result, Quote), result
    return result


# --- rule 1: new purchase ------------------------------------------------------------------


def test_a_member_without_memberships_pays_the_plan_price() -> None:
    q = offered(quote([], VIP_LIFETIME, default_policy(VIP_LIFETIME), NOW))
    assert q.kind is QuoteKind.NEW
    assert q.amount == 299_000
    assert q.list_price == 299_000
    assert q.credit == 0
    assert q.saving == 0
    assert q.base_membership_id is None
    assert q.replaces_base is False
    assert q.mode is None
    assert q.lifetime_full_price_notice is False
    assert q.computed_at == NOW


def test_expired_memberships_do_not_count_so_buying_again_is_a_new_purchase() -> None:
    expired = HeldMembership(1, VIP_30, 500_000, NOW - timedelta(days=40), NOW - timedelta(days=10))
    q = offered(quote([expired], VIP_30, ALLOW, NOW))
    assert q.kind is QuoteKind.NEW
    assert q.amount == 500_000


# --- rule 2: not offered -------------------------------------------------------------------


def test_a_lower_tier_than_the_effective_one_is_not_offered_as_a_downgrade() -> None:
    result = quote([held(VIP_30, days_left=10)], BASIC_LIFETIME, ALLOW, NOW)
    assert result == NotOffered(NotOfferedReason.DOWNGRADE)
    result = quote([held(VIP_LIFETIME)], BASIC_30, ALLOW, NOW)
    assert result == NotOffered(NotOfferedReason.DOWNGRADE)


def test_a_plan_already_held_for_life_is_not_offered() -> None:
    for plan in (BASIC_LIFETIME, VIP_LIFETIME):
        result = quote([held(plan)], plan, default_policy(plan), NOW)
        assert result == NotOffered(NotOfferedReason.ALREADY_LIFETIME)


def test_a_temporal_plan_of_a_tier_already_held_for_life_is_not_offered() -> None:
    result = quote([held(VIP_LIFETIME)], VIP_30, ALLOW, NOW)
    assert result == NotOffered(NotOfferedReason.ALREADY_LIFETIME)
    assert available_modes([held(VIP_LIFETIME)], VIP_30, ALLOW, NOW) == ()


# --- rule 3: lifetime target ---------------------------------------------------------------


def test_upgrade_from_basic_lifetime_to_vip_lifetime_pays_the_difference() -> None:
    base = held(BASIC_LIFETIME, id=7)
    q = offered(quote([base], VIP_LIFETIME, default_policy(VIP_LIFETIME), NOW))
    assert q.kind is QuoteKind.LIFETIME_DIFFERENCE
    assert q.amount == 202_000
    assert q.credit == 97_000
    assert q.saving == 97_000
    assert q.replaces_base is True
    assert q.base_membership_id == 7
    assert q.base_plan_id == BASIC_LIFETIME.id
    assert q.base_list_price == 97_000
    assert q.base_remaining_days is None
    assert q.lifetime_full_price_notice is False


def test_the_lifetime_difference_uses_the_price_the_held_plan_was_bought_at() -> None:
    bought_cheaper = held(BASIC_LIFETIME, list_price=50_000)
    q = offered(quote([bought_cheaper], VIP_LIFETIME, default_policy(VIP_LIFETIME), NOW))
    assert q.amount == 249_000


def test_the_lifetime_difference_is_never_negative() -> None:
    bought_dear = held(BASIC_LIFETIME, list_price=400_000)
    q = offered(quote([bought_dear], VIP_LIFETIME, default_policy(VIP_LIFETIME), NOW))
    assert q.amount == 0
    assert q.saving == 299_000


def test_upgrade_to_lifetime_from_a_temporal_plan_costs_full_price() -> None:
    lifetime_3m = Plan(9, "vip_lifetime_3m", VIP, None, 3_000_000)
    base = held(VIP_180, days_left=90, id=8)
    q = offered(quote([base], lifetime_3m, default_policy(lifetime_3m), NOW))
    assert q.kind is QuoteKind.LIFETIME_FULL
    assert q.amount == 3_000_000
    assert q.credit == 0
    assert q.days_carried == 0
    assert q.lifetime_full_price_notice is True
    assert q.replaces_base is True
    assert q.base_membership_id == 8
    assert q.base_remaining_days == 90


def test_lifetime_difference_applies_even_when_a_higher_temporal_plan_is_also_held() -> None:
    memberships = [held(BASIC_LIFETIME, id=1), held(VIP_30, days_left=20, id=2)]
    q = offered(quote(memberships, VIP_LIFETIME, default_policy(VIP_LIFETIME), NOW))
    assert q.kind is QuoteKind.LIFETIME_DIFFERENCE
    assert q.amount == 202_000
    assert q.base_membership_id == 1
    # The VIP days earn no credit toward lifetime, and the member is told so.
    assert q.lifetime_full_price_notice is True


def test_a_lifetime_target_never_accumulates_even_if_the_policy_says_so() -> None:
    memberships = [held(VIP_30, days_left=20)]
    assert available_modes(memberships, VIP_LIFETIME, ALLOW, NOW) == ()
    result = quote(memberships, VIP_LIFETIME, ALLOW, NOW, UpgradeMode.ACCUMULATE)
    assert result == NotOffered(NotOfferedReason.MODE_NOT_ALLOWED)


# --- rule 4: temporal to temporal ----------------------------------------------------------


def test_accumulate_credits_the_remaining_value_of_the_held_plan() -> None:
    base = held(VIP_30, days_left=15, id=5)
    q = offered(quote([base], VIP_180, ALLOW, NOW, UpgradeMode.ACCUMULATE))
    assert q.kind is QuoteKind.ACCUMULATE
    assert q.mode is UpgradeMode.ACCUMULATE
    assert q.credit == 250_000
    assert q.amount == 1_250_000
    assert q.saving == 250_000
    assert q.days_carried == 0
    assert q.replaces_base is True
    assert q.base_membership_id == 5
    assert q.base_remaining_days == 15
    assert q.lifetime_full_price_notice is False


def test_accumulate_credit_is_rounded_down_to_whole_rupiah() -> None:
    # 500.000 × 7 ÷ 30 = 116.666,67 → 116.666
    q = offered(quote([held(VIP_30, days_left=7)], VIP_180, ALLOW, NOW, UpgradeMode.ACCUMULATE))
    assert q.credit == 116_666
    assert q.amount == 1_383_334


def test_accumulate_uses_the_price_the_held_plan_was_bought_at_not_todays_price() -> None:
    base = held(VIP_30, days_left=15, list_price=400_000)
    q = offered(quote([base], VIP_180, ALLOW, NOW, UpgradeMode.ACCUMULATE))
    assert q.credit == 200_000
    assert q.amount == 1_300_000


def test_accumulate_never_asks_a_negative_amount() -> None:
    base = held(VIP_180, days_left=170)
    q = offered(quote([base], VIP_30, ALLOW, NOW, UpgradeMode.ACCUMULATE))
    assert q.credit == 1_416_666
    assert q.amount == 0
    assert q.saving == 500_000


def test_full_mode_charges_the_target_price_and_carries_the_remaining_days() -> None:
    q = offered(quote([held(VIP_30, days_left=15)], VIP_180, ALLOW, NOW, UpgradeMode.FULL))
    assert q.kind is QuoteKind.FULL
    assert q.mode is UpgradeMode.FULL
    assert q.amount == 1_500_000
    assert q.credit == 0
    assert q.days_carried == 15
    assert q.replaces_base is True


def test_a_mode_is_required_when_both_modes_are_available() -> None:
    memberships = [held(VIP_30, days_left=15)]
    assert available_modes(memberships, VIP_180, ALLOW, NOW) == (
        UpgradeMode.ACCUMULATE,
        UpgradeMode.FULL,
    )
    assert quote(memberships, VIP_180, ALLOW, NOW) == NotOffered(NotOfferedReason.MODE_REQUIRED)


def test_when_the_policy_disallows_accumulate_only_full_is_offered_and_used_by_default() -> None:
    policy = PlanPolicy(allow_accumulate=False)
    memberships = [held(VIP_30, days_left=15)]
    assert available_modes(memberships, VIP_180, policy, NOW) == (UpgradeMode.FULL,)
    q = offered(quote(memberships, VIP_180, policy, NOW))
    assert q.kind is QuoteKind.FULL
    assert q.mode is UpgradeMode.FULL
    result = quote(memberships, VIP_180, policy, NOW, UpgradeMode.ACCUMULATE)
    assert result == NotOffered(NotOfferedReason.MODE_NOT_ALLOWED)


def test_a_plan_listed_in_always_full_from_only_upgrades_at_full_price() -> None:
    policy = PlanPolicy(allow_accumulate=True, always_full_from=frozenset({VIP_30.id}))
    assert available_modes([held(VIP_30, days_left=15)], VIP_180, policy, NOW) == (
        UpgradeMode.FULL,
    )
    # Another held plan is not affected by that list.
    assert available_modes([held(VIP_90, days_left=15)], VIP_180, policy, NOW) == (
        UpgradeMode.ACCUMULATE,
        UpgradeMode.FULL,
    )


def test_a_temporal_plan_of_a_lower_tier_can_be_accumulated_into_a_higher_tier() -> None:
    q = offered(quote([held(BASIC_30, days_left=15)], VIP_30, ALLOW, NOW, UpgradeMode.ACCUMULATE))
    assert q.credit == 25_000
    assert q.amount == 475_000


def test_the_base_is_the_highest_tier_membership_expiring_last() -> None:
    memberships = [
        held(BASIC_30, days_left=29, id=1),
        held(VIP_30, days_left=5, id=2),
        held(VIP_90, days_left=40, id=3),
    ]
    q = offered(quote(memberships, VIP_180, ALLOW, NOW, UpgradeMode.FULL))
    assert q.base_membership_id == 3
    assert q.days_carried == 40


# --- renewal -------------------------------------------------------------------------------


def test_buying_the_same_temporal_plan_again_is_a_renewal_at_full_price() -> None:
    base = held(VIP_30, days_left=10, id=4)
    assert available_modes([base], VIP_30, ALLOW, NOW) == ()
    q = offered(quote([base], VIP_30, ALLOW, NOW))
    assert q.kind is QuoteKind.RENEWAL
    assert q.amount == 500_000
    assert q.credit == 0
    assert q.replaces_base is False
    assert q.base_membership_id == 4
    assert q.base_remaining_days == 10


def test_a_renewal_is_recognised_even_when_another_plan_of_the_tier_expires_later() -> None:
    memberships = [held(VIP_30, days_left=10, id=1), held(VIP_90, days_left=60, id=2)]
    q = offered(quote(memberships, VIP_30, ALLOW, NOW))
    assert q.kind is QuoteKind.RENEWAL
    assert q.base_membership_id == 1


def test_a_renewal_starts_where_the_current_period_ends() -> None:
    base = held(VIP_30, days_left=10)
    q = offered(quote([base], VIP_30, ALLOW, NOW))
    approved = NOW + timedelta(hours=2)
    assert base.expires_at is not None
    starts, ends = activation_window(q, approved, 30, base.expires_at)
    assert starts == base.expires_at
    assert ends == base.expires_at + timedelta(days=30)


def test_a_renewal_approved_after_the_membership_lapsed_starts_at_approval() -> None:
    base = held(VIP_30, days_left=1)
    q = offered(quote([base], VIP_30, ALLOW, NOW))
    approved = NOW + timedelta(days=3)
    assert base.expires_at is not None
    assert activation_window(q, approved, 30, base.expires_at) == (
        approved,
        approved + timedelta(days=30),
    )


def test_a_mode_given_where_no_choice_applies_is_not_allowed() -> None:
    result = quote([held(VIP_30, days_left=10)], VIP_30, ALLOW, NOW, UpgradeMode.FULL)
    assert result == NotOffered(NotOfferedReason.MODE_NOT_ALLOWED)
    result = quote([], VIP_30, ALLOW, NOW, UpgradeMode.ACCUMULATE)
    assert result == NotOffered(NotOfferedReason.MODE_NOT_ALLOWED)


# --- rule 5: temporal on top of a lower lifetime -------------------------------------------


def test_a_temporal_higher_tier_over_a_lower_lifetime_is_added_at_full_price() -> None:
    memberships = [held(BASIC_LIFETIME, id=1)]
    assert available_modes(memberships, VIP_30, ALLOW, NOW) == ()
    q = offered(quote(memberships, VIP_30, ALLOW, NOW))
    assert q.kind is QuoteKind.ADD_TEMPORAL
    assert q.amount == 500_000
    assert q.credit == 0
    assert q.replaces_base is False
    assert q.base_membership_id == 1
    assert q.lifetime_full_price_notice is False


def test_a_lower_lifetime_wins_a_rank_tie_with_a_temporal_plan_so_nothing_is_credited() -> None:
    memberships = [held(BASIC_LIFETIME, id=1), held(BASIC_30, days_left=20, id=2)]
    q = offered(quote(memberships, VIP_30, ALLOW, NOW))
    assert q.kind is QuoteKind.ADD_TEMPORAL
    assert q.base_membership_id == 1


# --- activation window ---------------------------------------------------------------------


def test_a_new_temporal_plan_runs_from_approval_for_its_duration() -> None:
    q = offered(quote([], VIP_30, ALLOW, NOW))
    approved = NOW + timedelta(days=1)
    assert activation_window(q, approved, 30, None) == (approved, approved + timedelta(days=30))


def test_a_new_lifetime_plan_never_expires() -> None:
    q = offered(quote([], VIP_LIFETIME, default_policy(VIP_LIFETIME), NOW))
    assert activation_window(q, NOW, None, None) == (NOW, None)


def test_an_accumulated_upgrade_starts_at_approval_without_extra_days() -> None:
    q = offered(quote([held(VIP_30, days_left=15)], VIP_180, ALLOW, NOW, UpgradeMode.ACCUMULATE))
    assert activation_window(q, NOW, 180, None) == (NOW, NOW + timedelta(days=180))


def test_a_full_upgrade_adds_the_days_carried_that_the_member_was_told() -> None:
    q = offered(quote([held(VIP_30, days_left=15)], VIP_180, ALLOW, NOW, UpgradeMode.FULL))
    approved = NOW + timedelta(days=2)
    assert activation_window(q, approved, 180, None) == (
        approved,
        approved + timedelta(days=195),
    )


def test_lifetime_upgrades_start_at_approval_and_never_expire() -> None:
    q = offered(quote([held(BASIC_LIFETIME)], VIP_LIFETIME, default_policy(VIP_LIFETIME), NOW))
    assert activation_window(q, NOW, None, None) == (NOW, None)
    q = offered(quote([held(VIP_30, days_left=3)], VIP_LIFETIME, default_policy(VIP_LIFETIME), NOW))
    assert activation_window(q, NOW, None, None) == (NOW, None)


def test_an_added_temporal_plan_runs_from_approval() -> None:
    q = offered(quote([held(BASIC_LIFETIME)], VIP_30, ALLOW, NOW))
    assert activation_window(q, NOW, 30, None) == (NOW, NOW + timedelta(days=30))


def test_activation_window_refuses_inputs_that_contradict_the_quote() -> None:
    renewal = offered(quote([held(VIP_30, days_left=3)], VIP_30, ALLOW, NOW))
    with pytest.raises(ValueError):
        activation_window(renewal, NOW, 30, None)
    with pytest.raises(ValueError):
        activation_window(renewal, NOW, None, NOW)
    lifetime = offered(quote([held(BASIC_LIFETIME)], VIP_LIFETIME, ALLOW, NOW))
    with pytest.raises(ValueError):
        activation_window(lifetime, NOW, 30, None)


def test_a_quote_refuses_a_naive_now() -> None:
    with pytest.raises(ValueError):
        quote([], VIP_30, ALLOW, datetime(2026, 1, 15))


# --- grants by hand ------------------------------------------------------------------------


def test_a_grant_of_a_plan_not_held_is_new_at_its_price_from_now() -> None:
    q = grant_quote([held(BASIC_LIFETIME)], VIP_30, NOW)
    assert (q.kind, q.list_price, q.amount, q.base_membership_id) == (
        QuoteKind.NEW,
        VIP_30.price,
        VIP_30.price,
        None,
    )
    assert not q.replaces_base
    assert activation_window(q, NOW, 30, None) == (NOW, NOW + timedelta(days=30))
    lifetime = grant_quote([held(BASIC_LIFETIME)], VIP_LIFETIME, NOW)
    assert lifetime.kind is QuoteKind.NEW and not lifetime.replaces_base  # Basic stays


def test_a_grant_of_a_temporal_plan_held_renews_it_even_once_lapsed() -> None:
    current = held(VIP_30, days_left=10, id=7)
    q = grant_quote([held(BASIC_LIFETIME, id=6), current], VIP_30, NOW)
    assert (q.kind, q.base_membership_id, q.base_remaining_days) == (QuoteKind.RENEWAL, 7, 10)
    assert current.expires_at is not None
    assert activation_window(q, NOW, 30, current.expires_at)[1] == current.expires_at + timedelta(
        days=30
    )
    lapsed = held(VIP_30, days_left=-5, id=8)  # active still: the expiry job has not run
    assert lapsed.expires_at is not None
    q = grant_quote([lapsed], VIP_30, NOW)
    assert q.kind is QuoteKind.RENEWAL
    assert activation_window(q, NOW, 30, lapsed.expires_at)[1] == NOW + timedelta(days=30)
