"""Balances and payouts (SPEC "Balances and payouts"): what a member's ledger adds up to,
and how much an admin may pay out of it.

A balance is the sum of the member's ledger entries; a payout is at least one rupiah and
never more than is available ("everything available" when no amount is given). The
method and reference an admin types are kept with single spaces, within their limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from domain.states import LedgerKind

__all__ = [
    "MAX_PAYOUT_METHOD",
    "MAX_PAYOUT_REFERENCE",
    "MIN_PAYOUT",
    "Balance",
    "PayoutDetails",
    "PayoutError",
    "PayoutRefused",
    "amount_to_pay",
    "balance_from",
    "check_requested_amount",
    "payout_details",
]

MAX_PAYOUT_METHOD = 64
MAX_PAYOUT_REFERENCE = 128
MIN_PAYOUT = 1
"""One rupiah: a payout of nothing (or less) is a typo."""


class PayoutError(StrEnum):
    """Why a payout cannot be recorded."""

    NOTHING_AVAILABLE = "nothing_available"
    EXCEEDS_AVAILABLE = "exceeds_available"
    BAD_AMOUNT = "bad_amount"
    METHOD_MISSING = "method_missing"
    METHOD_TOO_LONG = "method_too_long"
    REFERENCE_TOO_LONG = "reference_too_long"


class PayoutRefused(ValueError):
    """Raised by the payout rules; ``code`` says which one refused."""

    def __init__(self, code: PayoutError) -> None:
        super().__init__(code.value)
        self.code = code


@dataclass(frozen=True, slots=True)
class PayoutDetails:
    """How the money went out, as it is recorded and told to the member."""

    method: str
    reference: str | None


def payout_details(method: str, reference: str | None) -> PayoutDetails:
    """The method and reference as recorded: runs of whitespace become one space, a
    blank reference is none. Refused: no method (``METHOD_MISSING``), a method over
    64 characters (``METHOD_TOO_LONG``), a reference over 128 (``REFERENCE_TOO_LONG``).

    ``"  BCA \\n transfer "``, ``" "`` → ``PayoutDetails("BCA transfer", None)``.
    """
    method = " ".join(method.split())
    cleaned = " ".join((reference or "").split()) or None
    if not method:
        raise PayoutRefused(PayoutError.METHOD_MISSING)
    if len(method) > MAX_PAYOUT_METHOD:
        raise PayoutRefused(PayoutError.METHOD_TOO_LONG)
    if cleaned is not None and len(cleaned) > MAX_PAYOUT_REFERENCE:
        raise PayoutRefused(PayoutError.REFERENCE_TOO_LONG)
    return PayoutDetails(method, cleaned)


def check_requested_amount(amount: int | None) -> None:
    """An amount an admin asks to pay: none (everything available) or at least
    ``MIN_PAYOUT``; otherwise ``BAD_AMOUNT``."""
    if amount is not None and amount < MIN_PAYOUT:
        raise PayoutRefused(PayoutError.BAD_AMOUNT)


def amount_to_pay(available: int, requested: int | None) -> int:
    """What a payout pays out of ``available``: ``requested``, or everything when None.

    Refused when nothing is available (``NOTHING_AVAILABLE``) and when ``requested`` is
    more than is available (``EXCEEDS_AVAILABLE``): 100.000 available, 150.000 asked.
    """
    if available <= 0:
        raise PayoutRefused(PayoutError.NOTHING_AVAILABLE)
    paying = available if requested is None else requested
    if paying > available:
        raise PayoutRefused(PayoutError.EXCEEDS_AVAILABLE)
    return paying


@dataclass(frozen=True, slots=True)
class Balance:
    """What a member sees (SPEC "Balances and payouts"); leader earnings apart."""

    validated_reports: int
    total_commission: int
    member_share: int
    leader_share: int
    pending_reports: int
    pending_claimed: int
    paid: int
    corrections: int
    available: int


def balance_from(
    sums: Mapping[LedgerKind, int],
    *,
    total_commission: int,
    validated_reports: int,
    pending_reports: int,
    pending_claimed: int,
) -> Balance:
    """A balance from the member's ledger sums per kind: available is every entry added
    up (earnings, corrections, minus payouts); paid is the payouts as a positive sum."""
    return Balance(
        validated_reports=validated_reports,
        total_commission=total_commission,
        member_share=sums.get(LedgerKind.MEMBER_SHARE, 0),
        leader_share=sums.get(LedgerKind.LEADER_SHARE, 0),
        pending_reports=pending_reports,
        pending_claimed=pending_claimed,
        paid=-sums.get(LedgerKind.PAYOUT, 0),
        corrections=sums.get(LedgerKind.CORRECTION, 0),
        available=sum(sums.values()),
    )
