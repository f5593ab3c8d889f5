"""End to end over HTTP: an admin announces to 1,000 members, the bot process is killed
(SIGKILL) in the middle of sending and started again: every member gets the post, and
only the few copies in flight at the kill can arrive twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from bot.announcements import AnnouncementSender
from storage.database import create_engine
from storage.migrate import upgrade
from storage.models import Member
from tests.e2e.conftest import ADMIN_CHAT, TOKEN, reply, start_bot
from tests.kit.faketelegram import JSON, FakeTelegram

pytestmark = pytest.mark.e2e
MEMBERS = 1000
FIRST = 600_000
OWNER, DEWI = 802, 803
TEXT = "Kelas Zoom Sabtu diliburkan"
# Copies whose outcome was not written yet when the process died: one per worker.
IN_FLIGHT = AnnouncementSender.__init__.__kwdefaults__["concurrency"]  # type: ignore[index]
ENV = {
    "THROTTLE_BURST": "1000",
    "ANNOUNCE_RATE": "50",
    "ANNOUNCE_PROGRESS_SECONDS": "1",
    "SEND_RATE_TOTAL": "200",
}


async def seed_members(tmp_path: Path, core: FakeTelegram) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = create_engine(url)
    now = datetime.now(UTC)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                insert(Member),
                [
                    {"telegram_id": i, "first_name": f"Anggota {i}", "referral_code": f"e{i}",
                     "telegram_language": "id", "created_at": now, "last_seen_at": now}
                    for i in range(FIRST, FIRST + MEMBERS)
                ],
            )  # fmt: skip
    finally:
        await engine.dispose()
    for telegram_id in range(FIRST, FIRST + MEMBERS):
        core.user(telegram_id, f"Anggota {telegram_id}", started=True)


def button(core: FakeTelegram, message: JSON, label: str) -> str:
    for text, data in core.buttons(message):
        if label in text and data:
            return data
    raise AssertionError(f"no button {label!r} in {core.buttons(message)}")


def copies(core: FakeTelegram) -> list[int]:
    return [core.count_sent(i, TEXT) for i in range(FIRST, FIRST + MEMBERS)]


async def test_an_announcement_survives_a_killed_process_and_reaches_everyone_once(
    tmp_path: Path,
) -> None:
    core = FakeTelegram(TOKEN)
    owner = core.user(OWNER, "Owner")
    dewi = core.user(DEWI, "Dewi")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.set_member_status(ADMIN_CHAT, DEWI, "administrator")
    await seed_members(tmp_path, core)
    running = await start_bot(tmp_path, "polling", ENV, core=core)
    try:
        await reply(core, ADMIN_CHAT, lambda: core.group_text(ADMIN_CHAT, dewi, "/announce"),
                    "Kirim postingan")  # fmt: skip
        asked = await reply(core, ADMIN_CHAT, lambda: core.group_text(ADMIN_CHAT, dewi, TEXT),
                            "tombol link")  # fmt: skip
        audience = await reply(
            core, ADMIN_CHAT, lambda: core.press(dewi, asked, button(core, asked, "Tanpa tombol")),
            "Kirim ke siapa?",
        )  # fmt: skip
        summary = await reply(
            core, ADMIN_CHAT,
            lambda: core.press(dewi, audience, button(core, audience, "Semua anggota")),
            "Siap dikirim",
        )  # fmt: skip
        assert "1.000 anggota" in summary["text"]
        await reply(
            core, ADMIN_CHAT,
            lambda: core.press(dewi, summary, button(core, summary, "Kirim sekarang")),
            "mulai dikirim",
        )  # fmt: skip
        await core.wait_for(lambda: sum(1 for n in copies(core) if n) >= 300 or None, 60,
                            what="300 members reached")  # fmt: skip
        running.process.kill()  # SIGKILL: no clean stop, outcomes in flight are lost
        await running.process.wait()
        at_kill = sum(1 for n in copies(core) if n)
        assert at_kill < MEMBERS, "killed too late to test anything"
        await running.server.stop()

        running = await start_bot(tmp_path, "polling", ENV, core=core)
        await core.wait_for(lambda: all(copies(core)) or None, 120, what="every member reached")

        def finished() -> JSON | None:
            found = core.find_sent(ADMIN_CHAT, "Pengumuman #1")
            if found is None:
                return None
            shown = core.messages[ADMIN_CHAT][found["message_id"]]
            return shown if "selesai" in shown.get("text", "") else None

        progress = await core.wait_for(finished, 60, what="the progress message saying done")
        got = copies(core)
        assert min(got) == 1
        twice = sum(n - 1 for n in got)
        print(f"reached before the kill: {at_kill}; sent twice: {twice} (bound {IN_FLIGHT})")
        assert twice <= IN_FLIGHT, f"{twice} copies sent twice (at most {IN_FLIGHT} in flight)"
        assert progress is not None
        assert "Terkirim 1.000" in progress["text"] and "Gagal 0" in progress["text"]
    finally:
        await running.stop()
        await running.server.stop()
