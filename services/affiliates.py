"""TikTok affiliate accounts (SPEC "Affiliate accounts"): the pool, assignments, status.

An account is held by at most one member and a member holds at most one account
(unique `holder_member_id`); every assignment is also kept in `affiliate_assignments`.

Admins add accounts one by one or from a CSV file (all rows or none), list them by
state, assign one to an active VIP (by hand, or the next available one), take it
back, change its shop status, mark its yellow cart verified and keep notes. Every
change is one transaction with its `admin_actions` audit row and the messages it
causes (the holder, the admin group) queued in the outbox. Logins are stored
encrypted (services/credentials.py); admins only ever see whether one is stored,
and only the holder gets it decrypted (`credentials_for`). Refusals raise
`AffiliateError` with a problem code and translation-ready params; nothing is
written then.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from domain.language import resolve_language
from domain.states import ShopStatus
from kernel.actions import DELETE_ACTION
from kernel.actor import Actor
from kernel.clock import Clock
from kernel.notices import Notice
from kernel.refusal import Refusal
from services.entitlement import has_access
from services.credentials import MAX_SECRET, CredentialsError, CredentialsProblem, Login, Vault
from services.people import full_name
from storage.models import (
    AdminAction,
    AffiliateAccount,
    AffiliateAssignment,
    Member,
    PaymentRequest,
)
from storage.uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "EXPORT_COLUMNS",
    "IMPORT_COLUMNS",
    "MAX_IMPORT_BYTES",
    "MAX_IMPORT_ROWS",
    "AccountCard",
    "AccountFilter",
    "AccountList",
    "AccountRef",
    "AffiliateError",
    "AffiliateProblem",
    "AffiliateService",
    "AssignResult",
    "Counts",
    "HeldAccount",
    "Holder",
    "ImportResult",
    "Issue",
    "NewAccount",
    "Offer",
    "RotationResult",
    "RowError",
    "RowProblem",
    "StatusResult",
    "UnassignResult",
    "parse_account_ref",
    "parse_csv",
    "parse_filter",
    "parse_status",
    "parse_username",
    "release_account",
    "rotate_credentials",
]

# Column sizes in storage/models.py (affiliate_accounts) and sensible text limits.
ACCOUNT_ID_MAX = 64
SHOP_ID_MAX = 64
SHOP_NAME_MAX = 128
NOTES_MAX = 1000
MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_ROWS = 1000
LIST_SHOWN = 50
UNASSIGN_REASON = "admin"

# TikTok usernames: 2-24 letters, digits, dots and underscores.
_USERNAME = re.compile(r"^[A-Za-z0-9._]{2,24}$")
_ACCOUNT_ID = re.compile(r"^#?([0-9]{1,18})$")
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")

IMPORT_COLUMNS = (
    "tiktok_username",
    "tiktok_account_id",
    "shop_id",
    "shop_name",
    "shop_status",
    "yellow_cart",
    "yellow_cart_verified_at",
    "notes",
    "login",
    "password",
)
# An export can be imported again: these columns of it are ignored on import.
EXPORT_ONLY_COLUMNS = (
    "id",
    "login_stored",
    "holder_telegram_id",
    "holder_name",
    "assigned_at",
    "created_at",
)
EXPORT_COLUMNS = (
    "id",
    "tiktok_username",
    "tiktok_account_id",
    "shop_id",
    "shop_name",
    "shop_status",
    "yellow_cart",
    "yellow_cart_verified_at",
    "notes",
    "login_stored",
    "holder_telegram_id",
    "holder_name",
    "assigned_at",
    "created_at",
)
_COLUMN_ALIASES = {"username": "tiktok_username", "tiktok": "tiktok_username"}

_YES = frozenset({"yes", "y", "true", "1", "ya", "iya", "ada"})
_NO = frozenset({"no", "n", "false", "0", "tidak", "tdk", "nggak", "tak", "belum"})
_STATUS_WORDS = {
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


class AffiliateProblem(StrEnum):
    """Why an affiliate action changed nothing (each has a translated explanation)."""

    BAD_ACCOUNT_REF = "bad_account_ref"
    ACCOUNT_NOT_FOUND = "account_not_found"
    MEMBER_NOT_FOUND = "member_not_found"
    BAD_USERNAME = "bad_username"
    USERNAME_TAKEN = "username_taken"
    TOO_LONG = "too_long"
    BAD_STATUS = "bad_status"
    SAME_STATUS = "same_status"
    NOT_VIP = "not_vip"
    MEMBER_HAS_ACCOUNT = "member_has_account"
    ACCOUNT_TAKEN = "account_taken"
    ACCOUNT_NOT_ACTIVE = "account_not_active"
    NONE_AVAILABLE = "none_available"
    NOT_ASSIGNED = "not_assigned"
    ALREADY_VERIFIED = "already_verified"
    NOT_VERIFIED = "not_verified"
    NO_KEYS = "no_keys"
    BAD_LOGIN = "bad_login"
    # The holder's side.
    NO_ACCOUNT = "no_account"
    NO_LOGIN = "no_login"
    # A CSV file as a whole.
    FILE_EMPTY = "file_empty"
    FILE_TOO_BIG = "file_too_big"
    FILE_NOT_UTF8 = "file_not_utf8"
    FILE_NOT_CSV = "file_not_csv"
    TOO_MANY_ROWS = "too_many_rows"
    NO_USERNAME_COLUMN = "no_username_column"
    UNKNOWN_COLUMNS = "unknown_columns"
    DUPLICATE_COLUMNS = "duplicate_columns"
    NO_ROWS = "no_rows"
    LOGIN_WITHOUT_KEYS = "login_without_keys"
    CHANGED_MEANWHILE = "changed_meanwhile"


class AffiliateError(Refusal[AffiliateProblem]):
    """A refusal; `params` fill the problem's translated message."""


