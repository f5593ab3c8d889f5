"""End to end over HTTP (issue 16): a VIP meeting is scheduled, a VIP says "Hadir" in the
real bot process, time moves (the stored times are moved back, as the process keeps the
real clock), the bot restarts and its reminder sweep at start sends the reminder with the
link once; in the meeting window the VIP taps "Saya hadir" and attendance is recorded;
then she opens a VIP lesson and gets it with content protection, while a Basic member
finds it locked with an upgrade button. The meeting and the lesson are seeded in the
database (the admin steps that make them are covered by handler tests)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.meetings import MeetingAudience, Repeat
from kernel.actor import Actor
from kernel.clock import SystemClock
from services.meetings import Draft, MeetingService
from storage.database import create_engine, create_session_factory
from storage.migrate import upgrade
from storage.models import (
    LibraryLesson,
    LibraryLessonPart,
    LibrarySection,
    Meeting,
    MeetingAttendance,
    MeetingRsvp,
    Member,
    Membership,
    Plan,
    Tier,
)
from storage.uow import UnitOfWorkFactory
from tests.e2e.conftest import ADMIN_CHAT, TOKEN, RunningBot, reply, start_bot
from tests.kit.faketelegram import JSON, FakeTelegram

pytestmark = pytest.mark.e2e
VINA, OWNER, BAYU = 821, 822, 823
LINK = "https://us02web.zoom.us/j/5550001?pwd=e2e"
ENV = {"THROTTLE_BURST": "1000"}
WAIT = 30.0


async def seed(url: str) -> int:
    """Vina, a VIP for life; Bayu, Basic for life; a VIP meeting three hours from now; a
    VIP lesson in the library."""
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as connection:
            for telegram_id, name, plan in (
                (VINA, "Vina", "vip_lifetime"),
                (BAYU, "Bayu", "basic_lifetime"),
            ):
                member_id = (
                    await connection.execute(
                        insert(Member).returning(Member.id),
                        {
                            "telegram_id": telegram_id,
                            "first_name": name,
                            "referral_code": f"{name.lower()}1",
                            "telegram_language": "id",
                            "created_at": now,
                            "last_seen_at": now,
                        },
                    )
                ).scalar_one()
                plan_id = (
                    await connection.execute(select(Plan.id).where(Plan.code == plan))
                ).scalar_one()
                await connection.execute(
                    insert(Membership),
                    {
                        "member_id": member_id,
                        "plan_id": plan_id,
                        "status": "active",
                        "list_price": 299_000,
                        "activated_at": now,
                        "created_at": now,
                    },
                )
            await seed_lesson(connection, now)
        meetings = MeetingService(
            UnitOfWorkFactory(create_session_factory(engine)),
            SystemClock(),
            ZoneInfo("Asia/Jakarta"),
            "id",
        )
        meeting = await meetings.schedule(
            Draft(
                "Kelas konten AI",
                now + timedelta(hours=3),
                60,
                MeetingAudience.VIP,
                Repeat.ONCE,
                LINK,
            ),
            Actor(OWNER, "Owner"),
        )
    finally:
        await engine.dispose()
    return meeting.id


async def seed_lesson(connection: AsyncConnection, now: datetime) -> None:
    """A VIP lesson "Keranjang kuning" in the section "Strategi"."""
    section = (
        await connection.execute(
            insert(LibrarySection).returning(LibrarySection.id),
            {"name": "Strategi", "name_key": "strategi", "position": 1, "created_at": now},
        )
    ).scalar_one()
    vip = (await connection.execute(select(Tier.id).where(Tier.code == "vip"))).scalar_one()
    lesson = (
        await connection.execute(
            insert(LibraryLesson).returning(LibraryLesson.id),
            {
                "section_id": section,
                "title": "Keranjang kuning",
                "tier_id": vip,
                "position": 1,
                "created_by": OWNER,
                "created_at": now,
                "draft_key": "seed",
            },
        )
    ).scalar_one()
    await connection.execute(
        insert(LibraryLessonPart),
        {
            "lesson_id": lesson,
            "position": 0,
            "kind": "text",
            "html": "<b>Langkah 1</b>: aktifkan keranjang kuning",
        },
    )


async def time_passes(url: str, meeting_id: int, starts_in: timedelta, by: timedelta) -> None:
    """The process runs on the real clock: moving every stored time back is time passing."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                update(Meeting)
                .where(Meeting.id == meeting_id)
                .values(starts_at=datetime.now(UTC) + starts_in)
            )
            answered = (await connection.execute(select(MeetingRsvp.answered_at))).scalar_one()
            await connection.execute(update(MeetingRsvp).values(answered_at=answered - by))
    finally:
        await engine.dispose()


def button(core: FakeTelegram, message: JSON, label: str) -> str:
    for text, data in core.buttons(message):
        if label in text and data:
            return data
    raise AssertionError(f"no button {label!r} in {core.buttons(message)}")


