"""What admins type, checked: usernames, account numbers, statuses, list filters, fields.

Each parser raises AffiliateError with the problem and what was given."""

from __future__ import annotations

from dataclasses import dataclass

from domain.affiliates import (
    AccountField,
    AccountFilter,
    FieldTooLong,
    account_number,
    checked_field,
    checked_notes,
    normal_username,
)
from domain.states import ShopStatus
from services.affiliates.problems import AffiliateError, AffiliateProblem

STATUS_WORDS = {
    "active": ShopStatus.ACTIVE,
    "aktif": ShopStatus.ACTIVE,
    "suspended": ShopStatus.SUSPENDED,
    "suspend": ShopStatus.SUSPENDED,
    "ditangguhkan": ShopStatus.SUSPENDED,
    "inactive": ShopStatus.INACTIVE,
    "nonaktif": ShopStatus.INACTIVE,
    "non-aktif": ShopStatus.INACTIVE,
    "tidakaktif": ShopStatus.INACTIVE,
}

_FILTER_WORDS = {
    "available": AccountFilter.AVAILABLE,
    "tersedia": AccountFilter.AVAILABLE,
    "kosong": AccountFilter.AVAILABLE,
    "free": AccountFilter.AVAILABLE,
    "assigned": AccountFilter.ASSIGNED,
    "dipakai": AccountFilter.ASSIGNED,
    "terpakai": AccountFilter.ASSIGNED,
    "suspended": AccountFilter.SUSPENDED,
    "suspend": AccountFilter.SUSPENDED,
    "ditangguhkan": AccountFilter.SUSPENDED,
    "inactive": AccountFilter.INACTIVE,
    "nonaktif": AccountFilter.INACTIVE,
    "all": AccountFilter.ALL,
    "semua": AccountFilter.ALL,
}


@dataclass(frozen=True, slots=True)
class AccountRef:
    """Which account an admin means: its number (`12`, `#12`) or `@username`."""

    id: int | None = None
    username: str | None = None

    def __str__(self) -> str:
        return f"#{self.id}" if self.id is not None else f"@{self.username}"


def parse_username(text: str) -> str:
    """`@Toko.Ani_01` → `toko.ani_01`; 2-24 letters, digits, dots, underscores."""
    name = normal_username(text)
    if name is None:
        raise AffiliateError(AffiliateProblem.BAD_USERNAME, given=text.strip()[:40])
    return name


def parse_account_ref(text: str) -> AccountRef:
    """`12` or `#12` → account number 12; `@name` (or `name`) → by username. A username
    made only of digits needs its `@`."""
    number = account_number(text)
    if number is not None:
        return AccountRef(id=number)
    name = normal_username(text)
    if name is None:
        raise AffiliateError(AffiliateProblem.BAD_ACCOUNT_REF, given=text.strip()[:40])
    return AccountRef(username=name)


def parse_status(text: str) -> ShopStatus:
    status = STATUS_WORDS.get(text.strip().lower())
    if status is None:
        raise AffiliateError(AffiliateProblem.BAD_STATUS, given=text.strip()[:32])
    return status


def parse_filter(text: str | None) -> AccountFilter | None:
    """The /accounts filter word (Indonesian or English); empty → all; None if unknown."""
    given = (text or "").strip().lower()
    if not given:
        return AccountFilter.ALL
    return _FILTER_WORDS.get(given)


def _field_name(field: AccountField) -> dict[str, str]:
    """The field as the admin reads it (translated), in a TOO_LONG problem."""
    return {"key": f"affiliates.field_{field.value}"}


def parse_field(which: AccountField, text: str | None) -> str | None:
    """One typed field (account id, shop id, shop name, notes) cleaned and checked against
    its limit (`domain.affiliates.checked_field`): TOO_LONG names the field and the limit."""
    try:
        return checked_field(which, text)
    except FieldTooLong as error:
        raise AffiliateError(
            AffiliateProblem.TOO_LONG, field=_field_name(error.field), max=error.limit
        ) from None


def parse_notes(text: str | None) -> str | None:
    """Notes as they replace the old ones (`domain.affiliates.checked_notes`)."""
    try:
        return checked_notes(text)
    except FieldTooLong as error:
        raise AffiliateError(
            AffiliateProblem.TOO_LONG, field=_field_name(error.field), max=error.limit
        ) from None
