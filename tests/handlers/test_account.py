"""/balance and /team: what a member earned and who is in their team."""

from __future__ import annotations

from sqlalchemy import select

from kernel.admin_input import MemberRef
from storage.models import Member
from tests.handlers.conftest import BotUnderTest
from tests.handlers.reportflowkit import (
    ADMIN,
    ANSWERS,
    fill_until_summary,
    last,
    last_text,
    member,
    queued,
    report_rows,
    tap_label,
)
from tests.handlers.shopkit import send
from tests.kit.units_of_work import counting_handlers

LEADER, SUB, OTHER = 701, 702, 703


async def member_id(app: BotUnderTest, telegram_id: int) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(Member.id).where(Member.telegram_id == telegram_id)
        )
        return int(found.scalar_one())


async def referral_code(app: BotUnderTest, telegram_id: int) -> str:
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(Member.referral_code).where(Member.telegram_id == telegram_id)
        )
        return str(found.scalar_one())


async def test_balance_of_a_new_member_is_all_zero(app: BotUnderTest) -> None:
    ani = await member(app, SUB, "Ani")
    await send(app, app.core.command(ani, "/balance"))
    text = last_text(app, ani)
    assert "Komisi & saldo" in text
    assert "Bagianmu: Rp 0" in text and "Bisa dicairkan: Rp 0" in text
    assert "Belum ada laporan" in text
    assert "Penghasilan leader" not in text


async def test_balance_is_one_unit_of_work(app: BotUnderTest) -> None:
    """The balance and the latest reports are read in ONE transaction."""
    ani = await member(app, SUB, "Ani")
    opened = counting_handlers(app.container)
    await send(app, app.core.command(ani, "/balance"))
    assert "Komisi & saldo" in last_text(app, ani)
    assert opened.opened == 1


async def test_balance_after_validation_and_payout(app: BotUnderTest) -> None:
    ani = await member(app, SUB, "Ani")
    # Yesterday's report (Rp 100.000), validated; today's (Rp 85.000), pending.
    summary = await fill_until_summary(app, ani, (*ANSWERS[:-1], "100.000"))
    await tap_label(app, ani, summary, "Kirim")
    (row,) = await report_rows(app)
    await app.container.reports.validate(row.id, row.version, ADMIN)
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    await tap_label(app, ani, await fill_until_summary(app, ani), "Kirim")
    await app.container.ledger.payout(await member_id(app, SUB), 20_000, "BCA", None, ADMIN)

    await send(app, app.core.command(ani, "/balance"))
    text = last_text(app, ani)
    assert "Laporan divalidasi: 1" in text
    assert "Total komisi laporan tervalidasi: Rp 100.000" in text
    assert "Bagianmu: Rp 55.000" in text  # 55% for VIP
    assert "Menunggu validasi: 1 laporan (Rp 85.000)" in text
    assert "Sudah dibayar: Rp 20.000" in text
    assert "Bisa dicairkan: Rp 35.000" in text
    assert "11 Jan 2026: ⏳ menunggu validasi (Rp 85.000)" in text
    assert "10 Jan 2026: ✅ divalidasi Rp 100.000, bagianmu Rp 55.000" in text
    assert text.index("11 Jan 2026") < text.index("10 Jan 2026")  # newest first
    # The member was told of the validation, with their share.
    told = await queued(app, SUB)
    assert any("Bagianmu: Rp 55.000" in t and "10 Jan 2026" in t for t in told)


async def test_the_menu_button_shows_the_balance_in_english(app: BotUnderTest) -> None:
    eve = await member(app, OTHER, "Eve", lang="en")
    menu = app.core.sent_to(OTHER)[1]
    await tap_label(app, eve, menu, "Commission")
    text = last_text(app, eve)
    assert "Commission & balance" in text and "Available: Rp 0" in text


