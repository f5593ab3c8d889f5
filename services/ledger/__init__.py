"""Commissions, the ledger, balances, payouts and commission structures
(SPEC "Commission split", "Balances and payouts").

Money only ever moves by inserting rows: a commission with its ledger entries when a
report is validated, a payout with its (negative) ledger entry when an admin pays.
Database triggers refuse updates and deletes on commissions, payouts and ledger
entries, `commissions.report_id` is unique, and a payout locks the member row (on
SQLite every transaction is BEGIN IMMEDIATE) so two taps can never overdraw.

- `commission.py`: the commission of a validated report (tier, structure and leader
  as of the report's day).
- `balance.py`: what a member's ledger adds up to (`member_balance`: /ledger MEMBER,
  the lookup in the same transaction).
- `payouts.py`: money paid to a member (`payout_to`: by the admin's MEMBER reference).
- `structures.py`: the commission split of each tier over time.
- `history.py`: a member's balance and payouts, a page at a time (the member card).
- `check.py`: `check_ledger` re-verifies all of it from the rows.
"""

from __future__ import annotations

from domain.payouts import Balance
from services.ledger._base import LedgerProblem, LedgerServiceError
from services.ledger.balance import Balances, MemberBalance
from services.ledger.check import LedgerCheck, check_ledger
from services.ledger.commission import (
    CommissionResult,
    create_commission,
    load_structures,
    tier_on,
)
from services.ledger.history import MemberLedger, PayoutHistory
from services.ledger.payouts import PayoutResult, Payouts
from services.ledger.structures import StructureRow, Structures

__all__ = [
    "Balance",
    "CommissionResult",
    "LedgerCheck",
    "LedgerProblem",
    "LedgerService",
    "LedgerServiceError",
    "MemberBalance",
    "MemberLedger",
    "PayoutResult",
    "StructureRow",
    "check_ledger",
    "create_commission",
    "load_structures",
    "tier_on",
]


class LedgerService(Balances, Payouts, Structures, PayoutHistory):
    """Balances, payouts and commission structures."""
