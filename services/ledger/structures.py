"""Commission structures: how each tier's commission is split, from which day on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain import commission as split_rules
from domain.commission import StructureError, earliest_new_structure
from domain.reports import jakarta_day
from kernel.actor import Actor
from kernel.dates import day_param
from services.ledger._base import LedgerProblem, LedgerServiceBase, LedgerServiceError
from storage.errors import Conflict


@dataclass(frozen=True, slots=True)
class StructureRow:
    id: int
    tier_code: str
    member_bp: int
    leader_bp: int
    owner_bp: int
    effective_from: date
    effective_to: date | None


class Structures(LedgerServiceBase):
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
                    await uow.ledger.structures(),
                    key=lambda p: (p[1].tier_code, p[1].effective_from),
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
        tier, or a start before tomorrow (Jakarta, `earliest_new_structure`)."""
        now = self.clock.now()
        earliest = earliest_new_structure(jakarta_day(now, self.zone))
        if effective_from < earliest:
            raise LedgerServiceError(LedgerProblem.STARTS_IN_PAST, earliest=day_param(earliest))
        async with self.uow() as uow:
            tier_id = await uow.ledger.lock_tier(tier_code)
            if tier_id is None:
                raise LedgerServiceError(LedgerProblem.TIER_NOT_FOUND, tier=tier_code)
            try:
                new = split_rules.CommissionStructure(
                    tier_code, member_bp, leader_bp, owner_bp, effective_from
                )
            except StructureError:
                raise LedgerServiceError(LedgerProblem.SUM_NOT_100) from None
            known = await uow.ledger.structures()
            try:
                updated = split_rules.add_structure([s for _, s in known], new)
            except StructureError as error:
                conflict = error.conflict
                raise LedgerServiceError(
                    LedgerProblem.OVERLAP,
                    start=day_param(conflict.effective_from) if conflict else "-",
                ) from None
            for (row_id, before), after in zip(known, updated, strict=False):
                if before != after:
                    await uow.ledger.close_structure(row_id, after.effective_to)
            added = await uow.ledger.add_structure(tier_id, new, admin.telegram_id, now)
            uow.audit.record(
                admin,
                "add_structure",
                f"tier:{tier_code}",
                now,
                split=[member_bp, leader_bp, owner_bp],
                **{"from": effective_from.isoformat()},
            )
            view = StructureRow(
                added, tier_code, member_bp, leader_bp, owner_bp, effective_from, None
            )
            try:
                await uow.commit()
            except Conflict:
                raise LedgerServiceError(
                    LedgerProblem.OVERLAP, start=day_param(effective_from)
                ) from None
            return view
