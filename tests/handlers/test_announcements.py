"""/announce and /announcements through the real dispatcher, as admins compose, preview,
target, send, schedule, pause and cancel, and as members receive the post."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from storage.models import Announcement, Member, Membership, Plan, Tier
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import (
    ADMIN_ID,
    OTHER_ADMIN_ID,
    STRANGER_ID,
    admin_group,
    current,
    find_button,
    press,
    send,
    start,
    tap,
)
from tests.kit.faketelegram import JSON

MEMBERS = (2001, 2002, 2003)


@pytest.fixture(autouse=True)
def quick_announcements(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sender's own pacing is tested in the bench; here it would only wait."""
    monkeypatch.setenv("ANNOUNCE_RATE", "1000")


async def world(app: BotUnderTest, members: tuple[int, ...] = MEMBERS) -> None:
    admin_group(app)
    for number, telegram_id in enumerate(members):
        await start(app, telegram_id, f"Anggota{number}")


async def say(app: BotUnderTest, user: int, text: str) -> list[JSON]:
    """`user` writes in the admin group; what the bot posted there in answer."""
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, app.core.group_text(ADMIN_CHAT, user, text))
    return app.core.sent_to(ADMIN_CHAT)[before:]


async def post(app: BotUnderTest, update: JSON) -> list[JSON]:
    before = len(app.core.sent_to(ADMIN_CHAT))
    await send(app, update)
    return app.core.sent_to(ADMIN_CHAT)[before:]


def texts(messages: list[JSON]) -> str:
    return "\n".join(str(m.get("text") or m.get("caption") or "") for m in messages)


def last_with_button(app: BotUnderTest, label: str) -> JSON:
    found = app.core.find_button(ADMIN_CHAT, label)
    assert found is not None, f"no message with a {label!r} button in the admin group"
    return found[0]


async def choose(app: BotUnderTest, label: str, user: int = ADMIN_ID) -> JSON:
    return await tap(app, app.core.user(user), last_with_button(app, label), label)


async def compose_text(app: BotUnderTest, text: str = "Zoom besok jam 19.00 🎉") -> None:
    await say(app, ADMIN_ID, "/announce")
    await say(app, ADMIN_ID, text)


async def to_preview(app: BotUnderTest, audience: str = "Semua anggota") -> str:
    """/announce → a text post → no buttons → `audience`: the summary's text."""
    await compose_text(app)
    await choose(app, "Tanpa tombol")
    before = len(app.core.sent_to(ADMIN_CHAT))
    await choose(app, audience)
    return texts(app.core.sent_to(ADMIN_CHAT)[before:])


async def deliver_announcements(app: BotUnderTest) -> None:
    await app.container.announcer.run_once()


def received(app: BotUnderTest, telegram_id: int, contains: str) -> list[JSON]:
    return [
        m
        for m in app.core.sent_to(telegram_id)
        if contains in str(m.get("text") or m.get("caption") or "")
    ]


async def announcement_count(app: BotUnderTest) -> int:
    async with app.container.uow() as work:
        return int(
            (
                await work.session.execute(select(func.count()).select_from(Announcement))
            ).scalar_one()
        )


async def give_plan(
    app: BotUnderTest, telegram_id: int, tier: str, ends_in: timedelta | None
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
            duration_days=30,
            price=1,
            created_at=now,
        )
        work.session.add(plan)
        await work.session.flush()
        ends = None if ends_in is None else now + ends_in
        held = Membership(member_id=member_id, plan_id=plan.id, status="active", list_price=1,
                          activated_at=now, expires_at=ends, created_at=now)  # fmt: skip
        work.session.add(held)
        await work.commit()


# ---------------------------------------------------------------- the happy paths


