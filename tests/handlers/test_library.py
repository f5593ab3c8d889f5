"""The learning library through the real dispatcher: admins add lessons step by step
(/library), reorder and retire them; members browse sections and lessons, find lessons
above their tier locked with an upgrade button, and get opened lessons protected."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiogram.fsm.storage.base import StateType, StorageKey
from aiogram.fsm.storage.memory import MemoryStorage
from sqlalchemy import func, select

from bot.dispatcher import build_dispatcher
from bot.sending import SendLimits
from handlers.admin.library import compose
from kernel.actor import Actor
from kernel.admin_input import MemberRef
from storage.models import LibraryLesson, LibrarySection, LibraryView
from storage.models.library import LibraryDraftPart
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    ADMIN_ID,
    STRANGER_ID,
    admin_group,
    current,
    press,
    send,
    start,
    tap,
)
from tests.kit.admin_tools import AdminTools
from tests.kit.faketelegram import JSON

OWNER = Actor(7001, "Owner")
EVERY_TRY = SendLimits().attempts
VIP, BASIC, NOBODY = 3001, 3002, 3003


async def world(app: BotUnderTest) -> dict[str, JSON]:
    people = admin_group(app)
    people["vip"] = await start(app, VIP, "Vina")
    people["basic"] = await start(app, BASIC, "Bayu")
    people["nobody"] = await start(app, NOBODY, "Nadia")
    tools = AdminTools.of(app.container)
    await tools.grant(MemberRef(telegram_id=VIP), "vip_lifetime", "test", OWNER)
    await tools.grant(MemberRef(telegram_id=BASIC), "basic_lifetime", "test", OWNER)
    return people


async def say(app: BotUnderTest, update: JSON) -> list[JSON]:
    """An update in the admin group; what the bot posted there in answer."""
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, update)
    return app.core.sent_to(ADMIN_CHAT)[before:]


async def type_(app: BotUnderTest, text: str, user: int = ADMIN_ID) -> list[JSON]:
    return await say(app, app.core.group_text(ADMIN_CHAT, app.core.user(user), text))


def texts(messages: list[JSON]) -> str:
    return "\n".join(str(m.get("text") or m.get("caption") or "") for m in messages)


async def choose(app: BotUnderTest, label: str, user: int = ADMIN_ID) -> JSON:
    """Tap the newest button labelled `label` in the admin group; the tap's answer."""
    found = app.core.find_button(ADMIN_CHAT, label)
    assert found is not None, f"no {label!r} button in the admin group"
    return await tap(app, app.core.user(user), found[0], label)


async def add_lesson(
    app: BotUnderTest, title: str, tier: str, content: str = "Isi materi", section: str = "Dasar AI"
) -> None:
    """/library → ➕ → (new) section → title → tier → a text → ✅ Tambahkan."""
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    if app.core.find_button(ADMIN_CHAT, section) is not None:
        await choose(app, section)
    else:
        await choose(app, "Bagian baru")
        await type_(app, section)
    await type_(app, title)
    await choose(app, tier)
    await type_(app, content)
    await choose(app, "Tambahkan")


async def member_taps(app: BotUnderTest, user: int, label: str) -> JSON:
    found = app.core.find_button(user, label)
    assert found is not None, f"no {label!r} button in the chat of {user}"
    return await tap(app, app.core.user(user), found[0], label)


async def open_library(app: BotUnderTest, user: int) -> JSON:
    await member_taps(app, user, "Materi belajar")
    shelf = app.core.last_sent(user)
    assert shelf is not None
    return shelf


async def lessons(app: BotUnderTest) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(select(func.count()).select_from(LibraryLesson))
        return int(found.scalar_one())


async def sections(app: BotUnderTest) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(select(func.count()).select_from(LibrarySection))
        return int(found.scalar_one())


async def views(app: BotUnderTest) -> int:
    async with app.container.uow() as work:
        found = await work.session.execute(select(func.count()).select_from(LibraryView))
        return int(found.scalar_one())


