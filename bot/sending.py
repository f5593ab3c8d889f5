"""The one sending path: every Bot API call the bot makes passes here.

An aiogram request middleware on the bot's session, so handler replies, callback
answers, card edits, group actions and the outbox relay all get the same rules:

- **Pacing before the limits bite** (aiolimiter leaky buckets): new messages to a
  private chat, new messages to a group, and all calls together. Each bucket is sized
  so that no window Telegram counts over is ever exceeded (a bucket of capacity `c`
  leaking `r` per second lets through at most `c + r*t` calls in `t` seconds): about
  30 per second overall, 1 per second per private chat after a burst of 3, 20 per
  minute per group after a burst of 4. A chat waiting for its turn holds no other chat.
- **Faults are retried**: 429 waits the `retry_after` Telegram asks for (and pauses
  that chat only); 5xx, network errors, timeouts and non-JSON error pages (a proxy's
  502 HTML page: aiogram's `ClientDecodeError`) are retried with backoff. A 4xx that
  will not change (400, 403, ...) is raised at once. After the last try a non-JSON
  page is raised as `TelegramServerError`, so callers see one kind of 5xx.
- **Callback answers are never queued**: they skip pacing (their window is short), are
  retried briefly, and a callback answer that still fails (or comes too late) is
  logged, not raised: it is a courtesy that must not undo the action behind the tap.
- **Plain surfaces**: Telegram shows button labels, popups and command descriptions
  without parsing HTML, so they leave here unescaped (bot/surfaces.py).

Time is injected (`monotonic`, `sleep`) so tests move it; the buckets use the event
loop's clock, which tests of pacing fast-forward (looptime).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery, GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType
from aiolimiter import AsyncLimiter

from bot.surfaces import plain_surfaces

log = logging.getLogger(__name__)

# Methods that put a new message in a chat: these count against the per-chat limits.
# aiogram validates every answer as `Response[<what the method returns>]`; pydantic keeps
# such generic classes only weakly, so after a garbage collection each one was built
# again (~9 ms of schema work, 7% of the bench mix). Holding them here builds each once.
_RESPONSE_TYPES: dict[Any, Any] = {}


def keep_response_type(method: TelegramMethod[Any]) -> None:
    returning = method.__returning__
    if returning not in _RESPONSE_TYPES:
        _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]


NEW_MESSAGE_METHODS = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendVideo", "sendAudio", "sendVoice",
        "sendAnimation", "sendVideoNote", "sendSticker", "sendMediaGroup", "sendLocation",
        "sendVenue", "sendContact", "sendPoll", "sendDice", "sendInvoice", "sendPaidMedia",
        "copyMessage", "copyMessages", "forwardMessage", "forwardMessages",
    }
)  # fmt: skip
# Set by a caller that paces itself (the announcement sender): a 429 is raised to it at
# once, so it pauses all its sends as Telegram asks of a broadcast, not one chat's.
FLOODS_TO_CALLER: ContextVar[bool] = ContextVar("floods_to_caller", default=False)
# Calls that must never wait or be retried here (the polling loop retries by itself).
PASS_THROUGH = frozenset({"getUpdates"})
# Edits of a message: the same edit twice in a row is skipped (a late or losing tap
# never re-edits a card that already shows the result; Telegram would refuse it with
# "message is not modified" anyway).
EDIT_METHODS = frozenset(
    {"editMessageText", "editMessageCaption", "editMessageReplyMarkup", "editMessageMedia"}
)


@dataclass(frozen=True, slots=True)
class SendLimits:
    """Telegram's limits as configured (SEND_RATE_* settings) and the retry budget."""

    total_per_second: float = 30.0
    private_per_second: float = 1.0
    group_per_minute: float = 20.0
    private_burst: int = 3
    attempts: int = 6  # tries of one call on 5xx, network errors, timeouts, HTML pages
    max_wait_seconds: float = 300.0  # all waits of one call together, 429s included
    callback_wait_seconds: float = 8.0  # a callback answer is worth little after that
    first_backoff_seconds: float = 0.5

    def total_bucket(self) -> AsyncLimiter:
        capacity = max(1.0, float(int(self.total_per_second // 6)))
        rate = max(self.total_per_second - capacity, 0.1)
        return AsyncLimiter(capacity, capacity / rate)

    def private_bucket(self) -> AsyncLimiter:
        capacity = float(self.private_burst)
        return AsyncLimiter(capacity, capacity / self.private_per_second)

    def group_bucket(self) -> AsyncLimiter:
        capacity = max(1.0, float(int(self.group_per_minute // 5)))
        rate = max(self.group_per_minute - capacity, 0.1) / 60
        return AsyncLimiter(capacity, capacity / rate)


def chat_of(method: TelegramMethod[Any]) -> int | str | None:
    chat = getattr(method, "chat_id", None)
    return chat if isinstance(chat, int | str) else None


def is_group(chat: int | str) -> bool:
    """Private chats have the user's (positive) id; groups and channels are negative
    or @usernames."""
    return not (isinstance(chat, int) and chat > 0)


def _retryable(error: Exception) -> bool:
    if isinstance(error, TelegramEntityTooLarge):
        return False  # a 413 will not shrink by itself
    return isinstance(error, TelegramServerError | TelegramNetworkError | ClientDecodeError)


class SendingLayer(BaseRequestMiddleware):
    def __init__(
        self,
        limits: SendLimits | None = None,
        *,
        monotonic: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        jitter: Callable[[], float] = random.random,
        remember: int = 10_000,
    ) -> None:
        self.limits = limits or SendLimits()
        self._monotonic = monotonic
        self._sleep = sleep or asyncio.sleep
        self._jitter = jitter
        self._remember = remember
        self._total: AsyncLimiter | None = None
        self._chats: OrderedDict[int | str, AsyncLimiter] = OrderedDict()
        self._paused_until: dict[int | str, float] = {}
        self._answered: OrderedDict[str, None] = OrderedDict()
        self._edits: OrderedDict[tuple[int | str, int], str] = OrderedDict()

    # ------------------------------------------------------------------ what callers ask

    def was_answered(self, callback_query_id: str) -> bool:
        """True once an answer to this callback query was sent (or given up on)."""
        return callback_query_id in self._answered

    # ------------------------------------------------------------------ the middleware

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        keep_response_type(method)
        if isinstance(method, GetUpdates) or method.__api_method__ in PASS_THROUGH:
            return await make_request(bot, method)
        method = plain_surfaces(method)
        if isinstance(method, AnswerCallbackQuery):
            return await self._answer(make_request, bot, method)
        return await self._send(make_request, bot, method)

    def _now(self) -> float:
        if self._monotonic is not None:
            return self._monotonic()
        return asyncio.get_running_loop().time()

    async def _send(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        chat = chat_of(method)
        name = method.__api_method__
        edit = self._edit_key(chat, method) if name in EDIT_METHODS else None
        if edit is not None and self._edits.get(edit[0]) == edit[1]:
            log.debug("%s skipped: message %s already shows it", name, edit[0])
            return True  # type: ignore[return-value]
        waited = 0.0
        failures = 0
        while True:
            waited += await self._wait_for_chat(chat)
            await self._pace(chat, name)
            try:
                result = await make_request(bot, method)
                if edit is not None:
                    self._remember_edit(*edit)
                return result
            except TelegramRetryAfter as error:
                delay = float(error.retry_after)
                if chat is not None:
                    self._paused_until[chat] = self._now() + delay
                if FLOODS_TO_CALLER.get():
                    raise
                problem: Exception = error
            except Exception as error:
                if not _retryable(error):
                    if edit is not None and "not modified" in str(getattr(error, "message", "")):
                        self._remember_edit(*edit)  # it shows that already
                    raise
                failures += 1
                problem = error
                delay = self._backoff(failures)
                if failures >= self.limits.attempts:
                    raise self._final(method, error) from error
            if waited + delay > self.limits.max_wait_seconds:
                raise self._final(method, problem) from problem
            log.warning("%s to chat %s: %s; retrying in %.1f s", name, chat, _brief(problem), delay)
            await self._sleep(delay)
            waited += delay

    async def _answer(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: AnswerCallbackQuery,
    ) -> Response[TelegramType]:
        query_id = method.callback_query_id
        waited = 0.0
        failures = 0
        try:
            while True:
                try:
                    result = await make_request(bot, method)  # type: ignore[arg-type]
                    return result
                except TelegramRetryAfter as error:
                    delay = float(error.retry_after)
                    problem: Exception = error
                except TelegramBadRequest as error:
                    # "query is too old": the spinner has stopped by itself; nothing to do.
                    log.warning("Callback answer not delivered: %s", error.message)
                    return True  # type: ignore[return-value]
                except Exception as error:
                    if not _retryable(error):
                        raise
                    failures += 1
                    problem = error
                    delay = self._backoff(failures)
                if waited + delay > self.limits.callback_wait_seconds:
                    log.warning("Callback answer given up: %s", _brief(problem))
                    return True  # type: ignore[return-value]
                await self._sleep(delay)
                waited += delay
        finally:
            self._note_answered(query_id)

    # ------------------------------------------------------------------ pacing

    async def _wait_for_chat(self, chat: int | str | None) -> float:
        """A 429 in a chat pauses that chat (only) for the time Telegram asked."""
        if chat is None:
            return 0.0
        until = self._paused_until.get(chat)
        if until is None:
            return 0.0
        wait = until - self._now()
        if wait <= 0:
            self._paused_until.pop(chat, None)
            return 0.0
        await self._sleep(wait)
        return wait

    async def _pace(self, chat: int | str | None, name: str) -> None:
        if chat is not None and name in NEW_MESSAGE_METHODS:
            await self._bucket(chat).acquire()
        if self._total is None:
            self._total = self.limits.total_bucket()
        await self._total.acquire()

    def _bucket(self, chat: int | str) -> AsyncLimiter:
        bucket = self._chats.get(chat)
        if bucket is None:
            limits = self.limits
            bucket = limits.group_bucket() if is_group(chat) else limits.private_bucket()
            self._chats[chat] = bucket
            self._forget_idle()
        else:
            self._chats.move_to_end(chat)
        return bucket

    def _forget_idle(self) -> None:
        """Keep memory bounded: drop the oldest buckets that are fully drained."""
        excess = len(self._chats) - self._remember
        if excess <= 0:
            return
        for chat in list(self._chats)[: excess * 2]:
            if excess <= 0:
                break
            bucket = self._chats[chat]
            if bucket.has_capacity(bucket.max_rate):
                del self._chats[chat]
                self._paused_until.pop(chat, None)
                excess -= 1

    @staticmethod
    def _edit_key(
        chat: int | str | None, method: TelegramMethod[Any]
    ) -> tuple[tuple[int | str, int], str] | None:
        message_id = getattr(method, "message_id", None)
        if chat is None or not isinstance(message_id, int):
            return None
        return (chat, message_id), f"{method.__api_method__}:{method.model_dump(warnings=False)!r}"

    def _remember_edit(self, key: tuple[int | str, int], fingerprint: str) -> None:
        self._edits[key] = fingerprint
        self._edits.move_to_end(key)
        while len(self._edits) > self._remember:
            self._edits.popitem(last=False)

    def _note_answered(self, query_id: str) -> None:
        self._answered[query_id] = None
        while len(self._answered) > self._remember:
            self._answered.popitem(last=False)

    def _backoff(self, failures: int) -> float:
        base = self.limits.first_backoff_seconds * 2 ** (failures - 1)
        return float(min(base, 30.0) * (1 + 0.25 * self._jitter()))

    @staticmethod
    def _final(method: TelegramMethod[Any], error: Exception) -> Exception:
        if isinstance(error, ClientDecodeError):
            return TelegramServerError(
                method=method, message="Bad Gateway: the Bot API answered with a non-JSON page"
            )
        return error


def _brief(error: Exception) -> str:
    if isinstance(error, ClientDecodeError):
        return "non-JSON answer (an HTML error page)"
    return f"{type(error).__name__}: {getattr(error, 'message', error)}"