async def test_an_admin_composes_a_post_with_a_link_button_and_every_member_gets_it_once(
    app: BotUnderTest,
) -> None:
    await world(app)
    asked = await say(app, ADMIN_ID, "/announce")
    assert "Kirim postingan" in texts(asked)
    answer = await say(app, ADMIN_ID, "Zoom besok jam <b>19.00</b> 🎉")
    assert "tombol link" in texts(answer)
    answer = await say(app, ADMIN_ID, "Daftar Zoom - https://zoom.us/j/123")
    assert "Kirim ke siapa?" in texts(answer)
    before = len(app.core.sent_to(ADMIN_CHAT))
    await choose(app, "Semua anggota")
    preview = app.core.sent_to(ADMIN_CHAT)[before:]
    # The post copied into the admin group as members will see it, button included.
    assert any("Zoom besok jam" in str(m.get("text")) and m.get("reply_markup") for m in preview)
    assert "3 anggota" in texts(preview)
    await choose(app, "Kirim sekarang")
    assert "mulai dikirim ke 3 anggota" in texts(app.core.sent_to(ADMIN_CHAT)[-1:])
    await deliver_announcements(app)
    for member in MEMBERS:
        [copy] = received(app, member, "Zoom besok jam")
        assert app.core.buttons(copy) == [("Daftar Zoom", "https://zoom.us/j/123")]
    progress = app.core.find_sent(ADMIN_CHAT, "Pengumuman #")
    assert progress is not None
    shown = current(app, progress)["text"]
    assert "selesai" in shown and "Terkirim 3" in shown and "Gagal 0" in shown
    assert app.core.buttons(current(app, progress)) == []


async def test_an_album_is_sent_whole_and_skips_the_link_buttons_step(app: BotUnderTest) -> None:
    await world(app)
    await say(app, ADMIN_ID, "/announce")
    parts = app.core.group_album(ADMIN_CHAT, app.core.user(ADMIN_ID), ["photo", "photo", "video"],
                                 caption="Galeri kelas minggu ini")  # fmt: skip
    answers = []
    for part in parts:
        answers += await post(app, part)
    assert "Album diterima" in texts(answers) and len(answers) == 1
    await choose(app, "Semua anggota")
    summary = texts(app.core.sent_to(ADMIN_CHAT)[-1:])
    assert "tanpa tombol link" in summary
    await choose(app, "Kirim sekarang")
    await deliver_announcements(app)
    for member in MEMBERS:
        got = app.core.sent_to(member)
        album = [m for m in got if m.get("media_group_id")]
        assert len(album) == 3 and len({m["media_group_id"] for m in album}) == 1
        assert album[0].get("caption") == "Galeri kelas minggu ini"


async def test_a_photo_post_keeps_its_caption_and_gets_its_button(app: BotUnderTest) -> None:
    await world(app, (2001,))
    await say(app, ADMIN_ID, "/announce")
    await post(app, app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "photo", "Promo VIP"))
    await say(app, ADMIN_ID, "Beli - https://t.me/test_bot?start=buy")
    await choose(app, "Semua anggota")
    await choose(app, "Kirim sekarang")
    await deliver_announcements(app)
    [copy] = received(app, 2001, "Promo VIP")
    assert copy.get("photo") and app.core.buttons(copy) == [
        ("Beli", "https://t.me/test_bot?start=buy")
    ]


async def test_audiences_count_only_their_members_and_expiring_asks_for_days(
    app: BotUnderTest,
) -> None:
    await world(app)
    await give_plan(app, 2001, "vip", None)
    await give_plan(app, 2002, "vip", timedelta(days=5))
    assert "2 anggota" in await to_preview(app, "VIP")
    await choose(app, "Batal")
    await compose_text(app)
    await choose(app, "Tanpa tombol")
    await choose(app, "Segera habis")
    for typed in ("0", "91", "tujuh"):
        assert "Ketik angka dari 1 sampai 90" in texts(await say(app, ADMIN_ID, typed))
    answer = await post(app, app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "sticker"))
    assert "jumlah hari" in texts(answer)
    assert "1 anggota" in texts(await say(app, ADMIN_ID, "7"))
    await choose(app, "Kirim sekarang")
    await deliver_announcements(app)
    assert received(app, 2002, "Zoom besok") and not received(app, 2001, "Zoom besok")


async def test_members_who_blocked_the_bot_are_counted_marked_and_skipped_next_time(
    app: BotUnderTest,
) -> None:
    await world(app)
    app.core.block_user(2002, notify=False)
    await to_preview(app)
    await choose(app, "Kirim sekarang")
    await deliver_announcements(app)
    progress = current(app, app.core.find_sent(ADMIN_CHAT, "Pengumuman #") or {})
    assert "Terkirim 2" in progress["text"] and "Memblokir bot 1" in progress["text"]
    summary = await to_preview(app)
    assert "2 anggota; 1 yang memblokir bot dilewati" in summary