# ---------------------------------------------------------------- adding and opening


async def test_an_admin_adds_a_vip_lesson_a_vip_gets_it_protected_and_a_basic_member_sees_it_locked(
    app: BotUnderTest,
) -> None:
    await world(app)
    shown = await type_(app, "/library")
    assert "Belum ada pelajaran" in texts(shown)
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    assert "Bagian: Strategi" in str((await type_(app, "Strategi"))[-1]["text"])
    asked = await type_(app, "Keranjang kuning")
    assert "Terbuka mulai paket apa?" in texts(asked)
    await choose(app, "VIP")
    preview = await type_(app, "Langkah <b>1</b>: aktifkan keranjang")
    assert "Pratinjau" in texts(preview)
    copy = next(m for m in preview if "aktifkan keranjang" in str(m.get("text")))
    assert copy.get("has_protected_content")
    assert copy["text"] == "Langkah <b>1</b>: aktifkan keranjang"  # as typed, escaped once
    await choose(app, "Tambahkan")
    assert "ditambahkan" in texts(app.core.sent_to(ADMIN_CHAT)[-2:])
    assert await lessons(app) == 1

    await open_library(app, VIP)
    await member_taps(app, VIP, "Strategi")
    answer = await member_taps(app, VIP, "Keranjang kuning")
    assert "Keranjang kuning" in answer.get("text", "")
    got = app.core.last_sent(VIP)
    assert got is not None and "aktifkan keranjang" in got["text"]
    assert got.get("has_protected_content") is True
    assert await views(app) == 1

    await open_library(app, BASIC)
    await member_taps(app, BASIC, "Strategi")
    await member_taps(app, BASIC, "🔒 Keranjang kuning")
    locked = app.core.last_sent(BASIC)
    assert locked is not None
    assert "terbuka untuk paket VIP ke atas" in locked["text"]
    await member_taps(app, BASIC, "Buka dengan")
    quote = app.core.last_sent(BASIC)
    assert quote is not None and "VIP" in quote["text"] and "Rp" in quote["text"]
    assert await views(app) == 1


async def test_an_album_lesson_is_collected_previewed_and_delivered_as_one_protected_album(
    app: BotUnderTest,
) -> None:
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Galeri")
    await type_(app, "Contoh video AI")
    await choose(app, "Basic")
    parts = app.core.group_album(
        ADMIN_CHAT,
        app.core.user(ADMIN_ID),
        ["photo", "video", "photo"],
        caption="Lihat ini & <itu>",
    )
    answers = []
    for part in parts:
        answers += await say(app, part)
    assert len(answers) == 1 and "Album diterima" in texts(answers)
    before = len(app.core.sent_to(ADMIN_CHAT))
    await choose(app, "Pratinjau album")
    preview = [m for m in app.core.sent_to(ADMIN_CHAT)[before:] if m.get("media_group_id")]
    assert len(preview) == 3
    await choose(app, "Tambahkan")

    await open_library(app, BASIC)
    await member_taps(app, BASIC, "Galeri")
    await member_taps(app, BASIC, "Contoh video AI")
    album = [m for m in app.core.sent_to(BASIC) if m.get("media_group_id")]
    assert len(album) == 3 and len({m["media_group_id"] for m in album}) == 1
    assert [("photo" in m, "video" in m) for m in album] == [(True, False), (False, True),
                                                             (True, False)]  # fmt: skip
    assert album[0]["caption"] == "Lihat ini & <itu>"
    assert all(m.get("has_protected_content") for m in album)
    [call] = app.core.calls_of("sendMediaGroup")[-1:]
    assert call.params.get("protect_content") is True


