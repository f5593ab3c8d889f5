"""TikTok affiliate accounts (SPEC "Affiliate accounts"): what an account is and the rules
for giving one out, showing its login and changing it.

Pure rules, no I/O: services/affiliates/ asks them, storage/repos/affiliates.py hands out
`Account` values. An account is held by at most one member and a member holds at most one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from domain.states import ShopStatus

# Column sizes of affiliate_accounts (storage/models.py) and a sensible limit for notes.
ACCOUNT_ID_MAX = 64
SHOP_ID_MAX = 64
SHOP_NAME_MAX = 128
NOTES_MAX = 1000

# TikTok usernames: 2-24 letters, digits, dots and underscores.
_USERNAME = re.compile(r"^[A-Za-z0-9._]{2,24}$")
_ACCOUNT_NUMBER = re.compile(r"^#?([0-9]{1,18})$")


class AccountFilter(StrEnum):
    """Which accounts a listing shows."""

    AVAILABLE = "available"
    ASSIGNED = "assigned"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"
    ALL = "all"


class AccountField(StrEnum):
    """The free-text fields an admin types, each with its length limit."""

    TIKTOK_ACCOUNT_ID = "tiktok_account_id"
    SHOP_ID = "shop_id"
    SHOP_NAME = "shop_name"
    NOTES = "notes"

    @property
    def limit(self) -> int:
        return _LIMITS[self]


_LIMITS = {
    AccountField.TIKTOK_ACCOUNT_ID: ACCOUNT_ID_MAX,
    AccountField.SHOP_ID: SHOP_ID_MAX,
    AccountField.SHOP_NAME: SHOP_NAME_MAX,
    AccountField.NOTES: NOTES_MAX,
}


class FieldTooLong(ValueError):
    """A field over its limit; `field` and `limit` name them for the message."""

    def __init__(self, field: AccountField, limit: int) -> None:
        super().__init__(field.value)
        self.field = field
        self.limit = limit


@dataclass(frozen=True, slots=True)
class Account:
    """An account in the pool. `credentials_encrypted` is a sealed token, never a login."""

    id: int
    tiktok_username: str
    tiktok_account_id: str | None
    shop_id: str | None
    shop_name: str | None
    shop_status: ShopStatus
    yellow_cart: bool
    yellow_cart_verified_at: datetime | None
    notes: str | None
    credentials_encrypted: str | None = field(repr=False)
    holder_member_id: int | None
    assigned_at: datetime | None
    assigned_by: int | None
    created_at: datetime

    @property
    def has_login(self) -> bool:
        return self.credentials_encrypted is not None

    @property
    def available(self) -> bool:
        return is_available(self.holder_member_id, self.shop_status)


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account as an admin typed it, checked. `credentials` is already a sealed token."""

    username: str
    tiktok_account_id: str | None = None
    shop_id: str | None = None
    shop_name: str | None = None
    shop_status: ShopStatus = ShopStatus.ACTIVE
    yellow_cart: bool = False
    yellow_cart_verified_at: datetime | None = None
    notes: str | None = None
    credentials: str | None = field(default=None, repr=False)


def is_available(holder_member_id: int | None, status: ShopStatus) -> bool:
    """An account can be given out when nobody holds it and its shop is active."""
    return holder_member_id is None and status is ShopStatus.ACTIVE


def normal_username(text: str) -> str | None:
    """`@Toko.Ani_01` → `toko.ani_01`: 2-24 letters, digits, dots, underscores, with or
    without the `@`, kept in lower case. None when it is not such a name."""
    given = text.strip()
    name = given[1:] if given.startswith("@") else given
    return name.lower() if _USERNAME.match(name) else None


def account_number(text: str) -> int | None:
    """`12` or `#12` → 12 (an account's number); None for anything else."""
    match = _ACCOUNT_NUMBER.match(text.strip())
    return int(match.group(1)) if match is not None else None


def clean_text(text: str | None) -> str | None:
    """Runs of spaces and line breaks become one space; nothing left → None."""
    cleaned = " ".join((text or "").split())
    return cleaned or None


def checked_field(which: AccountField, text: str | None) -> str | None:
    """A typed field, cleaned (`clean_text`); raises FieldTooLong over its limit
    (`shop_name` of 129 characters is refused, of 128 kept)."""
    value = clean_text(text)
    if value is not None and len(value) > which.limit:
        raise FieldTooLong(which, which.limit)
    return value


def checked_notes(text: str | None) -> str | None:
    """Notes replace the old ones as typed (only the ends trimmed, line breaks kept);
    blank clears them; over NOTES_MAX raises FieldTooLong."""
    value = (text or "").strip() or None
    if value is not None and len(value) > NOTES_MAX:
        raise FieldTooLong(AccountField.NOTES, NOTES_MAX)
    return value


class Unassignable(StrEnum):
    TAKEN = "taken"
    NOT_ACTIVE = "not_active"


def why_unassignable(account: Account) -> Unassignable | None:
    """Why this account cannot be given to anyone now: someone holds it, or its shop is
    not active. None when it can."""
    if account.holder_member_id is not None:
        return Unassignable.TAKEN
    if account.shop_status is not ShopStatus.ACTIVE:
        return Unassignable.NOT_ACTIVE
    return None


def offer(is_vip: bool, held: Account | None, candidate: Account | None) -> Account | None:
    """The account to offer a member: the next available one (`candidate`), only to an
    active VIP who holds none."""
    if not is_vip or held is not None:
        return None
    return candidate


def may_reveal(held: Account | None, is_vip: bool) -> bool:
    """Only the holder sees the login, and only while their VIP access lasts."""
    return held is not None and is_vip


class CartRefusal(StrEnum):
    ALREADY_VERIFIED = "already_verified"
    NOT_VERIFIED = "not_verified"


def cart_refusal(account: Account, verified: bool) -> CartRefusal | None:
    """Marking the yellow cart verified keeps the first date, so a second mark is refused;
    taking it back needs a yellow cart to take back."""
    if verified and account.yellow_cart and account.yellow_cart_verified_at is not None:
        return CartRefusal.ALREADY_VERIFIED
    if not verified and not account.yellow_cart:
        return CartRefusal.NOT_VERIFIED
    return None


def suspension_alerts(status: ShopStatus, account: Account) -> bool:
    """A held account becoming suspended alerts the admin group and tells the holder."""
    return status is ShopStatus.SUSPENDED and account.holder_member_id is not None


class VerifiedDayProblem(StrEnum):
    FUTURE = "future"
    WITHOUT_CART = "without_cart"


def verified_day_problem(day: date, today: date, cart: bool | None) -> VerifiedDayProblem | None:
    """A yellow cart's verification day from a file: not after today, and not on a row
    that says it has no yellow cart (a day with the cart left blank means it has one)."""
    if day > today:
        return VerifiedDayProblem.FUTURE
    if cart is False:
        return VerifiedDayProblem.WITHOUT_CART
    return None
