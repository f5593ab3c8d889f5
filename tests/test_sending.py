"""The sending layer: pacing under Telegram's limits, retries of every kind of fault,
callback answers that never wait behind messages.

These run on an event loop whose time is fast-forwarded (looptime): a wait of a minute
takes no real time, and the fake Telegram counts its limits on the same loop clock, so
"no 429" below means the pacing really kept within the windows Telegram counts.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramServerError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sending import FLOODS_TO_CALLER, SendingLayer, SendLimits
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import FakeTelegram

GROUP = -100600
USERS = range(2001, 2041)


def loop_time() -> float:
    return asyncio.get_running_loop().time()


@pytest.fixture
async def core() -> FakeTelegram:
    telegram = FakeTelegram(clock=loop_time, rate_limits=True)
    telegram.make_group(GROUP, "Admins")
    for user in USERS:
        telegram.user(user, f"User {user}", started=True)
    return telegram


@pytest.fixture
async def bot(core: FakeTelegram) -> AsyncIterator[Bot]:
    telegram_bot = make_bot(core)
    telegram_bot.session.middleware(SendingLayer(SendLimits(), jitter=lambda: 0.0))
    yield telegram_bot
    await telegram_bot.session.close()


def refused(core: FakeTelegram) -> list[str]:
    return [f"{c.method}: {c.error}" for c in core.calls if c.error]


@pytest.mark.looptime
async def test_a_burst_to_the_admin_group_is_paced_under_twenty_a_minute_and_nothing_is_lost(
    core: FakeTelegram, bot: Bot
) -> None:
    start = loop_time()
    await asyncio.gather(*(bot.send_message(GROUP, f"card {n}") for n in range(50)))
    assert sorted(m["text"] for m in core.sent_to(GROUP)) == sorted(f"card {n}" for n in range(50))
    assert refused(core) == []  # Telegram never had to say 429
    # 4 at once, then 16 a minute: the last of 50 leaves after about (50 - 4) / 16 minutes.
    assert 150 < loop_time() - start < 190


@pytest.mark.looptime(False)
async def test_replies_to_forty_people_at_once_go_out_without_a_flood_error(
    core: FakeTelegram, bot: Bot
) -> None:
    start = loop_time()
    sends = [bot.send_message(user, text) for user in USERS for text in ("welcome", "menu")]
    await asyncio.gather(*sends)
    assert all([m["text"] for m in core.sent_to(user)] == ["welcome", "menu"] for user in USERS)
    assert refused(core) == []
    # Real time here (about 3 s): under looptime's 1 µs rounding, aiolimiter's many
    # waiters on the overall bucket wake at a time that rounds back to "now" forever.
    assert loop_time() - start >= 1  # paced: 80 messages cannot all leave at once


@pytest.mark.looptime
async def test_one_person_gets_a_short_burst_then_one_message_a_second(
    core: FakeTelegram, bot: Bot
) -> None:
    start = loop_time()
    for n in range(10):
        await bot.send_message(USERS[0], f"line {n}")
    assert [m["text"] for m in core.sent_to(USERS[0])] == [f"line {n}" for n in range(10)]
    assert refused(core) == []
    assert 6 < loop_time() - start < 9


@pytest.mark.looptime
async def test_a_callback_answer_never_waits_behind_messages(core: FakeTelegram, bot: Bot) -> None:
    backlog = [asyncio.create_task(bot.send_message(GROUP, f"card {n}")) for n in range(30)]
    await asyncio.sleep(0)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Tap", callback_data="x")]]
    )
    message = core.handle(
        "sendMessage", {"chat_id": USERS[0], "text": "tap me", "reply_markup": markup.model_dump()}
    )
    tap = core.press(USERS[0], message, "x")
    start = loop_time()
    await bot.answer_callback_query(tap["callback_query"]["id"], text="ok")
    assert loop_time() - start < 1
    assert tap["callback_query"]["id"] in core.callback_answers
    assert len(core.sent_to(GROUP)) < 30  # the cards were still waiting their turn
    await asyncio.gather(*backlog)


@pytest.mark.looptime
async def test_a_429_waits_what_telegram_asks_and_holds_only_that_chat(
    core: FakeTelegram, bot: Bot
) -> None:
    core.fail_next("sendMessage", 429, retry_after=5)
    start = loop_time()
    first = asyncio.create_task(bot.send_message(USERS[0], "after the flood wait"))
    await asyncio.sleep(0)
    await bot.send_message(USERS[1], "not held")
    assert loop_time() - start < 1
    await first
    assert loop_time() - start >= 5
    assert [m["text"] for m in core.sent_to(USERS[0])] == ["after the flood wait"]


@pytest.mark.looptime
async def test_a_caller_that_paces_itself_gets_the_429_at_once(
    core: FakeTelegram, bot: Bot
) -> None:
    """The announcement sender pauses all its sends on a 429 (a broadcast's flood), so
    the layer hands the 429 to it rather than waiting for that one chat."""
    core.fail_next("copyMessage", 429, retry_after=30)
    source = await bot.send_message(USERS[1], "the post")
    start = loop_time()
    floods = FLOODS_TO_CALLER.set(True)
    try:
        with pytest.raises(TelegramRetryAfter) as raised:
            await bot.copy_message(USERS[0], USERS[1], source.message_id)
    finally:
        FLOODS_TO_CALLER.reset(floods)
    assert raised.value.retry_after == 30
    assert loop_time() - start < 1
    assert len(core.calls_of("copyMessage")) == 1


@pytest.mark.parametrize(
    "fault",
    [
        {"error_code": 500},
        {"error_code": 502, "html": True},
        {"timeout": True},
        {"error_code": 429, "retry_after": 2},
    ],
    ids=["500", "html-502", "timeout", "429"],
)
@pytest.mark.looptime
async def test_every_passing_fault_is_retried_until_the_message_arrives_once(
    core: FakeTelegram,
    bot: Bot,
    fault: dict,  # type: ignore[type-arg]
) -> None:
    core.fail_next("sendMessage", times=3, **fault)
    message = await bot.send_message(USERS[0], "it arrives")
    assert [m["text"] for m in core.sent_to(USERS[0])] == ["it arrives"]
    assert message.text == "it arrives"
    assert len(core.injected) == 3


@pytest.mark.looptime
async def test_an_html_error_page_that_never_ends_is_raised_as_a_server_error(
    core: FakeTelegram, bot: Bot
) -> None:
    core.fail_next("editMessageText", html=True, times=50)
    sent = await bot.send_message(USERS[0], "old")
    with pytest.raises(TelegramServerError):
        await bot.edit_message_text("new", chat_id=USERS[0], message_id=sent.message_id)
    assert len(core.calls_of("editMessageText")) == SendLimits().attempts


@pytest.mark.looptime
async def test_a_refusal_that_will_not_change_is_raised_at_once(
    core: FakeTelegram, bot: Bot
) -> None:
    core.fail_next("sendMessage", 400, "Bad Request: chat not found")
    with pytest.raises(TelegramBadRequest):
        await bot.send_message(USERS[0], "never")
    assert len(core.calls_of("sendMessage")) == 1


@pytest.mark.looptime
async def test_a_late_callback_answer_is_logged_not_raised(
    core: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    layer = next(m for m in bot.session.middleware if isinstance(m, SendingLayer))
    core.fail_next("answerCallbackQuery", 400, "Bad Request: query is too old")
    assert await bot.answer_callback_query("12345", text="late") is True
    assert layer.was_answered("12345")
    assert "query is too old" in caplog.text


@pytest.mark.looptime
async def test_button_labels_and_popups_reach_the_person_unescaped(
    core: FakeTelegram, bot: Bot
) -> None:
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Bank A&amp;B", callback_data="m:1")]]
    )
    sent = await bot.send_message(USERS[0], "Pick &amp; pay", reply_markup=markup)
    assert core.buttons(core.sent_to(USERS[0])[0]) == [("Bank A&B", "m:1")]
    assert core.sent_to(USERS[0])[0]["text"] == "Pick & pay"  # HTML text: parsed by Telegram
    assert markup.inline_keyboard[0][0].text == "Bank A&amp;B"  # the caller's copy untouched
    assert sent.message_id


async def test_the_answer_type_of_a_method_is_built_once_not_after_every_collection(
    core: FakeTelegram, bot: Bot
) -> None:
    import gc
    import weakref

    from aiogram.methods.base import Response
    from aiogram.types import ChatFullInfo

    core.user(5, "Ani", started=True)
    await bot.get_chat(5)
    # pydantic holds generic classes weakly; the sending layer keeps the one it used.
    kept = weakref.ref(Response[ChatFullInfo])
    gc.collect()
    assert kept() is not None
