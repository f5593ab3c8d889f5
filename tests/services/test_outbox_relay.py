"""The outbox: written with the change, sent after commit, exactly once when delivered."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.outbox import MAX_ATTEMPTS, OutboxRelay
from kernel.actions import INVITE_ACTION
from kernel.i18n import Translator
from kernel.notices import Button, Notice
from services.members import MemberService, TelegramProfile
from storage.models import Member, OutboxMessage
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import FakeSession, make_bot
from tests.kit.faketelegram import FakeTelegram
from tests.kit.units_of_work import counting
from tests.servers import free_port

ANI = 1001
BUDI = 1002
ADMIN_CHAT = -100777


@pytest.fixture
def core() -> FakeTelegram:
    telegram = FakeTelegram()
    telegram.user(ANI, "Ani", started=True)
    telegram.make_group(ADMIN_CHAT, "Admins")
    return telegram


@pytest.fixture
async def relay_parts(uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram):  # type: ignore[no-untyped-def]
    await MemberService(uow, clock, "id").register(TelegramProfile(ANI, "Ani"), None)
    bot = make_bot(core)
    relay = OutboxRelay(bot, uow, Translator.load(), clock, admin_chat_id=ADMIN_CHAT)
    yield relay, core
    await bot.session.close()


async def queue(uow: UnitOfWorkFactory, clock: FrozenClock, notice: Notice) -> bool:
    async with uow() as work:
        queued = await work.outbox.enqueue(notice, clock.now())
        await work.commit()
    return queued


async def row_state(uow: UnitOfWorkFactory) -> list[tuple[str, int]]:
    async with uow() as work:
        rows = (
            await work.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))
        ).scalars()
        return [(r.status, r.attempts) for r in rows]


HELLO = Notice(
    chat_id=ANI,
    text_key="start.welcome_back",
    language="en",
    params={"name": "Ani"},
    buttons=((Button("menu.help", callback_data="menu:help"),),),
)


async def test_a_queued_message_is_sent_in_the_persons_language_and_only_once(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    await queue(uow, clock, HELLO)
    assert await relay.run_once() == 1
    assert await relay.run_once() == 0
    sent = core.sent_to(ANI)
    assert len(sent) == 1
    assert sent[0]["text"].startswith("Hello again, Ani!")
    assert core.buttons(sent[0]) == [("❓ Help", "menu:help")]
    assert await row_state(uow) == [("sent", 0)]


async def test_a_rolled_back_change_sends_nothing(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    async with uow() as work:
        await work.outbox.enqueue(HELLO, clock.now())
        # no commit: the unit of work rolls back
    assert await relay.run_once() == 0
    assert core.sent_to(ANI) == []


async def test_a_server_error_is_retried_with_backoff(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    core.fail_next("sendMessage", 502, times=2)
    await queue(uow, clock, HELLO)
    await relay.run_once()
    assert await row_state(uow) == [("pending", 1)]
    assert await relay.run_once() == 0  # not due yet: nothing is hammered
    clock.advance(seconds=2)
    await relay.run_once()
    assert await row_state(uow) == [("pending", 2)]
    clock.advance(seconds=3)
    assert await relay.run_once() == 0  # the second wait is longer (4 s)
    clock.advance(seconds=1)
    await relay.run_once()
    assert await row_state(uow) == [("sent", 2)]
    assert len(core.sent_to(ANI)) == 1


async def test_a_flood_limit_waits_exactly_what_telegram_asks_in_that_chat_only(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    core.user(BUDI, "Budi", started=True)
    core.fail_next("sendMessage", 429, retry_after=7)
    await queue(uow, clock, HELLO)
    await queue(uow, clock, replace(HELLO, chat_id=BUDI))
    await relay.run_once()
    assert len(core.sent_to(BUDI)) == 1  # another chat does not wait for Ani's 429
    assert core.sent_to(ANI) == []
    clock.advance(seconds=6)
    assert await relay.run_once() == 0
    clock.advance(seconds=1)
    await relay.run_once()
    assert len(core.sent_to(ANI)) == 1


async def test_a_member_who_blocked_the_bot_is_recorded_and_not_retried(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    core.block_user(ANI, notify=False)
    await queue(uow, clock, HELLO)
    await relay.run_once()
    clock.advance(hours=1)
    assert await relay.run_once() == 0
    assert await row_state(uow) == [("blocked", 0)]
    async with uow() as work:
        member = (await work.session.execute(select(Member))).scalar_one()
        assert member.blocked_bot_at == clock.now() - timedelta(hours=1)


async def test_a_refused_message_fails_without_retrying(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    core.fail_next("sendMessage", 400, "Bad Request: chat not found")
    await queue(uow, clock, HELLO)
    await relay.run_once()
    await relay.run_once()  # the admins' alert about it
    clock.advance(hours=1)
    assert await relay.run_once() == 0
    assert await row_state(uow) == [("failed", 0), ("sent", 0)]
    assert "chat not found" in core.sent_to(ADMIN_CHAT)[0]["text"]


async def test_retries_stop_after_the_last_attempt(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    core.fail_next("sendMessage", 500, times=MAX_ATTEMPTS)
    await queue(uow, clock, HELLO)
    for _ in range(MAX_ATTEMPTS + 3):
        await relay.run_once()
        clock.advance(minutes=15)
    status, attempts = (await row_state(uow))[0]
    assert status == "failed" and attempts == MAX_ATTEMPTS - 1
    to_ani = [c for c in core.calls_of("sendMessage") if c.params.get("chat_id") == ANI]
    assert len(to_ani) == MAX_ATTEMPTS
    # Given up: the admins hear about it once (an alert, not the message itself).
    alerts = [m for m in core.sent_to(ADMIN_CHAT) if "could not be delivered" in m["text"]
              or "gagal terkirim" in m["text"]]  # fmt: skip
    assert len(alerts) == 1 and str(ANI) in alerts[0]["text"]


async def test_a_dedupe_key_queues_a_message_once(
    uow: UnitOfWorkFactory, clock: FrozenClock, relay_parts
) -> None:
    reminder = Notice(chat_id=ANI, text_key="menu.help", language="id", dedupe_key="r:1")
    assert await queue(uow, clock, reminder) is True
    assert await queue(uow, clock, reminder) is False
    assert len(await row_state(uow)) == 1


async def test_a_commit_that_queued_messages_wakes_the_relay(
    db_url: str, clock: FrozenClock
) -> None:
    from storage.database import create_engine, create_session_factory

    engine = create_engine(db_url)
    woken: list[bool] = []
    uow = UnitOfWorkFactory(create_session_factory(engine), lambda: woken.append(True))
    try:
        async with uow() as work:
            await work.commit()
        assert woken == []
        async with uow() as work:
            await work.outbox.enqueue(HELLO, clock.now())
            await work.commit()
        assert woken == [True]
    finally:
        await engine.dispose()


async def test_a_network_error_is_retried(
    uow: UnitOfWorkFactory, clock: FrozenClock, relay_parts
) -> None:
    # A real aiohttp session against a port nobody listens on: a genuine network error.
    session = AiohttpSession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{free_port()}"))
    bot = Bot("123456:TEST-token", session=session)
    relay = OutboxRelay(bot, uow, Translator.load(), clock)
    await queue(uow, clock, HELLO)
    try:
        await relay.run_once()
    finally:
        await session.close()
    assert await row_state(uow) == [("pending", 1)]


async def test_messages_to_one_chat_keep_their_order_when_the_first_must_wait(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    core.fail_next("sendMessage", 500)
    first = replace(HELLO, text_key="menu.help")
    await queue(uow, clock, first)
    await queue(uow, clock, HELLO)
    await relay.run_once()
    assert core.sent_to(ANI) == []  # the second waits behind the first
    clock.advance(seconds=2)
    await relay.run_once()
    texts = [m["text"] for m in core.sent_to(ANI)]
    assert len(texts) == 2 and texts[1].startswith("Hello again, Ani!")


async def test_an_html_error_page_is_retried_like_a_server_error(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    core.fail_next("sendMessage", 502, html=True)
    await queue(uow, clock, HELLO)
    await relay.run_once()
    assert await row_state(uow) == [("pending", 1)]
    clock.advance(seconds=2)
    await relay.run_once()
    assert await row_state(uow) == [("sent", 1)]
    assert len(core.sent_to(ANI)) == 1


class HangingSession(FakeSession):
    """Holds every call to one chat until released, as a hung connection would."""

    def __init__(self, core: FakeTelegram, chat_id: int) -> None:
        super().__init__(core)
        self.chat_id = chat_id
        self.release = asyncio.Event()
        self.hanging = asyncio.Event()

    async def make_request(self, bot: Bot, method: Any, timeout: int | None = None) -> Any:
        if getattr(method, "chat_id", None) == self.chat_id:
            self.hanging.set()
            await self.release.wait()
        return await super().make_request(bot, method, timeout)


async def test_a_hung_call_in_one_chat_never_holds_the_others(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram
) -> None:
    core.user(BUDI, "Budi", started=True)
    await MemberService(uow, clock, "id").register(TelegramProfile(ANI, "Ani"), None)
    session = HangingSession(core, ANI)
    bot = Bot(core.token, session=session)
    relay = OutboxRelay(bot, uow, Translator.load(), clock, poll_seconds=60)
    uow.on_outbox_commit = relay.wake
    running = asyncio.create_task(relay.run_forever())
    try:
        await queue(uow, clock, HELLO)
        await session.hanging.wait()
        # Queued while Ani's message hangs: Budi's goes out at once (the wake-up of this
        # commit is not lost, and Ani's chat is left out of the pass).
        await queue(uow, clock, replace(HELLO, chat_id=BUDI))
        await core.wait_sent(BUDI)
        assert core.sent_to(ANI) == []
        session.release.set()
        await core.wait_sent(ANI)
    finally:
        relay.stop()
        session.release.set()
        await running
    assert [status for status, _ in await row_state(uow)] == ["sent", "sent"]


async def test_messages_sent_together_are_marked_sent_in_one_write_each_exactly_once(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram
) -> None:
    from tests.kit.units_of_work import CountingUow

    chats = [5000 + i for i in range(20)]
    for chat in chats:
        core.user(chat, f"Member{chat}", started=True)
        await queue(uow, clock, replace(HELLO, chat_id=chat))
    counter = CountingUow(uow)
    relay = OutboxRelay(make_bot(core), counter, Translator.load(), clock, concurrency=20)
    assert await relay.run_once() == 20
    # One read of what is due, then the marks: the first worker's alone at most, the
    # other nineteen together (not one write transaction per message).
    assert counter.opened <= 3
    assert await row_state(uow) == [("sent", 0)] * 20
    assert await relay.run_once() == 0
    assert all(len(core.sent_to(chat)) == 1 for chat in chats)


async def test_a_failed_mark_is_logged_and_the_next_marks_still_land(
    uow: UnitOfWorkFactory,
    clock: FrozenClock,
    core: FakeTelegram,
    relay_parts,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from storage.repos.outbox import OutboxRepository

    relay, _ = relay_parts
    real = OutboxRepository.mark_sent
    failures = [RuntimeError("disk I/O error")]

    async def flaky(self: OutboxRepository, sent: Any, now: Any) -> None:
        if failures:
            raise failures.pop()
        await real(self, sent, now)

    monkeypatch.setattr(OutboxRepository, "mark_sent", flaky)
    await queue(uow, clock, HELLO)
    await relay.run_once()
    assert "could not record sent" in caplog.text
    # Delivered but not recorded: the row stays pending and goes again (at least once,
    # never lost); the relay's writer is not stuck after the failure.
    assert await row_state(uow) == [("pending", 0)]
    await relay.run_once()
    assert await row_state(uow) == [("sent", 0)]


async def test_a_member_found_blocked_is_forgotten_by_the_process(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram
) -> None:
    members = MemberService(uow, clock, "id")
    await members.register(TelegramProfile(ANI, "Ani"), None)
    relay = OutboxRelay(make_bot(core), uow, Translator.load(), clock, on_blocked=members.forget)
    core.block_user(ANI, notify=False)
    await queue(uow, clock, HELLO)
    await relay.run_once()
    # Their next /start reads and writes the row again (it clears the blocked mark).
    counter = counting(members)
    await members.register(TelegramProfile(ANI, "Ani"), None)
    assert counter.opened == 1
    async with uow() as work:
        member = await work.members.by_telegram_id(ANI)
        assert member is not None and member.blocked_bot_at is None


async def test_a_due_message_goes_out_while_another_transaction_holds_the_writer(
    db_url: str, uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram
) -> None:
    """The relay reads what is due on its own read-only connection: a message is sent
    while an update's transaction still holds SQLite's only write connection, and is
    marked sent once that transaction ends."""
    from storage.database import create_read_engine, create_session_factory

    await MemberService(uow, clock, "id").register(TelegramProfile(ANI, "Ani"), None)
    reader = create_read_engine(db_url)
    relay = OutboxRelay(
        make_bot(core),
        uow,
        Translator.load(),
        clock,
        reads=UnitOfWorkFactory(create_session_factory(reader)),
    )
    await queue(uow, clock, HELLO)
    try:
        async with uow() as busy:
            await busy.members.by_telegram_id(ANI)  # BEGIN IMMEDIATE: the writer is taken
            passing = asyncio.create_task(relay.run_once())
            await core.wait_sent(ANI)
            assert await row_state_with(busy) == [("pending", 0)]
        assert await passing == 1
    finally:
        await reader.dispose()
    assert await row_state(uow) == [("sent", 0)]


async def row_state_with(work: Any) -> list[tuple[str, int]]:
    rows = (await work.session.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars()
    return [(r.status, r.attempts) for r in rows]


async def test_a_transaction_sees_what_it_queued_and_queues_a_dedupe_key_once(
    uow: UnitOfWorkFactory, clock: FrozenClock
) -> None:
    """Queued rows are written with the commit, but within the transaction they count:
    the same dedupe key twice is queued once, and an action waiting is seen as waiting.
    Nothing queued in a transaction that does not commit is written."""
    approved = Notice(chat_id=ANI, text_key="menu.help", language="id", dedupe_key="pay:1")
    invite = replace(approved, dedupe_key=None, kind=INVITE_ACTION, chat_id=ADMIN_CHAT)
    async with uow() as work:
        assert await work.outbox.enqueue(approved, clock.now())
        assert not await work.outbox.enqueue(approved, clock.now())
        assert await work.outbox.enqueue(invite, clock.now())
        assert await work.outbox.pending_action(INVITE_ACTION, chat_id=ADMIN_CHAT)
        await work.commit()
    async with uow() as work:
        assert await work.outbox.enqueue(replace(approved, dedupe_key="pay:2"), clock.now())
    async with uow() as work:
        keys = (await work.session.execute(select(OutboxMessage.dedupe_key))).scalars().all()
        assert sorted(keys, key=str) == sorted(["pay:1", None], key=str)
