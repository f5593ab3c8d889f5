"""Commissions, payouts, ledger entries and commission structures.

Money only ever moves by inserting rows (database triggers refuse updates and deletes
on commissions, payouts and ledger entries); `commissions.report_id` and
`payouts.request_key` are unique. A payout locks the member row first (`lock_payee`) so
two taps can never overdraw; a new structure locks its tier row (`lock_tier`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.commission import CommissionSplit, CommissionStructure, Earning
from domain.people import Person
from domain.states import LedgerKind
from storage import models
from storage.models import Commission, LedgerEntry, Member, Payout
from storage.repos.members import to_person


@dataclass(frozen=True, slots=True)
class CommissionRecord:
    id: int
    report_id: int
    member_id: int
    leader_member_id: int | None
    total: int
    member_share: int
    leader_share: int
    owner_share: int

    @property
    def split(self) -> CommissionSplit:
        return CommissionSplit(self.total, self.member_share, self.leader_share, self.owner_share)


@dataclass(frozen=True, slots=True)
class LedgerEntryRecord:
    id: int
    member_id: int
    kind: LedgerKind
    amount: int
    commission_id: int | None
    payout_id: int | None


@dataclass(frozen=True, slots=True)
class PayoutRecord:
    id: int
    member_id: int
    amount: int
    method: str
    reference: str | None


def _commission(row: Commission) -> CommissionRecord:
    return CommissionRecord(
        id=row.id,
        report_id=row.report_id,
        member_id=row.member_id,
        leader_member_id=row.leader_member_id,
        total=row.total,
        member_share=row.member_share,
        leader_share=row.leader_share,
        owner_share=row.owner_share,
    )


def _payout(row: Payout) -> PayoutRecord:
    return PayoutRecord(row.id, row.member_id, row.amount, row.method, row.reference)


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def structures(self) -> list[tuple[int, CommissionStructure]]:
        """Every commission structure with its row id, past and future."""
        rows = await self.session.execute(
            select(models.CommissionStructure, models.Tier).join(
                models.Tier, models.Tier.id == models.CommissionStructure.tier_id
            )
        )
        return [
            (
                row.id,
                CommissionStructure(
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

    async def lock_tier(self, tier_code: str) -> int | None:
        """Lock the tier row (structure changes of one tier run one at a time); its id,
        or None for an unknown tier."""
        found = await self.session.execute(
            select(models.Tier).where(models.Tier.code == tier_code).with_for_update()
        )
        tier = found.scalar_one_or_none()
        return None if tier is None else tier.id

    async def close_structure(self, structure_id: int, effective_to: date | None) -> None:
        closing = await self.session.get(models.CommissionStructure, structure_id)
        assert closing is not None
        closing.effective_to = effective_to

    async def add_structure(
        self,
        tier_id: int,
        structure: CommissionStructure,
        created_by: int,
        now: datetime,
    ) -> int:
        added = models.CommissionStructure(
            tier_id=tier_id,
            member_bp=structure.member_bp,
            leader_bp=structure.leader_bp,
            owner_bp=structure.owner_bp,
            effective_from=structure.effective_from,
            created_by=created_by,
            created_at=now,
        )
        self.session.add(added)
        await self.session.flush()
        return added.id

    async def add_commission(
        self,
        report_id: int,
        member_id: int,
        leader_id: int | None,
        structure_id: int,
        structure: CommissionStructure,
        split: CommissionSplit,
        created_by: int,
        now: datetime,
    ) -> int:
        """The commission of a report; raises `Conflict` when the report has one already."""
        row = Commission(
            report_id=report_id,
            member_id=member_id,
            leader_member_id=leader_id,
            structure_id=structure_id,
            tier_code=structure.tier_code,
            total=split.total,
            member_share=split.member,
            leader_share=split.leader,
            owner_share=split.owner,
            created_by=created_by,
            created_at=now,
        )
        self.session.add(row)
        await self.session.flush()
        return row.id

    def add_earning(self, earning: Earning, commission_id: int, now: datetime) -> None:
        self.session.add(
            LedgerEntry(
                member_id=earning.member_id,
                kind=earning.kind,
                amount=earning.amount,
                commission_id=commission_id,
                created_at=now,
            )
        )

    async def commission_of_report(self, report_id: int) -> CommissionRecord | None:
        found = await self.session.execute(
            select(Commission).where(Commission.report_id == report_id)
        )
        row = found.scalar_one_or_none()
        return None if row is None else _commission(row)

    async def available(self, member_id: int) -> int:
        """The member's balance: every ledger entry added up."""
        found = await self.session.execute(
            select(func.coalesce(func.sum(LedgerEntry.amount), 0)).where(
                LedgerEntry.member_id == member_id
            )
        )
        return int(found.scalar_one())

    async def sums_by_kind(self, member_id: int) -> dict[LedgerKind, int]:
        sums = await self.session.execute(
            select(LedgerEntry.kind, func.coalesce(func.sum(LedgerEntry.amount), 0))
            .where(LedgerEntry.member_id == member_id)
            .group_by(LedgerEntry.kind)
        )
        return {LedgerKind(kind): int(total) for kind, total in sums.all()}

    async def commission_total(self, member_id: int) -> int:
        """The total of every commission made on the member's reports."""
        found = await self.session.execute(
            select(func.count(), func.coalesce(func.sum(Commission.total), 0)).where(
                Commission.member_id == member_id
            )
        )
        _, total = found.one()
        return int(total)

    async def leader_share_from(self, member_id: int, leader_id: int) -> int:
        """What `leader_id` earned from the reports of `member_id`."""
        found = await self.session.execute(
            select(func.coalesce(func.sum(Commission.leader_share), 0)).where(
                Commission.member_id == member_id, Commission.leader_member_id == leader_id
            )
        )
        return int(found.scalar_one())

    async def leader_share_total(self, leader_id: int) -> int:
        found = await self.session.execute(
            select(func.coalesce(func.sum(Commission.leader_share), 0)).where(
                Commission.leader_member_id == leader_id
            )
        )
        return int(found.scalar_one())

    async def lock_payee(self, member_id: int) -> Person | None:
        """Lock the member row before reading the balance: payouts to one member run one
        at a time (SQLite: BEGIN IMMEDIATE already locks the whole database)."""
        member = await self.session.get(Member, member_id, with_for_update=True)
        return None if member is None else to_person(member)

    async def payout_by_request_key(self, request_key: str | None) -> PayoutRecord | None:
        found = await self.session.execute(select(Payout).where(Payout.request_key == request_key))
        row = found.scalar_one_or_none()
        return None if row is None else _payout(row)

    async def record_payout(
        self,
        member_id: int,
        amount: int,
        method: str,
        reference: str | None,
        created_by: int,
        now: datetime,
        request_key: str | None,
    ) -> int:
        """The payout and its (negative) ledger entry; returns the payout's id."""
        payout = Payout(
            member_id=member_id,
            amount=amount,
            method=method,
            reference=reference,
            created_by=created_by,
            created_at=now,
            request_key=request_key,
        )
        self.session.add(payout)
        await self.session.flush()
        self.session.add(
            LedgerEntry(
                member_id=member_id,
                kind=LedgerKind.PAYOUT,
                amount=-amount,
                payout_id=payout.id,
                created_at=now,
            )
        )
        return payout.id

    async def all_commissions(self) -> list[CommissionRecord]:
        rows = await self.session.execute(select(Commission))
        return [_commission(row) for row in rows.scalars()]

    async def all_entries(self) -> list[LedgerEntryRecord]:
        rows = await self.session.execute(select(LedgerEntry))
        return [
            LedgerEntryRecord(
                e.id, e.member_id, LedgerKind(e.kind), e.amount, e.commission_id, e.payout_id
            )
            for e in rows.scalars()
        ]

    async def all_payouts(self) -> list[PayoutRecord]:
        rows = await self.session.execute(select(Payout))
        return [_payout(row) for row in rows.scalars()]