async def test_a_rejected_report_shows_its_reason(app: BotUnderTest) -> None:
    ani = await member(app, SUB, "Ani")
    await tap_label(app, ani, await fill_until_summary(app, ani), "Kirim")
    (row,) = await report_rows(app)
    await app.container.reports.reject(row.id, row.version, ADMIN, note="screenshot buram")
    await send(app, app.core.command(ani, "/balance"))
    assert "10 Jan 2026: ❌ ditolak — screenshot buram" in last_text(app, ani)
    told = await queued(app, SUB)
    assert any("Alasan: screenshot buram" in t and "/report" in t for t in told)


async def test_balance_for_someone_never_started(app: BotUnderTest) -> None:
    """No /start first: the first update registers them, so they get the real screens."""
    cici = app.core.user(OTHER, "Cici")
    await send(app, app.core.command(cici, "/balance"))
    assert last_text(app, cici).startswith("💰 Komisi & saldo")
    assert "Bisa dicairkan: Rp 0" in last_text(app, cici)
    await send(app, app.core.command(cici, "/team"))
    assert last_text(app, cici).startswith("👥 Tim saya")


async def test_team_without_subs_explains_the_link(app: BotUnderTest) -> None:
    lina = await member(app, LEADER, "Lina")
    await send(app, app.core.command(lina, "/team"))
    code = await referral_code(app, LEADER)
    text = last_text(app, lina)
    assert f"https://t.me/test_bot?start=ref_{code}" in text
    assert "Belum ada anggota tim" in text and "Leader kamu" not in text


async def test_a_sub_joins_by_link_and_the_leader_sees_their_team(app: BotUnderTest) -> None:
    lina = await member(app, LEADER, "Lina")
    code = await referral_code(app, LEADER)
    sari = app.core.user(SUB, "Sari")
    await send(app, app.core.command(sari, f"/start ref_{code}"))
    assert "tautan undangan Lina" in app.core.sent_to(SUB)[0]["text"]
    assert any("Sari bergabung lewat tautan undanganmu" in t for t in await queued(app, LEADER))

    # Before any membership the sub shows as such.
    await send(app, app.core.command(lina, "/team"))
    assert "Sari — belum punya paket aktif, 0 laporan bulan ini, bagianmu Rp 0" in last_text(
        app, lina
    )

    await app.container.memberships.grant(
        MemberRef(telegram_id=SUB),
        "vip_lifetime",
        "test",
        ADMIN,
    )
    summary = await fill_until_summary(app, sari, (*ANSWERS[:-1], "100.000"))
    await tap_label(app, sari, summary, "Kirim")
    (row,) = await report_rows(app)
    await app.container.reports.validate(row.id, row.version, ADMIN)
    assert any("Bagianmu sebagai leader: Rp 5.000" in t for t in await queued(app, LEADER))

    await send(app, app.core.command(lina, "/team"))
    text = last_text(app, lina)
    assert "Anggota tim (1)" in text
    assert "Sari — VIP, 1 laporan bulan ini, bagianmu Rp 5.000" in text
    assert "Total bagian leader yang sudah kamu dapat: Rp 5.000" in text

    # The leader's balance shows the leader earnings apart.
    await send(app, app.core.command(lina, "/balance"))
    text = last_text(app, lina)
    assert "Bagianmu: Rp 0" in text
    assert "Penghasilan leader (dari tim): Rp 5.000" in text
    assert "Bisa dicairkan: Rp 5.000" in text

    # The sub sees their leader on /team.
    await tap_label(app, sari, app.core.sent_to(SUB)[1], "Tim saya")
    assert "Leader kamu: Lina" in last_text(app, sari)


async def test_team_in_english(app: BotUnderTest) -> None:
    eve = await member(app, OTHER, "Eve", lang="en")
    await send(app, app.core.command(eve, "/team"))
    text = last(app, eve)["text"]
    assert "My team" in text and "Your personal invitation link" in text
    assert "No one in your team yet" in text
