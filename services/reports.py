"""Daily reports: submission and replacement, admin validation (one by one or in bulk),
rejection, history and the daily reminder (SPEC "Daily reports").

One report per member per Jakarta day (a unique constraint). Until it is validated the
member may replace it: the row is rewritten and its `version` raised, so a card still
showing the old figures can no longer validate them. Validation is a compare-and-set
on (status, version) in the same transaction as the commission, its ledger entries and
the messages, so twenty taps create one commission.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from domain.catalog import Tier
from domain.commission import CommissionSplit
from domain.membership import effective_tier
from domain.money import format_rupiah
from domain.reports import (
    MAX_COMMISSION,
    MAX_SCREENSHOTS,
    ReportFigures,
    ReportRejectReason,
    jakarta_day,
)
from domain.states import ReportStatus
from kernel.actor import Actor
from kernel.clock import Clock
from kernel.notices import Button, Notice
from kernel.refusal import Refusal
from services.leaders import full_name
from services.ledger import CommissionResult, create_commission, load_structures
from storage.models import (
    AdminAction,
    Commission,
    Member,
    Report,
    ReportBatch,
    ReportScreenshot,
)
from storage.repos.memberships import MembershipRepository
from storage.uow import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "BatchResult",
    "Outcome",
    "PendingList",
    "ReportCard",
    "ReportError",
    "ReportProblem",
    "ReportService",
    "ReportView",
    "Screenshot",
]

CardButtons = Callable[[int, int], Sequence[Sequence[Button]]]
LINKS_ON_CARD = 5
LINK_CHARS_ON_CARD = 60
MAX_NOTE = 500


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
class Screenshot:
    file_id: str
    file_unique_id: str
    media_kind: str = "photo"


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


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of a tap: `applied` only for the tap that changed the report."""

    report_id: int
    applied: bool
    status: ReportStatus
    version: int
    decided_by: int | None
    decided_by_name: str | None
    decided_at: datetime | None
    validated_amount: int | None = None
    reject_reason: str | None = None
    commission: CommissionResult | None = None


@dataclass(frozen=True, slots=True)
class ReportCard:
    report_id: int
    version: int
    status: ReportStatus
    text_key: str
    params: dict[str, Any]
    first_screenshot: Screenshot | None
    claimed: int = 0


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


@dataclass(frozen=True, slots=True)
class BatchResult:
    validated: int
    skipped: int
    first_use: bool


def _figures(row: Report) -> ReportFigures:
    return ReportFigures(
        videos_posted=row.videos_posted,
        links=tuple((row.links or {}).get("items", [])),
        views=row.views,
        orders=row.orders,
        sales=row.sales,
        commission=row.commission_claimed,
    )


def _short(link: str) -> str:
    plain = link.split("://", 1)[-1]
    return plain if len(plain) <= LINK_CHARS_ON_CARD else plain[: LINK_CHARS_ON_CARD - 1] + "…"


def reason_param(reason: str) -> Any:
    """A stored reject reason: a listed code (translated) or the admin's own words."""
    if reason in {r.value for r in ReportRejectReason}:
        return {"key": f"report_reason.{reason}"}
    return reason


