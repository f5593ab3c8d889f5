"""Rupiah amounts: whole-rupiah integers, their display and their tolerant parsing.

Rupiah has no minor unit in practice, so every amount in the product is an ``int``.
Floats never appear: a decimal such as ``1,5jt`` is parsed digit by digit.
"""

from __future__ import annotations

import re
from enum import StrEnum

__all__ = [
    "MAX_AMOUNT",
    "MoneyError",
    "MoneyParseError",
    "format_rupiah",
    "parse_rupiah",
]

MAX_AMOUNT = 1_000_000_000
"""One billion rupiah: anything bigger is a typo for this community, never a real payment."""


class MoneyError(StrEnum):
    """Why a piece of text is not an acceptable rupiah amount."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    TOO_SMALL = "too_small"
    FRACTION = "fraction"
    AMBIGUOUS = "ambiguous"


class MoneyParseError(ValueError):
    """Raised by :func:`parse_rupiah`; carries the bounds so the message can quote them."""

    def __init__(self, code: MoneyError, *, minimum: int, maximum: int) -> None:
        super().__init__(code.value)
        self.code = code
        self.minimum = minimum
        self.maximum = maximum


def format_rupiah(amount: int) -> str:
    """Render whole rupiah with a dot as thousands separator.

    ``1250000`` → ``"Rp 1.250.000"``, ``0`` → ``"Rp 0"``, ``-5000`` → ``"-Rp 5.000"``.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("amount must be an int number of rupiah")
    grouped = f"{abs(amount):,}".replace(",", ".")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {grouped}"


# The outer shell: optional minus, currency marker before or after, and the number itself.
# The body is matched lazily so that a trailing "IDR" is not swallowed by it.
_SHELL = re.compile(
    r"(?P<neg1>-)?\s*(?P<prefix>rp\.?|idr)?\s*(?P<neg2>-)?\s*(?P<body>.*?)\s*(?P<suffix>idr)?",
    re.DOTALL,
)

# "1,5jt", "250 rb", "2 juta": with a unit the single separator can only be a decimal mark.
_WITH_UNIT = re.compile(
    r"(?P<int>[0-9]+)(?:(?P<sep>[.,])(?P<frac>[0-9]+))?\s*(?P<unit>rb|ribu|k|jt|juta)",
)

# "1250000", "1.250.000", "50.000,-", "1.250.000,00". Dots must form groups of exactly three
# digits; otherwise "1.25" could be read as one and a quarter rupiah or 125 thousand.
_PLAIN = re.compile(
    r"(?P<int>[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)(?:,(?P<cents>-|[0-9]{1,2}))?",
)

# Unit → (number of zeros, multiplier); the zeros bound how many decimals make sense.
_UNITS: dict[str, tuple[int, int]] = {
    "rb": (3, 1_000),
    "ribu": (3, 1_000),
    "k": (3, 1_000),
    "jt": (6, 1_000_000),
    "juta": (6, 1_000_000),
}

# More significant digits than this cannot be below any sane maximum; stopping here also keeps
# int() away from pathological inputs.
_MAX_SIGNIFICANT_DIGITS = 30


def parse_rupiah(text: str, *, minimum: int = 0, maximum: int = MAX_AMOUNT) -> int:
    """Read an amount typed by a person, strictly, into whole rupiah.

    Accepted (case-insensitive, surrounding spaces allowed, optional ``Rp``/``Rp.``/``IDR``
    before the number or ``IDR`` after it): ``"1250000"``, ``"1.250.000"``,
    ``"Rp 1.250.000"``, ``"Rp1.250.000"``, ``"Rp 50.000,-"``, ``"1.250.000,00"``,
    ``"250rb"``, ``"250 ribu"``, ``"250k"``, ``"1,5jt"``, ``"1.5jt"``, ``"1,5 juta"``,
    ``"2jt"``. Without a unit, dots are thousands separators in groups of three; with a unit
    (rb/ribu/k = ×1.000, jt/juta = ×1.000.000) one comma or dot is a decimal mark.

    Rejected with :class:`MoneyParseError` whose ``code`` says why: ``EMPTY`` for blank text,
    ``NEGATIVE`` for ``"-5000"``, ``FRACTION`` for ``"12,5"`` or ``"1,2345rb"``,
    ``TOO_SMALL``/``TOO_LARGE`` outside ``[minimum, maximum]``, and ``NOT_A_NUMBER`` for
    anything else (``"abc"``, ``"1e6"``, ``"1.25"``, ``"5000 5000"``).
    """
    if minimum < 0 or maximum < minimum:
        raise ValueError("bounds must satisfy 0 <= minimum <= maximum")

    def fail(code: MoneyError) -> MoneyParseError:
        return MoneyParseError(code, minimum=minimum, maximum=maximum)

    cleaned = text.strip().lower()
    if not cleaned:
        raise fail(MoneyError.EMPTY)

    shell = _SHELL.fullmatch(cleaned)
    if shell is None:
        raise fail(MoneyError.NOT_A_NUMBER)
    negative = shell["neg1"] is not None or shell["neg2"] is not None
    if shell["neg1"] is not None and shell["neg2"] is not None:
        raise fail(MoneyError.NOT_A_NUMBER)
    if shell["prefix"] is not None and shell["suffix"] is not None:
        raise fail(MoneyError.NOT_A_NUMBER)

    try:
        value = _parse_body(shell["body"])
    except _BodyError as error:
        # A malformed negative is first of all malformed; a well-formed one is reported as
        # negative even when it also has cents or is huge, because the sign is the bigger mistake.
        if negative and error.code is not MoneyError.NOT_A_NUMBER:
            raise fail(MoneyError.NEGATIVE) from None
        raise fail(error.code) from None

    if negative:
        raise fail(MoneyError.NEGATIVE)
    if value > maximum:
        raise fail(MoneyError.TOO_LARGE)
    if value < minimum:
        raise fail(MoneyError.TOO_SMALL)
    return value


class _BodyError(Exception):
    def __init__(self, code: MoneyError) -> None:
        super().__init__(code.value)
        self.code = code


def _parse_body(body: str) -> int:
    plain = _PLAIN.fullmatch(body)
    if plain is not None:
        integer_digits = plain["int"].replace(".", "")
        cents = plain["cents"]
        if cents is not None and cents != "-" and cents.strip("0"):
            raise _BodyError(MoneyError.FRACTION)
        return _to_int(integer_digits)

    with_unit = _WITH_UNIT.fullmatch(body)
    if with_unit is not None:
        zeros, multiplier = _UNITS[with_unit["unit"]]
        if with_unit["sep"] == "." and len(with_unit["frac"]) == 3:
            # "1.500rb": a thousands dot (Rp 1.500.000 meant) or a decimal (Rp 1.500)?
            # A thousandfold error on a payment is worse than asking again.
            raise _BodyError(MoneyError.AMBIGUOUS)
        fraction = (with_unit["frac"] or "").rstrip("0")
        if len(fraction) > zeros:
            # More decimals than the unit has zeros: the amount would have cents.
            raise _BodyError(MoneyError.FRACTION)
        # "1,25jt": the decimals padded to the unit's zeros are exactly the extra rupiah.
        return _to_int(with_unit["int"]) * multiplier + int(fraction.ljust(zeros, "0"))

    raise _BodyError(MoneyError.NOT_A_NUMBER)


def _to_int(digits: str) -> int:
    if len(digits.lstrip("0")) > _MAX_SIGNIFICANT_DIGITS:
        raise _BodyError(MoneyError.TOO_LARGE)
    return int(digits)
