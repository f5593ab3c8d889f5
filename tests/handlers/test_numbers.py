"""/numbers through the real dispatcher: an admin picks a period and reads every number
against its target, pages the leaders, types a custom period (and gets kind answers to
wrong ones), gets the charts as photos; strangers and forged buttons change nothing.

The clock stands at 10 March 2026, 12:00 in Jakarta; the seeded February is counted by
hand in `february` below.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from domain.library import ContentKind, LessonPart
from domain.meetings import MeetingAudience, Repeat, Rsvp
from domain.states import PaymentStatus, ProofStatus
from handlers.admin.numbers.callbacks import NumbersAction, NumbersCallback
from kernel.actor import Actor
from services.library import LessonDraft
from services.meetings import Draft
from services.numbers import PeriodKind
from storage.models import Member
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    ADMIN_ID,
    OWNER_ID,
    STRANGER_ID,
    admin_group,
    current,
    press,
    send,
    tap,
)
from tests.kit.clock import FrozenClock
from tests.kit.faketelegram import JSON
from tests.services.test_numbers import BASIC_LIFETIME, NOW, VIP_LIFETIME, Seed, wib


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(NOW)


async def february(app: BotUnderTest) -> None:
    """February 2026, counted by hand:

    - conversion: Ani (Basic 4 Feb → VIP 14 Feb, 10 days), Dewi (Basic 1 Feb → VIP 21
      Feb, 20 days), Citra stays Basic → 2 of 3 (66.6%, ✅), 15 days on average;
    - retention: Eko's 30-day VIP ended 9 Feb and was renewed, Fajar's ended 14 Feb and
      lapsed → 1 of 2 (50%, ⚠️);
    - payouts: Citra earned 550.000 and Ani 50.000 (as Citra's leader); 540.000 paid to
      Citra → 540.000 of 600.000 (90%, ✅);
    - accounts: 2 held of 3 not retired (66.6%), 1 suspended;
    - revenue: 299.000 + 150.000 approved (a third payment's proof was rejected);
    - new members: Dewi (1 Feb) and Citra (5 Feb);
    - proofs: 30 min, 1 h (rejected), 2 h → median 1 hour, 1 of 3 rejected.
    - leaders: Ani leads Citra (Basic) and Dewi (VIP) → 2 subs, VIP 1 of 2, Rp 50.000.
    """
    async with app.container.uow() as work:
        seed = Seed(work)
        vip_30 = await seed.plan("vip_30", "vip", 30)
        ani = await seed.member("Ani")
        await seed.holds(ani, BASIC_LIFETIME, wib(2, 4))
        await seed.holds(ani, VIP_LIFETIME, wib(2, 14))
        dewi = await seed.member("Dewi", joined=wib(2, 1))
        await seed.holds(dewi, BASIC_LIFETIME, wib(2, 1))
        await seed.holds(dewi, VIP_LIFETIME, wib(2, 21))
        citra = await seed.member("Citra", joined=wib(2, 5))
        await seed.holds(citra, BASIC_LIFETIME, wib(2, 5))
        eko = await seed.member("Eko")
        renewed = await seed.holds(eko, vip_30, wib(1, 10), expires=wib(3, 11))
        await seed.event(renewed, "renewed", wib(2, 8), old=wib(2, 9), new=wib(3, 11))
        fajar = await seed.member("Fajar")
        await seed.expired(fajar, vip_30, wib(1, 15), wib(2, 14))
        for sub in (citra, dewi):
            await seed.leads(ani, sub, wib(1, 1))
        await seed.commission(citra, wib(2, 15), 1_000_000, leader_id=ani)
        await seed.payout(citra, wib(2, 16), 540_000)
        await seed.account("toko_ani", "active", ani)
        await seed.account("toko_dewi", "active", dewi)
        await seed.account("toko_tidur", "suspended")
        await seed.account("toko_lama", "inactive")
        first = await seed.payment(ani, 299_000, wib(2, 14, 12), PaymentStatus.APPROVED)
        await seed.proof(first, wib(2, 14, 10), ProofStatus.ACCEPTED, timedelta(hours=2))
        second = await seed.payment(dewi, 150_000, wib(2, 21, 12), PaymentStatus.APPROVED)
        await seed.proof(second, wib(2, 21, 11, 30), ProofStatus.ACCEPTED, timedelta(minutes=30))
        third = await seed.payment(citra, 299_000, wib(2, 20, 12), PaymentStatus.AWAITING_PROOF)
        await seed.proof(third, wib(2, 20, 11), ProofStatus.REJECTED, timedelta(hours=1))
        await work.commit()


async def say(app: BotUnderTest, user: int, text: str) -> JSON:
    """`user` writes in the admin group; the bot's last message there."""
    await send(app, app.core.group_text(ADMIN_CHAT, user, text))
    last = app.core.last_sent(ADMIN_CHAT)
    assert last is not None
    return last


def text_of(app: BotUnderTest, message: JSON) -> str:
    return str(current(app, message).get("text") or "")


async def open_numbers(app: BotUnderTest, period: str) -> JSON:
    """/numbers, then the period's button: the screen (edited in place)."""
    picker = await say(app, ADMIN_ID, "/numbers")
    assert "Mau lihat periode yang mana?" in text_of(app, picker)
    await tap(app, app.core.user(ADMIN_ID), picker, period)
    return current(app, picker)


FEBRUARY_LINES = (
    "Angka bisnis · Bulan lalu",
    "1 Feb 2026 – 28 Feb 2026",
    "Konversi Basic → VIP: 66,6% ✅ (target 30%) · 2 dari 3",
    "VIP baru di periode ini: 2",
    "Basic → VIP rata-rata: 15 hari (2 anggota)",
    "Retensi VIP: 50% ⚠️ (target 80%) · 1 dari 2",
    "diperpanjang 1, kembali lagi 0, berhenti 1",
    "Komisi dibayarkan: 90% ✅ (target 90%) · Rp 540.000 dari Rp 600.000",
    "Akun afiliasi terpakai: 66,6% · 2 dari 3, ditangguhkan 1",
    "Pendapatan: Rp 449.000 (2 pembayaran disetujui)",
    "Anggota baru: 2",
    "Bukti bayar diputuskan dalam median 1 jam",
    "Bukti ditolak: 33,3% · 1 dari 3",
    "1. Ani: 2 sub, VIP 50% · 1 dari 2, Rp 50.000",
)


async def test_an_admin_picks_last_month_and_reads_every_number_against_its_target(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await february(app)
    screen = await open_numbers(app, "Bulan lalu")
    shown = text_of(app, screen)
    for line in FEBRUARY_LINES:
        assert line in shown
    assert "dihitung sampai" not in shown  # February is over: nothing still running
    labels = [label for label, _ in app.core.buttons(screen)]
    assert "• Bulan lalu" in labels and "📈 Grafik" in labels and "📅 Periode lain…" in labels


async def test_this_month_says_no_data_where_nothing_can_be_divided_and_counts_up_to_now(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await february(app)
    screen = await open_numbers(app, "Bulan ini")
    shown = text_of(app, screen)
    assert "1 Mar 2026 – 31 Mar 2026 (dihitung sampai 10 Mar 2026 12.00)" in shown
    # Citra is still Basic in March and has not converted: 0 of 1, short of the target.
    assert "Konversi Basic → VIP: 0% ⚠️ (target 30%) · 0 dari 1" in shown
    assert "Retensi VIP: belum ada data (target 80%)" in shown
    assert "Basic → VIP rata-rata: belum ada data" in shown
    assert "Bukti bayar diputuskan dalam median belum ada data" in shown
    assert "Pendapatan: Rp 0 (0 pembayaran disetujui)" in shown
    # The pool is counted as it is now, whatever the period.
    assert "Akun afiliasi terpakai: 66,6% · 2 dari 3, ditangguhkan 1" in shown


async def test_the_screen_switches_to_the_last_90_days_with_its_own_figures(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await february(app)
    screen = await open_numbers(app, "Bulan lalu")
    await tap(app, app.core.user(OWNER_ID), screen, "90 hari terakhir")
    shown = text_of(app, screen)
    assert "Angka bisnis · 90 hari terakhir" in shown
    assert "11 Des 2025 – 10 Mar 2026" in shown
    # Every member joined in those 90 days (1 Jan, 1 Feb, 5 Feb).
    assert "Anggota baru: 5" in shown
    assert "Pendapatan: Rp 449.000 (2 pembayaran disetujui)" in shown


async def test_a_typed_custom_period_shows_the_same_figures_as_the_month_it_covers(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await february(app)
    picker = await say(app, ADMIN_ID, "/numbers")
    await tap(app, app.core.user(ADMIN_ID), picker, "Periode lain")
    asked = app.core.last_sent(ADMIN_CHAT)
    assert asked is not None and "Ketik tanggal awal dan akhir" in str(asked["text"])
    screen = await say(app, ADMIN_ID, "1-2-2026 s/d 28/02/2026")
    shown = str(screen["text"])
    assert "Angka bisnis · Periode lain" in shown
    for line in FEBRUARY_LINES[2:]:
        assert line in shown
    # The same period typed straight after the command.
    again = await say(app, ADMIN_ID, "/numbers 1-2-2026 28-2-2026")
    assert FEBRUARY_LINES[2] in str(again["text"])


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("28-2-2026 1-2-2026", "Tanggal akhir lebih dulu dari tanggal awal"),
        ("dari 1 sampai 30 Februari", "Tanggalnya belum terbaca"),
        ("1-2-2026", "Tanggalnya belum terbaca"),
        ("31-02-2026 5-3-2026", "Tanggal 31-02-2026 tidak ada di kalender"),
        ("1-4-2026 30-4-2026", "Periode itu belum dimulai"),
        ("1-1-2024 1-3-2026", "terlalu panjang: paling lama 366 hari"),
    ],
)
async def test_a_wrong_custom_period_is_answered_kindly_and_the_admin_can_try_again(
    app: BotUnderTest, typed: str, answer: str
) -> None:
    admin_group(app)
    picker = await say(app, ADMIN_ID, "/numbers")
    await tap(app, app.core.user(ADMIN_ID), picker, "Periode lain")
    reply = await say(app, ADMIN_ID, typed)
    assert answer in str(reply["text"])
    assert "Angka bisnis ·" not in str(reply["text"])
    # Still waiting for the days: the next try works.
    screen = await say(app, ADMIN_ID, "1-2-2026 28-2-2026")
    assert "Angka bisnis · Periode lain" in str(screen["text"])


async def test_while_waiting_for_the_days_admins_chatting_are_left_alone(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    picker = await say(app, ADMIN_ID, "/numbers")
    await tap(app, app.core.user(ADMIN_ID), picker, "Periode lain")
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, ADMIN_ID, "oke siap, nanti saya cek"))
    assert app.core.sent_to(ADMIN_CHAT)[before:] == []
    screen = await say(app, ADMIN_ID, "1-2-2026 28-2-2026")
    assert "Angka bisnis · Periode lain" in str(screen["text"])


async def test_a_stranger_typing_days_gets_no_numbers(app: BotUnderTest) -> None:
    admin_group(app)
    picker = await say(app, ADMIN_ID, "/numbers")
    await tap(app, app.core.user(ADMIN_ID), picker, "Periode lain")
    reply = await say(app, STRANGER_ID, "1-2-2026 28-2-2026")
    assert "Angka bisnis" not in str(reply["text"])


async def test_cancel_stops_waiting_for_the_days(app: BotUnderTest) -> None:
    admin_group(app)
    picker = await say(app, ADMIN_ID, "/numbers")
    await tap(app, app.core.user(ADMIN_ID), picker, "Periode lain")
    assert "batal" in str((await say(app, ADMIN_ID, "/cancel"))["text"])
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, ADMIN_ID, "1-2-2026 28-2-2026"))
    assert not any(
        "Angka bisnis" in str(m.get("text")) for m in app.core.sent_to(ADMIN_CHAT)[before:]
    )


async def test_leaders_beyond_ten_are_on_the_next_page_most_earnings_first(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    async with app.container.uow() as work:
        seed = Seed(work)
        for rank in range(1, 13):  # Leader 1 earns most
            leader = await seed.member(f"Leader{rank:02d}")
            sub = await seed.member(f"Sub{rank:02d}")
            await seed.leads(leader, sub, wib(1, 1))
            await seed.commission(sub, wib(2, 10), (20 - rank) * 100_000, leader_id=leader)
        await work.commit()
    screen = await open_numbers(app, "Bulan lalu")
    shown = text_of(app, screen)
    assert "1–10 dari 12" in shown and "1. Leader01" in shown and "10. Leader10" in shown
    assert "Leader11" not in shown
    await tap(app, app.core.user(ADMIN_ID), screen, "Leader ▶")
    shown = text_of(app, screen)
    assert "11–12 dari 12" in shown and "11. Leader11: 1 sub" in shown and "Leader01" not in shown
    await tap(app, app.core.user(ADMIN_ID), screen, "◀ Leader")
    assert "1. Leader01" in text_of(app, screen)


async def test_the_charts_arrive_as_one_album_of_four_pictures(app: BotUnderTest) -> None:
    admin_group(app)
    await february(app)
    screen = await open_numbers(app, "Bulan lalu")
    answer = await tap(app, app.core.user(ADMIN_ID), screen, "Grafik")
    assert "menggambar grafik" in str(answer.get("text"))
    album = [call for call in app.core.calls if call.method == "sendMediaGroup"]
    assert len(album) == 1 and album[0].error is None
    photos = [m for m in app.core.sent_to(ADMIN_CHAT) if "photo" in m]
    assert len(photos) == 4
    assert "Grafik sampai 28 Feb 2026" in str(photos[0].get("caption"))
    for photo in photos:
        largest = photo["photo"][-1]
        stored = app.core.files[largest["file_id"]]
        assert Image.open(io.BytesIO(stored.data)).size == (largest["width"], largest["height"])


async def test_a_stranger_can_neither_open_the_numbers_nor_tap_them(app: BotUnderTest) -> None:
    admin_group(app)
    await february(app)
    refused = await say(app, STRANGER_ID, "/numbers")
    assert "hanya untuk admin" in str(refused["text"])
    screen = await open_numbers(app, "Bulan lalu")
    before = text_of(app, screen)
    answer = await tap(app, app.core.user(STRANGER_ID), screen, "Bulan ini")
    assert "hanya untuk admin" in str(answer.get("text"))
    assert text_of(app, screen) == before
    await tap(app, app.core.user(STRANGER_ID), screen, "Grafik")
    assert not [call for call in app.core.calls if call.method == "sendMediaGroup"]


@pytest.mark.parametrize(
    ("data", "answer"),
    [
        ("num:show:yesterday::0:0", "sudah tidak berlaku"),
        ("num:show:custom:0:0:0", "sudah tidak berlaku"),
        ("num:show:custom:99999999999:1:0", "sudah tidak berlaku"),
        (
            NumbersCallback(
                action=NumbersAction.SHOW,
                kind=PeriodKind.CUSTOM,
                first=wib(2, 28).date().toordinal(),
                last=wib(2, 1).date().toordinal(),
            ).pack(),
            "Tanggal akhir lebih dulu",
        ),
        (
            NumbersCallback(
                action=NumbersAction.CHARTS,
                kind=PeriodKind.CUSTOM,
                first=wib(3, 20).date().toordinal(),
                last=wib(3, 25).date().toordinal(),
            ).pack(),
            "belum dimulai",
        ),
    ],
)
async def test_a_forged_or_stale_button_is_answered_and_changes_nothing(
    app: BotUnderTest, data: str, answer: str
) -> None:
    admin_group(app)
    screen = await open_numbers(app, "Bulan lalu")
    before = text_of(app, screen)
    said = await press(app, app.core.user(ADMIN_ID), screen, data, strict=False)
    assert answer in str(said.get("text"))
    assert text_of(app, screen) == before
    assert not [call for call in app.core.calls if call.method == "sendMediaGroup"]


async def test_the_panel_button_leads_back_to_the_admin_panel(app: BotUnderTest) -> None:
    admin_group(app)
    screen = await open_numbers(app, "Bulan lalu")
    await tap(app, app.core.user(ADMIN_ID), screen, "Panel")
    last = app.core.last_sent(ADMIN_CHAT)
    assert last is not None
    assert "Panel admin" in text_of(app, screen) or "Panel admin" in str(last.get("text"))


async def test_the_panel_opens_the_period_picker(app: BotUnderTest) -> None:
    admin_group(app)
    panel = await say(app, ADMIN_ID, "/menu")
    await tap(app, app.core.user(ADMIN_ID), panel, "Angka")
    picker = app.core.find_button(ADMIN_CHAT, "Bulan lalu")
    assert picker is not None
    await tap(app, app.core.user(ADMIN_ID), picker[0], "Bulan lalu")
    assert "Angka bisnis · Bulan lalu" in text_of(app, picker[0])


async def test_days_typed_after_the_command_are_checked_the_same_way(app: BotUnderTest) -> None:
    admin_group(app)
    reversed_days = await say(app, ADMIN_ID, "/numbers 28-2-2026 1-2-2026")
    assert "Tanggal akhir lebih dulu dari tanggal awal" in str(reversed_days["text"])
    garbage = await say(app, ADMIN_ID, "/numbers bulan kemarin")
    assert "Tanggalnya belum terbaca" in str(garbage["text"])


async def telegram_id_of(app: BotUnderTest, name: str) -> int:
    async with app.container.uow() as work:
        found = await work.session.scalar(select(Member).where(Member.first_name == name))
    assert found is not None
    return found.telegram_id


async def test_the_numbers_show_the_meeting_attendance_and_lesson_views_of_the_period(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    """February by hand: one VIP meeting on 25 Feb; Ani and Dewi answered Hadir, Ani came
    (her "Saya hadir"), Dewi did not, Eko came without answering (marked by an admin) →
    1 of 2 who answered Hadir came, 2 present. Ani opened the lesson twice, Dewi once →
    3 opens by 2 members."""
    admin_group(app)
    await february(app)
    meetings, library = app.container.meetings, app.container.library
    admin = Actor(ADMIN_ID, "Admin")
    clock.current = wib(2, 22, 9)
    meeting = await meetings.schedule(
        Draft(
            title="Kelas konten AI",
            starts_at=wib(2, 25, 19),
            duration_minutes=60,
            audience=MeetingAudience.VIP,
            repeat=Repeat.ONCE,
            join_link="https://zoom.us/j/123",
        ),
        admin,
    )
    ani, dewi = await telegram_id_of(app, "Ani"), await telegram_id_of(app, "Dewi")
    await meetings.answer(ani, meeting.id, 0, Rsvp.YES)
    await meetings.answer(dewi, meeting.id, 0, Rsvp.YES)
    section = await library.add_section("Dasar", admin)
    lesson, _ = await library.add_lesson(
        LessonDraft(
            key="numbers-test",
            section_id=section.id,
            title="Ide konten pertama",
            tier_code="basic",
            parts=(LessonPart(ContentKind.TEXT, None, "Halo"),),
        ),
        admin,
    )
    for reader in (ani, ani, dewi):
        await library.record_view(await library.open_lesson(reader, lesson.id))
    clock.current = wib(2, 25, 19, 5)
    await meetings.check_in(ani, meeting.id, 0)
    clock.current = wib(2, 25, 21)
    async with app.container.uow() as work:
        eko = await work.session.scalar(select(Member.id).where(Member.first_name == "Eko"))
    assert eko is not None
    await meetings.mark(meeting.id, 0, eko, True, admin)
    clock.current = NOW

    shown = text_of(app, await open_numbers(app, "Bulan lalu"))
    assert "Kehadiran meeting: 50% (1 dari 2 yang menjawab Hadir datang)" in shown
    assert "1 meeting selesai, 2 kehadiran tercatat" in shown
    assert "Materi dibuka: 3 kali oleh 2 anggota" in shown
    assert "• Ide konten pertama: 3 kali" in shown
    # March has had neither: no rate to divide, nothing opened.
    shown = text_of(app, await open_numbers(app, "Bulan ini"))
    assert "Kehadiran meeting: belum ada data" in shown
    assert "Materi dibuka: 0 kali oleh 0 anggota" in shown


async def test_the_screen_shows_numbers_counted_minutes_ago_until_count_again_is_tapped(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    admin_group(app)
    await february(app)
    screen = await open_numbers(app, "Bulan ini")
    assert "Pendapatan: Rp 0 (0 pembayaran disetujui)" in text_of(app, screen)
    async with app.container.uow() as work:
        seed = Seed(work)
        budi = await seed.member("Budi")
        await seed.payment(budi, 97_000, NOW, PaymentStatus.APPROVED)
        await work.commit()
    clock.advance(minutes=2)
    admin = app.core.user(ADMIN_ID)
    await tap(app, admin, screen, "Bulan lalu")
    await tap(app, admin, current(app, screen), "Bulan ini")
    shown = text_of(app, screen)
    # Counted two minutes ago (the screen says up to when), the payment not yet in it.
    assert "dihitung sampai 10 Mar 2026 12.00" in shown
    assert "Pendapatan: Rp 0 (0 pembayaran disetujui)" in shown
    await tap(app, admin, current(app, screen), "Hitung ulang")
    shown = text_of(app, screen)
    assert "dihitung sampai 10 Mar 2026 12.02" in shown
    assert "Pendapatan: Rp 97.000 (1 pembayaran disetujui)" in shown
