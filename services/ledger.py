"""Commissions, the ledger, balances, payouts and commission structures
(SPEC "Commission split", "Balances and payouts").

Money only ever moves by inserting rows: a commission with its ledger entries when a
report is validated, a payout with its (negative) ledger entry when an admin pays.
Database triggers refuse updates and deletes on commissions, payouts and ledger
entries, `commissions.report_id` is unique, and a payout locks the member row (on
SQLite every transaction is BEGIN IMMEDIATE) so two taps can never overdraw.
`check_ledger` re-verifies all of it from the rows; `python -m bot check-ledger` runs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from domain import commission as split_rules
from domain.catalog import Tier
from domain.commission import CommissionSplit, StructureError, split_commission, structure_on
from domain.money import format_rupiah
from domain.reports import day_bounds, jakarta_day
from domain.states import LedgerKind, ReportStatus
from kernel.actor import Actor
from kernel.clock import Clock
from kernel.refusal import Refusal
from services.leaders import full_name, leader_on
from storage import models
from storage.models import (
    AdminAction,
    Commission,
    LedgerEntry,
    Member,
    Membership,
    MembershipEvent,
    Payout,
    Report,
)
from storage.uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "Balance",
    "CommissionResult",
    "LedgerCheck",
    "LedgerProblem",
    "LedgerService",
    "LedgerServiceError",
    "PayoutResult",
    "StructureRow",
    "check_ledger",
    "create_commission",
    "load_structures",
    "tier_on",
]

MAX_PAYOUT_METHOD = 64
MAX_PAYOUT_REFERENCE = 128


class LedgerProblem(StrEnum):
    NOTHING_AVAILABLE = "nothing_available"
    EXCEEDS_AVAILABLE = "exceeds_available"
    BAD_AMOUNT = "bad_amount"
    METHOD_MISSING = "method_missing"
    METHOD_TOO_LONG = "method_too_long"
    REFERENCE_TOO_LONG = "reference_too_long"
    TIER_NOT_FOUND = "tier_not_found"
    STARTS_IN_PAST = "starts_in_past"
    OVERLAP = "overlap"
    SUM_NOT_100 = "sum_not_100"


class LedgerServiceError(Refusal[LedgerProblem]):
    """Why a payout or a structure was refused."""


# ---------------------------------------------------------------------------- as of a day


async def tier_on(uow: UnitOfWork, member_id: int, day: date, zone: ZoneInfo) -> Tier | None:
    """The member's effective tier on `day`: the highest rank among memberships that
    counted at any moment of that day (activated before it ended, not ended or expired
    before it began, and not in a lapse: a temporal plan renewed after it had run out
    did not count between its old expiry and the renewal)."""
    start, end = day_bounds(day, zone)
    rows = await uow.session.execute(
        select(Membership, models.Tier)
        .join(models.Plan, models.Plan.id == Membership.plan_id)
        .join(models.Tier, models.Tier.id == models.Plan.tier_id)
        .where(Membership.member_id == member_id, Membership.activated_at.is_not(None))
    )
    found = rows.all()
    lapses: dict[int, list[tuple[datetime, datetime]]] = {}
    renewals = await uow.session.execute(
        select(
            MembershipEvent.membership_id,
            MembershipEvent.old_expires_at,
            MembershipEvent.created_at,
        ).where(
            MembershipEvent.membership_id.in_([m.id for m, _ in found]),
            MembershipEvent.kind == "renewed",
            MembershipEvent.old_expires_at.is_not(None),
        )
    )
    for membership_id, old_expiry, renewed_at in renewals.all():
        if renewed_at > old_expiry:
            lapses.setdefault(membership_id, []).append((old_expiry, renewed_at))
    best: Tier | None = None
    for membership, tier in found:
        assert membership.activated_at is not None
        until = membership.ended_at or membership.expires_at
        low = max(start, membership.activated_at)
        high = end if until is None else min(end, until)
        # Walk past the lapses that cover the start of the window; whatever is left counted.
        for lapse_start, lapse_end in sorted(lapses.get(membership.id, [])):
            if lapse_start > low:
                break
            low = max(low, lapse_end)
        if low >= high:
            continue
        if best is None or tier.rank > best.rank:
            best = Tier(tier.code, tier.rank)
    return best


async def load_structures(uow: UnitOfWork) -> list[tuple[int, split_rules.CommissionStructure]]:
    rows = await uow.session.execute(
        select(models.CommissionStructure, models.Tier).join(
            models.Tier, models.Tier.id == models.CommissionStructure.tier_id
        )
    )
    return [
        (
            row.id,
            split_rules.CommissionStructure(
                tier.code,
                row.member_bp,
                row.leader_bp,
                row.owner_bp,
                row.effective_from,
                row.effective_to,
            ),
        )
        for row, tier in rows.all()
    ]


def _structure_id(
    known: list[tuple[int, split_rules.CommissionStructure]],
    chosen: split_rules.CommissionStructure,
) -> int:
    return next(i for i, s in known if s == chosen)


# ---------------------------------------------------------------------------- commissions


@dataclass(frozen=True, slots=True)
class CommissionResult:
    """What validating a report earned: `split` is None when the member's tier on the
    report's day has no structure; `would_earn` is then what the best tier with a
    structure would have paid the member (SPEC: tell Basic members)."""

    tier: Tier | None
    split: CommissionSplit | None
    leader_member_id: int | None
    would_earn: int | None


async def create_commission(
    uow: UnitOfWork,
    report: Report,
    total: int,
    zone: ZoneInfo,
    actor: int,
    now: datetime,
) -> CommissionResult:
    """Inside the validating transaction: the commission and its ledger entries, exactly
    as SPEC says (tier, structure and leader as of the report's day). The unique
    `commissions.report_id` makes a second one impossible."""
    day = report.report_date
    tier = await tier_on(uow, report.member_id, day, zone)
    known = await load_structures(uow)
    structures = [s for _, s in known]
    structure = structure_on(structures, tier.code, day) if tier is not None else None
    leader_id = await leader_on(uow, report.member_id, day, zone)
    if structure is None:
        in_force = [s for s in structures if s.in_force_on(day)]
        would = max((total * s.member_bp // split_rules.FULL_BP for s in in_force), default=None)
        return CommissionResult(tier, None, leader_id, would)
    split = split_commission(total, structure, has_leader=leader_id is not None)
    row = Commission(
        report_id=report.id,
        member_id=report.member_id,
        leader_member_id=leader_id,
        structure_id=_structure_id(known, structure),
        tier_code=structure.tier_code,
        total=split.total,
        member_share=split.member,
        leader_share=split.leader,
        owner_share=split.owner,
        created_by=actor,
        created_at=now,
    )
    uow.session.add(row)
    await uow.session.flush()
    if split.member:
        uow.session.add(
            LedgerEntry(
                member_id=report.member_id,
                kind=LedgerKind.MEMBER_SHARE,
                amount=split.member,
                commission_id=row.id,
                created_at=now,
            )
        )
    if split.leader and leader_id is not None:
        uow.session.add(
            LedgerEntry(
                member_id=leader_id,
                kind=LedgerKind.LEADER_SHARE,
                amount=split.leader,
                commission_id=row.id,
                created_at=now,
            )
        )
    return CommissionResult(tier, split, leader_id, None)


# ---------------------------------------------------------------------------- balances


@dataclass(frozen=True, slots=True)
class Balance:
    """What a member sees (SPEC "Balances and payouts"); leader earnings apart."""

    validated_reports: int
    total_commission: int
    member_share: int
    leader_share: int
    pending_reports: int
    pending_claimed: int
    paid: int
    corrections: int
    available: int


async def _available(uow: UnitOfWork, member_id: int) -> int:
    found = await uow.session.execute(
        select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
            LedgerEntry.member_id == member_id
        )
    )
    return int(found.scalar_one())


async def balance_of(uow: UnitOfWork, member_id: int) -> Balance:
    sums = await uow.session.execute(
        select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount), 0))
        .where(LedgerEntry.member_id == member_id)
        .group_by(LedgerEntry.kind)
    )
    by_kind = {LedgerKind(kind): int(total) for kind, total in sums.all()}
    commissions = await uow.session.execute(
        select(func.count(), func.coalesce(func.sum(Commission.total), 0)).where(
            Commission.member_id == member_id
        )
    )
    _, total = commissions.one()
    validated = await uow.session.execute(
        select(func.count())
        .select_from(Report)
        .where(Report.member_id == member_id, Report.status == ReportStatus.VALIDATED)
    )
    pending = await uow.session.execute(
        select(func.count(), func.coalesce(func.sum(Report.commission_claimed), 0)).where(
            Report.member_id == member_id, Report.status == ReportStatus.SUBMITTED
        )
    )
    pending_count, pending_claimed = pending.one()
    return Balance(
        validated_reports=int(validated.scalar_one()),
        total_commission=int(total),
        member_share=by_kind.get(LedgerKind.MEMBER_SHARE, 0),
        leader_share=by_kind.get(LedgerKind.LEADER_SHARE, 0),
        pending_reports=int(pending_count),
        pending_claimed=int(pending_claimed),
        paid=-by_kind.get(LedgerKind.PAYOUT, 0),
        corrections=by_kind.get(LedgerKind.CORRECTION, 0),
        available=sum(by_kind.values()),
    )


@dataclass(frozen=True, slots=True)
class PayoutResult:
    payout_id: int
    member_name: str
    member_telegram_id: int
    amount: int
    method: str
    reference: str | None
    available_after: int
    applied: bool = True


@dataclass(frozen=True, slots=True)
class StructureRow:
    id: int
    tier_code: str
    member_bp: int
    leader_bp: int
    owner_bp: int
    effective_from: date
    effective_to: date | None


class LedgerService:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, zone: ZoneInfo, default_language: str
    ) -> None:
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language

    async def balance(self, member_id: int) -> Balance:
        async with self.uow() as uow:
            return await balance_of(uow, member_id)

    async def balance_for(self, telegram_id: int) -> Balance | None:
        """A member's own balance (None for someone who never pressed /start)."""
        async with self.uow() as uow:
            member = await uow.members.by_telegram_id(telegram_id)
            return None if member is None else await balance_of(uow, member.id)

    async def payout(
        self,
        member_id: int,
        amount: int | None,
        method: str,
        reference: str | None,
        admin: Actor,
        request_key: str | None = None,
    ) -> PayoutResult:
        """Record money paid to a member: `amount`, or everything available when None.

        Never more than is available, even when admins tap at once: the member row is
        locked first (SQLite: the whole database, by BEGIN IMMEDIATE). The same
        `request_key` (the admin's command message) records one payout however often it
        arrives. The member is told."""
        method = " ".join(method.split())
        reference = " ".join((reference or "").split()) or None
        if not method:
            raise LedgerServiceError(LedgerProblem.METHOD_MISSING)
        if len(method) > MAX_PAYOUT_METHOD:
            raise LedgerServiceError(LedgerProblem.METHOD_TOO_LONG, max=MAX_PAYOUT_METHOD)
        if reference is not None and len(reference) > MAX_PAYOUT_REFERENCE:
            raise LedgerServiceError(LedgerProblem.REFERENCE_TOO_LONG, max=MAX_PAYOUT_REFERENCE)
        if amount is not None and amount <= 0:
            raise LedgerServiceError(LedgerProblem.BAD_AMOUNT)
        now = self.clock.now()
        async with self.uow() as uow:
            member = await uow.session.get(Member, member_id, with_for_update=True)
            assert member is not None
            if request_key is not None:
                earlier = await uow.session.execute(
                    select(Payout).where(Payout.request_key == request_key)
                )
                done = earlier.scalar_one_or_none()
                if done is not None:
                    return PayoutResult(
                        done.id,
                        full_name(member),
                        member.telegram_id,
                        done.amount,
                        done.method,
                        done.reference,
                        await _available(uow, member_id),
                        applied=False,
                    )
            available = await _available(uow, member_id)
            if available <= 0:
                raise LedgerServiceError(LedgerProblem.NOTHING_AVAILABLE, name=full_name(member))
            paying = available if amount is None else amount
            if paying > available:
                raise LedgerServiceError(
                    LedgerProblem.EXCEEDS_AVAILABLE,
                    name=full_name(member),
                    amount=format_rupiah(paying),
                    available=format_rupiah(available),
                )
            payout = Payout(
                member_id=member_id,
                amount=paying,
                method=method,
                reference=reference,
                created_by=admin.telegram_id,
                created_at=now,
                request_key=request_key,
            )
            uow.session.add(payout)
            await uow.session.flush()
            uow.session.add(
                LedgerEntry(
                    member_id=member_id,
                    kind=LedgerKind.PAYOUT,
                    amount=-paying,
                    payout_id=payout.id,
                    created_at=now,
                )
            )
            uow.session.add(
                AdminAction(
                    actor_telegram_id=admin.telegram_id,
                    action="record_payout",
                    target=f"member:{member.telegram_id}",
                    details={"name": admin.name, "amount": paying, "payout": payout.id},
                    created_at=now,
                )
            )
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "ledger.paid_out",
                {
                    "amount": format_rupiah(paying),
                    "method": method,
                    "reference": reference or "-",
                    "available": format_rupiah(available - paying),
                },
                f"payout:{payout.id}",
                now,
            )
            result = PayoutResult(
                payout.id,
                full_name(member),
                member.telegram_id,
                paying,
                method,
                reference,
                available - paying,
            )
            try:
                await uow.commit()
            except IntegrityError:
                # The same command arrived twice at once: the other one recorded it.
                return await self._replayed(member_id, request_key)
            return result

    async def _replayed(self, member_id: int, request_key: str | None) -> PayoutResult:
        async with self.uow() as uow:
            member = await uow.session.get(Member, member_id)
            found = await uow.session.execute(
                select(Payout).where(Payout.request_key == request_key)
            )
            done = found.scalar_one()
            assert member is not None
            return PayoutResult(
                done.id,
                full_name(member),
                member.telegram_id,
                done.amount,
                done.method,
                done.reference,
                await _available(uow, member_id),
                applied=False,
            )

    async def structures(self) -> list[StructureRow]:
        async with self.uow() as uow:
            return [
                StructureRow(
                    i,
                    s.tier_code,
                    s.member_bp,
                    s.leader_bp,
                    s.owner_bp,
                    s.effective_from,
                    s.effective_to,
                )
                for i, s in sorted(
                    await load_structures(uow), key=lambda p: (p[1].tier_code, p[1].effective_from)
                )
            ]

    async def add_structure(
        self,
        tier_code: str,
        member_bp: int,
        leader_bp: int,
        owner_bp: int,
        effective_from: date,
        admin: Actor,
    ) -> StructureRow:
        """A new split for a tier from a date on; the open-ended one before it is closed
        on that date, so reports dated earlier keep the old split.

        Refused: percentages not summing to 100, a period overlapping another of the same
        tier, or a start before tomorrow (Jakarta). Reports can be dated today at the
        latest, so a split from tomorrow on can never contradict a commission already
        made, nor race a validation in progress."""
        now = self.clock.now()
        earliest = jakarta_day(now, self.zone) + timedelta(days=1)
        if effective_from < earliest:
            raise LedgerServiceError(LedgerProblem.STARTS_IN_PAST, earliest=f"{earliest:%d-%m-%Y}")
        async with self.uow() as uow:
            tier = await uow.session.execute(
                select(models.Tier).where(models.Tier.code == tier_code).with_for_update()
            )
            tier_row = tier.scalar_one_or_none()
            if tier_row is None:
                raise LedgerServiceError(LedgerProblem.TIER_NOT_FOUND, tier=tier_code)
            try:
                new = split_rules.CommissionStructure(
                    tier_code, member_bp, leader_bp, owner_bp, effective_from
                )
            except StructureError:
                raise LedgerServiceError(LedgerProblem.SUM_NOT_100) from None
            known = await load_structures(uow)
            try:
                updated = split_rules.add_structure([s for _, s in known], new)
            except StructureError as error:
                conflict = error.conflict
                raise LedgerServiceError(
                    LedgerProblem.OVERLAP,
                    start=f"{conflict.effective_from:%d-%m-%Y}" if conflict else "-",
                ) from None
            for (row_id, before), after in zip(known, updated, strict=False):
                if before != after:
                    closing = await uow.session.get(models.CommissionStructure, row_id)
                    assert closing is not None
                    closing.effective_to = after.effective_to
            added = models.CommissionStructure(
                tier_id=tier_row.id,
                member_bp=member_bp,
                leader_bp=leader_bp,
                owner_bp=owner_bp,
                effective_from=effective_from,
                created_by=admin.telegram_id,
                created_at=now,
            )
            uow.session.add(added)
            uow.session.add(
                AdminAction(
                    actor_telegram_id=admin.telegram_id,
                    action="add_structure",
                    target=f"tier:{tier_code}",
                    details={
                        "name": admin.name,
                        "split": [member_bp, leader_bp, owner_bp],
                        "from": effective_from.isoformat(),
                    },
                    created_at=now,
                )
            )
            await uow.session.flush()
            view = StructureRow(
                added.id, tier_code, member_bp, leader_bp, owner_bp, effective_from, None
            )
            try:
                await uow.commit()
            except IntegrityError:
                raise LedgerServiceError(
                    LedgerProblem.OVERLAP, start=f"{effective_from:%d-%m-%Y}"
                ) from None
            return view


