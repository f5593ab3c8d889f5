"""The announcement sender (bot/announcements.py) against the fake Telegram: Telegram's
faults, a sender that died holding claims, pause mid-batch, a deleted post, and how
often the progress message is edited."""

from __future__ import annotations

from typing import Any

import pytest

from kernel.actor import Actor
from services.announcements import (
    AnnouncementRecord,
    AnnouncementStatus,
    Audience,
    Control,
    Draft,
)
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.shopkit import ADMIN_ID, admin_group, current, start
from tests.kit.faketelegram import JSON

ADMIN = Actor(ADMIN_ID, "Dewi")


@pytest.fixture(autouse=True)
def quick_announcements(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOUNCE_RATE", "1000")


async def announce(app: BotUnderTest, members: int, text: str = "Libur 25 Desember") -> int:
    """`members` registered members, and an announcement to all of them, sending."""
    admin_group(app)
    for n in range(members):
        await start(app, 3001 + n, f"Anggota{n}")
    source = app.core.group_text(ADMIN_CHAT, app.core.user(ADMIN_ID), text)["message"]
    draft = Draft(ADMIN_CHAT, (source["message_id"],), False, (), Audience.EVERYONE)
    return (await app.container.announcements.confirm(draft, ADMIN)).id


def copies(app: BotUnderTest, members: int, text: str = "Libur 25 Desember") -> list[int]:
    """How many copies each member got."""
    return [app.core.count_sent(3001 + n, text) for n in range(members)]


async def state(app: BotUnderTest, announcement_id: int) -> AnnouncementRecord:
    return await app.container.announcements.announcement(announcement_id)


def progress(app: BotUnderTest) -> JSON:
    found = app.core.find_sent(ADMIN_CHAT, "Pengumuman #")
    assert found is not None
    return current(app, found)


async def test_a_long_429_is_waited_out_and_the_same_member_tried_again(
    app: BotUnderTest,
) -> None:
    announcement = await announce(app, 5)
    # Longer than the sending layer waits by itself: the sender waits it out.
    app.core.fail_next("copyMessage", 429, retry_after=400)
    await app.container.announcer.run_once()
    assert copies(app, 5) == [1] * 5
    done = await state(app, announcement)
    assert (done.status, done.sent, done.failed) == (AnnouncementStatus.DONE, 5, 0)
    assert 400 in app.container.clock.slept  # type: ignore[attr-defined]


async def test_an_outage_delays_the_announcement_but_fails_nobody(app: BotUnderTest) -> None:
    announcement = await announce(app, 3)
    # Telegram answers 500 to twenty calls in a row (more than the sending layer's own
    # retries of one call): the sender waits and tries the same member again.
    app.core.fail_next("copyMessage", 500, times=20)
    await app.container.announcer.run_once()
    assert copies(app, 3) == [1, 1, 1]
    done = await state(app, announcement)
    assert (done.status, done.sent, done.failed) == (AnnouncementStatus.DONE, 3, 0)
    assert "Gagal 0" in progress(app)["text"]


async def test_a_429_pauses_every_send_not_one_chat(app: BotUnderTest) -> None:
    await announce(app, 5)
    app.core.fail_next("copyMessage", 429, retry_after=7)
    await app.container.announcer.run_once()
    assert copies(app, 5) == [1] * 5
    # The sender took the 429 itself (the sending layer did not wait it out per chat)
    # and everyone waited: one refused call, then each member once.
    assert len(app.core.calls_of("copyMessage")) == 6
    assert 7 in app.container.clock.slept  # type: ignore[attr-defined]


async def test_a_chat_that_is_gone_fails_alone(app: BotUnderTest) -> None:
    announcement = await announce(app, 4)
    app.core.fail_next("copyMessage", 400, "Bad Request: chat not found")
    await app.container.announcer.run_once()
    done = await state(app, announcement)
    assert (done.sent, done.failed, done.blocked) == (3, 1, 0)
    assert sum(copies(app, 4)) == 3


async def test_claims_left_by_a_dead_sender_go_out_once_after_their_lease(
    app: BotUnderTest,
) -> None:
    announcement = await announce(app, 3)
    service = app.container.announcements
    await service.prepare(announcement)
    await service.claim(announcement, 2, app.container.announcer.lease)  # then it died
    await app.container.announcer.run_once()
    assert sum(copies(app, 3)) == 1
    waiting = await state(app, announcement)
    assert waiting.status is AnnouncementStatus.SENDING and waiting.remaining == 2
    app.container.clock.advance(seconds=app.container.announcer.lease.total_seconds() + 1)  # type: ignore[attr-defined]
    await app.container.announcer.run_once()
    assert copies(app, 3) == [1, 1, 1]
    assert (await state(app, announcement)).status is AnnouncementStatus.DONE


async def test_a_pause_mid_batch_stops_at_once_and_resume_sends_the_rest_once(
    app: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = 20
    announcement = await announce(app, members)
    sender = app.container.announcer
    original = app.bot.copy_message
    calls = 0

    async def copy_then_pause(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        result = await original(*args, **kwargs)
        if calls == 3:
            await app.container.announcements.control(announcement, Control.PAUSE, ADMIN)
        return result

    monkeypatch.setattr(app.bot, "copy_message", copy_then_pause)
    await sender.run_once()
    paused = await state(app, announcement)
    sent_before = sum(copies(app, members))
    # What was in flight when the pause came finished; nothing after it started.
    assert 3 <= sent_before <= 3 + sender.concurrency - 1
    assert paused.status is AnnouncementStatus.PAUSED and paused.sent == sent_before
    assert "dijeda" in progress(app)["text"]
    assert "Lanjutkan" in str(app.core.buttons(progress(app)))
    await app.container.announcements.control(announcement, Control.RESUME, ADMIN)
    await sender.run_once()
    assert copies(app, members) == [1] * members
    assert (await state(app, announcement)).sent == members


async def test_a_stop_releases_what_was_claimed_and_not_tried(
    app: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = 12
    announcement = await announce(app, members)
    sender = app.container.announcer
    original = app.bot.copy_message

    async def copy_then_stop(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        sender.stop()
        return result

    monkeypatch.setattr(app.bot, "copy_message", copy_then_stop)
    await sender.run_once()
    async with app.container.uow() as work:
        statuses = await work.announcements.recipient_statuses(announcement)
    assert statuses.get("claimed", 0) == 0
    assert statuses["sent"] + statuses["pending"] == members


async def test_a_deleted_post_pauses_the_announcement_instead_of_failing_everyone(
    app: BotUnderTest,
) -> None:
    announcement = await announce(app, 3)
    record = await state(app, announcement)
    del app.core.messages[ADMIN_CHAT][record.source_message_ids[0]]
    await app.container.announcer.run_once()
    paused = await state(app, announcement)
    assert (paused.status, paused.failed, paused.sent) == (AnnouncementStatus.PAUSED, 0, 0)
    while await app.container.relay.run_once():
        pass
    told = app.core.find_sent(ADMIN_CHAT, f"Pengumuman #{announcement} dijeda")
    assert told is not None and "postingan aslinya sudah dihapus" in told["text"]


async def test_the_progress_message_is_edited_at_most_every_few_seconds(
    app: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = 30
    announcement = await announce(app, members)
    sender = app.container.announcer
    sender.batch = 3
    original = app.bot.copy_message

    async def one_second_each(*args: Any, **kwargs: Any) -> Any:
        app.container.clock.advance(seconds=1)  # type: ignore[attr-defined]
        return await original(*args, **kwargs)

    monkeypatch.setattr(app.bot, "copy_message", one_second_each)
    await sender.run_once()
    record = await state(app, announcement)
    edits = [
        c for c in app.core.calls_of("editMessageText")
        if c.params.get("message_id") == record.status_message_id
    ]  # fmt: skip
    # 30 s of sending, progress every ANNOUNCE_PROGRESS_SECONDS (15) at most: at most
    # two edits while sending, then the last one.
    every = int(app.container.settings.ANNOUNCE_PROGRESS_SECONDS)
    assert 2 <= len(edits) <= members // every + 1
    assert "selesai" in progress(app)["text"] and "Terkirim 30" in progress(app)["text"]
