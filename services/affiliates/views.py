"""What the affiliate services hand out: frozen views for admins and holders, and results."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.affiliates import AccountFilter, is_available
from domain.states import ShopStatus
from services.affiliates.problems import RowProblem


@dataclass(frozen=True, slots=True)
class Holder:
    member_id: int
    telegram_id: int
    name: str
    username: str | None


@dataclass(frozen=True, slots=True)
class AccountCard:
    """What admins see of an account: never its login, only whether one is stored."""

    id: int
    username: str
    tiktok_account_id: str | None
    shop_id: str | None
    shop_name: str | None
    status: ShopStatus
    yellow_cart: bool
    yellow_cart_verified_at: datetime | None
    notes: str | None
    has_login: bool
    holder: Holder | None
    assigned_at: datetime | None
    created_at: datetime

    @property
    def available(self) -> bool:
        return is_available(self.holder.member_id if self.holder else None, self.status)


@dataclass(frozen=True, slots=True)
class Counts:
    available: int = 0
    assigned: int = 0
    suspended: int = 0
    inactive: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class AccountList:
    filter: AccountFilter
    accounts: tuple[AccountCard, ...]
    matching: int  # how many match the filter (more than shown when over LIST_SHOWN)
    counts: Counts


@dataclass(frozen=True, slots=True)
class AssignResult:
    account: AccountCard
    member: Holder


@dataclass(frozen=True, slots=True)
class UnassignResult:
    account: AccountCard
    former: Holder


@dataclass(frozen=True, slots=True)
class StatusResult:
    account: AccountCard
    old: ShopStatus
    alerted: bool  # the admin group was alerted (suspended while assigned)


@dataclass(frozen=True, slots=True)
class HeldAccount:
    """The holder's own account, for the /me VIP dashboard (never the login itself)."""

    id: int
    username: str
    shop_name: str | None
    shop_status: ShopStatus
    yellow_cart: bool
    yellow_cart_verified_at: datetime | None
    has_login: bool
    assigned_at: datetime | None


@dataclass(frozen=True, slots=True)
class Offer:
    """An account that could go to a member right now (the approval card's button)."""

    member_id: int
    member_name: str
    account_id: int
    username: str


@dataclass(frozen=True, slots=True)
class Issue:
    problem: RowProblem
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RowError:
    """Everything wrong with one row; `line` is the line number in the file."""

    line: int
    issues: tuple[Issue, ...]


@dataclass(frozen=True, slots=True)
class ImportResult:
    """`imported` is 0 whenever `errors` is not empty: a file goes in whole or not at all."""

    imported: int
    rows: int
    errors: tuple[RowError, ...] = ()
    usernames: tuple[str, ...] = ()
    with_login: int = 0


@dataclass(frozen=True, slots=True)
class RotationResult:
    rotated: int
    failed: tuple[int, ...]  # account ids no configured key opens

    @property
    def ok(self) -> bool:
        return not self.failed
