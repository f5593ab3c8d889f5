"""What every ledger use case shares: the service's fields and its refusals."""

from __future__ import annotations

from enum import StrEnum

from kernel.refusal import Refusal
from services.base import ServiceBase


class LedgerProblem(StrEnum):
    NOTHING_AVAILABLE = "nothing_available"
    EXCEEDS_AVAILABLE = "exceeds_available"
    BAD_AMOUNT = "bad_amount"
    METHOD_MISSING = "method_missing"
    METHOD_TOO_LONG = "method_too_long"
    REFERENCE_TOO_LONG = "reference_too_long"
    TIER_NOT_FOUND = "tier_not_found"
    STARTS_IN_PAST = "starts_in_past"
    OVERLAP = "overlap"
    SUM_NOT_100 = "sum_not_100"


class LedgerServiceError(Refusal[LedgerProblem]):
    """Why a payout or a structure was refused."""


class LedgerServiceBase(ServiceBase):
    """The ledger service's fields (see services/base.py)."""
