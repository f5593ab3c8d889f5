"""Daily reports, their screenshots and batches.

One report per member per day (a unique constraint): `create` raises `Conflict` when
another send created the day's report first. Decisions are compare-and-set on
(status, version), so a card showing older figures can no longer decide the report.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.people import Person
from domain.reports import ReportFigures, Screenshot
from domain.states import ReportStatus
from storage.models import Commission, Member, Report, ReportBatch, ReportScreenshot
from storage.repos._rows import PlainRows, read_plain
from storage.repos.members import to_person


@dataclass(frozen=True, slots=True)
class ReportRecord:
    id: int
    member_id: int
    report_date: date
    status: ReportStatus
    version: int
    videos_posted: int
    links: tuple[str, ...]
    views: int
    orders: int
    sales: int
    commission_claimed: int
    commission_validated: int | None
    reviewed_by: int | None
    reviewed_at: datetime | None
    reject_reason: str | None

    @property
    def figures(self) -> ReportFigures:
        return ReportFigures(
            videos_posted=self.videos_posted,
            links=self.links,
            views=self.views,
            orders=self.orders,
            sales=self.sales,
            commission=self.commission_claimed,
        )


@dataclass(frozen=True, slots=True)
class ReportTally:
    """A member's reports by state: validated, and still waiting (with their claims)."""

    validated: int
    pending: int
    pending_claimed: int


def _record(row: Report) -> ReportRecord:
    return ReportRecord(
        id=row.id,
        member_id=row.member_id,
        report_date=row.report_date,
        status=ReportStatus(row.status),
        version=row.version,
        videos_posted=row.videos_posted,
        links=tuple((row.links or {}).get("items", [])),
        views=row.views,
        orders=row.orders,
        sales=row.sales,
        commission_claimed=row.commission_claimed,
        commission_validated=row.commission_validated,
        reviewed_by=row.reviewed_by,
        reviewed_at=row.reviewed_at,
        reject_reason=row.reject_reason,
    )


