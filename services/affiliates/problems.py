"""Why an affiliate action changed nothing: the problem codes and the refusal."""

from __future__ import annotations

from enum import StrEnum

from kernel.refusal import Refusal


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
