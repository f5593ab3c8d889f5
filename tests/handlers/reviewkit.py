"""Helpers for the report cards, /reports and the ledger commands in the admin group."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from domain.reports import ReportFigures
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from services.reports import Screenshot
from storage.models import AdminAction, Commission, LeaderLink, Payout, Report
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import OWNER_ID, deliver, send, start
from tests.kit.faketelegram import JSON
from tests.kit.images import receipt_jpeg

ONLY_ADMINS = "Maaf, ini hanya untuk admin grup admin."
NOT_FOUND = (
    "Laporan ini tidak ditemukan atau tombol ini bukan milik kartunya. Tidak ada yang berubah."
)
CARD_BUTTONS = ["✅ Validasi", "✏️ Ubah nominal", "❌ Tolak", "👤 Member"]
REASON_BUTTONS = [
    "Angka tidak cocok",
    "Screenshot tidak terbaca",
    "Tanggal salah",
    "Laporan ganda",
    "✍️ Tulis alasan sendiri",
    "⬅️ Kembali",
]


async def vip_member(
    app: BotUnderTest, telegram_id: int, name: str, plan: str = "vip_lifetime", **extra: str
) -> JSON:
    """A member who pressed /start and holds `plan` (granted by the owner)."""
    user = await start(app, telegram_id, name, extra.get("language", "id"))
    await app.container.memberships.grant(
        MemberRef(telegram_id=telegram_id), plan, "test", Actor(OWNER_ID, "Owner")
    )
    return user


def photo_ids(app: BotUnderTest, user: JSON, seed: int) -> Screenshot:
    """A screenshot whose file id the fake Telegram knows (as if the member sent it)."""
    update = app.core.private_photo(user, receipt_jpeg(seed % 6, seed))
    biggest = update["message"]["photo"][-1]
    return Screenshot(biggest["file_id"], biggest["file_unique_id"])


async def submit(
    app: BotUnderTest,
    user: JSON,
    commission: int = 100_000,
    *,
    shots: int = 1,
    links: tuple[str, ...] = ("https://vt.tiktok.com/abc",),
    day: date | None = None,
    seed: int = 1,
) -> JSON:
    """Submit (or replace) the member's report for today; deliver and return its card."""
    reports = app.container.reports
    figures = ReportFigures(
        videos_posted=3,
        links=links,
        views=12_500,
        orders=7,
        sales=1_250_000,
        commission=commission,
    )
    screenshots = [photo_ids(app, user, seed * 10 + n) for n in range(shots)]
    await reports.submit(user["id"], day or reports.today(), figures, screenshots)
    await deliver(app)
    return report_cards(app)[-1]


def report_cards(app: BotUnderTest) -> list[JSON]:
    """Report cards in the admin group, oldest first."""
    return [
        m for m in app.core.sent_to(ADMIN_CHAT) if "Laporan harian #R" in (m.get("caption") or "")
    ]


async def command(app: BotUnderTest, user: JSON, text: str) -> str:
    """An admin-group command; returns the bot's last reply text."""
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.command(user, text, chat_id=ADMIN_CHAT))
    sent = app.core.sent_to(ADMIN_CHAT)[before:]
    assert sent, f"no reply to {text!r}"
    return "\n".join(str(m.get("text") or m.get("caption") or "") for m in sent)


async def say(app: BotUnderTest, user: JSON, text: str) -> str:
    """Plain text in the admin group; the bot's reply (or "" when it says nothing)."""
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, user, text))
    sent = app.core.sent_to(ADMIN_CHAT)[before:]
    return "\n".join(str(m.get("text") or "") for m in sent)


async def report_rows(app: BotUnderTest) -> list[Report]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(Report).order_by(Report.id))
        return list(rows.scalars())


async def commissions(app: BotUnderTest) -> list[Commission]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(Commission).order_by(Commission.id))
        return list(rows.scalars())


async def payouts(app: BotUnderTest) -> list[Payout]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(Payout).order_by(Payout.id))
        return list(rows.scalars())


async def leader_links(app: BotUnderTest) -> list[LeaderLink]:
    async with app.container.uow() as work:
        rows = await work.session.execute(select(LeaderLink).order_by(LeaderLink.id))
        return list(rows.scalars())


async def actions(app: BotUnderTest, action: str) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(func.count(AdminAction.id)).where(AdminAction.action == action)
        )
        return int(found.scalar_one())


async def member_id(app: BotUnderTest, telegram_id: int) -> int:
    async with app.container.uow() as work:
        member = await work.members.by_telegram_id(telegram_id)
        assert member is not None
        return int(member.id)
