"""The outbox: written with the change, sent after commit, exactly once when delivered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import select

from bot.i18n import Translator
from bot.outbox import MAX_ATTEMPTS, OutboxRelay
from services.members import MemberService, TelegramProfile
from storage.models import Member, OutboxMessage
from storage.repos.outbox import Button, Notice
from storage.uow import UnitOfWorkFactory
from tests.kit.clock import FrozenClock
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import FakeTelegram
from tests.servers import free_port

ANI = 1001


class Pauses:
    def __init__(self) -> None:
        self.seen: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seen.append(seconds)


@pytest.fixture
def core() -> FakeTelegram:
    telegram = FakeTelegram()
    telegram.user(ANI, "Ani", started=True)
    return telegram


@pytest.fixture
async def relay_parts(uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram):  # type: ignore[no-untyped-def]
    await MemberService(uow, clock, "id").register(TelegramProfile(ANI, "Ani"), None)
    pauses = Pauses()
    bot = make_bot(core)
    relay = OutboxRelay(bot, uow, Translator.load(), clock, pause=pauses)
    yield relay, pauses
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


async def test_a_flood_limit_waits_exactly_what_telegram_asks(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, pauses = relay_parts
    core.fail_next("sendMessage", 429, retry_after=7)
    await queue(uow, clock, HELLO)
    await relay.run_once()
    assert pauses.seen == [7.0]
    assert await row_state(uow) == [("pending", 0)]  # a flood wait is not a failed attempt
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
    clock.advance(hours=1)
    assert await relay.run_once() == 0
    assert await row_state(uow) == [("failed", 0)]


async def test_retries_stop_after_the_last_attempt(
    uow: UnitOfWorkFactory, clock: FrozenClock, core: FakeTelegram, relay_parts
) -> None:
    relay, _ = relay_parts
    core.fail_next("sendMessage", 500, times=MAX_ATTEMPTS + 5)
    await queue(uow, clock, HELLO)
    for _ in range(MAX_ATTEMPTS + 3):
        await relay.run_once()
        clock.advance(minutes=15)
    status, attempts = (await row_state(uow))[0]
    assert status == "failed" and attempts == MAX_ATTEMPTS - 1
    assert len(core.calls_of("sendMessage")) == MAX_ATTEMPTS


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
    _, pauses = relay_parts
    # A real aiohttp session against a port nobody listens on: a genuine network error.
    session = AiohttpSession(api=TelegramAPIServer.from_base(f"http://127.0.0.1:{free_port()}"))
    bot = Bot("123456:TEST-token", session=session)
    relay = OutboxRelay(bot, uow, Translator.load(), clock, pause=pauses)
    await queue(uow, clock, HELLO)
    try:
        await relay.run_once()
    finally:
        await session.close()
    assert await row_state(uow) == [("pending", 1)]
