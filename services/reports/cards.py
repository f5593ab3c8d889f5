"""The admins' card of a report: its figures, its first screenshot and the buttons,
queued to the admin chat whenever a report is sent or replaced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.membership import effective_tier
from domain.money import format_rupiah
from domain.people import Person
from domain.reports import Screenshot
from domain.states import ReportStatus
from kernel.dates import day_param
from kernel.notices import Notice
from services.reports._base import ReportError, ReportProblem, ReportServiceBase
from storage.repos.reports import ReportRecord
from storage.uow import UnitOfWork

LINKS_ON_CARD = 5
LINK_CHARS_ON_CARD = 60


@dataclass(frozen=True, slots=True)
class ReportCard:
    report_id: int
    version: int
    status: ReportStatus
    text_key: str
    params: dict[str, Any]
    first_screenshot: Screenshot | None
    claimed: int = 0


def _short(link: str) -> str:
    plain = link.split("://", 1)[-1]
    return plain if len(plain) <= LINK_CHARS_ON_CARD else plain[: LINK_CHARS_ON_CARD - 1] + "…"


async def card_of(uow: UnitOfWork, row: ReportRecord, member: Person, now: datetime) -> ReportCard:
    """The report's card as it stands (`now` says the member's tier)."""
    first = await uow.reports.first_screenshot(row.id)
    figures = row.figures
    links = [_short(link) for link in figures.links[:LINKS_ON_CARD]]
    more = len(figures.links) - len(links)
    tier = effective_tier(await uow.memberships.held(member.id), now)
    params: dict[str, Any] = {
        "report": row.id,
        "version": row.version,
        "name": member.full_name,
        "username": f"@{member.username}" if member.username else "-",
        "telegram_id": member.telegram_id,
        "date": day_param(row.report_date),
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
        status=row.status,
        text_key="report_review.card",
        params=params,
        claimed=row.commission_claimed,
        first_screenshot=first,
    )


async def card_of_report(uow: UnitOfWork, report_id: int, now: datetime) -> ReportCard:
    """The card of a report by its number (raises NOT_FOUND)."""
    row = await uow.reports.get(report_id)
    if row is None:
        raise ReportError(ReportProblem.NOT_FOUND)
    member = await uow.members.by_id(row.member_id)
    assert member is not None
    return await card_of(uow, row, member, now)


class Cards(ReportServiceBase):
    async def card(self, report_id: int) -> ReportCard:
        async with self.uow() as uow:
            return await card_of_report(uow, report_id, self.clock.now())

    async def _queue_card(
        self,
        uow: UnitOfWork,
        row: ReportRecord,
        member: Person,
        screenshots: list[Screenshot],
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
        card = await card_of(uow, row, member, now)
        rows = (
            self.card_buttons(row.id, row.version, member.telegram_id) if self.card_buttons else ()
        )
        buttons = tuple(tuple(line) for line in rows)
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
