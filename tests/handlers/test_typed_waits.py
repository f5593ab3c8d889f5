"""When the accounts area waits for an admin's typing (📝 Note, 📥 Import, ➕ Add), what
counts as the answer: a message typed in the question's forum topic without replying,
a reply to the question; not an answer to a member's question, not a message in another
topic, not chatter long after a note was asked; a tap elsewhere in the area ends the wait."""

from __future__ import annotations

from sqlalchemy import select

from kernel.actor import Actor
from storage.models import AdminAction
from tests.handlers.conftest import ADMIN_CHAT, BotUnderTest
from tests.handlers.reviewkit import command, say
from tests.handlers.shopkit import (
    ADMIN_ID,
    OWNER_ID,
    admin_group,
    current,
    deliver,
    send,
    start,
    tap,
    texts,
)
from tests.handlers.test_accounts_console import account_rows, add_accounts, card_of
from tests.kit.clock import FrozenClock
from tests.kit.faketelegram import JSON

ANI = 601
OWNER = Actor(OWNER_ID, "Owner")


async def relayed_question(app: BotUnderTest, text: str) -> tuple[JSON, JSON]:
    """Ani asks the admins; (Ani, the copy of her question in the admin group)."""
    ani = await start(app, ANI, "Ani")
    await send(app, app.core.private_text(ani, text))
    await deliver(app)
    copy = app.core.last_sent(ADMIN_CHAT)
    assert copy is not None and copy["text"].endswith(text)
    return ani, copy


async def answer_member(app: BotUnderTest, admin: JSON, copy: JSON, text: str) -> JSON:
    update = app.core.group_text(ADMIN_CHAT, admin, text, reply_to=copy)
    await send(app, update)
    await deliver(app)
    message: JSON = update["message"]
    return message


def forum(app: BotUnderTest) -> tuple[JSON, int]:
    """A forum admin group with a "Kerja" topic; (the admin, the topic's thread id)."""
    owner = app.core.user(OWNER_ID, "Owner")
    admin = app.core.user(ADMIN_ID, "Dewi", username="dewi_admin")
    app.core.make_group(ADMIN_CHAT, "Admin", creator=owner, is_forum=True)
    app.core.set_member_status(ADMIN_CHAT, ADMIN_ID, "administrator")
    created = app.core.user_creates_topic(ADMIN_CHAT, owner, "Kerja")
    thread: int = created["message"]["message_thread_id"]
    return admin, thread


async def test_in_a_forum_topic_a_note_typed_without_replying_is_taken(app: BotUnderTest) -> None:
    admin, thread = forum(app)
    await add_accounts(app, "toko.satu")
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "/account #1", thread_id=thread))
    card = app.core.last_sent(ADMIN_CHAT)
    assert card is not None and card["message_thread_id"] == thread
    await tap(app, admin, card, "Catatan")
    # In General, another topic: not the answer.
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "obrolan di General"))
    assert (await account_rows(app))[0].notes is None
    # In the topic, no reply (Telegram marks it a reply to the topic's opening message).
    typed = app.core.group_text(ADMIN_CHAT, admin, "catatan penting", thread_id=thread)
    assert typed["message"]["reply_to_message"]["message_id"] == thread
    await send(app, typed)
    assert (await account_rows(app))[0].notes == "catatan penting"
    assert "Catatan: catatan penting" in current(app, card)["text"]


async def test_a_note_asked_long_ago_takes_only_a_reply_and_keeps_the_old_one_in_the_audit(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    admin = admin_group(app)["admin"]
    await add_accounts(app, "toko.satu")
    await app.container.affiliates.set_notes(1, "login lama: kode 1234", OWNER)
    card = await card_of(app, admin, "#1")
    await tap(app, admin, card, "Catatan")
    clock.advance(minutes=10)
    # Chatter ten minutes later is chatter: the note stays, the bot says nothing.
    assert await say(app, admin, "siap, sudah saya cek") == ""
    assert (await account_rows(app))[0].notes == "login lama: kode 1234"
    # ... and the wait is over.
    assert await say(app, admin, "oke") == ""
    assert (await account_rows(app))[0].notes == "login lama: kode 1234"

    # Asked again: a reply to the question is taken a day later.
    await tap(app, admin, current(app, card), "Kembali")
    await tap(app, admin, current(app, card), "Catatan")
    clock.advance(days=1)
    prompt = current(app, card)
    await send(app, app.core.group_text(ADMIN_CHAT, admin, "kode baru 5678", reply_to=prompt))
    assert (await account_rows(app))[0].notes == "kode baru 5678"
    async with app.container.uow() as work:
        found = await work.session.execute(
            select(AdminAction).where(AdminAction.action == "affiliate_notes")
        )
        befores = [row.details.get("before") for row in found.scalars()]
    assert befores == [None, "login lama: kode 1234"]


async def test_a_note_typed_within_ten_minutes_is_taken(
    app: BotUnderTest, clock: FrozenClock
) -> None:
    admin = admin_group(app)["admin"]
    await add_accounts(app, "toko.satu")
    card = await card_of(app, admin, "#1")
    await tap(app, admin, card, "Catatan")
    clock.advance(minutes=9)
    assert "disimpan" in await say(app, admin, "akun cadangan")
    assert (await account_rows(app))[0].notes == "akun cadangan"


async def test_during_a_note_wait_a_reply_to_a_member_reaches_the_member(
    app: BotUnderTest,
) -> None:
    admin = admin_group(app)["admin"]
    await add_accounts(app, "toko.satu")
    card = await card_of(app, admin, "#1")
    await tap(app, admin, card, "Catatan")
    ani, copy = await relayed_question(app, "kapan zoom?")
    await answer_member(app, admin, copy, "Kamis ya kak")
    assert texts(app, ani["id"])[-1] == "💬 Tim Admin:\nKamis ya kak"
    assert (await account_rows(app))[0].notes is None
    # The wait still stands for the admin's next message.
    assert "disimpan" in await say(app, admin, "akun cadangan")


async def test_a_command_during_the_import_wait_ends_it_and_runs(app: BotUnderTest) -> None:
    admin = admin_group(app)["admin"]
    await command(app, admin, "/importaccounts")
    assert "Panel admin" in await command(app, admin, "/menu")
    assert await say(app, admin, "halo") == ""  # no longer waiting for a file


async def test_a_tap_on_the_accounts_screen_ends_a_half_typed_add(app: BotUnderTest) -> None:
    admin = admin_group(app)["admin"]
    await add_accounts(app, "toko.satu")
    await command(app, admin, "/accounts")
    screen = app.core.last_sent(ADMIN_CHAT)
    assert screen is not None
    await tap(app, admin, screen, "Tambah")
    assert "2/6" in await say(app, admin, "toko.dua")
    await tap(app, admin, screen, "toko.satu")  # the admin moved on to an account's card
    assert await say(app, admin, "12345") == ""  # not taken for the account id
    assert [row.tiktok_username for row in await account_rows(app)] == ["toko.satu"]
