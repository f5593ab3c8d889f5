"""The member card's history buttons in the admin group: 💰 the ledger (the balance as
/ledger shows it and the payouts made), 🧭 the leader history (as /leaderhistory) and
📝 the member's reports, each paged, with a way back to the card, and safe against
non-admins, forged or stale buttons and members no longer there."""

from __future__ import annotations

from sqlalchemy import update

from domain.reports import ReportRejectReason
from handlers.admin.console.callbacks import History, HistoryCallback
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from storage.models import Member
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import OWNER_ID, current, press
from tests.handlers.test_console import (
    ANI,
    BUDI,
    KANIA,
    ONLY_ADMINS,
    earned,
    labels,
    people,
    say,
    tap,
)
from tests.kit.faketelegram import JSON
from tests.services.reportkit import figures, shots

OWNER = Actor(OWNER_ID, "Owner")
GONE = "Member atau paket ini tidak ditemukan lagi."


async def pay(
    app: BotUnderTest, telegram_id: int, amount: int, method: str, ref: str | None
) -> None:
    await app.container.ledger.payout_to(
        MemberRef(telegram_id=telegram_id), amount, method, ref, OWNER
    )


def lines_with(message: JSON, start: str) -> list[str]:
    return [line for line in current_text(message).split("\n") if line.startswith(start)]


def current_text(message: JSON) -> str:
    return str(message["text"])


async def test_the_ledger_button_shows_the_balance_and_the_payouts_newest_first(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 200_000)
    await pay(app, ANI, 10_000, "BCA", "TRX<1>")
    app.container.clock.advance(days=2)  # type: ignore[attr-defined]
    await pay(app, ANI, 5_000, "DANA", None)
    typed = await say(app, admin, f"/ledger {ANI}")
    card = await say(app, admin, f"/member {ANI}")

    await tap(app, admin, card, "Saldo")

    screen = current(app, card)
    # The balance exactly as /ledger words it, without the typed /payout hint.
    assert screen["text"].startswith(typed["text"].split("\n\nUntuk membayar")[0])
    assert "Bagian leader (dari tim)" in screen["text"]
    assert "💸 Payout: 2, terbaru dulu:" in screen["text"]
    assert lines_with(screen, "• ") == [
        "• 12 Jan 2026 · Rp 5.000 · DANA · ref - (#2)",
        "• 10 Jan 2026 · Rp 10.000 · BCA · ref TRX<1> (#1)",
    ]
    assert labels(app, card) == ["💸 Payout", "⬅️ Kartu member"]  # a balance is still owed
    await tap(app, admin, card, "Payout")
    assert "Berapa yang dibayar?" in current(app, card)["text"]
    await tap(app, admin, card, "Kartu member")
    assert current(app, card)["text"].startswith(f"👤 Ani Lestari · tanpa @username · {ANI}")


async def test_a_member_never_paid_has_no_payouts_and_no_payout_button(app: BotUnderTest) -> None:
    group = await people(app)
    card = await say(app, group["admin"], f"/member {BUDI}")

    await tap(app, group["admin"], card, "Saldo")

    screen = current(app, card)["text"]
    assert screen.startswith("💰 Saldo Budi")
    assert "Tersedia: Rp 0" in screen
    assert screen.endswith("💸 Belum pernah ada payout untuk member ini.")
    assert labels(app, card) == ["⬅️ Kartu member"]