async def test_tapping_add_twice_adds_one_lesson(app: BotUnderTest) -> None:
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Dasar")
    await type_(app, "Prompt pertama")
    await choose(app, "Basic")
    await type_(app, "Tulis prompt yang jelas")
    confirm = app.core.find_button(ADMIN_CHAT, "Tambahkan")
    assert confirm is not None
    await tap(app, app.core.user(ADMIN_ID), confirm[0], "Tambahkan")
    second = await press(app, app.core.user(ADMIN_ID), confirm[0], confirm[1], strict=False)
    assert "tidak berlaku" in second.get("text", "")
    assert await lessons(app) == 1


async def test_wrong_content_and_bad_titles_are_refused_and_the_step_stays(
    app: BotUnderTest,
) -> None:
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Dasar")
    too_long = await type_(app, "x" * 81)
    assert "maksimal 80 karakter" in texts(too_long)
    picture = await say(app, app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "photo"))
    assert "Judul harus diisi" in texts(picture)
    await type_(app, "Judul yang pas")
    await choose(app, "Basic")
    sticker = app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "sticker")
    assert "belum bisa jadi materi" in texts(await say(app, sticker))
    voices = app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "voice")
    preview = await say(app, voices)
    assert "Pratinjau" in texts(preview)
    await choose(app, "Tambahkan")
    assert await lessons(app) == 1


async def test_cancel_drops_the_draft(app: BotUnderTest) -> None:
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Dasar")
    answer = await type_(app, "/cancel")
    assert "Dibatalkan" in texts(answer)
    assert "Dibatalkan" not in texts(await type_(app, "obrolan biasa"))
    assert await lessons(app) == 0


# ---------------------------------------------------------------- access at every tap


async def test_a_vip_whose_plan_lapsed_finds_the_lesson_locked_on_the_old_button(
    app: BotUnderTest,
) -> None:
    admin_group(app)
    await start(app, VIP, "Vina")
    tools = AdminTools.of(app.container)
    await tools.add_plan("vip", 30, 150_000, OWNER)
    await tools.grant(MemberRef(telegram_id=VIP), "vip_30d", "test", OWNER)
    await add_lesson(app, "Live mentor", "VIP", "Rekaman live")
    await open_library(app, VIP)
    await member_taps(app, VIP, "Dasar AI")
    section = app.core.last_sent(VIP)
    assert section is not None
    await member_taps(app, VIP, "Live mentor")
    assert "Rekaman live" in str(app.core.last_sent(VIP))

    app.container.clock.advance(days=31)  # type: ignore[attr-defined]
    await tap(app, app.core.user(VIP), section, "Live mentor")

    locked = app.core.last_sent(VIP)
    assert locked is not None and "🔒" in locked["text"]
    assert await views(app) == 1


async def test_someone_with_no_plan_is_told_which_plan_opens_the_library(
    app: BotUnderTest,
) -> None:
    await world(app)
    await add_lesson(app, "Tutorial dasar", "Basic")
    shelf = await open_library(app, NOBODY)
    assert "belum punya paket" in shelf["text"] and "mulai paket Basic" in shelf["text"]
    assert any("Lihat paket" in label for label, _ in app.core.buttons(shelf))
    await member_taps(app, NOBODY, "Dasar AI")
    await member_taps(app, NOBODY, "🔒 Tutorial dasar")
    locked = app.core.last_sent(NOBODY)
    assert locked is not None and "Kamu belum punya paket" in locked["text"]
    assert any("Lihat paket" in label for label, _ in app.core.buttons(locked))


async def test_a_retired_lesson_is_not_listed_and_its_old_button_says_it_is_gone(
    app: BotUnderTest,
) -> None:
    await world(app)
    await add_lesson(app, "Materi lama", "Basic")
    await add_lesson(app, "Materi baru", "Basic")
    await open_library(app, BASIC)
    await member_taps(app, BASIC, "Dasar AI")
    section = app.core.last_sent(BASIC)
    assert section is not None

    await type_(app, "/library")
    await choose(app, "Dasar AI")
    await choose(app, "Materi lama")
    await choose(app, "Arsipkan")
    assert await lessons(app) == 2
    await choose(app, "Ya, arsipkan")

    answer = await tap(app, app.core.user(BASIC), section, "Materi lama")
    assert "sudah tidak tersedia" in answer.get("text", "")
    await open_library(app, BASIC)
    await member_taps(app, BASIC, "Dasar AI")
    listed = [label for label, _ in app.core.buttons(app.core.last_sent(BASIC) or {})]
    assert any("Materi baru" in label for label in listed)
    assert not any("Materi lama" in label for label in listed)


