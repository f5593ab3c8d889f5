"""The admins' list of reports waiting for validation, and "validate all" of a list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.states import ReportStatus
from kernel.actor import Actor
from services.reports._base import ReportError, ReportProblem
from services.reports.review import Outcome, Reviewing


@dataclass(frozen=True, slots=True)
class PendingLine:
    report_id: int
    version: int
    name: str
    telegram_id: int
    report_date: date
    claimed: int
    screenshots: int


@dataclass(frozen=True, slots=True)
class PendingList:
    batch_id: int | None
    lines: list[PendingLine]
    total: int


class Skipped(StrEnum):
    """Why "validate all" left a listed report as it was."""

    VALIDATED = "validated"  # validated meanwhile (by someone, `by`)
    REJECTED = "rejected"  # rejected meanwhile (`by`)
    REPLACED = "replaced"  # the member sent a new version after the list was made


@dataclass(frozen=True, slots=True)
class BatchLine:
    """One listed report after "validate all": validated now, or why it was skipped."""

    report_id: int
    skipped: Skipped | None = None
    by: str | None = None


@dataclass(frozen=True, slots=True)
class BatchResult:
    validated: int
    skipped: int
    first_use: bool
    lines: tuple[BatchLine, ...] = ()


def _line(outcome: Outcome) -> BatchLine:
    if outcome.applied:
        return BatchLine(outcome.report_id)
    if outcome.status == ReportStatus.VALIDATED:
        return BatchLine(outcome.report_id, Skipped.VALIDATED, outcome.decided_by_name)
    if outcome.status == ReportStatus.REJECTED:
        return BatchLine(outcome.report_id, Skipped.REJECTED, outcome.decided_by_name)
    return BatchLine(outcome.report_id, Skipped.REPLACED)


class Batches(Reviewing):
    async def pending(self, admin: Actor, limit: int = 20) -> PendingList:
        """Reports waiting for validation, oldest first, and a batch naming exactly the
        listed ones (each at the version listed) for "validate all"."""
        now = self.clock.now()
        async with self.uow() as uow:
            page, total = await uow.reports.submitted_page(limit)
            lines = [
                PendingLine(
                    report.id,
                    report.version,
                    member.full_name,
                    member.telegram_id,
                    report.report_date,
                    report.commission_claimed,
                    screenshots,
                )
                for report, member, screenshots in page
            ]
            batch_id = None
            if lines:
                batch_id = await uow.reports.open_batch(
                    [[line.report_id, line.version] for line in lines], admin.telegram_id, now
                )
                await uow.commit()
            return PendingList(batch_id, lines, total)

    async def validate_batch(self, batch_id: int, admin: Actor) -> BatchResult:
        """Validate every report a listing showed, each at the version shown; reports
        replaced, rejected or validated since are skipped. Safe to tap twice."""
        now = self.clock.now()
        async with self.uow() as uow:
            items = await uow.reports.batch_items(batch_id)
            if items is None:
                raise ReportError(ReportProblem.NOT_FOUND)
            first_use = await uow.reports.use_batch(batch_id, admin.telegram_id, now)
            await uow.commit()
        lines = [
            _line(await self.validate(report_id, version, admin)) for report_id, version in items
        ]
        validated = sum(line.skipped is None for line in lines)
        return BatchResult(validated, len(items) - validated, first_use, tuple(lines))