async def test_a_test_copy_reaches_the_admin_privately_or_says_how_to_allow_it(
    app: BotUnderTest,
) -> None:
    await world(app, (2001,))
    await to_preview(app)
    summary = last_with_button(app, "Kirim contoh")
    answer = await tap(app, app.core.user(ADMIN_ID), summary, "Kirim contoh")
    assert "tekan Start" in answer["text"] and answer.get("show_alert")
    app.core.user(ADMIN_ID, started=True)
    answer = await tap(app, app.core.user(ADMIN_ID), summary, "Kirim contoh")
    assert "sudah dikirim" in answer["text"]
    assert received(app, ADMIN_ID, "Zoom besok")
    assert not received(app, 2001, "Zoom besok")  # a test goes to nobody else


# ---------------------------------------------------------------- wrong input


async def test_wrong_input_while_composing_gets_a_short_specific_answer(app: BotUnderTest) -> None:
    await world(app, (2001,))
    await say(app, ADMIN_ID, "/announce")
    sticker = app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "sticker")
    assert "belum bisa jadi pengumuman" in texts(await post(app, sticker))
    await say(app, ADMIN_ID, "Info penting")
    assert "Baris 1 belum sesuai" in texts(await say(app, ADMIN_ID, "Daftar https://zoom.us"))
    assert "Link di baris 2" in texts(
        await say(app, ADMIN_ID, "Daftar - https://zoom.us/j/1\nBahaya - javascript:alert(1)")
    )
    many = "\n".join(f"B{i} - https://a.id/{i}" for i in range(7))
    assert "Maksimal 6 tombol" in texts(await say(app, ADMIN_ID, many))
    photo = app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "photo")
    assert "sebagai teks" in texts(await post(app, photo))
    assert "sedang menyusun pengumuman" in texts(await say(app, ADMIN_ID, "/halo"))
    await choose(app, "Tanpa tombol")
    assert "Pilih salah satu tombol" in texts(await say(app, ADMIN_ID, "semua"))
    assert "dibatalkan" in texts(await say(app, ADMIN_ID, "/cancel"))
    assert await announcement_count(app) == 0


async def test_a_schedule_refuses_past_and_unreadable_times_and_sends_when_due(
    app: BotUnderTest,
) -> None:
    await world(app, (2001,))
    await to_preview(app)
    await choose(app, "Jadwalkan")
    sticker = app.core.group_media(ADMIN_CHAT, app.core.user(ADMIN_ID), "sticker")
    assert "sebagai teks" in texts(await post(app, sticker))
    assert "belum terbaca" in texts(await say(app, ADMIN_ID, "besok malam"))
    assert "belum terbaca" in texts(await say(app, ADMIN_ID, "31-02-2026 10:00"))
    assert "sudah lewat" in texts(await say(app, ADMIN_ID, "01-01-2026 10:00"))
    # The clock is 10-01-2026 10:00 in Jakarta.
    answer = texts(await say(app, ADMIN_ID, "10-01-2026 19:00"))
    assert "dijadwalkan <b>10 Jan 2026 19.00</b>" not in answer  # shown, not raw markup
    assert "dijadwalkan 10 Jan 2026 19.00" in answer
    await deliver_announcements(app)
    assert not received(app, 2001, "Zoom besok")
    app.container.clock.advance(hours=9)  # type: ignore[attr-defined]
    await deliver_announcements(app)
    assert len(received(app, 2001, "Zoom besok")) == 1


# ---------------------------------------------------------------- who may tap, and when


async def test_non_admins_stale_and_repeated_taps_change_nothing(app: BotUnderTest) -> None:
    await world(app, (2001,))
    assert "hanya untuk admin" in texts(await say(app, STRANGER_ID, "/announce"))
    await to_preview(app)
    summary = last_with_button(app, "Kirim sekarang")
    stranger = await tap(app, app.core.user(STRANGER_ID), summary, "Kirim sekarang")
    assert "hanya untuk admin" in stranger["text"]
    other = await tap(app, app.core.user(OTHER_ADMIN_ID), summary, "Kirim sekarang")
    assert "draf lama" in other["text"]  # another admin's draft is not theirs to send
    data = find_button(app, summary, "Kirim sekarang")
    forged = await press(
        app,
        app.core.user(ADMIN_ID),
        summary,
        data.replace(":send", ":test").replace("annd:", "annd:9"),
        strict=False,
    )
    assert "draf lama" in forged.get("text", "")
    garbage = await press(app, app.core.user(ADMIN_ID), summary, "annd:x:send::", strict=False)
    assert "Tombol ini sudah tidak berlaku" in garbage["text"]  # unreadable: stale answer
    assert await announcement_count(app) == 0
    await press(app, app.core.user(ADMIN_ID), summary, data)
    again = await press(app, app.core.user(ADMIN_ID), summary, data, strict=False)
    assert "sudah dipakai" in again["text"]
    assert await announcement_count(app) == 1