async def test_forged_library_buttons_open_nothing(app: BotUnderTest) -> None:
    await world(app)
    await add_lesson(app, "Rahasia VIP", "VIP")
    menu = app.core.last_sent(BASIC)
    assert menu is not None
    forged = await press(app, app.core.user(BASIC), menu, "lib:lesson:0:999999:0", strict=False)
    assert "sudah tidak tersedia" in forged.get("text", "")
    async with app.container.uow() as work:
        lesson_id = (await work.session.execute(select(LibraryLesson.id))).scalar_one()
    await press(app, app.core.user(BASIC), menu, f"lib:lesson:0:{lesson_id}:0", strict=False)
    assert "Rahasia VIP" not in texts(
        [m for m in app.core.sent_to(BASIC) if not m.get("reply_markup")]
    )
    await press(app, app.core.user(BASIC), menu, "lib:lesson:0:-5:0", strict=False)
    assert await views(app) == 0


# ---------------------------------------------------------------- admins only


async def test_a_non_admin_can_neither_open_nor_change_the_library(app: BotUnderTest) -> None:
    await world(app)
    await add_lesson(app, "Materi", "Basic")
    refused = await type_(app, "/library", user=STRANGER_ID)
    assert "📚" not in texts(refused)
    await type_(app, "/library")
    await choose(app, "Dasar AI")
    await choose(app, "Materi")
    card = app.core.find_button(ADMIN_CHAT, "Arsipkan")
    assert card is not None
    answer = await tap(app, app.core.user(STRANGER_ID), card[0], "Arsipkan")
    assert answer.get("show_alert")
    assert "Arsipkan" in str(app.core.buttons(current(app, card[0])))
    added = app.core.find_button(ADMIN_CHAT, "Tambah pelajaran")
    assert added is not None
    await tap(app, app.core.user(STRANGER_ID), added[0], "Tambah pelajaran")
    assert app.core.find_button(ADMIN_CHAT, "Bagian baru") is None


async def test_lessons_are_reordered_with_buttons_and_show_their_views(app: BotUnderTest) -> None:
    await world(app)
    await add_lesson(app, "Satu", "Basic")
    await add_lesson(app, "Dua", "Basic")
    await open_library(app, BASIC)
    await member_taps(app, BASIC, "Dasar AI")
    await member_taps(app, BASIC, "Dua")
    await member_taps(app, BASIC, "Dua")

    await type_(app, "/library")
    await choose(app, "Dasar AI")
    await choose(app, "Dua")
    card = app.core.find_button(ADMIN_CHAT, "Naik")
    assert card is not None
    assert "Dibuka: 2 kali oleh 1 anggota" in card[0]["text"]
    await choose(app, "Naik")
    await choose(app, "⬅️ Dasar AI")
    listing = app.core.find_button(ADMIN_CHAT, "Tambah pelajaran di sini")
    assert listing is not None
    labels = [label for label, _ in app.core.buttons(listing[0])][:2]
    assert labels == ["Dua · Basic · 👁 2", "Satu · Basic · 👁 0"]


async def test_the_admin_panel_has_a_library_button(app: BotUnderTest) -> None:
    await world(app)
    await type_(app, "/menu")
    await choose(app, "📚")
    assert "Materi belajar" in texts(app.core.sent_to(ADMIN_CHAT)[-1:])


