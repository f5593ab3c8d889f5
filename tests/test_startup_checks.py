"""At start the bot checks the admin group (ADMIN_CHAT_ID): it must be a group the bot is
in, as an administrator, able to post. Each problem is one ERROR line naming
ADMIN_CHAT_ID and what to do; the bot never stops over it (the admins may fix it later)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot

from bot.startup_checks import admin_group_problems, check_admin_group
from tests.kit.fake_session import make_bot
from tests.kit.faketelegram import FakeTelegram

ADMIN_CHAT = -1001234567890


@pytest.fixture
def core() -> FakeTelegram:
    return FakeTelegram()


@pytest.fixture
async def bot(core: FakeTelegram) -> AsyncIterator[Bot]:
    bot = make_bot(core)
    try:
        yield bot
    finally:
        await bot.session.close()


async def test_an_administrator_in_the_admin_group_is_fine(
    core: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    core.make_group(ADMIN_CHAT, "Admin")
    with caplog.at_level(logging.INFO, logger="bot.startup_checks"):
        assert await check_admin_group(bot, ADMIN_CHAT) == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


async def test_the_creator_of_the_admin_group_is_fine(core: FakeTelegram, bot: Bot) -> None:
    core.make_group(ADMIN_CHAT, "Admin", type="group", bot_status="creator")
    assert await admin_group_problems(bot, ADMIN_CHAT) == []


async def test_an_unknown_chat_is_named_with_what_to_do(core: FakeTelegram, bot: Bot) -> None:
    [problem] = await admin_group_problems(bot, ADMIN_CHAT)
    assert problem.startswith(f"ADMIN_CHAT_ID {ADMIN_CHAT}: ")
    assert "chat not found" in problem and "add the bot to the admins' group" in problem


@pytest.mark.parametrize("status", ["left", "kicked"])
async def test_a_bot_outside_the_group_is_told_to_be_added(
    core: FakeTelegram, bot: Bot, status: str
) -> None:
    core.make_group(ADMIN_CHAT, "Admin", bot_status=status)
    [problem] = await admin_group_problems(bot, ADMIN_CHAT)
    assert problem.startswith(f"ADMIN_CHAT_ID {ADMIN_CHAT} (Admin): ")
    assert "not a member" in problem and "make it an administrator" in problem
    assert ("unban" in problem) == (status == "kicked")


async def test_a_plain_member_is_told_to_be_promoted(core: FakeTelegram, bot: Bot) -> None:
    core.make_group(ADMIN_CHAT, "Admin", bot_status="member")
    [problem] = await admin_group_problems(bot, ADMIN_CHAT)
    assert "not an administrator" in problem and "promote it" in problem


async def test_a_restricted_bot_that_cannot_post_gets_both_problems(
    core: FakeTelegram, bot: Bot
) -> None:
    core.make_group(ADMIN_CHAT, "Admin", bot_status="restricted", can_send_messages=False)
    problems = await admin_group_problems(bot, ADMIN_CHAT)
    assert len(problems) == 2
    assert "not an administrator" in problems[0]
    assert "cannot post" in problems[1]
    assert all(p.startswith(f"ADMIN_CHAT_ID {ADMIN_CHAT} (Admin): ") for p in problems)


@pytest.mark.parametrize("kind", ["channel", "private"])
async def test_a_chat_that_is_not_a_group_is_refused(
    core: FakeTelegram, bot: Bot, kind: str
) -> None:
    if kind == "channel":
        core.make_group(ADMIN_CHAT, "News", type="channel")
        chat_id = ADMIN_CHAT
    else:
        chat_id = core.user(4242, "Owner", started=True)["id"]
    [problem] = await admin_group_problems(bot, chat_id)
    assert problem.startswith(f"ADMIN_CHAT_ID {chat_id} is a {kind} chat, not a group")


async def test_each_problem_is_one_error_line_and_nothing_is_raised(
    core: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    core.make_group(ADMIN_CHAT, "Admin", bot_status="restricted", can_send_messages=False)
    with caplog.at_level(logging.INFO, logger="bot.startup_checks"):
        problems = await check_admin_group(bot, ADMIN_CHAT)
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [r.getMessage() for r in errors] == problems and len(problems) == 2
    assert all("\n" not in r.getMessage() and "ADMIN_CHAT_ID" in r.getMessage() for r in errors)
    assert core.token.split(":")[1] not in caplog.text


async def test_telegram_trouble_during_the_check_is_a_warning_not_a_crash(
    core: FakeTelegram, bot: Bot, caplog: pytest.LogCaptureFixture
) -> None:
    core.make_group(ADMIN_CHAT, "Admin")
    core.fail_next("getChat", 500, "Internal Server Error")
    with caplog.at_level(logging.INFO, logger="bot.startup_checks"):
        assert await check_admin_group(bot, ADMIN_CHAT) == []
    [warning] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warning.levelno == logging.WARNING and "ADMIN_CHAT_ID" in warning.getMessage()
