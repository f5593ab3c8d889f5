"""A small world for report, ledger and leader service tests: members with tiers,
the services wired as the bot wires them, and short helpers for the usual steps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.people import Person
from domain.reports import ReportFigures
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from kernel.notices import Button
from services.leaders import LeaderService
from services.ledger import LedgerService
from services.members import MemberService, TelegramProfile
from services.reports import ReportService, Screenshot
from storage.models import OutboxMessage
from storage.uow import UnitOfWorkFactory
from tests.kit.admin_tools import AdminTools
from tests.kit.clock import FrozenClock

ZONE = ZoneInfo("Asia/Jakarta")
ADMIN_CHAT = -100777
ADMIN = Actor(9001, "Admin Satu")
OTHER_ADMIN = Actor(9002, "Admin Dua")
VIP_ANI, VIP_BUDI, BASIC_CITRA, LEADER_LINA, NOBODY = 1001, 1002, 1003, 1004, 1005


def card_buttons(report_id: int, version: int, _member: int) -> list[list[Button]]:
    return [[Button("report_review.validate", f"rep:v:{report_id}:{version}")]]


def figures(commission: int = 100_000, **changes: object) -> ReportFigures:
    values: dict[str, object] = {
        "videos_posted": 2,
        "links": ("https://vt.tiktok.com/a1", "https://vt.tiktok.com/b2"),
        "views": 12_500,
        "orders": 7,
        "sales": 850_000,
        "commission": commission,
    }
    values.update(changes)
    return ReportFigures(**values)  # type: ignore[arg-type]


def shots(n: int = 1, tag: str = "s") -> list[Screenshot]:
    return [Screenshot(f"{tag}-file-{i}", f"{tag}-uniq-{i}") for i in range(n)]


@dataclass
class World:
    uow: UnitOfWorkFactory
    clock: FrozenClock
    members: MemberService
    tools: AdminTools
    reports: ReportService
    ledger: LedgerService
    leaders: LeaderService

    def today(self) -> date:
        return self.reports.today()

    async def member_id(self, telegram_id: int) -> int:
        async with self.uow() as work:
            member = await work.members.by_telegram_id(telegram_id)
            assert member is not None
            return member.id

    async def join(
        self, telegram_id: int, name: str, plan: str | None, payload: str | None = None
    ) -> int:
        await self.members.register(TelegramProfile(telegram_id, name), payload)
        if plan is not None:
            await self.tools.grant(MemberRef(telegram_id=telegram_id), plan, "test", ADMIN)
        return await self.member_id(telegram_id)

    async def code(self, telegram_id: int) -> str:
        async with self.uow() as work:
            member = await work.members.by_telegram_id(telegram_id)
            assert member is not None
            return member.referral_code

    async def report(self, telegram_id: int, commission: int = 100_000, n: int = 1) -> int:
        view = await self.reports.submit(telegram_id, self.today(), figures(commission), shots(n))
        return view.id

    async def texts(self, telegram_id: int) -> list[tuple[str, dict[str, object]]]:
        async with self.uow() as work:
            rows = await work.session.execute(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == telegram_id)
                .order_by(OutboxMessage.id)
            )
            return [(m.text_key, dict(m.params)) for m in rows.scalars()]

    async def member(self, telegram_id: int) -> Person:
        async with self.uow() as work:
            member = await work.members.by_telegram_id(telegram_id)
            assert member is not None
            return member


async def make_world(uow: UnitOfWorkFactory, clock: FrozenClock) -> World:
    return World(
        uow=uow,
        clock=clock,
        members=MemberService(uow, clock, "id"),
        tools=AdminTools(uow, clock, ZONE, "id"),
        reports=ReportService(
            uow, clock, ZONE, "id", admin_chat_id=ADMIN_CHAT, card_buttons=card_buttons
        ),
        ledger=LedgerService(uow, clock, ZONE, "id"),
        leaders=LeaderService(uow, clock, ZONE, "id"),
    )
