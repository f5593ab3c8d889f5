"""Commission structures and the member / leader / owner split (SPEC "Commission split").

Percentages are integer basis points (10000 = 100%) so that "52.5%" is exact without floats.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from domain.catalog import Tier
from domain.states import LedgerKind

__all__ = [
    "FULL_BP",
    "CommissionSplit",
    "CommissionStructure",
    "Earning",
    "HeldSpan",
    "PercentError",
    "PercentParseError",
    "Renewal",
    "StructureError",
    "StructureErrorCode",
    "add_structure",
    "check_no_overlap",
    "earliest_new_structure",
    "earning_tiers",
    "earnings_of",
    "parse_percent",
    "split_commission",
    "structure_on",
    "tier_during",
    "would_earn",
]

FULL_BP = 10_000
"""100% in basis points."""


class PercentError(StrEnum):
    """Why a piece of text is not an acceptable percentage."""

    EMPTY = "empty"
    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    TOO_PRECISE = "too_precise"


class PercentParseError(ValueError):
    """Raised by :func:`parse_percent`."""

    def __init__(self, code: PercentError) -> None:
        super().__init__(code.value)
        self.code = code


_PERCENT = re.compile(r"(?P<neg>-)?\s*(?P<int>[0-9]+)(?:[.,](?P<frac>[0-9]+))?\s*%?")


def parse_percent(text: str) -> int:
    """Read a percentage typed by an admin into basis points.

    ``"55"`` → 5500, ``"52.5"`` → 5250, ``"52,5"`` → 5250, ``"0"`` → 0 (a trailing ``%`` is
    allowed). Rejects blank text (``EMPTY``), negatives (``NEGATIVE``), more than 100
    (``TOO_LARGE``), more than two decimals (``TOO_PRECISE``) and anything else
    (``NOT_A_NUMBER``).
    """
    cleaned = text.strip()
    if not cleaned:
        raise PercentParseError(PercentError.EMPTY)
    match = _PERCENT.fullmatch(cleaned)
    if match is None:
        raise PercentParseError(PercentError.NOT_A_NUMBER)
    if match["neg"] is not None:
        raise PercentParseError(PercentError.NEGATIVE)
    integer = match["int"].lstrip("0") or "0"
    fraction = (match["frac"] or "").rstrip("0")
    if len(fraction) > 2:
        raise PercentParseError(PercentError.TOO_PRECISE)
    if len(integer) > 3:
        raise PercentParseError(PercentError.TOO_LARGE)
    value = int(integer) * 100 + int(fraction.ljust(2, "0"))
    if value > FULL_BP:
        raise PercentParseError(PercentError.TOO_LARGE)
    return value


class StructureErrorCode(StrEnum):
    """Why a commission structure is invalid or cannot be added."""

    SUM_NOT_100 = "sum_not_100"
    NEGATIVE = "negative"
    BAD_PERIOD = "bad_period"
    OVERLAP = "overlap"


class StructureError(ValueError):
    """An invalid structure; on ``OVERLAP``, ``conflict`` is the structure it collides with."""

    def __init__(
        self, code: StructureErrorCode, conflict: CommissionStructure | None = None
    ) -> None:
        super().__init__(code.value)
        self.code = code
        self.conflict = conflict


@dataclass(frozen=True, slots=True)
class CommissionStructure:
    """How a tier's commission is split, in force on ``[effective_from, effective_to)``.

    Shares are basis points and sum to exactly 10000. Seed: VIP 5500 / 500 / 4000 from
    2025-12-20, open-ended (``effective_to is None``).
    """

    tier_code: str
    member_bp: int
    leader_bp: int
    owner_bp: int
    effective_from: date
    effective_to: date | None = None

    def __post_init__(self) -> None:
        shares = (self.member_bp, self.leader_bp, self.owner_bp)
        if any(isinstance(s, bool) or not isinstance(s, int) for s in shares):
            raise TypeError("shares must be int basis points")
        if any(s < 0 for s in shares):
            raise StructureError(StructureErrorCode.NEGATIVE)
        if sum(shares) != FULL_BP:
            raise StructureError(StructureErrorCode.SUM_NOT_100)
        # datetime is a date subclass, but comparing one with a date raises at the worst time.
        bounds = (self.effective_from, self.effective_to)
        if any(isinstance(d, datetime) for d in bounds):
            raise StructureError(StructureErrorCode.BAD_PERIOD)
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise StructureError(StructureErrorCode.BAD_PERIOD)

    def in_force_on(self, day: date) -> bool:
        """Whether ``day`` lies in ``[effective_from, effective_to)``."""
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


def _overlap(a: CommissionStructure, b: CommissionStructure) -> bool:
    if a.tier_code != b.tier_code:
        return False
    a_before_b_ends = b.effective_to is None or a.effective_from < b.effective_to
    b_before_a_ends = a.effective_to is None or b.effective_from < a.effective_to
    return a_before_b_ends and b_before_a_ends


def structure_on(
    structures: Sequence[CommissionStructure], tier_code: str, day: date
) -> CommissionStructure | None:
    """The structure in force for ``tier_code`` on ``day``, or ``None`` (no commission).

    Example: with 55/5/40 from 2025-12-20 to 2027-01-01 and 60/5/35 from 2027-01-01, a report
    dated 2026-12-31 still uses 55/5/40.
    """
    in_force = [s for s in structures if s.tier_code == tier_code and s.in_force_on(day)]
    if not in_force:
        return None
    # Structures never overlap once added through add_structure; the latest start wins otherwise.
    return max(in_force, key=lambda s: s.effective_from)


def check_no_overlap(existing: Sequence[CommissionStructure], new: CommissionStructure) -> None:
    """Structures of one tier never overlap in time; raise ``StructureError(OVERLAP)`` if so."""
    for structure in existing:
        if _overlap(structure, new):
            raise StructureError(StructureErrorCode.OVERLAP, conflict=structure)


def add_structure(
    existing: Sequence[CommissionStructure], new: CommissionStructure
) -> list[CommissionStructure]:
    """Add ``new`` to the tier's history, closing the open-ended structure it supersedes.

    If the tier's latest open-ended structure starts before ``new.effective_from``, it is closed
    at that date, so "60/5/35 from 2027-01-01" just works. Any other overlap raises
    ``StructureError(OVERLAP)``. Returns a new list; ``existing`` is not modified.
    """
    open_ended = [s for s in existing if s.tier_code == new.tier_code and s.effective_to is None]
    result = list(existing)
    if open_ended:
        latest = max(open_ended, key=lambda s: s.effective_from)
        if latest.effective_from < new.effective_from:
            index = result.index(latest)
            result[index] = dataclasses.replace(latest, effective_to=new.effective_from)
    check_no_overlap(result, new)
    result.append(new)
    return result


@dataclass(frozen=True, slots=True)
class CommissionSplit:
    """One commission divided; ``member + leader + owner == total`` always."""

    total: int
    member: int
    leader: int
    owner: int


def split_commission(
    total: int, structure: CommissionStructure, has_leader: bool
) -> CommissionSplit:
    """Split ``total`` rupiah: member and leader get their exact share rounded down, the owner
    the rest (including the leader's part when there is no leader).

    Seed: 100.000 with 55/5/40 → 55.000 / 5.000 / 40.000; with no leader → 55.000 / 0 / 45.000.
    """
    if isinstance(total, bool) or not isinstance(total, int) or total < 0:
        raise ValueError("total must be an int number of rupiah >= 0")
    member = total * structure.member_bp // FULL_BP
    leader = total * structure.leader_bp // FULL_BP if has_leader else 0
    return CommissionSplit(total=total, member=member, leader=leader, owner=total - member - leader)


@dataclass(frozen=True, slots=True)
class Earning:
    """One ledger entry a commission credits: ``amount`` rupiah of ``kind`` to a member."""

    member_id: int
    kind: LedgerKind
    amount: int


def earnings_of(split: CommissionSplit, member_id: int, leader_id: int | None) -> list[Earning]:
    """The ledger entries of a commission: the member's share and the leader's share,
    each only when it is more than nothing (the owner's share stays off the ledger)."""
    earnings = []
    if split.member:
        earnings.append(Earning(member_id, LedgerKind.MEMBER_SHARE, split.member))
    if split.leader and leader_id is not None:
        earnings.append(Earning(leader_id, LedgerKind.LEADER_SHARE, split.leader))
    return earnings


def would_earn(total: int, structures: Sequence[CommissionStructure], day: date) -> int | None:
    """What the best structure in force on ``day`` would have paid the member of a
    ``total`` (SPEC: a Basic member is told what VIP would have earned), or None when
    no structure is in force. Seed: 100.000 with VIP 55/5/40 → 55.000."""
    in_force = [s for s in structures if s.in_force_on(day)]
    return max((total * s.member_bp // FULL_BP for s in in_force), default=None)


def earning_tiers(structures: Sequence[CommissionStructure], day: date) -> set[str]:
    """The tiers whose reports earn commission on ``day`` (a structure is in force)."""
    return {s.tier_code for s in structures if s.in_force_on(day)}


def earliest_new_structure(today: date) -> date:
    """The first day a new structure may start: tomorrow. Reports are dated today at the
    latest, so a split from tomorrow on can never contradict a commission already made,
    nor race a validation in progress."""
    return today + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class HeldSpan:
    """An activated membership as the commission sees it: its tier, from activation
    until it ended (``ended_at``) or runs out (``expires_at``; both None: lifetime)."""

    membership_id: int
    tier: Tier
    activated_at: datetime
    ended_at: datetime | None
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class Renewal:
    """A renewal of a membership: its expiry before (``old_expires_at``) and when."""

    membership_id: int
    old_expires_at: datetime
    renewed_at: datetime


def tier_during(
    spans: Sequence[HeldSpan], renewals: Sequence[Renewal], start: datetime, end: datetime
) -> Tier | None:
    """The effective tier during ``[start, end)`` (a report's day): the highest rank among
    memberships that counted at any moment of it (activated before it ended, not ended
    or expired before it began, and not in a lapse: a temporal plan renewed after it had
    run out did not count between its old expiry and the renewal).

    VIP 30 days from day 0, renewed on day 35: on day 33 it did not count."""
    lapses: dict[int, list[tuple[datetime, datetime]]] = {}
    for renewal in renewals:
        if renewal.renewed_at > renewal.old_expires_at:
            lapses.setdefault(renewal.membership_id, []).append(
                (renewal.old_expires_at, renewal.renewed_at)
            )
    best: Tier | None = None
    for span in spans:
        until = span.ended_at or span.expires_at
        low = max(start, span.activated_at)
        high = end if until is None else min(end, until)
        # Walk past the lapses that cover the start of the window; whatever is left counted.
        for lapse_start, lapse_end in sorted(lapses.get(span.membership_id, [])):
            if lapse_start > low:
                break
            low = max(low, lapse_end)
        if low >= high:
            continue
        if best is None or span.tier.rank > best.rank:
            best = Tier(span.tier.code, span.tier.rank)
    return best
