"""Middlewares: who is writing, in which language, and not too fast."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject, User

from bot.i18n import Translator
from services.members import MemberService

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class LanguageMiddleware(BaseMiddleware):
    """Puts `lang` in the handler data: the person's chosen or Telegram language."""

    def __init__(self, members: MemberService) -> None:
        self.members = members

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            data["lang"] = self.members.default_language
        else:
            data["lang"] = await self.members.language_of(user.id, user.language_code)
        return await handler(event, data)


class ThrottlingMiddleware(BaseMiddleware):
    """At most `burst` updates per person per `window` seconds.

    Beyond that a message is dropped quietly and a button tap is answered with
    a short "too fast" notice (a callback must be answered, or the phone spins).
    In memory: one process; with Redis the limit would be shared, not needed yet.
    """

    def __init__(
        self,
        i18n: Translator,
        burst: int = 8,
        window: float = 3.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.i18n = i18n
        self.burst = burst
        self.window = window
        self.monotonic = monotonic
        self._hits: dict[int, list[float]] = {}

    def _allowed(self, user_id: int) -> bool:
        now = self.monotonic()
        hits = [t for t in self._hits.get(user_id, []) if now - t < self.window]
        allowed = len(hits) < self.burst
        if allowed:
            hits.append(now)
        self._hits[user_id] = hits
        if len(self._hits) > 10_000:  # forget idle people so memory stays bounded
            self._hits = {k: v for k, v in self._hits.items() if v and now - v[-1] < self.window}
        return allowed

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or self._allowed(user.id):
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            lang = data.get("lang", self.i18n.default)
            await event.answer(self.i18n.t("error.too_fast", lang))
        return None