def _values(figures: ReportFigures) -> dict[str, Any]:
    return {
        "videos_posted": figures.videos_posted,
        "links": {"items": list(figures.links)},
        "views": figures.views,
        "orders": figures.orders,
        "sales": figures.sales,
        "commission_claimed": figures.commission,
    }


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, report_id: int) -> ReportRecord | None:
        """The report as stored now (even when an older copy sits in the session)."""
        row = await self.session.get(Report, report_id, populate_existing=True)
        return None if row is None else _record(row)

    async def on_day(self, member_id: int, day: date) -> ReportRecord | None:
        found = await self.session.execute(
            select(Report).where(Report.member_id == member_id, Report.report_date == day)
        )
        row = found.scalar_one_or_none()
        return None if row is None else _record(row)

    async def create(
        self, member_id: int, day: date, figures: ReportFigures, now: datetime
    ) -> ReportRecord:
        """The day's first report (version 1, submitted). Raises `Conflict` when another
        send created the member's report for that day first."""
        row = Report(
            member_id=member_id,
            report_date=day,
            status=ReportStatus.SUBMITTED,
            version=1,
            created_at=now,
            updated_at=now,
            **_values(figures),
        )
        self.session.add(row)
        await self.session.flush()
        return _record(row)

    async def rewrite(self, report_id: int, figures: ReportFigures, now: datetime) -> bool:
        """Compare-and-set: replace a report that is not validated with new figures, back
        to submitted at the next version; False when it was validated meanwhile."""
        changed = await self.session.execute(
            update(Report)
            .where(Report.id == report_id, Report.status != ReportStatus.VALIDATED)
            .values(
                status=ReportStatus.SUBMITTED,
                version=Report.version + 1,
                updated_at=now,
                reviewed_by=None,
                reviewed_at=None,
                reject_reason=None,
                commission_validated=None,
                **_values(figures),
            )
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]

    async def delete_screenshots(self, report_id: int) -> None:
        await self.session.execute(
            delete(ReportScreenshot).where(ReportScreenshot.report_id == report_id)
        )

    async def add_screenshots(self, report_id: int, screenshots: Sequence[Screenshot]) -> None:
        """Keep the screenshots in the order they were sent (positions from 1)."""
        for position, shot in enumerate(screenshots, start=1):
            self.session.add(
                ReportScreenshot(
                    report_id=report_id,
                    position=position,
                    telegram_file_id=shot.file_id,
                    file_unique_id=shot.file_unique_id,
                    media_kind=shot.media_kind,
                )
            )
        await self.session.flush()

    async def screenshot_count(self, report_id: int) -> int:
        count = await self.session.execute(
            select(func.count())
            .select_from(ReportScreenshot)
            .where(ReportScreenshot.report_id == report_id)
        )
        return int(count.scalar_one())

    async def first_screenshot(self, report_id: int) -> Screenshot | None:
        shots = await self.session.execute(
            select(ReportScreenshot)
            .where(ReportScreenshot.report_id == report_id)
            .order_by(ReportScreenshot.position)
        )
        first = shots.scalars().first()
        if first is None:
            return None
        return Screenshot(first.telegram_file_id, first.file_unique_id, first.media_kind)

    async def mark_validated(
        self, report_id: int, version: int, total: int, reviewer: int, now: datetime
    ) -> bool:
        """Compare-and-set submitted (at `version`) → validated at `total`."""
        changed = await self.session.execute(
            update(Report)
            .where(
                Report.id == report_id,
                Report.status == ReportStatus.SUBMITTED,
                Report.version == version,
            )
            .values(
                status=ReportStatus.VALIDATED,
                commission_validated=total,
                reviewed_by=reviewer,
                reviewed_at=now,
                updated_at=now,
            )
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]

    async def mark_rejected(
        self, report_id: int, version: int, reason: str, reviewer: int, now: datetime
    ) -> bool:
        """Compare-and-set submitted (at `version`) → rejected with `reason`."""
        changed = await self.session.execute(
            update(Report)
            .where(
                Report.id == report_id,
                Report.status == ReportStatus.SUBMITTED,
                Report.version == version,
            )
            .values(
                status=ReportStatus.REJECTED,
                reviewed_by=reviewer,
                reviewed_at=now,
                reject_reason=reason,
                updated_at=now,
            )
        )
        return bool(changed.rowcount)  # type: ignore[attr-defined]

    async def submitted(self) -> list[tuple[ReportRecord, Person]]:
        """Every report waiting for validation with its member, oldest first."""
        rows = await self.session.execute(
            select(Report, Member)
            .join(Member, Member.id == Report.member_id)
            .where(Report.status == ReportStatus.SUBMITTED)
            .order_by(Report.updated_at, Report.id)
        )
        return [(_record(report), to_person(member)) for report, member in rows.all()]

    async def open_batch(self, items: list[list[int]], created_by: int, now: datetime) -> int:
        """Remember a listing's (report id, version) pairs for "validate all"."""
        batch = ReportBatch(items=items, created_by=created_by, created_at=now)
        self.session.add(batch)
        await self.session.flush()
        return batch.id

    async def batch_items(self, batch_id: int) -> list[tuple[int, int]] | None:
        batch = await self.session.get(ReportBatch, batch_id)
        if batch is None:
            return None
        return [(int(i), int(v)) for i, v in batch.items]

    async def use_batch(self, batch_id: int, used_by: int, now: datetime) -> bool:
        """Compare-and-set: True only for the first use of the batch."""
        marked = await self.session.execute(
            update(ReportBatch)
            .where(ReportBatch.id == batch_id, ReportBatch.used_at.is_(None))
            .values(used_at=now, used_by=used_by)
        )
        return bool(marked.rowcount)  # type: ignore[attr-defined]

    async def of_member(self, member_id: int, limit: int | None = None) -> list[ReportRecord]:
        """The member's reports, newest day first (all of them when `limit` is None)."""
        query = (
            select(Report).where(Report.member_id == member_id).order_by(Report.report_date.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        rows = await self.session.execute(query)
        return [_record(row) for row in rows.scalars()]

    async def page_of_member(
        self, member_id: int, limit: int, offset: int
    ) -> tuple[list[ReportRecord], int]:
        """The member's reports, newest day first, `limit` from `offset`; and how many
        they have in all."""
        total = await self.session.execute(
            select(func.count()).select_from(Report).where(Report.member_id == member_id)
        )
        rows = await self.session.execute(
            select(Report)
            .where(Report.member_id == member_id)
            .order_by(Report.report_date.desc(), Report.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [_record(row) for row in rows.scalars()], int(total.scalar_one())

    async def unreported_members(self, day: date) -> list[Person]:
        """Members who have not reported for `day` and have not blocked the bot."""
        reported = select(Report.member_id).where(Report.report_date == day)
        members = await self.session.execute(
            select(Member).where(Member.id.not_in(reported), Member.blocked_bot_at.is_(None))
        )
        return [to_person(member) for member in members.scalars()]

    async def count_not_rejected_since(self, member_id: int, since: date) -> int:
        """The member's reports dated `since` or later that were not rejected."""
        found = await self.session.execute(
            select(func.count())
            .select_from(Report)
            .where(
                Report.member_id == member_id,
                Report.report_date >= since,
                Report.status != ReportStatus.REJECTED,
            )
        )
        return int(found.scalar_one())

    async def tally(self, member_id: int) -> ReportTally:
        validated = await self.session.execute(
            select(func.count())
            .select_from(Report)
            .where(Report.member_id == member_id, Report.status == ReportStatus.VALIDATED)
        )
        pending = await self.session.execute(
            select(func.count(), func.coalesce(func.sum(Report.commission_claimed), 0)).where(
                Report.member_id == member_id, Report.status == ReportStatus.SUBMITTED
            )
        )
        pending_count, pending_claimed = pending.one()
        return ReportTally(int(validated.scalar_one()), int(pending_count), int(pending_claimed))

    async def count_submitted(self) -> int:
        """How many reports wait for validation."""
        found = await self.session.execute(
            select(func.count()).select_from(Report).where(Report.status == ReportStatus.SUBMITTED)
        )
        return int(found.scalar_one())

    async def count_validated(self) -> int:
        found = await self.session.execute(
            select(func.count()).select_from(Report).where(Report.status == ReportStatus.VALIDATED)
        )
        return int(found.scalar_one())

    async def unreported_members_after(self, day: date, after_id: int, limit: int) -> list[Person]:
        """One page of `unreported_members`: the next `limit` of them by id after
        `after_id` (keyset pagination, so a job works in short transactions). Each
        member is probed on the (member, day) unique index: no scan of the reports."""
        reported = (
            select(Report.id)
            .where(Report.member_id == Member.id, Report.report_date == day)
            .correlate(Member)
            .exists()
        )
        members = await self.session.execute(
            select(Member)
            .where(Member.id > after_id, ~reported, Member.blocked_bot_at.is_(None))
            .order_by(Member.id)
            .limit(limit)
        )
        return [to_person(member) for member in members.scalars()]

    async def view_extras(self, report_ids: Collection[int]) -> dict[int, tuple[int, int | None]]:
        """For each report: how many screenshots it has and the member share of its
        commission (None without one), in one query."""
        if not report_ids:
            return {}
        shots = (
            select(func.count())
            .select_from(ReportScreenshot)
            .where(ReportScreenshot.report_id == Report.id)
            .correlate(Report)
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(Report.id, shots, Commission.member_share)
            .outerjoin(Commission, Commission.report_id == Report.id)
            .where(Report.id.in_(report_ids))
        )
        return {int(i): (int(n), share) for i, n, share in rows.all()}

    async def latest_with_extras(
        self, member_id: int, limit: int
    ) -> list[tuple[ReportRecord, int, int | None]]:
        """The member's newest `limit` reports, newest day first, each with how many
        screenshots it has and the member share of its commission (None without one),
        in one query."""
        rows = await read_plain(
            self.session, _LATEST_WITH_EXTRAS, {"member_id": member_id, "limit": limit}
        )
        width = len(_REPORTS.columns)
        return [(_record(_REPORTS.take(row)), int(row[width]), row[width + 1]) for row in rows]

    async def submitted_page(
        self, limit: int
    ) -> tuple[list[tuple[ReportRecord, Person, int]], int]:
        """The `limit` reports waiting longest for validation, oldest first, each with
        its member and screenshot count, and how many wait in all (two queries)."""
        total = await self.session.execute(
            select(func.count()).select_from(Report).where(Report.status == ReportStatus.SUBMITTED)
        )
        shots = (
            select(func.count())
            .select_from(ReportScreenshot)
            .where(ReportScreenshot.report_id == Report.id)
            .correlate(Report)
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(Report, Member, shots)
            .join(Member, Member.id == Report.member_id)
            .where(Report.status == ReportStatus.SUBMITTED)
            .order_by(Report.updated_at, Report.id)
            .limit(limit)
        )
        page = [(_record(report), to_person(member), int(n)) for report, member, n in rows.all()]
        return page, int(total.scalar_one())


# Built once (/balance): building a statement costs more than running this one.
_REPORTS = PlainRows(Report)
_report, _shot, _commission = _REPORTS.c, ReportScreenshot.__table__.c, Commission.__table__.c
# Built once, of table columns (/balance): no ORM step, plain rows.
_LATEST_WITH_EXTRAS = (
    select(
        *_REPORTS.columns,
        select(func.count())
        .select_from(ReportScreenshot.__table__)
        .where(_shot.report_id == _report.id)
        .correlate(_REPORTS.table)
        .scalar_subquery(),
        _commission.member_share,
    )
    .select_from(
        _REPORTS.table.outerjoin(Commission.__table__, _commission.report_id == _report.id)
    )
    .where(_report.member_id == bindparam("member_id"))
    .order_by(_report.report_date.desc())
    .limit(bindparam("limit"))
)
