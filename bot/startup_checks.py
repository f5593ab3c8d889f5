"""Checks at start that tell the operator, in the log, what is wrong with the set-up.

They never stop the bot: an admin may fix the group while it runs (the bot keeps
serving members meanwhile), so each problem is one ERROR line saying what to do.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

log = logging.getLogger(__name__)

GROUP_TYPES = ("group", "supergroup")
ADD_THE_BOT = "add the bot to the admins' group and make it an administrator there"


async def admin_group_problems(bot: Bot, chat_id: int) -> list[str]:
    """What keeps the bot from working in the admin group: the chat is unknown, the bot
    is not in it, it is not a group, the bot is not an administrator there or may not
    post. One line per problem, each naming ADMIN_CHAT_ID and what to do; empty when
    all is well. Network trouble is raised, not reported as a problem."""
    where = f"ADMIN_CHAT_ID {chat_id}"
    try:
        chat = await bot.get_chat(chat_id)
    except TelegramForbiddenError as error:
        return [f"{where}: the bot is not in that group ({error.message}); {ADD_THE_BOT}"]
    except TelegramBadRequest as error:
        return [
            f"{where}: Telegram cannot find that chat for the bot ({error.message}); "
            f"{ADD_THE_BOT}, then set ADMIN_CHAT_ID to that group's id"
        ]
    if chat.type not in GROUP_TYPES:
        return [
            f"{where} is a {chat.type} chat, not a group; set ADMIN_CHAT_ID to the id of "
            "the admins' group (a negative number like -1001234567890)"
        ]
    where = f"{where} ({chat.title})"
    try:
        me = await bot.get_chat_member(chat_id, bot.id)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        return [f"{where}: the bot is not a member ({error.message}); {ADD_THE_BOT}"]
    status = str(me.status)
    if status in ("left", "kicked") or (
        status == "restricted" and not getattr(me, "is_member", True)
    ):
        removed = " (it was removed and banned: unban it first)" if status == "kicked" else ""
        return [f"{where}: the bot is not a member of that group{removed}; {ADD_THE_BOT}"]
    if status in ("creator", "administrator"):
        return []
    problems = [
        f"{where}: the bot is not an administrator there; promote it to administrator "
        "in the group's settings (Administrators > Add admin)"
    ]
    group_allows = chat.permissions is None or chat.permissions.can_send_messages is not False
    may_post = getattr(me, "can_send_messages", True) if status == "restricted" else group_allows
    if not may_post:
        problems.append(
            f"{where}: the bot cannot post messages there (sending is restricted for it); "
            "allow it to send messages, or promote it to administrator"
        )
    return problems


async def check_admin_group(bot: Bot, chat_id: int) -> list[str]:
    """Log every admin group problem at ERROR; never raises (the bot runs on regardless)."""
    try:
        problems = await admin_group_problems(bot, chat_id)
    except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as error:
        log.warning("Could not check the admin group (ADMIN_CHAT_ID): %s", error.message)
        return []
    except TelegramAPIError as error:
        problems = [f"ADMIN_CHAT_ID {chat_id}: Telegram refused the check ({error.message})"]
    except Exception:
        log.exception("Checking the admin group (ADMIN_CHAT_ID) failed")
        return []
    for problem in problems:
        log.error("%s", problem)
    if not problems:
        log.info("Admin group %s: the bot is an administrator there", chat_id)
    return problems
