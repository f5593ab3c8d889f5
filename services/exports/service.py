"""`ExportService.export`: one kind of rows of one period as a CSV file."""

from __future__ import annotations

import calendar
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.numbers import Period
from services.csv_safe import CsvFile
from services.exports.kinds import COLUMNS, ExportKind
from services.numbers._base import NumbersServiceBase
from storage.repos.exports import (
    Chunk,
    CommissionExportRow,
    MemberExportRow,
    Named,
    PaymentExportRow,
    PayoutExportRow,
)

# Rows read per query: a chunk of 100k members is never in memory at once.
CHUNK = 1000

# A text of the admin's language for a translation key (header cells, statuses).
Label = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class ExportFile:
    """The file to send: its name (`payments_2026-11.csv`), how many rows it holds (0:
    nothing in the period, say so rather than send an empty file) and its bytes."""

    name: str
    rows: int
    data: bytes


def file_name(kind: ExportKind, period: Period) -> str:
    """`payments_2026-11.csv` for a calendar month, `payments_2026-09-05_2026-12-03.csv`
    for other days."""
    first, last = period.first_day, period.last_day
    month_end = calendar.monthrange(first.year, first.month)[1]
    whole_month = first.day == 1 and last == first.replace(day=month_end)
    span = f"{first:%Y-%m}" if whole_month else f"{first:%Y-%m-%d}_{last:%Y-%m-%d}"
    return f"{kind.value}_{span}.csv"


class ExportService(NumbersServiceBase):
    """Exports for bookkeeping. Periods are the owner's numbers' ones (`period`,
    `custom_period`: days in the zone, refused when reversed, in the future or too long)."""

    async def export(
        self, kind: ExportKind, period: Period, label: Label, delimiter: str = ","
    ) -> ExportFile:
        """The rows of `kind` whose instant falls in `period` (members: joined; payments:
        opened; payouts: paid; commissions: made, i.e. the report validated), oldest id
        first, read in chunks of `CHUNK` (a transaction each) and written as they come.

        Dates are shown in the zone as `YYYY-MM-DD HH:MM`, rupiah and ids as plain
        integers, names and usernames as typed (spreadsheet-safe), cells separated by
        `delimiter` (the admin's Excel: `;` for Indonesian settings)."""
        header = (label(f"exports.col_{kind.value}.{column}") for column in COLUMNS[kind])
        file = CsvFile(header, delimiter)
        cells = _CELLS[kind]
        async for row in self._rows(kind, period):
            file.add(cells(self, row, label))
        return ExportFile(file_name(kind, period), file.rows, file.data() if file.rows else b"")

    async def _rows(self, kind: ExportKind, period: Period) -> AsyncIterator[object]:
        """Chunk after chunk, each read in a short transaction of its own (keyset by id:
        a row added meanwhile cannot shift the pages), so a large export never holds
        the connection others read on."""
        after = 0
        while True:
            async with self.uow() as uow:
                read: Callable[[Chunk], Awaitable[list[Any]]] = getattr(uow.exports, kind.value)
                chunk = Chunk(period.start, period.end, after, CHUNK, self.clock.now())
                rows = await read(chunk)
            for row in rows:
                yield row
            if len(rows) < CHUNK:
                return
            after = rows[-1].id

    def _at(self, moment: datetime | None) -> str:
        return "" if moment is None else f"{moment.astimezone(self.zone):%Y-%m-%d %H:%M}"

    def _member_cells(self, row: MemberExportRow, label: Label) -> list[object]:
        plans = "; ".join(
            plan.code if plan.expires_at is None else f"{plan.code} ({self._at(plan.expires_at)})"
            for plan in row.plans
        )
        return [
            row.id,
            *_who(row.person),
            row.person.username or "",
            self._at(row.joined_at),
            row.plans[0].tier_code if row.plans else "",
            plans,
            *_who(row.leader),
        ]

    def _payment_cells(self, row: PaymentExportRow, label: Label) -> list[object]:
        return [
            row.id,
            *_who(row.member),
            row.plan_code,
            row.amount,
            row.method or "",
            label(f"exports.payment_status.{row.status}"),
            self._at(row.created_at),
            self._at(row.decided_at),
            row.decided_by,
        ]

    def _payout_cells(self, row: PayoutExportRow, label: Label) -> list[object]:
        return [
            row.id,
            *_who(row.member),
            row.amount,
            row.method,
            row.reference or "",
            self._at(row.paid_at),
            row.paid_by,
        ]

    def _commission_cells(self, row: CommissionExportRow, label: Label) -> list[object]:
        return [
            f"{row.report_date:%Y-%m-%d}",
            *_who(row.member),
            row.total,
            row.member_share,
            *_who(row.leader),
            row.leader_share,
            row.owner_share,
            self._at(row.validated_at),
        ]


def _who(person: Named | None) -> tuple[object, object]:
    """A person's Telegram id (a number) and name; two empty cells for nobody."""
    return (person.telegram_id, person.name) if person else (None, "")


_CELLS: dict[ExportKind, Callable[..., list[object]]] = {
    ExportKind.MEMBERS: ExportService._member_cells,
    ExportKind.PAYMENTS: ExportService._payment_cells,
    ExportKind.PAYOUTS: ExportService._payout_cells,
    ExportKind.COMMISSIONS: ExportService._commission_cells,
}
