"""The CSV file admins import and export: its columns, and an imported file read and
checked row by row (each row on its own and against the other rows; the pool is
checked by the import itself). File-level problems raise AffiliateError."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from domain.affiliates import (
    AccountField,
    FieldTooLong,
    NewAccount,
    VerifiedDayProblem,
    checked_field,
    verified_day_problem,
)
from domain.states import ShopStatus
from services.affiliates.parsing import STATUS_WORDS, parse_username
from services.affiliates.problems import AffiliateError, AffiliateProblem, RowProblem
from services.affiliates.vault import CredentialsError, Login, Vault
from services.affiliates.views import Issue, RowError

MAX_IMPORT_BYTES = 1_000_000
MAX_IMPORT_ROWS = 1000

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
_TEXT_COLUMNS = (
    AccountField.TIKTOK_ACCOUNT_ID,
    AccountField.SHOP_ID,
    AccountField.SHOP_NAME,
    AccountField.NOTES,
)

_YES = frozenset({"yes", "y", "true", "1", "ya", "iya", "ada"})
_NO = frozenset({"no", "n", "false", "0", "tidak", "tdk", "nggak", "tak", "belum"})
_ISO_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_DMY_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """A good row: the account it describes and, apart, the login it carries (if any)."""

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


def _username(values: dict[str, str], seen: dict[str, int], line: int) -> tuple[str, list[Issue]]:
    raw_name = values.get("tiktok_username", "").strip()
    if not raw_name:
        return "", [Issue(RowProblem.NO_USERNAME)]
    try:
        username = parse_username(raw_name)
    except AffiliateError:
        return "", [Issue(RowProblem.BAD_USERNAME, {"given": raw_name[:40]})]
    if username in seen:
        issue = Issue(RowProblem.DUPLICATE_IN_FILE, {"username": username, "first": seen[username]})
        return username, [issue]
    seen[username] = line
    return username, []


def _texts(values: dict[str, str], issues: list[Issue]) -> dict[AccountField, str | None]:
    texts: dict[AccountField, str | None] = {}
    for column in _TEXT_COLUMNS:
        given = values.get(column.value)
        try:
            texts[column] = checked_field(column, given)
        except FieldTooLong as error:
            issues.append(Issue(RowProblem.TOO_LONG, {"column": column.value, "max": error.limit}))
            texts[column] = None
    return texts


def _cart(
    values: dict[str, str], zone: ZoneInfo, today: date, issues: list[Issue]
) -> tuple[bool | None, datetime | None]:
    cart: bool | None = None
    try:
        cart = _parse_yes_no(values.get("yellow_cart", ""))
    except ValueError:
        given = values.get("yellow_cart", "").strip()
        issues.append(Issue(RowProblem.BAD_YES_NO, {"column": "yellow_cart", "given": given[:32]}))
    given_date = values.get("yellow_cart_verified_at", "").strip()
    if not given_date:
        return cart, None
    try:
        day = _parse_date(given_date)
    except ValueError:
        issues.append(Issue(RowProblem.BAD_DATE, {"given": given_date[:32]}))
        return cart, None
    problem = verified_day_problem(day, today, cart)
    if problem is VerifiedDayProblem.FUTURE:
        issues.append(Issue(RowProblem.FUTURE_DATE, {"given": given_date[:32]}))
    elif problem is VerifiedDayProblem.WITHOUT_CART:
        issues.append(Issue(RowProblem.DATE_WITHOUT_CART))
    else:
        return True, _day_start(day, zone)
    return cart, None


def _login(values: dict[str, str], issues: list[Issue]) -> Login | None:
    login_text = values.get("login", "").strip()
    password_text = values.get("password", "").strip()
    if bool(login_text) != bool(password_text):
        issues.append(Issue(RowProblem.LOGIN_PAIR))
    elif login_text:
        try:
            return Vault.check(login_text, password_text)
        except CredentialsError as error:
            issues.append(Issue(RowProblem.SECRET_TOO_LONG, {"max": error.params.get("max", 0)}))
    return None


def _parse_row(
    line: int,
    values: dict[str, str],
    extra: bool,
    zone: ZoneInfo,
    today: date,
    seen: dict[str, int],
) -> tuple[ParsedRow | None, list[Issue]]:
    issues: list[Issue] = []
    if extra:
        issues.append(Issue(RowProblem.TOO_MANY_VALUES))
    username, name_issues = _username(values, seen, line)
    issues.extend(name_issues)
    texts = _texts(values, issues)
    status = ShopStatus.ACTIVE
    given_status = values.get("shop_status", "").strip()
    if given_status:
        found = STATUS_WORDS.get(given_status.lower())
        if found is None:
            issues.append(Issue(RowProblem.BAD_STATUS, {"given": given_status[:32]}))
        else:
            status = found
    cart, verified_at = _cart(values, zone, today, issues)
    login = _login(values, issues)
    if issues:
        return None, issues
    account = NewAccount(
        username=username,
        tiktok_account_id=texts[AccountField.TIKTOK_ACCOUNT_ID],
        shop_id=texts[AccountField.SHOP_ID],
        shop_name=texts[AccountField.SHOP_NAME],
        shop_status=status,
        yellow_cart=bool(cart),
        yellow_cart_verified_at=verified_at,
        notes=texts[AccountField.NOTES],
    )
    return ParsedRow(line, account, login), []


def parse_csv(data: bytes, zone: ZoneInfo, now: datetime) -> tuple[list[ParsedRow], list[RowError]]:
    """Every row of the file, checked on its own and against the other rows (not yet
    against the database). File-level problems raise AffiliateError."""
    text = _decode(data)
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    columns: list[str] | None = None
    today = now.astimezone(zone).date()
    parsed: list[ParsedRow] = []
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