async def test_a_lessons_title_tier_and_content_are_changed_from_its_card(
    app: BotUnderTest,
) -> None:
    await world(app)
    await add_lesson(app, "Judul lama", "Basic", "Isi lama")
    await type_(app, "/library")
    await choose(app, "Dasar AI")
    await choose(app, "Judul lama")
    await choose(app, "Judul")
    renamed = await type_(app, "Judul baru")
    assert "Judul diganti" in texts(renamed) and "Judul baru" in texts(renamed)
    await choose(app, "🎚 Paket")
    await choose(app, "VIP")
    card = app.core.find_button(ADMIN_CHAT, "Ganti isi")
    assert card is not None and "Terbuka untuk: VIP ke atas" in card[0]["text"]
    await choose(app, "Ganti isi")
    video = app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "video", "Isi baru")
    assert "Pratinjau" in texts(await say(app, video))
    await choose(app, "Simpan isi baru")

    await open_library(app, BASIC)
    await member_taps(app, BASIC, "Dasar AI")
    await member_taps(app, BASIC, "🔒 Judul baru")
    await open_library(app, VIP)
    await member_taps(app, VIP, "Dasar AI")
    await member_taps(app, VIP, "Judul baru")
    got = app.core.last_sent(VIP)
    assert got is not None and "video" in got and got.get("caption") == "Isi baru"
    assert got.get("has_protected_content") is True


async def test_a_forged_admin_button_to_a_missing_lesson_says_it_is_gone(
    app: BotUnderTest,
) -> None:
    await world(app)
    shown = await type_(app, "/library")
    answer = await press(app, app.core.user(ADMIN_ID), shown[-1], "liba:les:0:999999:0::0:0",
                         strict=False)  # fmt: skip
    assert "sudah tidak ada" in answer.get("text", "")
    assert await lessons(app) == 0


async def test_a_draft_left_open_for_half_an_hour_does_not_take_later_chatter_as_its_title(
    app: BotUnderTest,
) -> None:
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Dasar")
    app.container.clock.advance(minutes=31)  # type: ignore[attr-defined]
    answer = await type_(app, "oke nanti kita lanjut rapat")
    assert "Terbuka mulai paket apa?" not in texts(answer)


# ---------------------------------------------------------------- review findings


async def test_names_with_html_characters_are_shown_as_typed_on_every_screen_and_button(
    app: BotUnderTest,
) -> None:
    await world(app)
    await add_lesson(app, "Beginner's <guide>", "Basic", section="Q&A")
    admin_texts = texts(app.core.sent_to(ADMIN_CHAT)[-6:])
    assert "Bagian: Q&A" in admin_texts and "Beginner's <guide>" in admin_texts
    assert "&amp;" not in admin_texts and "&#x27;" not in admin_texts and "&lt;" not in admin_texts

    await type_(app, "/library")
    section_button = app.core.find_button(ADMIN_CHAT, "Q&A (1/1)")
    assert section_button is not None
    await choose(app, "Q&A (1/1)")
    await choose(app, "Beginner's <guide> · Basic")
    card = app.core.find_button(ADMIN_CHAT, "⬅️ Q&A")
    assert card is not None
    assert "📖 Beginner's <guide>\nBagian: Q&A" in card[0]["text"]

    await open_library(app, BASIC)
    assert app.core.find_button(BASIC, "Q&A (1)") is not None
    await member_taps(app, BASIC, "Q&A")
    section = app.core.last_sent(BASIC)
    assert section is not None and section["text"].startswith("📚 Q&A\n")
    answer = await member_taps(app, BASIC, "📖 Beginner's <guide>")
    assert answer.get("text") == "📖 Beginner's <guide>"


