from datetime import UTC, date, datetime, timedelta

import pytest

from domain.catalog import Tier
from domain.commission import (
    CommissionSplit,
    CommissionStructure,
    Earning,
    HeldSpan,
    PercentError,
    PercentParseError,
    Renewal,
    StructureError,
    StructureErrorCode,
    add_structure,
    check_no_overlap,
    earliest_new_structure,
    earning_tiers,
    earnings_of,
    parse_percent,
    split_commission,
    structure_on,
    tier_during,
    would_earn,
)
from domain.states import LedgerKind

SEED_START = date(2025, 12, 20)
SEED = CommissionStructure("vip", 5500, 500, 4000, SEED_START)


# --- percentages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("55", 5500),
        ("52.5", 5250),
        ("52,5", 5250),
        ("0", 0),
        ("100", 10_000),
        ("100.00", 10_000),
        ("0.01", 1),
        ("33,33", 3333),
        (" 40 % ", 4000),
        ("5%", 500),
        ("07", 700),
        ("52.50", 5250),
    ],
)
def test_parse_percent_reads_basis_points(text: str, expected: int) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", PercentError.EMPTY),
        ("  ", PercentError.EMPTY),
        ("-5", PercentError.NEGATIVE),
        ("100.01", PercentError.TOO_LARGE),
        ("101", PercentError.TOO_LARGE),
        ("1000", PercentError.TOO_LARGE),
        ("52.555", PercentError.TOO_PRECISE),
        ("abc", PercentError.NOT_A_NUMBER),
        ("5 5", PercentError.NOT_A_NUMBER),
        ("1e2", PercentError.NOT_A_NUMBER),
        ("52.", PercentError.NOT_A_NUMBER),
        (".5", PercentError.NOT_A_NUMBER),
        ("50%%", PercentError.NOT_A_NUMBER),
    ],
)
def test_parse_percent_rejects_with_the_code_that_says_why(text: str, code: PercentError) -> None:
    with pytest.raises(PercentParseError) as caught:
        parse_percent(text)
    assert caught.value.code is code


# --- structures ----------------------------------------------------------------------------


def test_a_structure_whose_shares_do_not_sum_to_100_percent_is_refused() -> None:
    with pytest.raises(StructureError) as caught:
        CommissionStructure("vip", 5500, 500, 3900, SEED_START)
    assert caught.value.code is StructureErrorCode.SUM_NOT_100


def test_a_structure_with_a_negative_share_is_refused() -> None:
    with pytest.raises(StructureError) as caught:
        CommissionStructure("vip", 10_500, -500, 0, SEED_START)
    assert caught.value.code is StructureErrorCode.NEGATIVE


def test_a_structure_ending_on_or_before_its_start_is_refused() -> None:
    for end in (SEED_START, date(2025, 12, 1)):
        with pytest.raises(StructureError) as caught:
            CommissionStructure("vip", 5500, 500, 4000, SEED_START, end)
        assert caught.value.code is StructureErrorCode.BAD_PERIOD


def test_a_structure_dated_with_a_datetime_instead_of_a_day_is_refused() -> None:
    with pytest.raises(StructureError) as caught:
        CommissionStructure("vip", 5500, 500, 4000, datetime(2025, 12, 20))
    assert caught.value.code is StructureErrorCode.BAD_PERIOD


def test_structures_of_one_tier_that_overlap_are_refused_and_the_conflict_named() -> None:
    closed = CommissionStructure("vip", 5500, 500, 4000, SEED_START, date(2027, 1, 1))
    overlapping = CommissionStructure("vip", 6000, 500, 3500, date(2026, 12, 31))
    with pytest.raises(StructureError) as caught:
        check_no_overlap([closed], overlapping)
    assert caught.value.code is StructureErrorCode.OVERLAP
    assert caught.value.conflict == closed


def test_structures_touching_at_the_boundary_do_not_overlap() -> None:
    closed = CommissionStructure("vip", 5500, 500, 4000, SEED_START, date(2027, 1, 1))
    after = CommissionStructure("vip", 6000, 500, 3500, date(2027, 1, 1))
    check_no_overlap([closed], after)


def test_structures_of_different_tiers_never_overlap() -> None:
    basic = CommissionStructure("basic", 0, 0, 10_000, SEED_START)
    check_no_overlap([SEED], basic)


def test_adding_a_new_structure_closes_the_open_one_at_its_start() -> None:
    new = CommissionStructure("vip", 6000, 500, 3500, date(2027, 1, 1))
    result = add_structure([SEED], new)
    assert result == [
        CommissionStructure("vip", 5500, 500, 4000, SEED_START, date(2027, 1, 1)),
        new,
    ]


