from datetime import UTC, date, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from domain.catalog import Plan, PlanPolicy, Tier
from domain.commission import FULL_BP, CommissionStructure, split_commission
from domain.membership import HeldMembership
from domain.money import MAX_AMOUNT, format_rupiah, parse_rupiah
from domain.pricing import NotOffered, Quote, QuoteKind, UpgradeMode, available_modes, quote

TIERS = (Tier("basic", 1), Tier("vip", 2), Tier("vip_plus", 3))
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)

# Catalog-like prices collide often, which is where credits exceed the target price.
prices = st.one_of(
    st.sampled_from([0, 97_000, 299_000, 500_000, 1_500_000, 3_000_000]),
    st.integers(min_value=0, max_value=MAX_AMOUNT),
)
durations = st.one_of(st.none(), st.integers(min_value=1, max_value=730))


@st.composite
def structures(draw: st.DrawFn) -> CommissionStructure:
    member_bp = draw(st.integers(min_value=0, max_value=FULL_BP))
    leader_bp = draw(st.integers(min_value=0, max_value=FULL_BP - member_bp))
    return CommissionStructure(
        "vip", member_bp, leader_bp, FULL_BP - member_bp - leader_bp, date(2025, 12, 20)
    )


totals = st.integers(min_value=0, max_value=10**12)


@given(totals, structures(), st.booleans())
def test_the_three_shares_always_add_up_to_the_total(
    total: int, structure: CommissionStructure, has_leader: bool
) -> None:
    split = split_commission(total, structure, has_leader)
    assert split.member + split.leader + split.owner == total
    assert min(split.member, split.leader, split.owner) >= 0


@given(totals, structures(), st.booleans())
def test_member_and_leader_get_their_exact_proportion_rounded_down(
    total: int, structure: CommissionStructure, has_leader: bool
) -> None:
    split = split_commission(total, structure, has_leader)
    exact_member = total * structure.member_bp
    assert split.member * FULL_BP <= exact_member < (split.member + 1) * FULL_BP
    if has_leader:
        exact_leader = total * structure.leader_bp
        assert split.leader * FULL_BP <= exact_leader < (split.leader + 1) * FULL_BP
    else:
        assert split.leader == 0


@given(totals, structures(), st.booleans())
def test_the_owner_gets_its_proportion_plus_less_than_two_rupiah_of_rounding(
    total: int, structure: CommissionStructure, has_leader: bool
) -> None:
    split = split_commission(total, structure, has_leader)
    owner_bp = structure.owner_bp + (0 if has_leader else structure.leader_bp)
    assert 0 <= split.owner * FULL_BP - total * owner_bp < 2 * FULL_BP


@st.composite
def plans(draw: st.DrawFn, plan_id: int) -> Plan:
    return Plan(
        plan_id,
        f"plan_{plan_id}",
        draw(st.sampled_from(TIERS)),
        draw(durations),
        draw(prices),
    )


@st.composite
def memberships(draw: st.DrawFn, membership_id: int) -> HeldMembership:
    plan = draw(plans(membership_id))
    activated = NOW - timedelta(minutes=draw(st.integers(min_value=0, max_value=800 * 24 * 60)))
    expires = None
    if plan.duration_days is not None:
        # Renewals and carried days can push the expiry well past one duration.
        expires = activated + timedelta(
            minutes=draw(st.integers(min_value=1, max_value=3 * plan.duration_days * 24 * 60))
        )
    return HeldMembership(
        membership_id, plan, draw(st.one_of(st.just(plan.price), prices)), activated, expires
    )


@st.composite
def holdings(draw: st.DrawFn) -> list[HeldMembership]:
    count = draw(st.integers(min_value=0, max_value=4))
    return [draw(memberships(i)) for i in range(1, count + 1)]


@st.composite
def targets(draw: st.DrawFn, held: list[HeldMembership]) -> Plan:
    # Sometimes a held plan itself, so renewals and "already lifetime" are exercised.
    pick_held = draw(st.booleans())
    if held and pick_held:
        return draw(st.sampled_from([m.plan for m in held]))
    return draw(plans(99))


policies = st.builds(
    PlanPolicy,
    allow_accumulate=st.booleans(),
    always_full_from=st.frozensets(st.integers(min_value=1, max_value=5), max_size=3),
)
modes = st.one_of(st.none(), st.sampled_from(UpgradeMode))


@settings(max_examples=400)
@given(st.data(), policies, st.booleans())
def test_a_quote_is_never_negative_and_never_above_the_target_price(
    data: st.DataObject, policy: PlanPolicy, any_mode: bool
) -> None:
    held = data.draw(holdings())
    target = data.draw(targets(held))
    # Mostly a mode the member could really pick, so that priced quotes dominate.
    offered_modes = available_modes(held, target, policy, NOW)
    mode_choices = modes if any_mode else st.sampled_from(offered_modes or (None,))
    mode = data.draw(mode_choices)
    result = quote(held, target, policy, NOW, mode)
    if isinstance(result, NotOffered):
        return
    assert 0 <= result.amount <= target.price
    assert result.credit >= 0
    assert result.amount == max(0, result.list_price - result.credit)


@given(
    base_price=prices,
    base_duration=st.integers(min_value=1, max_value=730),
    expires_in_minutes=st.integers(min_value=1, max_value=2 * 730 * 24 * 60),
    later_by_minutes=st.integers(min_value=0, max_value=2 * 730 * 24 * 60),
    target_price=prices,
    target_duration=st.integers(min_value=1, max_value=730),
)
def test_accumulated_credit_never_grows_as_time_passes(
    base_price: int,
    base_duration: int,
    expires_in_minutes: int,
    later_by_minutes: int,
    target_price: int,
    target_duration: int,
) -> None:
    assume(later_by_minutes < expires_in_minutes)
    tier = TIERS[1]
    base_plan = Plan(1, "base", tier, base_duration, base_price)
    target = Plan(2, "target", tier, target_duration, target_price)
    base = HeldMembership(
        1, base_plan, base_price, NOW, NOW + timedelta(minutes=expires_in_minutes)
    )
    policy = PlanPolicy(allow_accumulate=True)
    earlier = quote([base], target, policy, NOW, UpgradeMode.ACCUMULATE)
    later = quote(
        [base], target, policy, NOW + timedelta(minutes=later_by_minutes), UpgradeMode.ACCUMULATE
    )
    assert isinstance(earlier, Quote) and isinstance(later, Quote)
    assert earlier.kind is later.kind is QuoteKind.ACCUMULATE
    assert later.credit <= earlier.credit
    assert later.amount >= earlier.amount


@given(st.integers(min_value=0, max_value=MAX_AMOUNT))
def test_formatting_then_parsing_gives_back_the_same_amount(amount: int) -> None:
    assert parse_rupiah(format_rupiah(amount)) == amount