async def test_payouts_are_paged_ten_at_a_time_and_a_page_gone_shows_the_last(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    await earned(app, admin, ANI, 500_000)
    for n in range(12):
        await pay(app, ANI, 1_000 + n, "BCA", f"T{n}")
        app.container.clock.advance(minutes=1)  # type: ignore[attr-defined]
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Saldo")
    first = current(app, card)
    assert "💸 Payout: 12, terbaru dulu:" in first["text"]
    assert len(lines_with(first, "• ")) == 10
    assert lines_with(first, "• ")[0].endswith("· Rp 1.011 · BCA · ref T11 (#12)")
    assert first["text"].endswith("📄 Halaman 1/2")
    assert "Berikutnya ▶️" in labels(app, card) and "◀️ Sebelumnya" not in labels(app, card)

    await tap(app, group["other"], card, "Berikutnya")  # any admin may turn the page

    second = current(app, card)
    assert [line.rsplit(" · ", 1)[1] for line in lines_with(second, "• ")] == [
        "ref T1 (#2)",
        "ref T0 (#1)",
    ]
    assert second["text"].endswith("📄 Halaman 2/2")
    assert "◀️ Sebelumnya" in labels(app, card) and "Berikutnya ▶️" not in labels(app, card)

    far = HistoryCallback(view=History.LEDGER, member=ANI, page=7).pack()
    answer = await press(app, admin, current(app, card), far, strict=False)
    assert answer["text"] == "Halaman itu sudah tidak ada; ini halaman 2, yang terakhir."
    assert current(app, card)["text"].endswith("📄 Halaman 2/2")


async def test_the_leader_history_button_shows_what_leaderhistory_shows(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    await say(app, admin, f"/setleader {BUDI} {ANI}")
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    await say(app, admin, f"/setleader {BUDI} {KANIA}")
    typed = await say(app, admin, f"/leaderhistory {BUDI}")
    card = await say(app, admin, f"/member {BUDI}")

    await tap(app, admin, card, "Riwayat leader")

    screen = current(app, card)
    assert screen["text"] == typed["text"]
    assert screen["text"].startswith("Riwayat leader Budi")
    assert [line.split(" (id")[0] for line in lines_with(screen, "• ")] == [
        "• Kania",
        "• Ani Lestari",
    ]
    assert labels(app, card) == ["⬅️ Kartu member"]

    never = await say(app, admin, f"/member {KANIA}")
    await tap(app, admin, never, "Riwayat leader")
    assert current(app, never)["text"] == f"Kania (id {KANIA}) belum pernah punya leader."


async def test_the_reports_button_lists_the_reports_newest_first_with_status_and_amounts(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    await say(app, admin, f"/grant {ANI} vip_lifetime bayar tunai")
    reports = app.container.reports
    first = await reports.submit(ANI, reports.today(), figures(100_000), shots())
    await reports.validate(first.id, first.version, OWNER, 80_000)
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    second = await reports.submit(ANI, reports.today(), figures(50_000), shots())
    await reports.reject(second.id, second.version, OWNER, code=ReportRejectReason.UNREADABLE)
    app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    await reports.submit(ANI, reports.today(), figures(70_000), shots())
    share = (await app.container.ledger.balance_for(ANI)).member_share  # type: ignore[union-attr]
    card = await say(app, admin, f"/member {ANI}")

    await tap(app, admin, card, "Laporan")

    screen = current(app, card)
    assert screen["text"].startswith(f"📝 Laporan Ani Lestari ({ANI}): 3 laporan, terbaru dulu:")
    rupiah = f"Rp {share:,}".replace(",", ".")
    assert lines_with(screen, "• ") == [
        "• #R3 12 Jan 2026 · menunggu · klaim Rp 70.000",
        "• #R2 11 Jan 2026 · ditolak · klaim Rp 50.000"
        " · alasan: Screenshot tidak terbaca dengan jelas.",
        "• #R1 10 Jan 2026 · divalidasi · klaim Rp 100.000 · divalidasi Rp 80.000"
        f" · bagian member {rupiah}",
    ]
    assert labels(app, card) == ["⬅️ Kartu member"]

    none = await say(app, admin, f"/member {BUDI}")
    await tap(app, admin, none, "Laporan")
    assert current(app, none)["text"] == f"Budi (id {BUDI}) belum pernah mengirim laporan."


async def test_reports_are_paged_ten_at_a_time(app: BotUnderTest) -> None:
    group = await people(app)
    admin = group["admin"]
    await say(app, admin, f"/grant {ANI} vip_lifetime bayar tunai")
    reports = app.container.reports
    for n in range(11):
        await reports.submit(ANI, reports.today(), figures(10_000 + n), shots())
        app.container.clock.advance(days=1)  # type: ignore[attr-defined]
    card = await say(app, admin, f"/member {ANI}")
    await tap(app, admin, card, "Laporan")
    assert len(lines_with(current(app, card), "• ")) == 10
    assert lines_with(current(app, card), "• ")[0].startswith("• #R11 20 Jan 2026")

    await tap(app, admin, card, "Berikutnya")

    assert lines_with(current(app, card), "• ") == [
        "• #R1 10 Jan 2026 · menunggu · klaim Rp 10.000"
    ]
    assert current(app, card)["text"].endswith("📄 Halaman 2/2")
    await tap(app, admin, card, "Sebelumnya")
    assert current(app, card)["text"].endswith("📄 Halaman 1/2")


async def test_history_buttons_refuse_non_admins_forged_ids_and_members_gone(
    app: BotUnderTest,
) -> None:
    group = await people(app)
    admin = group["admin"]
    card = await say(app, admin, f"/member {ANI}")
    shown = current(app, card)["text"]

    for view in History:
        data = HistoryCallback(view=view, member=ANI).pack()
        answer = await press(app, group["stranger"], card, data, strict=False)
        assert answer["text"] == ONLY_ADMINS and answer["show_alert"] is True
        forged = HistoryCallback(view=view, member=999_999).pack()
        answer = await press(app, admin, card, forged, strict=False)
        assert answer["text"].startswith(GONE) and answer["show_alert"] is True
    for junk in (
        "conh:ledger:-5:0",
        "conh:ledger:1001:-1",
        "conh:wallet:1001:0",
        "conh:reports:1001:99999",
    ):
        answer = await press(app, admin, card, junk, strict=False)
        assert answer["text"].startswith("Tombol ini sudah tidak berlaku.")
    assert current(app, card)["text"] == shown

    async with app.container.uow() as work:  # the member row no longer carries that id
        await work.session.execute(
            update(Member).where(Member.telegram_id == ANI).values(telegram_id=ANI + 10_000)
        )
        await work.commit()
    for label in ("Saldo", "Laporan", "Riwayat leader"):
        answer = await tap(app, admin, card, label)
        assert answer["text"].startswith(GONE) and answer["show_alert"] is True
    assert current(app, card)["text"] == shown


async def test_the_history_buttons_answer_in_english_for_an_english_admin(
    app: BotUnderTest,
) -> None:
    await people(app)
    emma = app.core.user(OWNER_ID + 100, "Emma", language_code="en")
    app.core.set_member_status(ADMIN_CHAT, emma["id"], "administrator")
    card = await say(app, emma, f"/member {ANI}")
    assert {"💰 Ledger", "📝 Reports", "🧭 Leader history"} <= set(labels(app, card))

    await tap(app, emma, card, "Ledger")

    screen = current(app, card)["text"]
    assert screen.startswith("💰 Balance of Ani Lestari")
    assert screen.endswith("💸 No payout has been made to this member yet.")
    assert labels(app, card) == ["⬅️ Member card"]
