"""What admins type into commands, parsed: who they mean, durations, prices, payment
methods and reasons; and the refusals (problem codes with params) every admin feature
answers with. Pure: nothing here reads or writes the database."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from domain.money import MAX_AMOUNT, parse_rupiah
from domain.states import PaymentMethodKind
from kernel.refusal import Refusal

MAX_REASON = 500
MAX_DURATION_DAYS = 3650
# A price under a thousand rupiah is a typo (a missing "rb"), never a real plan.
PRICE_MIN = 1_000
PRICE_MAX = MAX_AMOUNT
# Column sizes in storage/models.py (payment_methods).
LABEL_MAX = 64
ACCOUNT_NAME_MAX = 128
ACCOUNT_NUMBER_MAX = 64
METHOD_CODE_MAX = 32

_TELEGRAM_ID = re.compile(r"^[0-9]{1,19}$")
# Telegram usernames: a letter first, then letters, digits and underscores (5-32 in all;
# 4 is allowed for old and collectible names).
_USERNAME = re.compile(r"^@?([A-Za-z][A-Za-z0-9_]{3,31})$")
_LIFETIME_WORDS = frozenset({"lifetime", "seumurhidup", "seumur_hidup", "selamanya"})
_DAYS = re.compile(r"^([0-9]{1,6})\s*(?:d|day|days|hari)?$")
# Account and phone numbers: digits with spaces, dots or dashes between, an optional "+".
_ACCOUNT_NUMBER = re.compile(r"^\+?[0-9](?:[0-9 .\-]*[0-9])?$")
_ACCOUNT_DIGITS_MIN = 5


class AdminProblem(StrEnum):
    """Why an admin command changed nothing (each has a translated explanation)."""

    BAD_MEMBER_REF = "bad_member_ref"
    MEMBER_NOT_FOUND = "member_not_found"
    PLAN_NOT_FOUND = "plan_not_found"
    REASON_MISSING = "reason_missing"
    REASON_TOO_LONG = "reason_too_long"
    ALREADY_HOLDS = "already_holds"
    HOLDS_LIFETIME = "holds_lifetime"
    NOT_HELD = "not_held"
    NOT_ACTIVE = "not_active"
    TIER_NOT_FOUND = "tier_not_found"
    BAD_DURATION = "bad_duration"
    PLAN_EXISTS = "plan_exists"
    PLAN_EXISTS_RETIRED = "plan_exists_retired"
    SAME_PRICE = "same_price"
    ALREADY_RETIRED = "already_retired"
    ALREADY_ON_SALE = "already_on_sale"
    BAD_METHOD_KIND = "bad_method_kind"
    BAD_METHOD_FORMAT = "bad_method_format"
    BAD_LABEL = "bad_label"
    BAD_ACCOUNT_NAME = "bad_account_name"
    BAD_ACCOUNT_NUMBER = "bad_account_number"
    QRIS_NEEDS_PHOTO = "qris_needs_photo"
    METHOD_NOT_FOUND = "method_not_found"
    METHOD_ALREADY_OFF = "method_already_off"
    METHOD_ALREADY_ON = "method_already_on"


class AdminToolError(Refusal[AdminProblem]):
    """A refusal; `params` fill the problem's translated message."""


@dataclass(frozen=True, slots=True)
class MemberRef:
    """Who an admin means: a Telegram id or a @username (without the @)."""

    telegram_id: int | None = None
    username: str | None = None

    def __str__(self) -> str:
        return str(self.telegram_id) if self.telegram_id is not None else f"@{self.username}"


def parse_member_ref(text: str) -> MemberRef:
    """`123456789` → a Telegram id; `@ani_kreator` (or `ani_kreator`) → a username."""
    given = text.strip()
    if _TELEGRAM_ID.match(given) and 0 < int(given) < 2**63:
        return MemberRef(telegram_id=int(given))
    match = _USERNAME.match(given)
    if match is None:
        raise AdminToolError(AdminProblem.BAD_MEMBER_REF, given=given[:64])
    return MemberRef(username=match.group(1))


def parse_duration(text: str) -> int | None:
    """`30` (also `30d`, `30 hari`) → 30 days; `lifetime` → None. 1..3650 days."""
    given = text.strip().lower()
    if given in _LIFETIME_WORDS:
        return None
    match = _DAYS.match(given)
    if match is None or not 1 <= int(match.group(1)) <= MAX_DURATION_DAYS:
        raise AdminToolError(AdminProblem.BAD_DURATION, given=text.strip()[:32])
    return int(match.group(1))


def parse_price(text: str) -> int:
    """A plan price as people type it; raises domain.money.MoneyParseError."""
    return parse_rupiah(text, minimum=PRICE_MIN, maximum=PRICE_MAX)


@dataclass(frozen=True, slots=True)
class NewMethod:
    kind: PaymentMethodKind
    label: str
    account_name: str | None
    account_number: str | None


def _clean(text: str) -> str:
    return " ".join(text.split())


def parse_method(args: str) -> NewMethod:
    """`bank BCA | Budi Santoso | 123 456 7890`, `ewallet DANA | Budi | 0812-3456-7890`
    or `qris QRIS Toko Budi` (the QRIS picture comes with the command as a photo)."""
    kind_text, _, rest = args.strip().partition(" ")
    try:
        kind = PaymentMethodKind(kind_text.lower())
    except ValueError:
        raise AdminToolError(AdminProblem.BAD_METHOD_KIND, given=kind_text[:32]) from None
    if kind is PaymentMethodKind.QRIS:
        if "|" in rest:
            raise AdminToolError(AdminProblem.BAD_METHOD_FORMAT, kind=kind.value)
        return NewMethod(kind, _label(rest), None, None)
    parts = rest.split("|")
    if len(parts) != 3:
        raise AdminToolError(AdminProblem.BAD_METHOD_FORMAT, kind=kind.value)
    label, name, number = (_clean(part) for part in parts)
    if not 1 <= len(name) <= ACCOUNT_NAME_MAX:
        raise AdminToolError(AdminProblem.BAD_ACCOUNT_NAME, max=ACCOUNT_NAME_MAX)
    digits = sum(ch.isdigit() for ch in number)
    if (
        not _ACCOUNT_NUMBER.match(number)
        or len(number) > ACCOUNT_NUMBER_MAX
        or digits < _ACCOUNT_DIGITS_MIN
    ):
        raise AdminToolError(
            AdminProblem.BAD_ACCOUNT_NUMBER, given=number[: ACCOUNT_NUMBER_MAX + 8]
        )
    return NewMethod(kind, _label(label), name, number)


def _label(text: str) -> str:
    label = _clean(text)
    if not 1 <= len(label) <= LABEL_MAX:
        raise AdminToolError(AdminProblem.BAD_LABEL, max=LABEL_MAX)
    return label


def parse_reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise AdminToolError(AdminProblem.REASON_MISSING)
    if len(reason) > MAX_REASON:
        raise AdminToolError(AdminProblem.REASON_TOO_LONG, length=len(reason), max=MAX_REASON)
    return reason


def method_code(label: str, kind: PaymentMethodKind, taken: set[str]) -> str:
    """A short, unique slug of the label: `Bank BCA` → `bank_bca`, then `bank_bca_2`."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[:24].strip("_")
    base = base or kind.value
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}_{n}"
    return code[:METHOD_CODE_MAX]