async def tap_until(core: FakeTelegram, user: JSON, message: JSON, label: str, shows: str) -> JSON:
    """Tap `label` on `message` and wait until the message (edited) shows `shows`."""
    shown = core.messages[message["chat"]["id"]][message["message_id"]]
    core.press(user, shown, button(core, shown, label))

    def edited() -> JSON | None:
        now = core.messages[message["chat"]["id"]][message["message_id"]]
        return now if shows in (now.get("text") or "") else None

    return await core.wait_for(edited, WAIT, what=f"{shows!r} after tapping {label!r}")


async def open_lesson(core: FakeTelegram, person: JSON, label: str, about: str) -> JSON:
    """Menu → 📚 Materi belajar → the section → the lesson `label`: the new message
    saying `about` (the lesson, or why it is locked)."""
    chat = person["id"]
    menu = await reply(core, chat, lambda: core.command(person, "/start"), "Menu utama", WAIT)
    pressed = button(core, menu, "Materi belajar")
    shelf = await reply(core, chat, lambda: core.press(person, menu, pressed), "Pilih bagian", WAIT)
    section = await tap_until(core, person, shelf, "Strategi", "Pilih pelajaran")
    assert any(label in text for text, _ in core.buttons(section))
    return await reply(
        core, chat, lambda: core.press(person, section, button(core, section, label)), about, WAIT
    )


async def stop(running: RunningBot) -> None:
    await running.stop()
    await running.server.stop()


async def test_a_vip_is_reminded_with_the_link_is_there_and_reads_a_lesson_basic_cannot(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    meeting_id = await seed(url)
    core = FakeTelegram(TOKEN)
    core.make_group(ADMIN_CHAT, "Admin", creator=core.user(OWNER, "Owner"))
    vina = core.user(VINA, "Vina", started=True)
    running = await start_bot(tmp_path, "polling", ENV, core=core)
    try:
        core.command(vina, "/start")
        menu = await core.wait_for(
            lambda: core.find_button(VINA, "Meeting Zoom"), WAIT, what="the main menu"
        )
        listing = await tap_until(core, vina, menu[0], "Meeting Zoom", "Kelas konten AI")
        detail = await tap_until(core, vina, listing, "Kelas konten AI", "Jawabanmu")
        detail = await tap_until(core, vina, detail, "Hadir", "Jawabanmu: Hadir")
        assert "🔗 Link" in str(core.buttons(detail))  # within 24 hours of the start
    finally:
        await stop(running)

    # Two and a half hours pass while the bot is down: the 1 h reminder is due, the
    # 24 h one passed before Vina answered. The sweep at start sends the nearest once.
    await time_passes(url, meeting_id, timedelta(minutes=30), timedelta(hours=2, minutes=30))
    running = await start_bot(tmp_path, "polling", ENV, core=core)
    try:
        reminder = await core.wait_for(
            lambda: core.find_sent(VINA, "Pengingat meeting"), WAIT, what="the reminder"
        )
        assert LINK in reminder["text"]
        assert any(url == LINK for _, url in core.buttons(reminder))
    finally:
        await stop(running)

    # Twenty-five minutes later: the meeting starts in five; a restart sends nothing again.
    await time_passes(url, meeting_id, timedelta(minutes=5), timedelta(minutes=25))
    running = await start_bot(tmp_path, "polling", ENV, core=core)
    try:
        before = {m["message_id"] for m in core.sent_to(VINA)}
        core.press(vina, reminder, button(core, reminder, "Buka meeting"))
        opened = await core.wait_for(
            lambda: next(
                (
                    m
                    for m in core.sent_to(VINA)
                    if m["message_id"] not in before and "Jawabanmu: Hadir" in (m.get("text") or "")
                ),
                None,
            ),
            WAIT,
            what="the meeting screen in a new message",
        )
        await tap_until(core, vina, opened, "Saya hadir", "Kehadiranmu tercatat")
        assert LINK in core.messages[VINA][reminder["message_id"]]["text"]  # left as it was
        assert core.count_sent(VINA, "Pengingat meeting") == 1

        # The library: Vina (VIP) gets the VIP lesson, protected; Bayu (Basic) sees it 🔒.
        lesson = await open_lesson(core, vina, "📖 Keranjang kuning", "aktifkan keranjang")
        assert lesson["text"] == "Langkah 1: aktifkan keranjang kuning"
        assert lesson.get("has_protected_content") is True
        [sent] = [c for c in core.calls_of("sendMessage") if c.params.get("chat_id") == VINA][-1:]
        assert sent.params.get("protect_content") is True
        bayu = core.user(BAYU, "Bayu", started=True)
        locked = await open_lesson(core, bayu, "🔒 Keranjang kuning", "terbuka untuk paket VIP")
        assert any("Buka dengan" in label for label, _ in core.buttons(locked))
        assert not any("aktifkan keranjang" in (m.get("text") or "") for m in core.sent_to(BAYU))
        assert "Traceback" not in running.log()
    finally:
        await stop(running)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            present = (
                await connection.execute(
                    select(func.count()).where(MeetingAttendance.present.is_(True))
                )
            ).scalar_one()
    finally:
        await engine.dispose()
    assert present == 1
