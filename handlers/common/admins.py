"""Who may act in the admin group: checked on every tap, with a short cache.

An admin is an administrator or the creator of the admin group, or anyone in
ADMIN_IDS / OWNER_IDS. The owner (prices, plans, payment methods) is anyone in
OWNER_IDS, or the group's creator. Telegram's answer is cached for a minute so
a burst of taps costs one getChatMember; a demoted admin loses rights within
that minute.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import IntEnum

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError

from kernel.clock import Clock

log = logging.getLogger(__name__)

CACHE_FOR = timedelta(seconds=60)


class Role(IntEnum):
    NONE = 0
    ADMIN = 1
    OWNER = 2


class AdminGate:
    def __init__(
        self,
        bot: Bot,
        admin_chat_id: int,
        admin_ids: tuple[int, ...],
        owner_ids: tuple[int, ...],
        clock: Clock,
    ) -> None:
        self.bot = bot
        self.admin_chat_id = admin_chat_id
        self.admin_ids = frozenset(admin_ids)
        self.owner_ids = frozenset(owner_ids)
        self.clock = clock
        self._cache: dict[int, tuple[datetime, Role]] = {}

    async def role(self, user_id: int) -> Role:
        if user_id in self.owner_ids:
            return Role.OWNER
        now = self.clock.now()
        cached = self._cache.get(user_id)
        if cached is not None and now - cached[0] < CACHE_FOR:
            return cached[1]
        role = await self._ask_telegram(user_id)
        if role is Role.NONE and user_id in self.admin_ids:
            role = Role.ADMIN
        self._cache[user_id] = (now, role)
        return role

    async def _ask_telegram(self, user_id: int) -> Role:
        try:
            member = await self.bot.get_chat_member(self.admin_chat_id, user_id)
        except (TelegramBadRequest, TelegramForbiddenError) as error:
            # Not in the group, or the bot was removed from it: no rights from the group.
            log.warning("getChatMember in the admin group failed: %s", error.message)
            return Role.NONE
        if member.status == "creator":
            return Role.OWNER
        if member.status == "administrator":
            return Role.ADMIN
        return Role.NONE

    async def is_admin(self, user_id: int) -> bool:
        return await self.role(user_id) >= Role.ADMIN

    async def is_owner(self, user_id: int) -> bool:
        return await self.role(user_id) >= Role.OWNER