async def test_pause_resume_and_cancel_are_compare_and_set_buttons(app: BotUnderTest) -> None:
    await world(app)
    await to_preview(app)
    await choose(app, "Kirim sekarang")
    history = await say(app, ADMIN_ID, "/announcements")
    assert "sedang dikirim" in texts(history)
    listing = history[-1]
    paused = await tap(app, app.core.user(ADMIN_ID), listing, "Jeda #1")
    assert "dijeda" in paused["text"]
    listing = current(app, listing)
    assert "Lanjutkan #1" in str(app.core.buttons(listing))
    stale = await press(app, app.core.user(OTHER_ADMIN_ID), listing,
                        find_button(app, listing, "Lanjutkan #1").replace("resume", "pause"),
                        strict=False)  # fmt: skip
    assert "Tidak ada yang berubah" in stale["text"]
    await deliver_announcements(app)
    assert not any(received(app, m, "Zoom besok") for m in MEMBERS)  # paused: nothing sent
    stranger = await tap(app, app.core.user(STRANGER_ID), listing, "Lanjutkan #1")
    assert "hanya untuk admin" in stranger["text"]
    await tap(app, app.core.user(ADMIN_ID), listing, "Lanjutkan #1")
    await deliver_announcements(app)
    assert all(len(received(app, m, "Zoom besok")) == 1 for m in MEMBERS)
    shown = texts(await say(app, ADMIN_ID, "/announcements"))
    assert "selesai" in shown and "✅ 3" in shown
    # A finished announcement has no buttons; a forged cancel changes nothing.
    listing = app.core.sent_to(ADMIN_CHAT)[-1]
    forged = await press(app, app.core.user(ADMIN_ID), listing, "annc:cancel:1:0", strict=False)
    assert "sudah selesai" in forged["text"]
    missing = await press(app, app.core.user(ADMIN_ID), listing, "annc:cancel:999:0", strict=False)
    assert "tidak ditemukan" in missing["text"]


async def test_a_cancelled_scheduled_announcement_is_never_sent(app: BotUnderTest) -> None:
    await world(app, (2001,))
    await to_preview(app)
    await choose(app, "Jadwalkan")
    await say(app, ADMIN_ID, "10-01-2026 19:00")
    listing = (await say(app, ADMIN_ID, "/announcements"))[-1]
    assert "terjadwal 10 Jan 2026 19.00" in listing["text"]
    cancelled = await tap(app, app.core.user(ADMIN_ID), listing, "Batalkan #1")
    assert "dibatalkan" in cancelled["text"]
    twice = await press(app, app.core.user(ADMIN_ID), listing, "annc:cancel:1:0", strict=False)
    assert "Tidak ada yang berubah" in twice["text"]
    app.container.clock.advance(hours=10)  # type: ignore[attr-defined]
    await deliver_announcements(app)
    assert not received(app, 2001, "Zoom besok")


async def test_an_audience_emptied_after_the_preview_keeps_the_draft(app: BotUnderTest) -> None:
    await world(app)
    await to_preview(app, "Semua anggota")
    # Everyone blocks the bot between the preview and "send" (as the relay records it).
    async with app.container.uow() as work:
        await work.session.execute(update(Member).values(blocked_bot_at=app.container.clock.now()))
        await work.commit()
    answer = await choose(app, "Kirim sekarang")
    assert answer["show_alert"] and "Belum ada anggota di kelompok ini" in answer["text"]
    assert "Kirim ke siapa?" in texts(app.core.sent_to(ADMIN_CHAT)[-1:])
    # The draft is still there: another audience can be picked without starting over.
    async with app.container.uow() as work:
        await work.session.execute(update(Member).values(blocked_bot_at=None))
        await work.commit()
    await choose(app, "Semua anggota")
    assert "3 anggota" in texts(app.core.sent_to(ADMIN_CHAT)[-2:])