def test_adding_a_structure_leaves_the_given_list_untouched() -> None:
    existing = [SEED]
    add_structure(existing, CommissionStructure("vip", 6000, 500, 3500, date(2027, 1, 1)))
    assert existing == [SEED]


def test_adding_a_structure_starting_with_the_open_one_is_an_overlap() -> None:
    with pytest.raises(StructureError) as caught:
        add_structure([SEED], CommissionStructure("vip", 6000, 500, 3500, SEED_START))
    assert caught.value.code is StructureErrorCode.OVERLAP


def test_adding_a_structure_inside_an_already_closed_period_is_an_overlap() -> None:
    history = add_structure([SEED], CommissionStructure("vip", 6000, 500, 3500, date(2027, 1, 1)))
    with pytest.raises(StructureError) as caught:
        add_structure(history, CommissionStructure("vip", 5000, 500, 4500, date(2026, 6, 1)))
    assert caught.value.code is StructureErrorCode.OVERLAP


def test_adding_a_structure_for_another_tier_does_not_close_anything() -> None:
    basic = CommissionStructure("basic", 0, 0, 10_000, date(2027, 1, 1))
    assert add_structure([SEED], basic) == [SEED, basic]


def test_structure_on_picks_the_structure_in_force_on_the_report_date() -> None:
    new = CommissionStructure("vip", 6000, 500, 3500, date(2027, 1, 1))
    history = add_structure([SEED], new)
    old = structure_on(history, "vip", date(2026, 12, 31))
    assert old is not None
    assert (old.member_bp, old.leader_bp, old.owner_bp) == (5500, 500, 4000)
    assert structure_on(history, "vip", date(2027, 1, 1)) == new
    assert structure_on(history, "vip", date(2030, 1, 1)) == new


def test_structure_on_is_none_before_the_first_structure_and_for_other_tiers() -> None:
    assert structure_on([SEED], "vip", date(2025, 12, 19)) is None
    assert structure_on([SEED], "vip", SEED_START) == SEED
    assert structure_on([SEED], "basic", date(2026, 1, 1)) is None


# --- split ---------------------------------------------------------------------------------


def test_the_seed_split_gives_55_5_40() -> None:
    assert split_commission(100_000, SEED, has_leader=True) == CommissionSplit(
        total=100_000, member=55_000, leader=5_000, owner=40_000
    )


def test_without_a_leader_the_owner_keeps_the_leader_part() -> None:
    assert split_commission(100_000, SEED, has_leader=False) == CommissionSplit(
        total=100_000, member=55_000, leader=0, owner=45_000
    )


def test_member_and_leader_are_rounded_down_and_the_owner_gets_the_remainder() -> None:
    # 12.345 × 55% = 6.789,75 → 6.789; × 5% = 617,25 → 617; owner 12.345 − 7.406 = 4.939
    assert split_commission(12_345, SEED, has_leader=True) == CommissionSplit(
        total=12_345, member=6_789, leader=617, owner=4_939
    )


def test_a_fractional_percentage_splits_exactly() -> None:
    structure = CommissionStructure("vip", 5250, 500, 4250, SEED_START)
    assert split_commission(1_000, structure, has_leader=True) == CommissionSplit(
        total=1_000, member=525, leader=50, owner=425
    )


def test_a_zero_commission_splits_into_zeros() -> None:
    assert split_commission(0, SEED, has_leader=True) == CommissionSplit(0, 0, 0, 0)


@pytest.mark.parametrize("total", [-1, 1.5, True])
def test_split_refuses_negative_or_non_integer_totals(total: object) -> None:
    with pytest.raises(ValueError):
        split_commission(total, SEED, has_leader=True)  # type: ignore[arg-type]


# --- ledger entries of a commission ---------------------------------------------------------


def test_a_commission_credits_the_member_and_the_leader() -> None:
    split = CommissionSplit(100_000, 55_000, 5_000, 40_000)
    assert earnings_of(split, member_id=7, leader_id=3) == [
        Earning(7, LedgerKind.MEMBER_SHARE, 55_000),
        Earning(3, LedgerKind.LEADER_SHARE, 5_000),
    ]