async def test_a_lesson_telegram_cannot_deliver_is_said_and_not_counted_as_a_view(
    app: BotUnderTest,
) -> None:
    await world(app)
    await add_lesson(app, "Materi", "Basic", "Isi materi")
    await open_library(app, BASIC)
    await member_taps(app, BASIC, "Dasar AI")
    before = len(app.core.sent_to(BASIC))
    app.core.fail_next("sendMessage", 502, times=EVERY_TRY)  # still down after the retries

    answer = await member_taps(app, BASIC, "Materi")

    assert answer.get("show_alert") and "belum bisa dikirim" in answer.get("text", "")
    assert app.core.sent_to(BASIC)[before:] == []
    assert await views(app) == 0
    again = await member_taps(app, BASIC, "Materi")
    assert again.get("text") == "📖 Materi"
    assert "Isi materi" in texts(app.core.sent_to(BASIC)[before:])
    assert await views(app) == 1


async def test_a_preview_telegram_cannot_deliver_keeps_the_draft_for_another_try(
    app: BotUnderTest,
) -> None:
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Galeri")
    await type_(app, "Foto contoh")
    await choose(app, "Basic")
    app.core.fail_next("sendPhoto", 502, times=EVERY_TRY)

    said = await say(app, app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "photo"))

    assert "belum bisa dikirim" in texts(said)
    assert not any("photo" in m for m in said)
    assert app.core.find_button(ADMIN_CHAT, "Tambahkan") is None
    before = len(app.core.sent_to(ADMIN_CHAT))
    await choose(app, "Coba pratinjau lagi")
    assert any("photo" in m for m in app.core.sent_to(ADMIN_CHAT)[before:])
    await choose(app, "Tambahkan")
    assert await lessons(app) == 1


class YieldingStorage(MemoryStorage):
    """FSM storage that lets other updates run at every read and write, as Redis does."""

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        await asyncio.sleep(0)
        return await super().get_data(key)

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await asyncio.sleep(0)
        await super().set_data(key, data)

    async def get_state(self, key: StorageKey) -> str | None:
        await asyncio.sleep(0)
        return await super().get_state(key)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await asyncio.sleep(0)
        await super().set_state(key, state)


async def test_an_albums_parts_arriving_at_the_same_time_are_all_kept(app: BotUnderTest) -> None:
    app.dp = build_dispatcher(app.container, storage=YieldingStorage())
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Galeri")
    await type_(app, "Contoh")
    await choose(app, "Basic")
    parts = app.core.group_album(ADMIN_CHAT, app.core.user(ADMIN_ID), ["photo"] * 5, caption="x")
    before = len(app.core.sent_to(ADMIN_CHAT))
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]

    await asyncio.gather(*(app.send(part) for part in parts))

    assert texts(app.core.sent_to(ADMIN_CHAT)[before:]).count("Album diterima") == 1
    before = len(app.core.sent_to(ADMIN_CHAT))
    await choose(app, "Pratinjau album")
    preview = [m for m in app.core.sent_to(ADMIN_CHAT)[before:] if m.get("media_group_id")]
    assert len(preview) == 5


