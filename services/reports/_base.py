"""What every report use case shares: the service's fields, its refusals and the
report as a member sees it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from zoneinfo import ZoneInfo

from domain.people import Person
from domain.reports import ReportFigures, jakarta_day
from domain.states import ReportStatus
from kernel.clock import Clock
from kernel.notices import Button
from kernel.refusal import Refusal
from services.base import ServiceBase
from storage.repos.reports import ReportRecord
from storage.uow import UnitOfWork, UnitOfWorkFactory

# The bot layer packs a card's buttons (report id, version, member's Telegram id).
CardButtons = Callable[[int, int, int], Sequence[Sequence[Button]]]


class ReportProblem(StrEnum):
    NOT_REGISTERED = "not_registered"
    NO_MEMBERSHIP = "no_membership"
    ALREADY_VALIDATED = "already_validated"
    DAY_PASSED = "day_passed"
    NO_SCREENSHOTS = "no_screenshots"
    TOO_MANY_SCREENSHOTS = "too_many_screenshots"
    NOT_FOUND = "not_found"
    BAD_AMOUNT = "bad_amount"


class ReportError(Refusal[ReportProblem]):
    """Why a report could not be sent or decided."""


@dataclass(frozen=True, slots=True)
class ReportView:
    id: int
    member_id: int
    report_date: date
    status: ReportStatus
    version: int
    figures: ReportFigures
    screenshots: int
    validated_amount: int | None
    reject_reason: str | None
    member_share: int | None
    replaced: bool = False


class ReportServiceBase(ServiceBase):
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        zone: ZoneInfo,
        default_language: str,
        *,
        admin_chat_id: int | None = None,
        card_buttons: CardButtons | None = None,
    ) -> None:
        super().__init__(uow, clock, zone, default_language)
        self.admin_chat_id = admin_chat_id
        self.card_buttons = card_buttons

    def today(self) -> date:
        return jakarta_day(self.clock.now(), self.zone)

    async def _member(self, uow: UnitOfWork, telegram_id: int) -> Person:
        member = await uow.members.by_telegram_id(telegram_id)
        if member is None:
            raise ReportError(ReportProblem.NOT_REGISTERED)
        return member

    async def _view(self, uow: UnitOfWork, row: ReportRecord, replaced: bool = False) -> ReportView:
        screenshots = await uow.reports.screenshot_count(row.id)
        commission = await uow.ledger.commission_of_report(row.id)
        member_share = commission.member_share if commission is not None else None
        return _report_view(row, screenshots, member_share, replaced)

    async def _views(self, uow: UnitOfWork, rows: Sequence[ReportRecord]) -> list[ReportView]:
        """`_view` of several reports with one query for all their extras."""
        extras = await uow.reports.view_extras([row.id for row in rows])
        return [_report_view(row, *extras.get(row.id, (0, None))) for row in rows]

    async def _latest_views(self, uow: UnitOfWork, member_id: int, limit: int) -> list[ReportView]:
        """`_view` of the member's newest `limit` reports, in one query."""
        found = await uow.reports.latest_with_extras(member_id, limit)
        return [_report_view(row, screenshots, share) for row, screenshots, share in found]


def _report_view(
    row: ReportRecord, screenshots: int, member_share: int | None, replaced: bool = False
) -> ReportView:
    return ReportView(
        id=row.id,
        member_id=row.member_id,
        report_date=row.report_date,
        status=row.status,
        version=row.version,
        figures=row.figures,
        screenshots=screenshots,
        validated_amount=row.commission_validated,
        reject_reason=row.reject_reason,
        member_share=member_share,
        replaced=replaced,
    )
