"""The commission of a validated report, with its ledger entries, exactly as SPEC
"Commission split" says: the tier, the structure and the leader as of the report's day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from domain.catalog import Tier
from domain.commission import (
    CommissionSplit,
    CommissionStructure,
    earnings_of,
    split_commission,
    structure_on,
    tier_during,
    would_earn,
)
from domain.reports import day_bounds
from storage.repos.reports import ReportRecord
from storage.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class CommissionResult:
    """What validating a report earned: `split` is None when the member's tier on the
    report's day has no structure; `would_earn` is then what the best tier with a
    structure would have paid the member (SPEC: tell Basic members)."""

    tier: Tier | None
    split: CommissionSplit | None
    leader_member_id: int | None
    would_earn: int | None


async def tier_on(uow: UnitOfWork, member_id: int, day: date, zone: ZoneInfo) -> Tier | None:
    """The member's effective tier on `day` (`domain.commission.tier_during`): lapses of
    a temporal plan renewed after it ran out do not count."""
    start, end = day_bounds(day, zone)
    spans = await uow.memberships.activated_spans(member_id)
    renewals = await uow.memberships.renewals([s.membership_id for s in spans])
    return tier_during(spans, renewals, start, end)


async def load_structures(uow: UnitOfWork) -> list[tuple[int, CommissionStructure]]:
    """Every commission structure with its row id."""
    return await uow.ledger.structures()


async def create_commission(
    uow: UnitOfWork,
    report: ReportRecord,
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
    known = await uow.ledger.structures()
    structures = [s for _, s in known]
    structure = structure_on(structures, tier.code, day) if tier is not None else None
    start, end = day_bounds(day, zone)
    leader_id = await uow.leaders.leader_between(report.member_id, start, end)
    if structure is None:
        return CommissionResult(tier, None, leader_id, would_earn(total, structures, day))
    split = split_commission(total, structure, has_leader=leader_id is not None)
    commission_id = await uow.ledger.add_commission(
        report.id,
        report.member_id,
        leader_id,
        next(i for i, s in known if s == structure),
        structure,
        split,
        actor,
        now,
    )
    for earning in earnings_of(split, report.member_id, leader_id):
        uow.ledger.add_earning(earning, commission_id, now)
    return CommissionResult(tier, split, leader_id, None)
