"""End to end over HTTP: a VIP opens a VIP lesson from the menu and gets it with content
protection, while a Basic member finds it locked with an upgrade button. The lesson is
seeded in the database (the admin steps that add one are covered by handler tests)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.e2e.conftest import ADMIN_CHAT, RunningBot, reply
from tests.kit.faketelegram import JSON, FakeTelegram

pytestmark = pytest.mark.e2e
OWNER, DEWI, VINA, BAYU = 831, 832, 833, 834
WAIT = 30.0


def seed_lesson(database: Path) -> None:
    now = datetime.now(UTC).isoformat(sep=" ")
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO library_sections (name, name_key, position, created_at)"
            " VALUES (?, ?, 1, ?)",
            ("Strategi", "strategi", now),
        )
        db.execute(
            "INSERT INTO library_lessons (section_id, title, tier_id, position, created_by,"
            " created_at, draft_key) SELECT 1, 'Keranjang kuning', id, 1, ?, ?, 'seed'"
            " FROM tiers WHERE code = 'vip'",
            (DEWI, now),
        )
        db.execute(
            "INSERT INTO library_lesson_parts (lesson_id, position, kind, html)"
            " VALUES (1, 0, 'text', ?)",
            ("<b>Langkah 1</b>: aktifkan keranjang kuning",),
        )


async def tap_label(core: FakeTelegram, chat: int, user: JSON, label: str, about: str) -> JSON:
    """Tap the newest button labelled `label` in `chat`; the new message saying `about`."""
    found = core.find_button(chat, label)
    assert found is not None, f"no {label!r} button in {chat}"
    return await reply(core, chat, lambda: core.press(user, found[0], found[1]), about, WAIT)


async def edited_to(core: FakeTelegram, message: JSON, about: str) -> JSON:
    chat, message_id = message["chat"]["id"], message["message_id"]
    return await core.wait_for(
        lambda: next(
            (m for m in core.sent_to(chat)
             if m["message_id"] == message_id and about in (m.get("text") or "")),
            None,
        ),
        WAIT, what=f"{about!r} on message {message_id}",
    )  # fmt: skip


async def test_a_vip_opens_a_vip_lesson_protected_while_a_basic_member_sees_it_locked(
    bot_process: RunningBot, tmp_path: Path
) -> None:
    core = bot_process.core
    owner = core.user(OWNER, "Owner")
    dewi = core.user(DEWI, "Dewi")
    core.make_group(ADMIN_CHAT, "Admin", creator=owner)
    core.set_member_status(ADMIN_CHAT, DEWI, "administrator")
    vina = core.user(VINA, "Vina", language_code="id")
    bayu = core.user(BAYU, "Bayu", language_code="id")
    for person, plan in ((vina, "vip_lifetime"), (bayu, "basic_lifetime")):
        await reply(core, person["id"], lambda p=person: core.command(p, "/start"), "Halo", WAIT)
        await reply(
            core, ADMIN_CHAT,
            lambda p=person, c=plan: core.group_text(ADMIN_CHAT, dewi, f"/grant {p['id']} {c} ok"),
            "diberikan ke", WAIT,
        )  # fmt: skip
    seed_lesson(tmp_path / "bot.db")

    shelf = await tap_label(core, VINA, vina, "Materi belajar", "Pilih bagian")
    core.press(vina, shelf, core.buttons(shelf)[0][1] or "")
    section = await edited_to(core, shelf, "Pilih pelajaran")
    assert any("📖 Keranjang kuning" in label for label, _ in core.buttons(section))
    lesson = await reply(
        core, VINA,
        lambda: core.press(vina, section, core.buttons(section)[0][1] or ""),
        "aktifkan keranjang", WAIT,
    )  # fmt: skip
    assert lesson["text"] == "Langkah 1: aktifkan keranjang kuning"
    assert lesson.get("has_protected_content") is True
    [sent] = [c for c in core.calls_of("sendMessage") if c.params.get("chat_id") == VINA][-1:]
    assert sent.params.get("protect_content") is True

    shelf = await tap_label(core, BAYU, bayu, "Materi belajar", "Pilih bagian")
    core.press(bayu, shelf, core.buttons(shelf)[0][1] or "")
    section = await edited_to(core, shelf, "Pilih pelajaran")
    assert any("🔒 Keranjang kuning" in label for label, _ in core.buttons(section))
    locked = await tap_label(core, BAYU, bayu, "🔒 Keranjang kuning", "terbuka untuk paket VIP")
    assert any("Buka dengan" in label for label, _ in core.buttons(locked))
    assert not any("aktifkan keranjang" in (m.get("text") or "") for m in core.sent_to(BAYU))
    assert "Traceback" not in bot_process.log()