def test_a_share_of_nothing_has_no_entry() -> None:
    assert earnings_of(CommissionSplit(0, 0, 0, 0), member_id=7, leader_id=3) == []
    only_leader = CommissionSplit(10, 0, 10, 0)
    assert earnings_of(only_leader, 7, None) == []
    assert earnings_of(only_leader, 7, 3) == [Earning(3, LedgerKind.LEADER_SHARE, 10)]


# --- what a tier without a structure would have earned ---------------------------------------


def test_a_basic_member_is_told_what_the_best_structure_in_force_would_pay() -> None:
    rich = CommissionStructure("vvip", 7000, 500, 2500, SEED_START)
    assert would_earn(100_000, [SEED], date(2026, 1, 1)) == 55_000
    assert would_earn(100_000, [SEED, rich], date(2026, 1, 1)) == 70_000


def test_nothing_would_be_earned_when_no_structure_is_in_force() -> None:
    assert would_earn(100_000, [], date(2026, 1, 1)) is None
    assert would_earn(100_000, [SEED], date(2025, 12, 19)) is None


def test_the_tiers_that_earn_on_a_day_are_those_with_a_structure_in_force() -> None:
    later = CommissionStructure("basic", 3000, 0, 7000, date(2027, 1, 1))
    assert earning_tiers([SEED, later], date(2026, 6, 1)) == {"vip"}
    assert earning_tiers([SEED, later], date(2027, 1, 1)) == {"vip", "basic"}
    assert earning_tiers([SEED], date(2025, 12, 19)) == set()


def test_a_new_structure_starts_tomorrow_at_the_earliest() -> None:
    assert earliest_new_structure(date(2026, 12, 31)) == date(2027, 1, 1)


# --- the tier on a report's day -------------------------------------------------------------

VIP, BASIC = Tier("vip", 2), Tier("basic", 1)
DAY0 = datetime(2026, 1, 1, tzinfo=UTC)


def day(n: int) -> tuple[datetime, datetime]:
    start = DAY0 + timedelta(days=n)
    return start, start + timedelta(days=1)


def span(
    membership_id: int,
    tier: Tier,
    activated: int,
    expires: int | None = None,
    ended: int | None = None,
) -> HeldSpan:
    return HeldSpan(
        membership_id,
        tier,
        DAY0 + timedelta(days=activated),
        None if ended is None else DAY0 + timedelta(days=ended),
        None if expires is None else DAY0 + timedelta(days=expires),
    )


def test_the_highest_tier_held_during_the_day_counts() -> None:
    spans = [span(1, BASIC, 0), span(2, VIP, 10, expires=40)]
    assert tier_during(spans, [], *day(5)) == BASIC
    assert tier_during(spans, [], *day(20)) == VIP
    assert tier_during(spans, [], *day(40)) == BASIC


def test_a_membership_counts_on_the_day_it_starts_or_ends_during() -> None:
    starts_at_noon = HeldSpan(1, VIP, DAY0 + timedelta(days=3, hours=12), None, None)
    assert tier_during([starts_at_noon], [], *day(3)) == VIP
    assert tier_during([starts_at_noon], [], *day(2)) is None
    ended_at_noon = HeldSpan(1, VIP, DAY0, DAY0 + timedelta(days=3, hours=12), None)
    assert tier_during([ended_at_noon], [], *day(3)) == VIP
    assert tier_during([ended_at_noon], [], *day(4)) is None


def test_an_ended_membership_stops_counting_even_before_its_expiry() -> None:
    assert tier_during([span(1, VIP, 0, expires=30, ended=10)], [], *day(15)) is None


def test_a_lapse_before_a_late_renewal_does_not_count() -> None:
    # VIP for 30 days from day 0, run out on day 30, renewed on day 35 (to day 65).
    spans = [span(1, BASIC, 0), span(2, VIP, 0, expires=65)]
    renewals = [Renewal(2, DAY0 + timedelta(days=30), DAY0 + timedelta(days=35))]
    assert tier_during(spans, renewals, *day(29)) == VIP
    assert tier_during(spans, renewals, *day(33)) == BASIC
    assert tier_during(spans, renewals, *day(35)) == VIP
    assert tier_during(spans, renewals, *day(50)) == VIP


def test_a_renewal_before_the_expiry_leaves_no_lapse() -> None:
    spans = [span(2, VIP, 0, expires=60)]
    renewals = [Renewal(2, DAY0 + timedelta(days=30), DAY0 + timedelta(days=25))]
    assert tier_during(spans, renewals, *day(27)) == VIP
    assert tier_during(spans, renewals, *day(31)) == VIP


def test_nothing_held_is_no_tier() -> None:
    assert tier_during([], [], *day(1)) is None