class ReportService:
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
        self.uow = uow
        self.clock = clock
        self.zone = zone
        self.default_language = default_language
        self.admin_chat_id = admin_chat_id
        self.card_buttons = card_buttons

    def today(self) -> date:
        return jakarta_day(self.clock.now(), self.zone)

    # ------------------------------------------------------------------ the member's side

    async def _member(self, uow: UnitOfWork, telegram_id: int) -> Member:
        member = await uow.members.by_telegram_id(telegram_id)
        if member is None:
            raise ReportError(ReportProblem.NOT_REGISTERED)
        return member

    async def _view(self, uow: UnitOfWork, row: Report, replaced: bool = False) -> ReportView:
        count = await uow.session.execute(
            select(func.count())
            .select_from(ReportScreenshot)
            .where(ReportScreenshot.report_id == row.id)
        )
        share = await uow.session.execute(
            select(Commission.member_share).where(Commission.report_id == row.id)
        )
        return ReportView(
            id=row.id,
            member_id=row.member_id,
            report_date=row.report_date,
            status=ReportStatus(row.status),
            version=row.version,
            figures=_figures(row),
            screenshots=int(count.scalar_one()),
            validated_amount=row.commission_validated,
            reject_reason=row.reject_reason,
            member_share=share.scalar_one_or_none(),
            replaced=replaced,
        )

    async def can_report(self, telegram_id: int) -> tuple[date, ReportView | None]:
        """Before the flow starts: today's date and today's report if any. Refused for
        people without an active membership and when today's report is validated."""
        now = self.clock.now()
        day = jakarta_day(now, self.zone)
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            if effective_tier(await MembershipRepository(uow.session).held(member.id), now) is None:
                raise ReportError(ReportProblem.NO_MEMBERSHIP)
            row = await self._row(uow, member.id, day)
            existing = await self._view(uow, row) if row is not None else None
            if existing is not None and existing.status == ReportStatus.VALIDATED:
                raise ReportError(ReportProblem.ALREADY_VALIDATED, date=f"{day:%d-%m-%Y}")
            return day, existing

    async def _row(self, uow: UnitOfWork, member_id: int, day: date) -> Report | None:
        found = await uow.session.execute(
            select(Report).where(Report.member_id == member_id, Report.report_date == day)
        )
        return found.scalar_one_or_none()

    async def submit(
        self,
        telegram_id: int,
        day: date,
        figures: ReportFigures,
        screenshots: Sequence[Screenshot],
    ) -> ReportView:
        """Send (or replace) the member's report for `day`: today, or yesterday for a
        report begun before midnight. The admins get a new card; older cards of the same
        report stop working (their version is gone)."""
        if not screenshots:
            raise ReportError(ReportProblem.NO_SCREENSHOTS)
        if len(screenshots) > MAX_SCREENSHOTS:
            raise ReportError(ReportProblem.TOO_MANY_SCREENSHOTS, max=MAX_SCREENSHOTS)
        now = self.clock.now()
        today = jakarta_day(now, self.zone)
        if day not in (today, today - timedelta(days=1)):
            raise ReportError(ReportProblem.DAY_PASSED, date=f"{day:%d-%m-%Y}")
        for attempt in range(2):
            try:
                return await self._submit(telegram_id, day, figures, screenshots, now)
            except IntegrityError:
                # Two sends raced to create the day's report; the second one replaces it.
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _submit(
        self,
        telegram_id: int,
        day: date,
        figures: ReportFigures,
        screenshots: Sequence[Screenshot],
        now: datetime,
    ) -> ReportView:
        values: dict[str, Any] = {
            "videos_posted": figures.videos_posted,
            "links": {"items": list(figures.links)},
            "views": figures.views,
            "orders": figures.orders,
            "sales": figures.sales,
            "commission_claimed": figures.commission,
        }
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            if effective_tier(await MembershipRepository(uow.session).held(member.id), now) is None:
                raise ReportError(ReportProblem.NO_MEMBERSHIP)
            row = await self._row(uow, member.id, day)
            replaced = row is not None
            if row is None:
                row = Report(
                    member_id=member.id,
                    report_date=day,
                    status=ReportStatus.SUBMITTED,
                    version=1,
                    created_at=now,
                    updated_at=now,
                    **values,
                )
                uow.session.add(row)
                await uow.session.flush()
            else:
                changed = await uow.session.execute(
                    update(Report)
                    .where(Report.id == row.id, Report.status != ReportStatus.VALIDATED)
                    .values(
                        status=ReportStatus.SUBMITTED,
                        version=Report.version + 1,
                        updated_at=now,
                        reviewed_by=None,
                        reviewed_at=None,
                        reject_reason=None,
                        commission_validated=None,
                        **values,
                    )
                )
                if not changed.rowcount:  # type: ignore[attr-defined]
                    raise ReportError(ReportProblem.ALREADY_VALIDATED, date=f"{day:%d-%m-%Y}")
                await uow.session.refresh(row)
                await uow.session.execute(
                    delete(ReportScreenshot).where(ReportScreenshot.report_id == row.id)
                )
            for position, shot in enumerate(screenshots, start=1):
                uow.session.add(
                    ReportScreenshot(
                        report_id=row.id,
                        position=position,
                        telegram_file_id=shot.file_id,
                        file_unique_id=shot.file_unique_id,
                        media_kind=shot.media_kind,
                    )
                )
            await uow.session.flush()
            await self._queue_card(uow, row, member, list(screenshots), replaced, now)
            view = await self._view(uow, row, replaced)
            await uow.commit()
            return view

    # ------------------------------------------------------------------ cards

    async def _card(self, uow: UnitOfWork, row: Report, member: Member) -> ReportCard:
        shots = await uow.session.execute(
            select(ReportScreenshot)
            .where(ReportScreenshot.report_id == row.id)
            .order_by(ReportScreenshot.position)
        )
        first = shots.scalars().first()
        figures = _figures(row)
        links = [_short(link) for link in figures.links[:LINKS_ON_CARD]]
        more = len(figures.links) - len(links)
        tier = await self._tier_now(uow, member.id)
        params: dict[str, Any] = {
            "report": row.id,
            "version": row.version,
            "name": full_name(member),
            "username": f"@{member.username}" if member.username else "-",
            "telegram_id": member.telegram_id,
            "date": f"{row.report_date:%d-%m-%Y}",
            "tier": {"key": f"tier.{tier.code}"} if tier else "-",
            "videos": figures.videos_posted,
            "links": "\n".join(links) if links else "-",
            "more_links": {"key": "report_review.more_links", "params": {"count": more}}
            if more
            else "",
            "views": f"{figures.views:,}".replace(",", "."),
            "orders": f"{figures.orders:,}".replace(",", "."),
            "sales": format_rupiah(figures.sales),
            "commission": format_rupiah(figures.commission),
            "replaced": {"key": "report_review.replaced_note"} if row.version > 1 else "",
        }
        return ReportCard(
            report_id=row.id,
            version=row.version,
            status=ReportStatus(row.status),
            text_key="report_review.card",
            params=params,
            claimed=row.commission_claimed,
            first_screenshot=Screenshot(
                first.telegram_file_id, first.file_unique_id, first.media_kind
            )
            if first
            else None,
        )

    async def _tier_now(self, uow: UnitOfWork, member_id: int) -> Tier | None:
        held = await MembershipRepository(uow.session).held(member_id)
        return effective_tier(held, self.clock.now())

    async def _queue_card(
        self,
        uow: UnitOfWork,
        row: Report,
        member: Member,
        screenshots: list[Screenshot],
        replaced: bool,
        now: datetime,
    ) -> None:
        if self.admin_chat_id is None:
            return
        lang = self.default_language
        # Extra screenshots first, so the card with its buttons is the newest message.
        for position, shot in enumerate(screenshots[1:], start=2):
            await uow.outbox.enqueue(
                Notice(
                    chat_id=self.admin_chat_id,
                    text_key="report_review.screenshot",
                    language=lang,
                    params={"report": row.id, "n": position, "of": len(screenshots)},
                    photo_file_id=shot.file_id if shot.media_kind == "photo" else None,
                    document_file_id=shot.file_id if shot.media_kind != "photo" else None,
                    dedupe_key=f"report:{row.id}:v{row.version}:shot:{position}",
                ),
                now,
            )
        card = await self._card(uow, row, member)
        buttons = tuple(
            tuple(line)
            for line in (self.card_buttons(row.id, row.version) if self.card_buttons else ())
        )
        first = card.first_screenshot
        await uow.outbox.enqueue(
            Notice(
                chat_id=self.admin_chat_id,
                text_key=card.text_key,
                language=lang,
                params=card.params,
                buttons=buttons,
                photo_file_id=first.file_id if first and first.media_kind == "photo" else None,
                document_file_id=first.file_id if first and first.media_kind != "photo" else None,
                dedupe_key=f"report:{row.id}:v{row.version}:card",
            ),
            now,
        )

    async def card(self, report_id: int) -> ReportCard:
        async with self.uow() as uow:
            row = await uow.session.get(Report, report_id)
            if row is None:
                raise ReportError(ReportProblem.NOT_FOUND)
            member = await uow.session.get(Member, row.member_id)
            assert member is not None
            return await self._card(uow, row, member)

    # ------------------------------------------------------------------ the admins' side

    async def outcome(self, report_id: int) -> Outcome:
        """Where a report stands now (`applied` False): for a tap that changes nothing."""
        async with self.uow() as uow:
            return await self._outcome(uow, report_id)

    async def _outcome(self, uow: UnitOfWork, report_id: int) -> Outcome:
        # populate_existing: the row may sit in the session from before a lost race.
        row = await uow.session.get(Report, report_id, populate_existing=True)
        if row is None:
            raise ReportError(ReportProblem.NOT_FOUND)
        name = None
        if row.reviewed_by is not None:
            audit = await uow.session.execute(
                select(AdminAction.details)
                .where(
                    AdminAction.target == f"report:{row.id}",
                    AdminAction.actor_telegram_id == row.reviewed_by,
                )
                .order_by(AdminAction.id.desc())
                .limit(1)
            )
            name = (audit.scalar_one_or_none() or {}).get("name")
        commission = None
        if row.status == ReportStatus.VALIDATED:
            made = await uow.session.execute(
                select(Commission).where(Commission.report_id == row.id)
            )
            found = made.scalar_one_or_none()
            if found is not None:
                split = CommissionSplit(
                    found.total, found.member_share, found.leader_share, found.owner_share
                )
                commission = CommissionResult(None, split, found.leader_member_id, None)
        return Outcome(
            report_id=row.id,
            applied=False,
            status=ReportStatus(row.status),
            version=row.version,
            decided_by=row.reviewed_by,
            decided_by_name=name,
            decided_at=row.reviewed_at,
            validated_amount=row.commission_validated,
            reject_reason=row.reject_reason,
            commission=commission,
        )

    async def validate(
        self, report_id: int, version: int, admin: Actor, amount: int | None = None
    ) -> Outcome:
        """Validate the report as shown (`version`), at the claimed amount or at
        `amount` (Adjust). Creates the commission and tells the member and the leader.
        Anyone after the first gets `applied=False` and who decided."""
        if amount is not None and not 0 <= amount <= MAX_COMMISSION:
            raise ReportError(ReportProblem.BAD_AMOUNT, max=format_rupiah(MAX_COMMISSION))
        now = self.clock.now()
        async with self.uow() as uow:
            try:
                outcome = await self._validate(uow, report_id, version, admin, amount, now)
                if outcome.applied:
                    await uow.commit()
                return outcome
            except IntegrityError:
                # The unique commission per report: another validation won a race the
                # compare-and-set did not see. Nothing of this one was kept.
                pass
        return await self.outcome(report_id)

    async def _validate(
        self,
        uow: UnitOfWork,
        report_id: int,
        version: int,
        admin: Actor,
        amount: int | None,
        now: datetime,
    ) -> Outcome:
        row = await uow.session.get(Report, report_id)
        if row is None:
            raise ReportError(ReportProblem.NOT_FOUND)
        total = row.commission_claimed if amount is None else amount
        changed = await uow.session.execute(
            update(Report)
            .where(
                Report.id == report_id,
                Report.status == ReportStatus.SUBMITTED,
                Report.version == version,
            )
            .values(
                status=ReportStatus.VALIDATED,
                commission_validated=total,
                reviewed_by=admin.telegram_id,
                reviewed_at=now,
                updated_at=now,
            )
        )
        if not changed.rowcount:  # type: ignore[attr-defined]
            return await self._outcome(uow, report_id)
        await uow.session.refresh(row)
        uow.session.add(
            AdminAction(
                actor_telegram_id=admin.telegram_id,
                action="validate_report",
                target=f"report:{report_id}",
                details={
                    "name": admin.name,
                    "claimed": row.commission_claimed,
                    "validated": total,
                },
                created_at=now,
            )
        )
        result = await create_commission(uow, row, total, self.zone, admin.telegram_id, now)
        await self._tell_validated(uow, row, total, result, now)
        return Outcome(
            report_id=row.id,
            applied=True,
            status=ReportStatus.VALIDATED,
            version=row.version,
            decided_by=admin.telegram_id,
            decided_by_name=admin.name,
            decided_at=now,
            validated_amount=total,
            commission=result,
        )

    async def _tell_validated(
        self, uow: UnitOfWork, row: Report, total: int, result: CommissionResult, now: datetime
    ) -> None:
        member = await uow.session.get(Member, row.member_id)
        assert member is not None
        adjusted: Any = ""
        if total != row.commission_claimed:
            adjusted = {
                "key": "reports.adjusted_note",
                "params": {"claimed": format_rupiah(row.commission_claimed)},
            }
        common = {"date": f"{row.report_date:%d-%m-%Y}", "total": format_rupiah(total)}
        if result.split is not None:
            key, params = (
                "reports.validated_paid",
                {**common, "share": format_rupiah(result.split.member), "adjusted": adjusted},
            )
        elif result.would_earn is not None:
            key, params = (
                "reports.validated_no_commission",
                {**common, "would": format_rupiah(result.would_earn), "adjusted": adjusted},
            )
        else:
            key, params = "reports.validated_plain", {**common, "adjusted": adjusted}
        await uow.outbox.tell_member(
            member, self.default_language, key, params, f"report:{row.id}:validated", now
        )
        if result.split is not None and result.split.leader and result.leader_member_id:
            leader = await uow.session.get(Member, result.leader_member_id)
            assert leader is not None
            await uow.outbox.tell_member(
                leader,
                self.default_language,
                "reports.leader_share",
                {
                    "name": full_name(member),
                    "date": f"{row.report_date:%d-%m-%Y}",
                    "total": format_rupiah(total),
                    "share": format_rupiah(result.split.leader),
                },
                f"report:{row.id}:leader",
                now,
            )

    async def reject(
        self,
        report_id: int,
        version: int,
        admin: Actor,
        *,
        code: ReportRejectReason | None = None,
        note: str | None = None,
    ) -> Outcome:
        """Reject the report as shown, with a listed reason or the admin's words. The
        member is told why and may send the day's report again."""
        if code is None and not (note or "").strip():
            raise ValueError("a rejection needs a reason")
        reason = code.value if code is not None else (note or "").strip()[:MAX_NOTE]
        now = self.clock.now()
        async with self.uow() as uow:
            changed = await uow.session.execute(
                update(Report)
                .where(
                    Report.id == report_id,
                    Report.status == ReportStatus.SUBMITTED,
                    Report.version == version,
                )
                .values(
                    status=ReportStatus.REJECTED,
                    reviewed_by=admin.telegram_id,
                    reviewed_at=now,
                    reject_reason=reason,
                    updated_at=now,
                )
            )
            if not changed.rowcount:  # type: ignore[attr-defined]
                return await self._outcome(uow, report_id)
            row = await uow.session.get(Report, report_id)
            assert row is not None
            await uow.session.refresh(row)
            uow.session.add(
                AdminAction(
                    actor_telegram_id=admin.telegram_id,
                    action="reject_report",
                    target=f"report:{report_id}",
                    details={"name": admin.name, "reason": reason},
                    created_at=now,
                )
            )
            member = await uow.session.get(Member, row.member_id)
            assert member is not None
            today = jakarta_day(now, self.zone)
            await uow.outbox.tell_member(
                member,
                self.default_language,
                "reports.rejected"
                if row.report_date >= today - timedelta(days=1)
                else "reports.rejected_closed",
                {"date": f"{row.report_date:%d-%m-%Y}", "reason": reason_param(reason)},
                f"report:{row.id}:v{row.version}:rejected",
                now,
            )
            outcome = Outcome(
                report_id=row.id,
                applied=True,
                status=ReportStatus.REJECTED,
                version=row.version,
                decided_by=admin.telegram_id,
                decided_by_name=admin.name,
                decided_at=now,
                reject_reason=reason,
            )
            await uow.commit()
            return outcome

    async def pending(self, admin: Actor, limit: int = 20) -> PendingList:
        """Reports waiting for validation, oldest first, and a batch naming exactly the
        listed ones (each at the version listed) for "validate all"."""
        now = self.clock.now()
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(Report, Member)
                .join(Member, Member.id == Report.member_id)
                .where(Report.status == ReportStatus.SUBMITTED)
                .order_by(Report.updated_at, Report.id)
            )
            found = rows.all()
            lines = []
            for report, member in found[:limit]:
                count = await uow.session.execute(
                    select(func.count())
                    .select_from(ReportScreenshot)
                    .where(ReportScreenshot.report_id == report.id)
                )
                lines.append(
                    PendingLine(
                        report.id,
                        report.version,
                        full_name(member),
                        member.telegram_id,
                        report.report_date,
                        report.commission_claimed,
                        int(count.scalar_one()),
                    )
                )
            batch_id = None
            if lines:
                batch = ReportBatch(
                    items=[[line.report_id, line.version] for line in lines],
                    created_by=admin.telegram_id,
                    created_at=now,
                )
                uow.session.add(batch)
                await uow.session.flush()
                batch_id = batch.id
                await uow.commit()
            return PendingList(batch_id, lines, len(found))

    async def validate_batch(self, batch_id: int, admin: Actor) -> BatchResult:
        """Validate every report a listing showed, each at the version shown; reports
        replaced, rejected or validated since are skipped. Safe to tap twice."""
        now = self.clock.now()
        async with self.uow() as uow:
            batch = await uow.session.get(ReportBatch, batch_id)
            if batch is None:
                raise ReportError(ReportProblem.NOT_FOUND)
            items = [(int(i), int(v)) for i, v in batch.items]
            marked = await uow.session.execute(
                update(ReportBatch)
                .where(ReportBatch.id == batch_id, ReportBatch.used_at.is_(None))
                .values(used_at=now, used_by=admin.telegram_id)
            )
            first_use = bool(marked.rowcount)  # type: ignore[attr-defined]
            await uow.commit()
        validated = 0
        for report_id, version in items:
            outcome = await self.validate(report_id, version, admin)
            validated += outcome.applied
        return BatchResult(validated, len(items) - validated, first_use)

    async def history(self, member_id: int, limit: int = 15) -> tuple[list[ReportView], int]:
        """A member's latest reports, newest first, and how many they have in all."""
        async with self.uow() as uow:
            rows = await uow.session.execute(
                select(Report)
                .where(Report.member_id == member_id)
                .order_by(Report.report_date.desc())
            )
            found = list(rows.scalars())
            return [await self._view(uow, r) for r in found[:limit]], len(found)

    async def latest(self, telegram_id: int, limit: int = 7) -> list[ReportView]:
        """The member's own latest reports (for /balance)."""
        async with self.uow() as uow:
            member = await self._member(uow, telegram_id)
            rows = await uow.session.execute(
                select(Report)
                .where(Report.member_id == member.id)
                .order_by(Report.report_date.desc())
                .limit(limit)
            )
            return [await self._view(uow, r) for r in rows.scalars()]

    # ------------------------------------------------------------------ the reminder

    async def remind_missing(self) -> int:
        """Remind, once per Jakarta day, every member whose tier earns commission today
        and who has not reported yet. Safe to run twice (dedupe key per member per day)."""
        now = self.clock.now()
        day = jakarta_day(now, self.zone)
        sent = 0
        async with self.uow() as uow:
            earning = {s.tier_code for _, s in await load_structures(uow) if s.in_force_on(day)}
            reported = select(Report.member_id).where(Report.report_date == day)
            members = await uow.session.execute(
                select(Member).where(Member.id.not_in(reported), Member.blocked_bot_at.is_(None))
            )
            memberships = MembershipRepository(uow.session)
            for member in members.scalars():
                tier = effective_tier(await memberships.held(member.id), now)
                if tier is None or tier.code not in earning:
                    continue
                sent += await uow.outbox.tell_member(
                    member,
                    self.default_language,
                    "reports.reminder",
                    {"date": f"{day:%d-%m-%Y}"},
                    f"report-reminder:{member.id}:{day.isoformat()}",
                    now,
                )
            await uow.commit()
        return sent
