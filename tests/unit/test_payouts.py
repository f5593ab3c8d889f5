"""Payout limits and balances (SPEC "Balances and payouts")."""

import pytest

from domain.payouts import (
    MAX_PAYOUT_METHOD,
    MAX_PAYOUT_REFERENCE,
    Balance,
    PayoutDetails,
    PayoutError,
    PayoutRefused,
    amount_to_pay,
    balance_from,
    check_requested_amount,
    payout_details,
)
from domain.states import LedgerKind


def refusal(call: object, *args: object) -> PayoutError:
    with pytest.raises(PayoutRefused) as error:
        call(*args)  # type: ignore[operator]
    return error.value.code


def test_without_an_amount_everything_available_is_paid() -> None:
    assert amount_to_pay(100_000, None) == 100_000


def test_an_amount_up_to_the_balance_is_paid_as_asked() -> None:
    assert amount_to_pay(100_000, 40_000) == 40_000
    assert amount_to_pay(100_000, 100_000) == 100_000


def test_more_than_is_available_is_refused() -> None:
    assert refusal(amount_to_pay, 100_000, 150_000) is PayoutError.EXCEEDS_AVAILABLE
    assert refusal(amount_to_pay, 100_000, 100_001) is PayoutError.EXCEEDS_AVAILABLE


@pytest.mark.parametrize("available", [0, -5_000])
@pytest.mark.parametrize("requested", [None, 1, 50_000])
def test_nothing_is_paid_out_of_an_empty_or_negative_balance(
    available: int, requested: int | None
) -> None:
    assert refusal(amount_to_pay, available, requested) is PayoutError.NOTHING_AVAILABLE


@pytest.mark.parametrize("amount", [0, -1, -100_000])
def test_a_payout_of_nothing_or_less_is_refused(amount: int) -> None:
    assert refusal(check_requested_amount, amount) is PayoutError.BAD_AMOUNT


@pytest.mark.parametrize("amount", [None, 1, 10_000_000])
def test_no_amount_or_at_least_one_rupiah_may_be_asked(amount: int | None) -> None:
    check_requested_amount(amount)


def test_method_and_reference_are_kept_with_single_spaces() -> None:
    assert payout_details("  BCA \n transfer ", "  ref   12 ") == PayoutDetails(
        "BCA transfer", "ref 12"
    )


@pytest.mark.parametrize("reference", [None, "", "   \n "])
def test_a_blank_reference_is_none(reference: str | None) -> None:
    assert payout_details("BCA", reference) == PayoutDetails("BCA", None)


@pytest.mark.parametrize("method", ["", "   ", "\n\t"])
def test_a_payout_needs_a_method(method: str) -> None:
    assert refusal(payout_details, method, None) is PayoutError.METHOD_MISSING


def test_method_and_reference_have_limits_after_spaces_are_squeezed() -> None:
    assert payout_details("x" * MAX_PAYOUT_METHOD, "r" * MAX_PAYOUT_REFERENCE).method
    assert payout_details("a  " * 30 + "b", None).method == "a " * 30 + "b"
    long_method = "x" * (MAX_PAYOUT_METHOD + 1)
    assert refusal(payout_details, long_method, None) is PayoutError.METHOD_TOO_LONG
    long_reference = "r" * (MAX_PAYOUT_REFERENCE + 1)
    assert refusal(payout_details, "BCA", long_reference) is PayoutError.REFERENCE_TOO_LONG


def test_a_missing_method_is_named_before_a_long_reference() -> None:
    assert refusal(payout_details, " ", "r" * 500) is PayoutError.METHOD_MISSING


def test_a_balance_adds_up_every_kind_and_shows_payouts_as_paid() -> None:
    sums = {
        LedgerKind.MEMBER_SHARE: 110_000,
        LedgerKind.LEADER_SHARE: 5_000,
        LedgerKind.PAYOUT: -60_000,
        LedgerKind.CORRECTION: -1_000,
    }
    balance = balance_from(
        sums,
        total_commission=200_000,
        validated_reports=2,
        pending_reports=1,
        pending_claimed=50_000,
    )
    assert balance == Balance(
        validated_reports=2,
        total_commission=200_000,
        member_share=110_000,
        leader_share=5_000,
        pending_reports=1,
        pending_claimed=50_000,
        paid=60_000,
        corrections=-1_000,
        available=54_000,
    )


def test_an_empty_ledger_is_a_zero_balance() -> None:
    balance = balance_from(
        {}, total_commission=0, validated_reports=0, pending_reports=0, pending_claimed=0
    )
    assert (balance.available, balance.paid, balance.member_share, balance.corrections) == (
        0,
        0,
        0,
        0,
    )
