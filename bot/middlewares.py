"""Middlewares: who is writing, in which language, and not too fast."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User

from handlers.common.profiles import profile_of
from kernel.i18n import Translator
from services.members import MemberService

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def _is_start(event: TelegramObject) -> bool:
    """/start registers with its referral payload and welcomes: the handler does it all."""
    if not isinstance(event, Message) or not event.text:
        return False
    command = event.text.split(maxsplit=1)[0]
    return command.split("@", 1)[0].lower() == "/start"


class LanguageMiddleware(BaseMiddleware):
    """Puts `lang` in the handler data: the person's chosen or Telegram language.

    A message or tap in private chat from someone not registered yet registers them
    first (their first update may be /buy, /me or an old button rather than /start), so
    no feature meets a person without a member row. Known members: one query either way.
    """

    def __init__(self, members: MemberService) -> None:
        self.members = members

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        if user is None:
            data["lang"] = self.members.default_language
        elif (
            chat is not None
            and chat.type == "private"
            and isinstance(event, Message | CallbackQuery)
            and not user.is_bot
            and not _is_start(event)
        ):
            data["lang"] = await self.members.language_on_contact(profile_of(user))
        else:
            data["lang"] = await self.members.language_of(user.id, user.language_code)
        return await handler(event, data)


class ThrottlingMiddleware(BaseMiddleware):
    """At most `burst` updates per person per `window` seconds.

    Beyond that a message is dropped quietly and a button tap is answered with
    a short "too fast" notice (a callback must be answered, or the phone spins).
    An album counts once: its other items follow its first one in.
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
        self._albums: dict[str, float] = {}  # albums let in (their first item), by id

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

    def _album_let_in(self, event: TelegramObject) -> bool:
        """The rest of an album whose first item was let in: an album of ten pictures
        arrives as ten messages at once and counts as one (none of it may be lost)."""
        album = event.media_group_id if isinstance(event, Message) else None
        return album is not None and album in self._albums

    def _note_album(self, event: TelegramObject) -> None:
        album = event.media_group_id if isinstance(event, Message) else None
        if album is not None:
            self._albums[album] = self.monotonic()
            if len(self._albums) > 1_000:
                oldest = sorted(self._albums, key=self._albums.__getitem__)[:500]
                for key in oldest:
                    del self._albums[key]

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None or self._album_let_in(event):
            return await handler(event, data)
        if self._allowed(user.id):
            self._note_album(event)
            return await handler(event, data)
        if isinstance(event, CallbackQuery):
            lang = data.get("lang", self.i18n.default)
            await event.answer(self.i18n.t("error.too_fast", lang))
        return None


class AnswerEveryTap(BaseMiddleware):
    """Every callback query is answered exactly once: a handler that returns without
    answering gets a silent answer here (the phone stops its spinner). A handler that
    raised is left to the error handler, which answers only if nobody did."""

    def __init__(self, answered: Callable[[str], bool]) -> None:
        self.answered = answered

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        result = await handler(event, data)
        if isinstance(event, CallbackQuery) and not self.answered(event.id):
            await event.answer()
        return result