class RowProblem(StrEnum):
    """What is wrong with one row of an imported CSV file."""

    NO_USERNAME = "no_username"
    BAD_USERNAME = "bad_username"
    DUPLICATE_IN_FILE = "duplicate_in_file"
    EXISTS = "exists"
    TOO_LONG = "too_long"
    TOO_MANY_VALUES = "too_many_values"
    BAD_STATUS = "bad_status"
    BAD_YES_NO = "bad_yes_no"
    BAD_DATE = "bad_date"
    FUTURE_DATE = "future_date"
    DATE_WITHOUT_CART = "date_without_cart"
    LOGIN_PAIR = "login_pair"
    SECRET_TOO_LONG = "secret_too_long"


class AccountFilter(StrEnum):
    AVAILABLE = "available"
    ASSIGNED = "assigned"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"
    ALL = "all"


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


# ---------------------------------------------------------------------------- parsing


@dataclass(frozen=True, slots=True)
class AccountRef:
    """Which account an admin means: its number (`12`, `#12`) or `@username`."""

    id: int | None = None
    username: str | None = None

    def __str__(self) -> str:
        return f"#{self.id}" if self.id is not None else f"@{self.username}"


def parse_username(text: str) -> str:
    """`@Toko.Ani_01` → `toko.ani_01`; 2-24 letters, digits, dots, underscores."""
    given = text.strip()
    name = given[1:] if given.startswith("@") else given
    if not _USERNAME.match(name):
        raise AffiliateError(AffiliateProblem.BAD_USERNAME, given=given[:40])
    return name.lower()


def parse_account_ref(text: str) -> AccountRef:
    """`12` or `#12` → account number 12; `@name` (or `name`) → by username. A username
    made only of digits needs its `@`."""
    given = text.strip()
    match = _ACCOUNT_ID.match(given)
    if match is not None:
        return AccountRef(id=int(match.group(1)))
    try:
        return AccountRef(username=parse_username(given))
    except AffiliateError:
        raise AffiliateError(AffiliateProblem.BAD_ACCOUNT_REF, given=given[:40]) from None


def parse_status(text: str) -> ShopStatus:
    status = _STATUS_WORDS.get(text.strip().lower())
    if status is None:
        raise AffiliateError(AffiliateProblem.BAD_STATUS, given=text.strip()[:32])
    return status


def parse_filter(text: str | None) -> AccountFilter | None:
    """The /accounts filter word (Indonesian or English); empty → all; None if unknown."""
    given = (text or "").strip().lower()
    if not given:
        return AccountFilter.ALL
    return _FILTER_WORDS.get(given)


def _clean(text: str | None) -> str | None:
    cleaned = " ".join((text or "").split())
    return cleaned or None


def _optional(text: str | None, what: str, limit: int) -> str | None:
    value = _clean(text)
    if value is not None and len(value) > limit:
        raise AffiliateError(AffiliateProblem.TOO_LONG, field=what, max=limit)
    return value


def _parse_yes_no(text: str) -> bool | None:
    given = text.strip().lower()
    if not given:
        return None
    if given in _YES:
        return True
    if given in _NO:
        return False
    raise ValueError(given)


def _parse_date(text: str) -> date:
    given = text.strip()
    # A spreadsheet may add a time ("2026-01-05 00:00:00"): the day is what counts.
    given = given.split(" ", 1)[0].split("T", 1)[0]
    if match := _ISO_DATE.match(given):
        return date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DMY_DATE.match(given):
        return date(int(match[3]), int(match[2]), int(match[1]))
    raise ValueError(given)


def _day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=zone)


