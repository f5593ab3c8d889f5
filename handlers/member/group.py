"""The VIP discussion group: join requests and what the bot sees of its members.

A join request is approved only for an active VIP using their own unused, unexpired
invite (services/access/join.py decides); anyone else is declined and, since Telegram lets
a bot write to someone who asked to join, told why in one short message.
"""

from __future__ import annotations

import logging
from typing import Protocol

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import ChatJoinRequest, ChatMemberUpdated

from domain.language import resolve_language
from handlers.common.config import HandlerConfig
from handlers.common.telegram_errors import lacks_rights
from kernel.i18n import Translator
from services.access import AccessService, JoinVerdict

log = logging.getLogger(__name__)


class RightsAlert(Protocol):
    """Tells the admins the bot lacks a right in the group (bot/group_actions.py)."""

    async def alert_rights(self, missing_keys: list[str]) -> bool: ...


async def _tell(bot: Bot, chat_id: int, text: str) -> None:
    """Best effort: the requester may never have started the bot."""
    try:
        await bot.send_message(chat_id, text)
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        log.info("Could not message a join requester: %s", error.message)


async def on_join_request(
    request: ChatJoinRequest,
    bot: Bot,
    access: AccessService,
    group_actions: RightsAlert,
    config: HandlerConfig,
    i18n: Translator,
) -> None:
    if request.chat.id != config.discussion_chat_id:
        return  # another chat's requests are its admins' business
    link = request.invite_link.invite_link if request.invite_link is not None else None
    user = request.from_user
    decision = await access.decide_join(request.chat.id, user.id, link)
    lang = decision.language or resolve_language(None, user.language_code, config.default_language)
    if decision.verdict is JoinVerdict.APPROVE and decision.invite_id is not None:
        try:
            await request.approve()
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            if "USER_ALREADY_PARTICIPANT" not in error.message:
                log.warning("Approving join request failed: %s", error.message)
                if lacks_rights(error):
                    await group_actions.alert_rights(["access.right_invite"])
                return
        if await access.joined(decision.invite_id, user.id):
            await _tell(bot, request.user_chat_id, i18n.t("access.welcome", lang))
        log.info("Join request of member %s approved", decision.member_id)
        return
    try:
        await request.decline()
    except (TelegramBadRequest, TelegramForbiddenError) as error:
        # Already answered (the same update delivered twice): nothing to tell again.
        log.info("Declining join request failed: %s", error.message)
        return
    log.info("Join request declined: %s", decision.verdict.value)
    await _tell(
        bot, request.user_chat_id, i18n.t(f"access.declined_{decision.verdict.value}", lang)
    )


async def on_member_update(event: ChatMemberUpdated, access: AccessService) -> None:
    member = event.new_chat_member
    await access.record_presence(event.chat.id, member.user.id, member.status)


def build_router() -> Router:
    router = Router(name="group")
    router.chat_join_request.register(on_join_request)
    router.chat_member.register(on_member_update)
    return router