# ---------------------------------------------------------------------------- invariants


@dataclass
class LedgerCheck:
    """What `check_ledger` looked at and every breach it found (empty means all good)."""

    commissions: int = 0
    reports: int = 0
    members: int = 0
    payouts: int = 0
    entries: int = 0
    breaches: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaches


async def check_ledger(uow_factory: UnitOfWorkFactory) -> LedgerCheck:
    """Verify from the rows: each commission's shares sum to its total and match its
    ledger entries; no report has two commissions and each belongs to a validated
    report at its validated amount; each payout has its entry; no balance is negative;
    payouts never exceed earnings."""
    check = LedgerCheck()
    async with uow_factory() as uow:
        session = uow.session
        commissions = list((await session.execute(select(Commission))).scalars())
        check.commissions = len(commissions)
        entries = list((await session.execute(select(LedgerEntry))).scalars())
        check.entries = len(entries)
        by_commission: dict[tuple[int, LedgerKind], list[LedgerEntry]] = {}
        for entry in entries:
            if entry.commission_id is not None:
                by_commission.setdefault((entry.commission_id, LedgerKind(entry.kind)), []).append(
                    entry
                )
        for entry in entries:
            kind = LedgerKind(entry.kind)
            if kind in (LedgerKind.MEMBER_SHARE, LedgerKind.LEADER_SHARE) and (
                entry.commission_id is None
            ):
                check.breaches.append(f"ledger entry {entry.id}: earnings without a commission")
            if kind == LedgerKind.PAYOUT and entry.payout_id is None:
                check.breaches.append(f"ledger entry {entry.id}: a payout entry without a payout")
            if kind != LedgerKind.PAYOUT and entry.amount < 0 and kind != LedgerKind.CORRECTION:
                check.breaches.append(f"ledger entry {entry.id}: negative earnings")
        per_report: dict[int, int] = {}
        for c in commissions:
            per_report[c.report_id] = per_report.get(c.report_id, 0) + 1
            if c.member_share + c.leader_share + c.owner_share != c.total:
                check.breaches.append(f"commission {c.id}: shares do not sum to the total")
            if min(c.member_share, c.leader_share, c.owner_share) < 0:
                check.breaches.append(f"commission {c.id}: a negative share")
            if c.leader_member_id is None and c.leader_share:
                check.breaches.append(f"commission {c.id}: a leader share without a leader")
            for kind, amount, member in (
                (LedgerKind.MEMBER_SHARE, c.member_share, c.member_id),
                (LedgerKind.LEADER_SHARE, c.leader_share, c.leader_member_id),
            ):
                rows = by_commission.get((c.id, kind), [])
                expected = [(member, amount)] if amount else []
                if [(e.member_id, e.amount) for e in rows] != expected:
                    check.breaches.append(f"commission {c.id}: {kind.value} entry does not match")
            report = await session.get(Report, c.report_id)
            if report is None or report.status != ReportStatus.VALIDATED:
                check.breaches.append(f"commission {c.id}: its report is not validated")
            elif report.commission_validated != c.total or report.member_id != c.member_id:
                check.breaches.append(f"commission {c.id}: differs from report {report.id}")
        for report_id, count in per_report.items():
            if count > 1:
                check.breaches.append(f"report {report_id}: {count} commissions")
        check.reports = int(
            (
                await session.execute(
                    select(func.count())
                    .select_from(Report)
                    .where(Report.status == ReportStatus.VALIDATED)
                )
            ).scalar_one()
        )
        payouts = list((await session.execute(select(Payout))).scalars())
        check.payouts = len(payouts)
        payout_entries = {e.payout_id: e for e in entries if e.payout_id is not None}
        for p in payouts:
            paid_entry = payout_entries.get(p.id)
            if (
                paid_entry is None
                or paid_entry.amount != -p.amount
                or paid_entry.member_id != p.member_id
            ):
                check.breaches.append(f"payout {p.id}: its ledger entry does not match")
        earned: dict[int, int] = {}
        paid: dict[int, int] = {}
        balance: dict[int, int] = {}
        # Replay every member's ledger in order: the balance must never dip below zero.
        for entry in sorted(entries, key=lambda e: e.id):
            balance[entry.member_id] = balance.get(entry.member_id, 0) + entry.amount
            if entry.kind == LedgerKind.PAYOUT:
                paid[entry.member_id] = paid.get(entry.member_id, 0) - entry.amount
            else:
                earned[entry.member_id] = earned.get(entry.member_id, 0) + entry.amount
            if balance[entry.member_id] < 0:
                check.breaches.append(
                    f"member {entry.member_id}: balance negative after entry {entry.id}"
                )
        check.members = len(balance)
        for member_id, amount in paid.items():
            if amount > earned.get(member_id, 0):
                check.breaches.append(f"member {member_id}: paid out more than earned")
    return check