def _spreadsheet_safe(text: str) -> str:
    """Keep spreadsheet programs from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") and len(text) > 1 else text


async def release_account(
    uow: UnitOfWork, member_id: int, reason: str, now: datetime
) -> AffiliateAccount | None:
    """Return the member's account to the pool (inside the caller's transaction).

    None when they held none. The assignment history row is closed with `reason`."""
    found = await uow.session.execute(
        select(AffiliateAccount).where(AffiliateAccount.holder_member_id == member_id)
    )
    account = found.scalar_one_or_none()
    if account is None:
        return None
    released = await uow.session.execute(
        update(AffiliateAccount)
        .where(
            AffiliateAccount.id == account.id,
            AffiliateAccount.holder_member_id == member_id,
        )
        .values(holder_member_id=None, assigned_at=None, assigned_by=None)
    )
    if not released.rowcount:  # type: ignore[attr-defined]
        return None
    await uow.session.execute(
        update(AffiliateAssignment)
        .where(
            AffiliateAssignment.account_id == account.id,
            AffiliateAssignment.member_id == member_id,
            AffiliateAssignment.unassigned_at.is_(None),
        )
        .values(unassigned_at=now, unassign_reason=reason[:32])
    )
    await uow.session.refresh(account)
    return account


# ---------------------------------------------------------------------------- views


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
        return self.holder is None and self.status is ShopStatus.ACTIVE


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


# ---------------------------------------------------------------------------- CSV import


@dataclass(frozen=True, slots=True)
class _ParsedRow:
    line: int
    account: NewAccount
    login: Login | None = field(default=None, repr=False)


def _decode(data: bytes) -> str:
    if not data.strip():
        raise AffiliateError(AffiliateProblem.FILE_EMPTY)
    if len(data) > MAX_IMPORT_BYTES:
        raise AffiliateError(
            AffiliateProblem.FILE_TOO_BIG, size=len(data), max=MAX_IMPORT_BYTES // 1000
        )
    if b"\x00" in data:
        raise AffiliateError(AffiliateProblem.FILE_NOT_CSV)
    try:
        # utf-8-sig drops the byte-order mark Excel writes ("CSV UTF-8").
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AffiliateError(AffiliateProblem.FILE_NOT_UTF8) from None


def _delimiter(header_line: str) -> str:
    """Indonesian Excel writes `;`; others `,`; some tools a tab. The header decides."""
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _column(name: str) -> str:
    normal = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return _COLUMN_ALIASES.get(normal, normal)


def _header(cells: list[str]) -> list[str]:
    columns = [_column(c) for c in cells]
    named = [c for c in columns if c]
    twice = sorted({c for c in named if named.count(c) > 1})
    if twice:
        raise AffiliateError(AffiliateProblem.DUPLICATE_COLUMNS, columns=", ".join(twice)[:200])
    unknown = [c for c in named if c not in IMPORT_COLUMNS and c not in EXPORT_ONLY_COLUMNS]
    if unknown:
        raise AffiliateError(
            AffiliateProblem.UNKNOWN_COLUMNS,
            columns=", ".join(unknown)[:200],
            known=", ".join(IMPORT_COLUMNS),
        )
    if "tiktok_username" not in columns:
        raise AffiliateError(AffiliateProblem.NO_USERNAME_COLUMN)
    return columns


def _parse_row(
    line: int,
    values: dict[str, str],
    extra: bool,
    zone: ZoneInfo,
    today: date,
    seen: dict[str, int],
) -> tuple[_ParsedRow | None, list[Issue]]:
    issues: list[Issue] = []
    if extra:
        issues.append(Issue(RowProblem.TOO_MANY_VALUES))
    raw_name = values.get("tiktok_username", "").strip()
    username = ""
    if not raw_name:
        issues.append(Issue(RowProblem.NO_USERNAME))
    else:
        try:
            username = parse_username(raw_name)
        except AffiliateError:
            issues.append(Issue(RowProblem.BAD_USERNAME, {"given": raw_name[:40]}))
    if username:
        if username in seen:
            issues.append(
                Issue(RowProblem.DUPLICATE_IN_FILE, {"username": username, "first": seen[username]})
            )
        else:
            seen[username] = line
    texts: dict[str, str | None] = {}
    for column, limit in (
        ("tiktok_account_id", ACCOUNT_ID_MAX),
        ("shop_id", SHOP_ID_MAX),
        ("shop_name", SHOP_NAME_MAX),
        ("notes", NOTES_MAX),
    ):
        value = _clean(values.get(column))
        if value is not None and len(value) > limit:
            issues.append(Issue(RowProblem.TOO_LONG, {"column": column, "max": limit}))
        texts[column] = value
    status = ShopStatus.ACTIVE
    given_status = values.get("shop_status", "").strip()
    if given_status:
        found = _STATUS_WORDS.get(given_status.lower())
        if found is None:
            issues.append(Issue(RowProblem.BAD_STATUS, {"given": given_status[:32]}))
        else:
            status = found
    cart: bool | None = None
    try:
        cart = _parse_yes_no(values.get("yellow_cart", ""))
    except ValueError:
        given = values.get("yellow_cart", "").strip()
        issues.append(Issue(RowProblem.BAD_YES_NO, {"column": "yellow_cart", "given": given[:32]}))
    verified_at: datetime | None = None
    given_date = values.get("yellow_cart_verified_at", "").strip()
    if given_date:
        try:
            day = _parse_date(given_date)
        except ValueError:
            issues.append(Issue(RowProblem.BAD_DATE, {"given": given_date[:32]}))
        else:
            if day > today:
                issues.append(Issue(RowProblem.FUTURE_DATE, {"given": given_date[:32]}))
            elif cart is False:
                issues.append(Issue(RowProblem.DATE_WITHOUT_CART))
            else:
                verified_at = _day_start(day, zone)
                cart = True
    login_text = values.get("login", "").strip()
    password_text = values.get("password", "").strip()
    login: Login | None = None
    if bool(login_text) != bool(password_text):
        issues.append(Issue(RowProblem.LOGIN_PAIR))
    elif login_text:
        try:
            login = Vault.check(login_text, password_text)
        except CredentialsError as error:
            issues.append(Issue(RowProblem.SECRET_TOO_LONG, {"max": error.params.get("max", 0)}))
    if issues:
        return None, issues
    account = NewAccount(
        username=username,
        tiktok_account_id=texts["tiktok_account_id"],
        shop_id=texts["shop_id"],
        shop_name=texts["shop_name"],
        shop_status=status,
        yellow_cart=bool(cart),
        yellow_cart_verified_at=verified_at,
        notes=texts["notes"],
    )
    return _ParsedRow(line, account, login), []


def parse_csv(
    data: bytes, zone: ZoneInfo, now: datetime
) -> tuple[list[_ParsedRow], list[RowError]]:
    """Every row of the file, checked on its own and against the other rows (not yet
    against the database). File-level problems raise AffiliateError."""
    text = _decode(data)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    columns: list[str] | None = None
    today = now.astimezone(zone).date()
    parsed: list[_ParsedRow] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    rows = 0
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if columns is None:
                columns = _header(cells)
                continue
            rows += 1
            if rows > MAX_IMPORT_ROWS:
                raise AffiliateError(AffiliateProblem.TOO_MANY_ROWS, max=MAX_IMPORT_ROWS)
            values = {c: v for c, v in zip(columns, cells, strict=False) if c}
            extra = len(cells) > len(columns) and any(v.strip() for v in cells[len(columns) :])
            row, issues = _parse_row(reader.line_num, values, extra, zone, today, seen)
            if row is not None:
                parsed.append(row)
            else:
                errors.append(RowError(reader.line_num, tuple(issues)))
    except csv.Error:
        raise AffiliateError(AffiliateProblem.FILE_NOT_CSV) from None
    if columns is None:
        raise AffiliateError(AffiliateProblem.FILE_EMPTY)
    if rows == 0:
        raise AffiliateError(AffiliateProblem.NO_ROWS)
    return parsed, errors


# ---------------------------------------------------------------------------- the service


def _holder(member: Member) -> Holder:
    return Holder(member.id, member.telegram_id, full_name(member), member.username)


def _available_clause() -> Any:
    return (AffiliateAccount.holder_member_id.is_(None)) & (
        AffiliateAccount.shop_status == ShopStatus.ACTIVE
    )


def _filter_clause(which: AccountFilter) -> Any:
    if which is AccountFilter.AVAILABLE:
        return _available_clause()
    if which is AccountFilter.ASSIGNED:
        return AffiliateAccount.holder_member_id.is_not(None)
    if which is AccountFilter.SUSPENDED:
        return AffiliateAccount.shop_status == ShopStatus.SUSPENDED
    if which is AccountFilter.INACTIVE:
        return AffiliateAccount.shop_status == ShopStatus.INACTIVE
    return None


async def _has_access(uow: UnitOfWork, member_id: int, now: datetime) -> bool:

    return await has_access(uow, member_id, now)


class AffiliateService:
    """The pool as admins and holders see it: add, import/export CSV, list,
    assign/unassign, status, yellow cart, notes, and the holder's own account and login."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        admin_chat_id: int,
        keys: tuple[str, ...] = (),
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
        self.admin_chat_id = admin_chat_id
        self.keys = keys
        try:
            self._vault: Vault | None = Vault(keys)
            self._vault_error: CredentialsError | None = None
        except CredentialsError as error:  # settings validate keys; this is the last guard
            self._vault, self._vault_error = None, error

    # ------------------------------------------------------------------ the vault

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            assert self._vault_error is not None
            raise self._vault_error
        return self._vault

    @property
    def can_store_logins(self) -> bool:
        return self._vault is not None and self._vault.configured

    def seal(self, login: str, password: str) -> str:
        """A login as a token to store (raises AffiliateError NO_KEYS / BAD_LOGIN)."""
        if not self.can_store_logins:
            raise AffiliateError(AffiliateProblem.NO_KEYS)
        try:
            return self.vault.encrypt(login, password)
        except CredentialsError:
            raise AffiliateError(AffiliateProblem.BAD_LOGIN, max=MAX_SECRET) from None

    def seal_text(self, text: str) -> str:
        """One half of a login held between two steps of a guided flow, encrypted."""
        if not self.can_store_logins:
            raise AffiliateError(AffiliateProblem.NO_KEYS)
        return self.seal(text, "-")

    def open_text(self, token: str) -> str:
        return self.vault.decrypt(token).login

    # ------------------------------------------------------------------ helpers

    def _day(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    async def _account(
        self, uow: UnitOfWork, ref: AccountRef | int, *, lock: bool = False
    ) -> AffiliateAccount:
        if isinstance(ref, int):
            ref = AccountRef(id=ref)
        query = select(AffiliateAccount)
        if ref.id is not None:
            query = query.where(AffiliateAccount.id == ref.id)
        else:
            query = query.where(AffiliateAccount.tiktok_username == (ref.username or "").lower())
        if lock:
            query = query.with_for_update()
        found = (await uow.session.execute(query)).scalar_one_or_none()
        if found is None:
            raise AffiliateError(AffiliateProblem.ACCOUNT_NOT_FOUND, given=str(ref))
        return found

    async def _card(self, uow: UnitOfWork, row: AffiliateAccount) -> AccountCard:
        holder = None
        if row.holder_member_id is not None:
            member = await uow.session.get(Member, row.holder_member_id)
            if member is not None:
                holder = _holder(member)
        return AccountCard(
            id=row.id,
            username=row.tiktok_username,
            tiktok_account_id=row.tiktok_account_id,
            shop_id=row.shop_id,
            shop_name=row.shop_name,
            status=ShopStatus(row.shop_status),
            yellow_cart=row.yellow_cart,
            yellow_cart_verified_at=row.yellow_cart_verified_at,
            notes=row.notes,
            has_login=row.credentials_encrypted is not None,
            holder=holder,
            assigned_at=row.assigned_at,
            created_at=row.created_at,
        )

    def _audit(
        self, uow: UnitOfWork, admin: Actor, action: str, account_id: int, **details: Any
    ) -> None:
        uow.session.add(
            AdminAction(
                actor_telegram_id=admin.telegram_id,
                action=action,
                target=f"affiliate_account:{account_id}",
                details={"name": admin.name, **details},
                created_at=self.clock.now(),
            )
        )

    async def _alert(
        self, uow: UnitOfWork, key: str, params: dict[str, Any], dedupe: str, now: datetime
    ) -> bool:
        notice = Notice(
            chat_id=self.admin_chat_id,
            text_key=key,
            language=self.default_language,
            params=params,
            dedupe_key=dedupe,
        )
        return await uow.outbox.enqueue(notice, now)

    async def _next_available(
        self, uow: UnitOfWork, *, lock: bool = False
    ) -> AffiliateAccount | None:
        query = (
            select(AffiliateAccount)
            .where(_available_clause())
            .order_by(AffiliateAccount.id)
            .limit(1)
        )
        if lock:
            query = query.with_for_update(skip_locked=True)
        return (await uow.session.execute(query)).scalar_one_or_none()

    async def _held_by(self, uow: UnitOfWork, member_id: int) -> AffiliateAccount | None:
        found = await uow.session.execute(
            select(AffiliateAccount).where(AffiliateAccount.holder_member_id == member_id)
        )
        return found.scalar_one_or_none()

    # ------------------------------------------------------------------ adding

    async def _username_free(self, uow: UnitOfWork, username: str) -> bool:
        found = await uow.session.execute(
            select(AffiliateAccount.id).where(AffiliateAccount.tiktok_username == username)
        )
        return found.first() is None

    async def username_free(self, username: str) -> bool:
        async with self.uow() as uow:
            return await self._username_free(uow, username)

    def new_account(
        self,
        username: str,
        *,
        tiktok_account_id: str | None = None,
        shop_id: str | None = None,
        shop_name: str | None = None,
        notes: str | None = None,
        credentials: str | None = None,
    ) -> NewAccount:
        """Check what an admin typed (raises AffiliateError) into a NewAccount."""
        return NewAccount(
            username=parse_username(username),
            tiktok_account_id=_optional(tiktok_account_id, "tiktok_account_id", ACCOUNT_ID_MAX),
            shop_id=_optional(shop_id, "shop_id", SHOP_ID_MAX),
            shop_name=_optional(shop_name, "shop_name", SHOP_NAME_MAX),
            notes=_optional(notes, "notes", NOTES_MAX),
            credentials=credentials,
        )

    async def add(self, new: NewAccount, admin: Actor) -> AccountCard:
        now = self.clock.now()
        async with self.uow() as uow:
            if not await self._username_free(uow, new.username):
                raise AffiliateError(AffiliateProblem.USERNAME_TAKEN, username=new.username)
            row = self._row(new, now)
            uow.session.add(row)
            await uow.session.flush()
            self._audit(
                uow,
                admin,
                "affiliate_add",
                row.id,
                username=new.username,
                login_stored=new.credentials is not None,
            )
            card = await self._card(uow, row)
            try:
                await uow.commit()
            except IntegrityError:
                raise AffiliateError(
                    AffiliateProblem.USERNAME_TAKEN, username=new.username
                ) from None
            return card

    @staticmethod
    def _row(new: NewAccount, now: datetime) -> AffiliateAccount:
        return AffiliateAccount(
            tiktok_username=new.username,
            tiktok_account_id=new.tiktok_account_id,
            shop_id=new.shop_id,
            shop_name=new.shop_name,
            shop_status=new.shop_status,
            yellow_cart=new.yellow_cart,
            yellow_cart_verified_at=new.yellow_cart_verified_at,
            notes=new.notes,
            credentials_encrypted=new.credentials,
            created_at=now,
        )

    async def import_csv(self, data: bytes, admin: Actor) -> ImportResult:
        """Every row checked (format, duplicates in the file and in the pool); with any
        bad row nothing is imported and each bad row is named. Logins are encrypted."""
        now = self.clock.now()
        parsed, errors = parse_csv(data, self.zone, now)
        with_login = [row.line for row in parsed if row.login is not None]
        if with_login and not self.can_store_logins:
            shown = ", ".join(str(n) for n in with_login[:20])
            more = len(with_login) - 20
            raise AffiliateError(
                AffiliateProblem.LOGIN_WITHOUT_KEYS,
                lines=shown + (f" (+{more})" if more > 0 else ""),
                count=len(with_login),
            )
        total = len(parsed) + len(errors)
        async with self.uow() as uow:
            names = [row.account.username for row in parsed]
            existing: set[str] = set()
            for start in range(0, len(names), 500):
                found = await uow.session.execute(
                    select(AffiliateAccount.tiktok_username).where(
                        AffiliateAccount.tiktok_username.in_(names[start : start + 500])
                    )
                )
                existing.update(found.scalars())
            for row in parsed:
                if row.account.username in existing:
                    issue = Issue(RowProblem.EXISTS, {"username": row.account.username})
                    errors.append(RowError(row.line, (issue,)))
            if errors:
                merged: dict[int, list[Issue]] = {}
                for error in errors:
                    merged.setdefault(error.line, []).extend(error.issues)
                return ImportResult(
                    0, total, tuple(RowError(n, tuple(i)) for n, i in sorted(merged.items()))
                )
            for row in parsed:
                sealed = None
                if row.login is not None:
                    sealed = self.vault.encrypt(row.login.login, row.login.password)
                uow.session.add(self._row(replace(row.account, credentials=sealed), now))
            await uow.session.flush()
            uow.session.add(
                AdminAction(
                    actor_telegram_id=admin.telegram_id,
                    action="affiliate_import",
                    target=f"affiliate_accounts:{len(parsed)}",
                    details={
                        "name": admin.name,
                        "count": len(parsed),
                        "with_login": len(with_login),
                        "usernames": names[:100],
                    },
                    created_at=now,
                )
            )
            try:
                await uow.commit()
            except IntegrityError:
                # Someone added one of these usernames at the same moment.
                raise AffiliateError(AffiliateProblem.CHANGED_MEANWHILE) from None
            return ImportResult(len(parsed), total, (), tuple(names), with_login=len(with_login))

    # ------------------------------------------------------------------ reading

    async def counts(self) -> Counts:
        async with self.uow() as uow:
            return await self._counts(uow)

    async def _counts(self, uow: UnitOfWork) -> Counts:
        values = {}
        for which in (
            AccountFilter.AVAILABLE,
            AccountFilter.ASSIGNED,
            AccountFilter.SUSPENDED,
            AccountFilter.INACTIVE,
        ):
            found = await uow.session.execute(
                select(func.count()).select_from(AffiliateAccount).where(_filter_clause(which))
            )
            values[which.value] = int(found.scalar_one())
        total = await uow.session.execute(select(func.count()).select_from(AffiliateAccount))
        return Counts(**values, total=int(total.scalar_one()))

    async def list_accounts(
        self, which: AccountFilter = AccountFilter.ALL, limit: int = LIST_SHOWN
    ) -> AccountList:
        async with self.uow() as uow:
            query = select(AffiliateAccount).order_by(AffiliateAccount.id)
            count = select(func.count()).select_from(AffiliateAccount)
            clause = _filter_clause(which)
            if clause is not None:
                query, count = query.where(clause), count.where(clause)
            rows = (await uow.session.execute(query.limit(limit))).scalars().all()
            matching = int((await uow.session.execute(count)).scalar_one())
            cards = tuple([await self._card(uow, row) for row in rows])
            return AccountList(which, cards, matching, await self._counts(uow))

    async def card(self, ref: AccountRef | int) -> AccountCard:
        async with self.uow() as uow:
            return await self._card(uow, await self._account(uow, ref))

    async def next_available(self) -> AccountCard | None:
        async with self.uow() as uow:
            row = await self._next_available(uow)
            return None if row is None else await self._card(uow, row)

    async def export_csv(self) -> bytes:
        """Every account as CSV (UTF-8 with BOM, so Excel reads it): never a login or
        password, only whether one is stored."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(EXPORT_COLUMNS)
        async with self.uow() as uow:
            rows = (
                await uow.session.execute(select(AffiliateAccount).order_by(AffiliateAccount.id))
            ).scalars()
            for row in rows:
                card = await self._card(uow, row)
                writer.writerow(
                    [
                        card.id,
                        card.username,
                        _spreadsheet_safe(card.tiktok_account_id or ""),
                        _spreadsheet_safe(card.shop_id or ""),
                        _spreadsheet_safe(card.shop_name or ""),
                        card.status.value,
                        "yes" if card.yellow_cart else "no",
                        f"{self._day(card.yellow_cart_verified_at):%Y-%m-%d}"
                        if card.yellow_cart_verified_at
                        else "",
                        _spreadsheet_safe(card.notes or ""),
                        "yes" if card.has_login else "no",
                        card.holder.telegram_id if card.holder else "",
                        _spreadsheet_safe(card.holder.name) if card.holder else "",
                        f"{card.assigned_at.astimezone(self.zone):%Y-%m-%d %H:%M}"
                        if card.assigned_at
                        else "",
                        f"{card.created_at.astimezone(self.zone):%Y-%m-%d %H:%M}",
                    ]
                )
        return out.getvalue().encode("utf-8-sig")

    # ------------------------------------------------------------------ assignments

    async def assign(
        self, account: AccountRef | int | None, member_id: int, admin: Actor
    ) -> AssignResult:
        """Give the account (or, with None, the next available one) to an active VIP who
        holds none. Two admins at once: one wins, the other is told who holds it."""
        now = self.clock.now()
        async with self.uow() as uow:
            # Locking the member serialises two assignments to the same person.
            member = await uow.session.get(Member, member_id, with_for_update=True)
            if member is None:
                raise AffiliateError(AffiliateProblem.MEMBER_NOT_FOUND, given=str(member_id))
            name = full_name(member)
            if not await _has_access(uow, member.id, now):
                raise AffiliateError(AffiliateProblem.NOT_VIP, name=name)
            held = await self._held_by(uow, member.id)
            if held is not None:
                raise AffiliateError(
                    AffiliateProblem.MEMBER_HAS_ACCOUNT, name=name, username=held.tiktok_username
                )
            if account is None:
                row = await self._next_available(uow, lock=True)
                if row is None:
                    raise AffiliateError(AffiliateProblem.NONE_AVAILABLE)
            else:
                row = await self._account(uow, account, lock=True)
                await self._check_assignable(uow, row)
            taken = await uow.session.execute(
                update(AffiliateAccount)
                .where(AffiliateAccount.id == row.id, _available_clause())
                .values(holder_member_id=member.id, assigned_at=now, assigned_by=admin.telegram_id)
            )
            if not taken.rowcount:  # type: ignore[attr-defined]
                raise AffiliateError(
                    AffiliateProblem.ACCOUNT_TAKEN, username=row.tiktok_username, holder="-"
                )
            assignment = AffiliateAssignment(
                account_id=row.id,
                member_id=member.id,
                assigned_at=now,
                assigned_by=admin.telegram_id,
            )
            uow.session.add(assignment)
            await uow.session.flush()
            self._audit(
                uow,
                admin,
                "affiliate_assign",
                row.id,
                username=row.tiktok_username,
                member=member.telegram_id,
                assignment=assignment.id,
            )
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "affiliates.member_assigned",
                {"username": row.tiktok_username},
                f"affiliate-assigned:{assignment.id}",
                now,
            )
            await uow.session.refresh(row)
            result = AssignResult(await self._card(uow, row), _holder(member))
            try:
                await uow.commit()
            except IntegrityError:
                # The unique holder column: the member got another account at the same moment.
                raise AffiliateError(
                    AffiliateProblem.MEMBER_HAS_ACCOUNT, name=name, username="?"
                ) from None
            return result

    async def _check_assignable(self, uow: UnitOfWork, row: AffiliateAccount) -> None:
        if row.holder_member_id is not None:
            holder = await uow.session.get(Member, row.holder_member_id)
            raise AffiliateError(
                AffiliateProblem.ACCOUNT_TAKEN,
                username=row.tiktok_username,
                holder=full_name(holder) if holder is not None else "-",
            )
        if row.shop_status != ShopStatus.ACTIVE:
            raise AffiliateError(
                AffiliateProblem.ACCOUNT_NOT_ACTIVE,
                username=row.tiktok_username,
                status={"key": f"affiliates.status_{ShopStatus(row.shop_status).value}"},
            )

    async def unassign(self, account: AccountRef | int, admin: Actor) -> UnassignResult:
        """Take the account back from its holder (they are told); it returns to the pool."""
        now = self.clock.now()
        async with self.uow() as uow:
            row = await self._account(uow, account, lock=True)
            if row.holder_member_id is None:
                raise AffiliateError(AffiliateProblem.NOT_ASSIGNED, username=row.tiktok_username)
            member = await uow.session.get(Member, row.holder_member_id)
            assert member is not None
            released = await release_account(uow, member.id, UNASSIGN_REASON, now)
            if released is None:
                raise AffiliateError(AffiliateProblem.NOT_ASSIGNED, username=row.tiktok_username)
            self._audit(
                uow,
                admin,
                "affiliate_unassign",
                row.id,
                username=row.tiktok_username,
                member=member.telegram_id,
            )
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "affiliates.member_unassigned",
                {"username": row.tiktok_username},
                f"affiliate-unassigned:{row.id}:{member.id}:{now.isoformat()}",
                now,
            )
            result = UnassignResult(await self._card(uow, released), _holder(member))
            await uow.commit()
            return result

    # ------------------------------------------------------------------ status, cart, notes

    async def set_status(
        self, account: AccountRef | int, status: ShopStatus, admin: Actor
    ) -> StatusResult:
        """Change the shop status. An assigned account becoming suspended alerts the
        admin group (once: a second tap finds it suspended already) and tells the holder."""
        now = self.clock.now()
        async with self.uow() as uow:
            row = await self._account(uow, account, lock=True)
            old = ShopStatus(row.shop_status)
            if old is status:
                raise AffiliateError(
                    AffiliateProblem.SAME_STATUS,
                    username=row.tiktok_username,
                    status={"key": f"affiliates.status_{status.value}"},
                )
            changed = await uow.session.execute(
                update(AffiliateAccount)
                .where(AffiliateAccount.id == row.id, AffiliateAccount.shop_status == old)
                .values(shop_status=status)
            )
            if not changed.rowcount:  # type: ignore[attr-defined]
                raise AffiliateError(AffiliateProblem.CHANGED_MEANWHILE)
            self._audit(
                uow,
                admin,
                "affiliate_status",
                row.id,
                username=row.tiktok_username,
                old=old.value,
                new=status.value,
            )
            alerted = False
            await uow.session.refresh(row)
            if status is ShopStatus.SUSPENDED and row.holder_member_id is not None:
                member = await uow.session.get(Member, row.holder_member_id)
                assert member is not None
                alerted = await self._alert(
                    uow,
                    "affiliates.alert_suspended",
                    {
                        "username": row.tiktok_username,
                        "id": row.id,
                        "name": full_name(member),
                        "telegram_id": member.telegram_id,
                        "by": admin.name,
                    },
                    f"affiliate-suspended:{row.id}:{now.isoformat()}",
                    now,
                )
                await uow.outbox.tell_member(
                    member,
                    self.default_language,
                    "affiliates.member_suspended",
                    {"username": row.tiktok_username},
                    f"affiliate-suspended-holder:{row.id}:{member.id}:{now.isoformat()}",
                    now,
                )
            result = StatusResult(await self._card(uow, row), old, alerted)
            await uow.commit()
            return result

    async def set_cart_verified(
        self, account: AccountRef | int, verified: bool, admin: Actor
    ) -> AccountCard:
        """Mark the yellow cart verified (keeping today's date), or take that back."""
        now = self.clock.now()
        async with self.uow() as uow:
            row = await self._account(uow, account, lock=True)
            if verified and row.yellow_cart and row.yellow_cart_verified_at is not None:
                raise AffiliateError(
                    AffiliateProblem.ALREADY_VERIFIED,
                    username=row.tiktok_username,
                    at=f"{self._day(row.yellow_cart_verified_at):%d-%m-%Y}",
                )
            if not verified and not row.yellow_cart:
                raise AffiliateError(AffiliateProblem.NOT_VERIFIED, username=row.tiktok_username)
            before = row.yellow_cart_verified_at
            row.yellow_cart = verified
            row.yellow_cart_verified_at = now if verified else None
            self._audit(
                uow,
                admin,
                "affiliate_cart_verified" if verified else "affiliate_cart_unverified",
                row.id,
                username=row.tiktok_username,
                before=before.isoformat() if before else None,
            )
            await uow.session.flush()
            card = await self._card(uow, row)
            await uow.commit()
            return card

    async def set_notes(
        self, account: AccountRef | int, notes: str | None, admin: Actor
    ) -> AccountCard:
        """Replace the notes (None or blank clears them)."""
        now = self.clock.now()
        text = (notes or "").strip() or None
        if text is not None and len(text) > NOTES_MAX:
            raise AffiliateError(AffiliateProblem.TOO_LONG, field="notes", max=NOTES_MAX)
        async with self.uow() as uow:
            row = await self._account(uow, account, lock=True)
            row.notes = text
            self._audit(
                uow,
                admin,
                "affiliate_notes",
                row.id,
                username=row.tiktok_username,
                cleared=text is None,
                at=now.isoformat(),
            )
            await uow.session.flush()
            card = await self._card(uow, row)
            await uow.commit()
            return card

    # ------------------------------------------------------------------ offers

    async def _offer(self, uow: UnitOfWork, member_id: int, now: datetime) -> Offer | None:
        member = await uow.session.get(Member, member_id)
        if member is None or not await _has_access(uow, member.id, now):
            return None
        if await self._held_by(uow, member.id) is not None:
            return None
        row = await self._next_available(uow)
        if row is None:
            return None
        return Offer(member.id, full_name(member), row.id, row.tiktok_username)

    async def offer_for(self, member_id: int) -> Offer | None:
        """The next available account, when the member is an active VIP holding none."""
        async with self.uow() as uow:
            return await self._offer(uow, member_id, self.clock.now())

    async def offer_after_approval(self, request_id: int) -> Offer | None:
        """The offer for the member of an approved payment request (for its card)."""
        async with self.uow() as uow:
            request = await uow.session.get(PaymentRequest, request_id)
            if request is None:
                return None
            return await self._offer(uow, request.member_id, self.clock.now())

    # ------------------------------------------------------------------ the holder

    async def account_of(self, telegram_id: int) -> HeldAccount | None:
        """The account this person holds (for the /me VIP dashboard), or None."""
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            if member is None:
                return None
            row = await self._held_by(uow, member.id)
            if row is None:
                return None
            return HeldAccount(
                id=row.id,
                username=row.tiktok_username,
                shop_name=row.shop_name,
                shop_status=ShopStatus(row.shop_status),
                yellow_cart=row.yellow_cart,
                yellow_cart_verified_at=row.yellow_cart_verified_at,
                has_login=row.credentials_encrypted is not None,
                assigned_at=row.assigned_at,
            )

    async def credentials_for(self, telegram_id: int) -> tuple[HeldAccount, Login]:
        """The decrypted login of the account this person holds, for them alone.

        Raises AffiliateError NO_ACCOUNT (holds none, or VIP has ended) or NO_LOGIN, and
        CredentialsError when the keys cannot open it (the admin group is alerted, once a
        day)."""
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            row = None if member is None else await self._held_by(uow, member.id)
            if member is None or row is None or not await _has_access(uow, member.id, now):
                raise AffiliateError(AffiliateProblem.NO_ACCOUNT)
            held = HeldAccount(
                id=row.id,
                username=row.tiktok_username,
                shop_name=row.shop_name,
                shop_status=ShopStatus(row.shop_status),
                yellow_cart=row.yellow_cart,
                yellow_cart_verified_at=row.yellow_cart_verified_at,
                has_login=row.credentials_encrypted is not None,
                assigned_at=row.assigned_at,
            )
            token = row.credentials_encrypted
            if token is None:
                raise AffiliateError(AffiliateProblem.NO_LOGIN, username=row.tiktok_username)
            try:
                return held, self.vault.decrypt(token)
            except CredentialsError as error:
                await self._alert(
                    uow,
                    "affiliates.alert_key_problem",
                    {
                        "problem": {"key": f"affiliates.key_problem_{error.problem.value}"},
                        "id": row.id,
                        "username": row.tiktok_username,
                    },
                    f"affiliate-key-problem:{self._day(now).isoformat()}",
                    now,
                )
                await uow.commit()
                raise

    async def forget_later(self, telegram_id: int, message_id: int, after: timedelta) -> None:
        """Queue the deletion of the message that showed a login, `after` from now."""

        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            language = self.default_language
            if member is not None:
                language = resolve_language(
                    member.chosen_language, member.telegram_language, self.default_language
                )
            await uow.outbox.enqueue(
                Notice(
                    kind=DELETE_ACTION,
                    chat_id=telegram_id,
                    member_id=member.id if member is not None else None,
                    text_key="access.delete_action",
                    language=language,
                    params={"message_id": message_id},
                    dedupe_key=f"forget-login:{telegram_id}:{message_id}",
                    not_before=now + after,
                ),
                now,
            )
            await uow.commit()


# ---------------------------------------------------------------------------- key rotation


async def rotate_credentials(uow_factory: UnitOfWorkFactory, keys: Sequence[str]) -> RotationResult:
    """Re-encrypt every stored login with the first key, in one transaction. When any
    row cannot be opened with the configured keys nothing changes and their ids are
    returned. Raises CredentialsError NO_KEYS / BAD_KEY."""
    vault = Vault(keys)
    if not vault.configured:
        raise CredentialsError(CredentialsProblem.NO_KEYS)
    async with uow_factory() as uow:
        rows = (
            (
                await uow.session.execute(
                    select(AffiliateAccount)
                    .where(AffiliateAccount.credentials_encrypted.is_not(None))
                    .order_by(AffiliateAccount.id)
                    .with_for_update()
                )
            )
            .scalars()
            .all()
        )
        failed: list[int] = []
        rotated: dict[int, str] = {}
        for row in rows:
            assert row.credentials_encrypted is not None
            try:
                rotated[row.id] = vault.rotate(row.credentials_encrypted)
            except CredentialsError:
                failed.append(row.id)
        if failed:
            return RotationResult(0, tuple(failed))
        for row in rows:
            row.credentials_encrypted = rotated[row.id]
        await uow.commit()
        return RotationResult(len(rows), ())