async def test_a_new_draft_whose_number_repeats_an_old_one_still_adds_its_lesson(
    app: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    await world(app)
    # Every draft gets the number 42 (the number only matches the draft's buttons).
    monkeypatch.setattr("handlers.admin.library.compose.secrets.randbelow", lambda _: 41)
    await add_lesson(app, "Pertama", "Basic")

    await add_lesson(app, "Kedua", "Basic")

    assert "Pelajaran Kedua ditambahkan" in texts(app.core.sent_to(ADMIN_CHAT)[-2:])
    assert await lessons(app) == 2


async def test_a_double_tap_on_up_moves_the_lesson_one_place_and_says_the_order_changed(
    app: BotUnderTest,
) -> None:
    await world(app)
    for title in ("Satu", "Dua", "Tiga"):
        await add_lesson(app, title, "Basic")
    await type_(app, "/library")
    await choose(app, "Dasar AI")
    await choose(app, "Tiga")
    up = app.core.find_button(ADMIN_CHAT, "Naik")
    assert up is not None

    await tap(app, app.core.user(ADMIN_ID), up[0], "Naik")
    second = await press(app, app.core.user(ADMIN_ID), up[0], up[1], strict=False)

    assert second.get("show_alert") and "sudah berubah" in second.get("text", "")
    await choose(app, "⬅️ Dasar AI")
    listing = app.core.find_button(ADMIN_CHAT, "Tambah pelajaran di sini")
    assert listing is not None
    labels = [label.split(" · ")[0] for label, _ in app.core.buttons(listing[0])][:3]
    assert labels == ["Satu", "Tiga", "Dua"]


async def test_a_section_typed_in_another_case_is_the_same_section(app: BotUnderTest) -> None:
    await world(app)
    await add_lesson(app, "Satu", "Basic", section="Dasar AI")
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    asked = await type_(app, "  dasar   ai ")
    assert "Bagian: Dasar AI" in texts(asked)
    await type_(app, "Dua")
    await choose(app, "Basic")
    await type_(app, "Isi")
    await choose(app, "Tambahkan")

    shown = await type_(app, "/library")
    assert "1 bagian, 2 pelajaran aktif" in texts(shown)
    assert await sections(app) == 1


async def test_a_cancelled_draft_leaves_no_new_section_behind(app: BotUnderTest) -> None:
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Strategi")
    await type_(app, "Judul")
    await choose(app, "Batal")

    shown = await type_(app, "/library")

    assert "Belum ada pelajaran" in texts(shown)
    assert app.core.find_button(ADMIN_CHAT, "Strategi") is None
    assert await sections(app) == 0


async def test_an_albums_parts_handled_by_several_processes_are_all_kept(
    app: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No lock shared between the updates (as in separate processes): each part is a row
    of its own in the database, so none is lost to another's write of the draft."""

    @asynccontextmanager
    async def no_lock(_: int) -> AsyncIterator[None]:
        yield

    monkeypatch.setattr(compose.DRAFT_LOCKS, "hold", no_lock)
    app.dp = build_dispatcher(app.container, storage=YieldingStorage())
    await world(app)
    await type_(app, "/library")
    await choose(app, "Tambah pelajaran")
    await choose(app, "Bagian baru")
    await type_(app, "Galeri")
    await type_(app, "Contoh")
    await choose(app, "Basic")
    parts = app.core.group_album(ADMIN_CHAT, app.core.user(ADMIN_ID), ["photo"] * 4)
    app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]

    await asyncio.gather(*(app.send(part) for part in parts))

    before = len(app.core.sent_to(ADMIN_CHAT))
    await choose(app, "Pratinjau album")
    preview = [m for m in app.core.sent_to(ADMIN_CHAT)[before:] if m.get("media_group_id")]
    assert len(preview) == 4
    await choose(app, "Tambahkan")
    async with app.container.uow() as work:
        kept = await work.session.execute(select(func.count()).select_from(LibraryDraftPart))
        assert kept.scalar_one() == 0  # the draft's parts are dropped once it is added


async def test_an_admin_renames_a_section_and_deletes_one_that_holds_no_lesson(
    app: BotUnderTest,
) -> None:
    await world(app)
    await add_lesson(app, "Satu", "Basic", section="Dasar AI")
    await app.container.library.add_section("Kosong", OWNER)
    await type_(app, "/library")
    await choose(app, "Dasar AI")
    assert app.core.find_button(ADMIN_CHAT, "Hapus bagian") is None  # it holds a lesson
    await choose(app, "Ganti nama bagian")
    refused = await type_(app, "kosong")
    assert "Sudah ada bagian bernama kosong" in texts(refused)
    renamed = await type_(app, "Dasar AI & Prompt")
    assert "Nama bagian diganti" in texts(renamed) and "📚 Dasar AI & Prompt" in texts(renamed)

    await type_(app, "/library")
    await choose(app, "Kosong (0/0)")
    answer = await choose(app, "Hapus bagian kosong")

    assert "Bagian dihapus" in answer.get("text", "")
    assert await sections(app) == 1
    assert app.core.find_button(ADMIN_CHAT, "Dasar AI & Prompt (1/1)") is not None
