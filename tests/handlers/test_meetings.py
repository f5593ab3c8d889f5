"""Meetings through the real dispatcher: admins schedule one in short steps (wrong dates,
past times and bad links refused kindly), see answers and names, edit and cancel (those
coming are told), mark attendance; members answer Hadir / Tidak / Mungkin, get the link
only while in the audience, tap "Saya hadir" in the window; reminders go once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.jobs import build_scheduler, remind_meetings
from domain.meetings import MeetingAudience, Repeat
from handlers.admin.meetings.views import short_when
from kernel.actor import Actor
from kernel.i18n import Translator
from services.meetings import Draft, Field, MeetingRecord
from storage.models import Meeting, MeetingAttendance, MeetingRsvp, Member, Membership, Plan, Tier
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    ADMIN_ID,
    STRANGER_ID,
    admin_group,
    current,
    deliver,
    find_button,
    press,
    send,
    start,
    tap,
)
from tests.kit.faketelegram import JSON

VIP, BASIC, LAPSING = 2001, 2002, 2003
LINK = "https://us02web.zoom.us/j/8812?pwd=rahasia"
# The FrozenClock starts on Saturday 10 January 2026, 10.00 WIB.


async def give_plan(
    app: BotUnderTest, telegram_id: int, tier: str, ends_in: timedelta | None = None
) -> None:
    now = app.container.clock.now()
    async with app.container.uow() as work:
        member_id = (
            await work.session.execute(select(Member.id).where(Member.telegram_id == telegram_id))
        ).scalar_one()
        tier_id = (
            await work.session.execute(select(Tier.id).where(Tier.code == tier))
        ).scalar_one()
        plan = Plan(
            code=f"{tier}_t{telegram_id}",
            tier_id=tier_id,
            price=1,
            created_at=now,
            duration_days=None if ends_in is None else 30,
        )
        work.session.add(plan)
        await work.session.flush()
        work.session.add(
            Membership(
                member_id=member_id,
                plan_id=plan.id,
                status="active",
                list_price=1,
                activated_at=now,
                created_at=now,
                expires_at=None if ends_in is None else now + ends_in,
            )
        )
        await work.commit()


async def world(app: BotUnderTest) -> dict[int, JSON]:
    admin_group(app)
    people = {
        VIP: await start(app, VIP, "Vina"),
        BASIC: await start(app, BASIC, "Budi"),
        LAPSING: await start(app, LAPSING, "Lala"),
    }
    await give_plan(app, VIP, "vip")
    await give_plan(app, BASIC, "basic")
    await give_plan(app, LAPSING, "vip", ends_in=timedelta(days=1))
    return people


async def seeded(app: BotUnderTest, starts_in: timedelta, **changes: object) -> MeetingRecord:
    fields: dict[str, object] = {
        "title": "Kelas konten AI",
        "starts_at": app.container.clock.now() + starts_in,
        "duration_minutes": 60,
        "audience": MeetingAudience.VIP,
        "repeat": Repeat.ONCE,
        "join_link": LINK,
        "notes": None,
    } | changes
    return await app.container.meetings.schedule(Draft(**fields), Actor(ADMIN_ID, "Dewi"))  # type: ignore[arg-type]


async def say(app: BotUnderTest, user: int, text: str) -> list[JSON]:
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, user, text))
    return app.core.sent_to(ADMIN_CHAT)[before:]


def text_of(messages: list[JSON]) -> str:
    return "\n".join(str(m.get("text") or "") for m in messages)


async def choose(app: BotUnderTest, label: str, user: int = ADMIN_ID) -> JSON:
    found = app.core.find_button(ADMIN_CHAT, label)
    assert found is not None, f"no {label!r} button in the admin group"
    return await tap(app, app.core.user(user), found[0], label)


async def open_meetings(app: BotUnderTest, person: JSON) -> JSON:
    """The member opens 📅 Meeting Zoom from the main menu: the screen it becomes."""
    await send(app, app.core.command(person, "/start"))
    menu = app.core.last_sent(person["id"])
    assert menu is not None
    await tap(app, person, menu, "Meeting Zoom")
    return current(app, menu)


async def open_meeting(app: BotUnderTest, person: JSON, title: str = "Kelas konten AI") -> JSON:
    listing = await open_meetings(app, person)
    await tap(app, person, listing, title)
    return current(app, listing)


def labels(app: BotUnderTest, message: JSON) -> list[str]:
    return [text for text, _ in app.core.buttons(message)]


def received(app: BotUnderTest, telegram_id: int, contains: str) -> list[JSON]:
    return [m for m in app.core.sent_log(telegram_id) if contains in str(m.get("text") or "")]


# ---------------------------------------------------------------- scheduling


async def test_an_admin_schedules_a_meeting_in_short_steps_and_wrong_answers_are_refused_kindly(
    app: BotUnderTest,
) -> None:
    await world(app)
    listing = await say(app, ADMIN_ID, "/meetings")
    assert "Belum ada meeting" in text_of(listing)
    await choose(app, "Jadwalkan meeting")
    screen = app.core.last_sent(ADMIN_CHAT)
    assert screen is not None and "Meeting baru" in screen["text"]

    await say(app, ADMIN_ID, "Kelas <konten> AI")
    assert "Kapan mulai" in current(app, screen)["text"]
    refused = await say(app, ADMIN_ID, "kapan-kapan")
    assert "belum terbaca" in text_of(refused)
    refused = await say(app, ADMIN_ID, "09-01-2026 19.00")
    assert "sudah lewat" in text_of(refused)
    await say(app, ADMIN_ID, "besok 19.00")
    assert "Berapa lama" in current(app, screen)["text"]
    await choose(app, "90 menit")
    await choose(app, "VIP")
    await choose(app, "Tiap minggu")
    refused = await say(app, ADMIN_ID, "zoom.us/j/8812")
    assert "http:// atau https://" in text_of(refused)
    await say(app, ADMIN_ID, LINK)
    await choose(app, "Lewati")
    preview = current(app, screen)["text"]
    assert "Min, 11 Jan 2026 19.00 WIB" in preview
    assert "Kelas <konten> AI" in preview and "90 menit" in preview and "Tiap minggu" in preview
    answer = await choose(app, "Jadwalkan")
    assert "dijadwalkan" in answer["text"]

    async with app.container.uow() as work:
        [row] = (await work.session.execute(select(Meeting))).scalars().all()
    assert (row.title, row.duration_minutes, row.repeat, row.audience, row.join_link) == (
        "Kelas <konten> AI",
        90,
        "weekly",
        "vip",
        LINK,
    )
    assert row.starts_at == datetime(2026, 1, 11, 12, 0, tzinfo=UTC)
    again = await say(app, ADMIN_ID, "/meetings")
    assert "Kelas <konten> AI" in text_of(again) and "Min, 11 Jan 2026 19.00 WIB" in text_of(again)


async def test_someone_who_is_no_admin_can_neither_list_nor_tap_nor_schedule(
    app: BotUnderTest,
) -> None:
    await world(app)
    await seeded(app, timedelta(days=2))
    refused = await say(app, STRANGER_ID, "/meetings")
    assert "admin" in text_of(refused).lower()
    await say(app, ADMIN_ID, "/meetings")
    answer = await choose(app, "Kelas konten AI", user=STRANGER_ID)
    assert answer.get("show_alert") and "admin" in answer["text"].lower()
    answer = await choose(app, "Jadwalkan meeting", user=STRANGER_ID)
    assert answer.get("show_alert")
    assert "Meeting baru" not in text_of(app.core.sent_to(ADMIN_CHAT))


async def test_a_forged_or_stale_meeting_button_changes_nothing(app: BotUnderTest) -> None:
    people = await world(app)
    meeting = await seeded(app, timedelta(days=2))
    listing = await say(app, ADMIN_ID, "/meetings")
    admin = app.core.user(ADMIN_ID)
    answer = await press(app, admin, listing[-1], "mta:open:99999:0:0:0:0", strict=False)
    assert "tidak ditemukan" in answer["text"]
    answer = await press(app, admin, listing[-1], "mta:open:-5:0:0:0:0", strict=False)
    assert "Kelas" not in str(answer.get("text"))
    screen = await open_meetings(app, people[VIP])
    answer = await press(app, people[VIP], screen, f"mtg:yes:{meeting.id}:7", strict=False)
    assert "tidak ditemukan" in answer["text"]
    for far in (1000, 100_000):  # a forged far occurrence: no crash, a stale button
        answer = await press(app, people[VIP], screen, f"mtg:yes:{meeting.id}:{far}", strict=False)
        assert answer.get("show_alert") and "Kelas" not in str(answer.get("text"))
    answer = await press(app, people[BASIC], screen, f"mtg:yes:{meeting.id}:0", strict=False)
    assert "tidak termasuk paketmu" in answer["text"]
    async with app.container.uow() as work:
        assert (await work.session.execute(select(MeetingRsvp))).first() is None


# ---------------------------------------------------------------- members


async def test_a_vip_answers_and_changes_their_answer_and_admins_see_counts_and_names(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    await seeded(app, timedelta(days=2))
    await seeded(app, timedelta(days=3), title="Ngobrol santai", audience=MeetingAudience.MEMBERS)
    basic = await open_meetings(app, people[BASIC])
    assert "Ngobrol santai" in basic["text"] and "Kelas konten AI" not in basic["text"]

    shown_list = await open_meetings(app, people[VIP])
    assert "Kelas konten AI · Sen 12 Jan 10.00" in labels(app, shown_list)  # a month's name
    screen = await open_meeting(app, people[VIP])
    assert "Sen, 12 Jan 2026 10.00 WIB" in screen["text"]
    answer = await tap(app, people[VIP], screen, "Hadir")
    assert "Hadir" in answer["text"]
    assert "• ✅ Hadir •" in labels(app, current(app, screen))
    await tap(app, people[VIP], current(app, screen), "Mungkin")
    shown = current(app, screen)
    assert "Jawabanmu: Mungkin" in shown["text"] and "• 🤔 Mungkin •" in labels(app, shown)
    assert "🔗 Link" not in labels(app, shown)  # two days ahead: not yet

    listing = await say(app, ADMIN_ID, "/meetings")
    assert "✅ 0 · 🤔 1 · ❌ 0" in text_of(listing)
    await choose(app, "Kelas konten AI")
    await choose(app, "Nama")
    names = app.core.find_sent(ADMIN_CHAT, "halaman 1/1")
    assert names is not None and "Vina — Mungkin" in names["text"]


async def test_without_a_plan_the_member_is_told_what_gives_meetings(app: BotUnderTest) -> None:
    admin_group(app)
    nobody = await start(app, 2999, "Nina")
    screen = await open_meetings(app, nobody)
    assert "anggota berpaket" in screen["text"]
    assert any("Lihat paket" in label for label in labels(app, screen))


async def test_a_lapsed_vip_gets_no_link_on_the_screen_nor_in_the_reminder(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    meeting = await seeded(app, timedelta(days=2))
    screen = await open_meeting(app, people[LAPSING])
    await tap(app, people[LAPSING], screen, "Hadir")
    app.container.clock.advance(days=1, hours=2)  # the plan ended; 22 h before the start
    answer = await press(app, people[LAPSING], screen, f"mtg:link:{meeting.id}:0", strict=False)
    assert "tidak termasuk paketmu" in answer["text"]
    assert await remind_meetings(app.container) == 1
    await deliver(app)
    [reminder] = received(app, LAPSING, "Pengingat meeting")
    assert LINK not in str(reminder) and "Perpanjang" in str(reminder)
    assert received(app, LAPSING, LINK) == []


async def test_reminders_go_once_with_the_link_even_when_the_sweep_runs_twice(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    await seeded(app, timedelta(days=2))
    await tap(app, people[VIP], await open_meeting(app, people[VIP]), "Hadir")
    app.container.clock.advance(days=1)
    assert await remind_meetings(app.container) == 1
    assert await remind_meetings(app.container) == 0
    await deliver(app)
    app.container.clock.advance(hours=23)
    assert await remind_meetings(app.container) == 1
    assert await remind_meetings(app.container) == 0
    await deliver(app)
    reminders = received(app, VIP, "Pengingat meeting")
    assert len(reminders) == 2
    assert all(LINK in r["text"] for r in reminders)
    assert "24 jam lagi" in reminders[0]["text"] and "60 menit lagi" in reminders[1]["text"]
    assert any(url == LINK for _, url in app.core.buttons(reminders[1]))


async def test_i_am_here_counts_only_in_the_window_and_once(app: BotUnderTest) -> None:
    people = await world(app)
    meeting = await seeded(app, timedelta(hours=2))
    screen = await open_meeting(app, people[VIP])
    assert "🔗 Link" in labels(app, screen) and "✅ Saya hadir" not in labels(app, screen)
    answer = await press(app, people[VIP], screen, f"mtg:here:{meeting.id}:0", strict=False)
    assert "Belum waktunya" in answer["text"]
    await tap(app, people[VIP], screen, "Link")
    assert received(app, VIP, LINK)

    app.container.clock.advance(hours=1, minutes=55)
    screen = await open_meeting(app, people[VIP])
    answer = await tap(app, people[VIP], screen, "Saya hadir")
    assert "tercatat" in answer["text"]
    assert "Kehadiranmu tercatat" in current(app, screen)["text"]
    answer = await press(app, people[VIP], screen, f"mtg:here:{meeting.id}:0", strict=False)
    assert "sudah tercatat" in answer["text"]
    app.container.clock.advance(hours=2)
    answer = await press(app, people[VIP], screen, f"mtg:here:{meeting.id}:0", strict=False)
    assert "sudah selesai" in answer["text"]
    async with app.container.uow() as work:
        rows = (await work.session.execute(select(MeetingAttendance))).scalars().all()
    assert [(r.present, r.source) for r in rows] == [(True, "member")]


async def test_admins_mark_attendance_after_the_meeting_and_see_it_per_member(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    await seeded(app, timedelta(hours=1))
    await tap(app, people[VIP], await open_meeting(app, people[VIP]), "Hadir")
    app.container.clock.advance(hours=3)
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Tandai kehadiran")
    past = app.core.find_button(ADMIN_CHAT, "Kelas konten AI")
    assert past is not None and "Kelas konten AI · Sab 10 Jan 11.00" in labels(app, past[0])
    await choose(app, "Kelas konten AI")
    roster = app.core.find_sent(ADMIN_CHAT, "Kehadiran: Kelas konten AI")
    assert roster is not None
    answer = await tap(app, app.core.user(ADMIN_ID), roster, "Vina")
    assert "✅" in answer["text"]
    assert any(label.startswith("✅ Vina") for label in labels(app, current(app, roster)))
    await choose(app, "Kembali")
    await choose(app, "Kembali")
    await choose(app, "per anggota")
    totals = app.core.find_sent(ADMIN_CHAT, "per anggota")
    assert totals is not None and "Vina — hadir 1× · menjawab Hadir 1×" in totals["text"]


async def test_an_edit_and_a_cancellation_are_told_to_those_coming(app: BotUnderTest) -> None:
    people = await world(app)
    await seeded(app, timedelta(days=2))
    await tap(app, people[VIP], await open_meeting(app, people[VIP]), "Mungkin")
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Kelas konten AI")
    await choose(app, "Ubah")
    await choose(app, "Waktu mulai")
    asked = app.core.find_sent(ADMIN_CHAT, "waktu mulai yang baru")
    assert asked is not None and "WIB" in asked["text"] and "besok 19.00" in asked["text"]
    assert "(2/7)" not in asked["text"] and "menghapus" not in asked["text"]
    refused = await say(app, ADMIN_ID, "01-01-2026 19.00")
    assert "sudah lewat" in text_of(refused)
    await say(app, ADMIN_ID, "13-01-2026 20.00")
    detail = app.core.find_sent(ADMIN_CHAT, "Diubah")
    assert detail is not None and "Sel, 13 Jan 2026 20.00 WIB" in detail["text"]
    await deliver(app)
    [changed] = received(app, VIP, "Meeting diubah")
    assert "Sel, 13 Jan 2026 20.00 WIB" in changed["text"]

    await choose(app, "Batalkan")
    await choose(app, "Ya, batalkan")
    await deliver(app)
    assert len(received(app, VIP, "dibatalkan")) == 1
    assert received(app, BASIC, "dibatalkan") == []
    assert "Belum ada meeting" in text_of(await say(app, ADMIN_ID, "/meetings"))


async def test_the_reminder_sweep_runs_every_minute_and_once_at_start(app: BotUnderTest) -> None:
    job = build_scheduler(app.container).get_job("meeting-reminders")
    assert job is not None
    assert job.trigger.interval == timedelta(minutes=1)
    assert job.next_run_time == app.container.clock.now()  # catches up after downtime


async def test_the_admin_panel_opens_the_meetings_list(app: BotUnderTest) -> None:
    await world(app)
    await seeded(app, timedelta(days=2))
    await say(app, ADMIN_ID, "/menu")
    await choose(app, "📅 Meeting")
    listing = app.core.find_sent(ADMIN_CHAT, "Meeting mendatang")
    assert listing is not None and "Kelas konten AI" in listing["text"]


async def test_a_schedule_left_unfinished_for_half_an_hour_takes_no_later_message(
    app: BotUnderTest,
) -> None:
    await world(app)
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Jadwalkan meeting")
    await say(app, ADMIN_ID, "Kelas konten AI")
    app.container.clock.advance(minutes=31)  # type: ignore[attr-defined]
    answered = await say(app, ADMIN_ID, "besok kita rapat ya")
    assert "belum terbaca" not in text_of(answered)
    async with app.container.uow() as work:
        assert (await work.session.execute(select(Meeting))).first() is None


async def test_a_step_button_of_an_abandoned_schedule_is_stale(app: BotUnderTest) -> None:
    await world(app)
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Jadwalkan meeting")
    await say(app, ADMIN_ID, "Kelas konten AI")
    await say(app, ADMIN_ID, "besok 19.00")
    screen = app.core.find_button(ADMIN_CHAT, "60 menit")
    assert screen is not None
    await choose(app, "Batal")
    admin = app.core.user(ADMIN_ID)
    answer = await press(app, admin, screen[0], screen[1], strict=False)
    assert answer.get("show_alert")
    answer = await press(app, admin, screen[0], "mtw:confirm:0::", strict=False)
    assert answer.get("show_alert")
    async with app.container.uow() as work:
        assert (await work.session.execute(select(Meeting))).first() is None


# ---------------------------------------------------------------- review fixes


async def schedule_until_preview(app: BotUnderTest) -> JSON:
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Jadwalkan meeting")
    await say(app, ADMIN_ID, "Kelas AI")
    await say(app, ADMIN_ID, "besok 19.00")
    await choose(app, "90 menit")
    await choose(app, "VIP")
    await choose(app, "Sekali")
    await say(app, ADMIN_ID, LINK)
    await choose(app, "Lewati")
    found = app.core.find_button(ADMIN_CHAT, "✅ Jadwalkan")
    assert found is not None
    return found[0]


async def test_schedule_tapped_twice_at_once_schedules_one_meeting(app: BotUnderTest) -> None:
    await world(app)
    preview = await schedule_until_preview(app)
    data = find_button(app, preview, "✅ Jadwalkan")
    admin = app.core.user(ADMIN_ID)
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
    first, second = app.core.press(admin, preview, data), app.core.press(admin, preview, data)
    await asyncio.gather(app.send(first), app.send(second))
    async with app.container.uow() as work:
        assert len((await work.session.execute(select(Meeting))).scalars().all()) == 1
    answers = [app.core.callback_answers[u["callback_query"]["id"]] for u in (first, second)]
    assert sorted(str(a.get("text")) for a in answers) == [
        "Meeting ini sudah dijadwalkan 👍",
        "✅ Meeting dijadwalkan. Anggota melihatnya di menu 📅 Meeting Zoom.",
    ]


async def test_a_preview_confirmed_after_its_start_passed_says_to_cancel_and_schedule_again(
    app: BotUnderTest,
) -> None:
    await world(app)
    preview = await schedule_until_preview(app)  # tomorrow 19.00
    app.container.clock.advance(days=2)  # type: ignore[attr-defined]
    answer = await tap(app, app.core.user(ADMIN_ID), preview, "✅ Jadwalkan")
    assert answer.get("show_alert") and "Tekan ✖️ Batal lalu jadwalkan lagi" in answer["text"]
    assert "Tulis" not in answer["text"]  # nothing can be typed on a preview
    async with app.container.uow() as work:
        assert (await work.session.execute(select(Meeting))).first() is None


async def test_editing_the_notes_says_a_dash_removes_them_and_other_fields_do_not(
    app: BotUnderTest,
) -> None:
    await world(app)
    await seeded(app, timedelta(days=2), notes="Bawa laptop")
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Kelas konten AI")
    await choose(app, "Ubah")
    await choose(app, "Judul")
    asked = app.core.find_sent(ADMIN_CHAT, "Tulis judul yang baru")
    assert asked is not None and "menghapus" not in asked["text"]
    await say(app, ADMIN_ID, "/cancel")
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Kelas konten AI")
    await choose(app, "Ubah")
    await choose(app, "Catatan")
    asked = app.core.find_sent(ADMIN_CHAT, "Tulis catatan yang baru")
    assert asked is not None and "atau - untuk menghapus catatan" in asked["text"]
    await say(app, ADMIN_ID, "-")
    async with app.container.uow() as work:
        [row] = (await work.session.execute(select(Meeting))).scalars().all()
    assert row.notes is None


def test_button_dates_and_counts_read_naturally_in_both_languages() -> None:
    i18n = Translator.load()
    moment = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # Thursday 19.00 in Jakarta
    when = short_when(moment, ZoneInfo("Asia/Jakarta"))
    assert i18n.t("meetings.member.button_meeting", "id", title="Kelas", when=when) == (
        "Kelas · Kam 10 Des 19.00"
    )
    assert i18n.t("meetings.admin.past_button", "en", title="Class", when=when) == (
        "Class · Thu 10 Dec 19:00"
    )
    assert i18n.t("meetings.left_minutes", "en", minutes=1) == "in 1 minute"
    assert i18n.t("meetings.left_hours", "en", hours=24) == "in 24 hours"
    assert "tomorrow 19:00" in i18n.t("meetings.problem.bad_time", "en")


async def test_an_audience_chosen_again_changes_nothing_and_tells_nobody(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    await seeded(app, timedelta(days=2))
    await tap(app, people[VIP], await open_meeting(app, people[VIP]), "Hadir")
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Kelas konten AI")
    await choose(app, "Ubah")
    await choose(app, "Peserta")
    asked = app.core.find_sent(ADMIN_CHAT, "Untuk siapa?")
    assert asked is not None and "(4/7)" not in asked["text"]  # not a step of scheduling
    answer = await choose(app, "VIP")  # what it is already
    assert "Tidak ada yang berubah" in answer["text"]
    await deliver(app)
    assert received(app, VIP, "Meeting diubah") == []


async def test_admins_mark_with_buttons_that_say_which_and_mark_someone_who_never_answered(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    await seeded(app, timedelta(hours=1))
    await tap(app, people[VIP], await open_meeting(app, people[VIP]), "Hadir")
    app.container.clock.advance(hours=3)  # type: ignore[attr-defined]
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Tandai kehadiran")
    await choose(app, "Kelas konten AI")
    roster = app.core.find_sent(ADMIN_CHAT, "Kehadiran: Kelas konten AI")
    assert roster is not None
    present = find_button(app, roster, "Vina")
    admin = app.core.user(ADMIN_ID)
    await press(app, admin, roster, present)
    # A second tap on the screen as it was (a double tap): still present, not toggled back.
    await press(app, admin, roster, present, strict=False)
    assert any(label.startswith("✅ Vina") for label in labels(app, current(app, roster)))

    await tap(app, admin, current(app, roster), "Tandai orang lain")
    assert "Tulis nama" in current(app, roster)["text"]
    nobody = await say(app, ADMIN_ID, "Zaskia")
    assert "Tidak ada anggota yang cocok" in text_of(nobody)
    await say(app, ADMIN_ID, "Lala")
    found = current(app, roster)
    assert "Pilih siapa yang hadir" in found["text"]
    await tap(app, admin, found, "Lala")
    shown = current(app, roster)
    assert any(label.startswith("✅ Lala") for label in labels(app, shown))
    assert any(label.startswith("✅ Vina") for label in labels(app, shown))
    later = await say(app, ADMIN_ID, "Budi")  # the search is over: just a message again
    assert "cocok" not in text_of(later) and "Budi" not in current(app, roster)["text"]


async def test_a_member_marked_absent_who_taps_i_am_here_during_the_meeting_is_told_it_counts(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    meeting = await seeded(app, timedelta(hours=1))
    await tap(app, people[VIP], await open_meeting(app, people[VIP]), "Hadir")
    app.container.clock.advance(hours=1, minutes=5)  # type: ignore[attr-defined]
    vip_id = await member_id(app, VIP)
    await app.container.meetings.mark(meeting.id, 0, vip_id, False, Actor(ADMIN_ID, "Dewi"))
    screen = await open_meeting(app, people[VIP])
    answer = await tap(app, people[VIP], screen, "Saya hadir")
    assert "sebelumnya tercatat tidak hadir" in answer["text"]
    assert "Kehadiranmu tercatat" in current(app, screen)["text"]


async def member_id(app: BotUnderTest, telegram_id: int) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(Member.id).where(Member.telegram_id == telegram_id)
        )
        return int(found.scalar_one())


async def test_a_reminder_sent_late_gives_the_link_only_to_the_audience_of_that_moment(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    await seeded(app, timedelta(hours=24, minutes=30))  # LAPSING's plan ends in 24 hours
    await tap(app, people[LAPSING], await open_meeting(app, people[LAPSING]), "Hadir")
    screen = await open_meeting(app, people[VIP])
    await tap(app, people[VIP], screen, "Hadir")
    app.container.clock.advance(minutes=31)  # type: ignore[attr-defined]
    assert await remind_meetings(app.container) == 2  # queued: both in the audience now
    await tap(app, people[VIP], await open_meeting(app, people[VIP]), "Tidak")
    app.container.clock.advance(hours=23, minutes=40)  # type: ignore[attr-defined]
    await deliver(app)  # the outbox was behind: LAPSING's plan ended meanwhile
    [reminder] = received(app, LAPSING, "Pengingat meeting")
    assert LINK not in str(reminder) and "Perpanjang" in str(reminder)
    assert received(app, VIP, "Pengingat meeting") == []  # said "Tidak" since


async def test_the_old_row_of_a_moved_series_says_moved_and_leads_to_the_new_schedule(
    app: BotUnderTest,
) -> None:
    await world(app)
    weekly = await seeded(app, timedelta(hours=2), repeat=Repeat.WEEKLY)
    app.container.clock.advance(days=3)  # type: ignore[attr-defined]
    new_start = app.container.clock.now() + timedelta(days=5)
    moved = await app.container.meetings.edit(
        weekly.id, Field.START, new_start, Actor(ADMIN_ID, "Dewi")
    )
    assert moved.id != weekly.id
    listing = await say(app, ADMIN_ID, "/meetings")
    admin = app.core.user(ADMIN_ID)
    # A screen opened before the move still carries the old row's buttons.
    await press(app, admin, listing[-1], f"mta:open:{weekly.id}:0:0:0:0", strict=False)
    screen = current(app, listing[-1])
    assert "sudah dipindah" in str(screen["text"]) and "dibatalkan" not in str(screen["text"])
    await tap(app, admin, screen, "Jadwal barunya")
    assert "Kelas konten AI" in str(current(app, screen)["text"])
    assert "sudah dipindah" not in str(current(app, screen)["text"])


async def test_a_meeting_going_on_when_its_series_is_moved_still_takes_i_am_here(
    app: BotUnderTest,
) -> None:
    people = await world(app)
    weekly = await seeded(app, timedelta(hours=1), repeat=Repeat.WEEKLY)
    await tap(app, people[VIP], await open_meeting(app, people[VIP]), "Hadir")
    app.container.clock.advance(hours=1, minutes=10)  # type: ignore[attr-defined]
    screen = await open_meeting(app, people[VIP])  # opened while it goes on
    await app.container.meetings.edit(
        weekly.id, Field.REPEAT, Repeat.MONTHLY, Actor(ADMIN_ID, "Dewi")
    )
    answer = await tap(app, people[VIP], screen, "Saya hadir")
    assert "tercatat" in str(answer.get("text"))
    assert "dibatalkan" not in str(current(app, screen)["text"])
    listing = await open_meetings(app, people[VIP])
    assert labels(app, listing)[:2] == [
        "Kelas konten AI · Sab 10 Jan 11.00",  # going on: listed until it ends
        "Kelas konten AI · Sab 17 Jan 11.00",  # the new monthly schedule's first
    ]


async def test_someone_marked_from_a_search_is_named_and_shown_on_their_roster_page(
    app: BotUnderTest,
) -> None:
    await world(app)
    meeting = await seeded(app, timedelta(hours=1))
    now = app.container.clock.now()
    async with app.container.uow() as work:  # a full first page who said yes
        for n in range(9):
            work.session.add(
                Member(
                    telegram_id=50_000 + n,
                    first_name=f"Anggota{n}",
                    referral_code=f"zz{n}",
                    created_at=now,
                    last_seen_at=now,
                )
            )
        await work.session.flush()
        ids = await work.session.execute(select(Member.id).where(Member.telegram_id >= 50_000))
        for member in ids.scalars():
            work.session.add(
                MeetingRsvp(
                    meeting_id=meeting.id,
                    occurrence=0,
                    member_id=member,
                    answer="yes",
                    answered_at=now,
                )
            )
        await work.commit()
    app.container.clock.advance(hours=3)  # type: ignore[attr-defined]
    await say(app, ADMIN_ID, "/meetings")
    await choose(app, "Tandai kehadiran")
    await choose(app, "Kelas konten AI")
    roster = app.core.find_sent(ADMIN_CHAT, "Kehadiran: Kelas konten AI")
    assert roster is not None
    admin = app.core.user(ADMIN_ID)
    await tap(app, admin, current(app, roster), "Tandai orang lain")
    await say(app, ADMIN_ID, "Lala")
    popup = await tap(app, admin, current(app, roster), "Lala")
    assert popup.get("text") == "Ditandai: Lala ✅"
    shown = current(app, roster)
    assert "halaman 2/2" in str(shown["text"])
    assert any(label.startswith("✅ Lala") for label in labels(app, shown))
