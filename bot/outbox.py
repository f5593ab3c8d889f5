"""The outbox relay: sends queued messages after their transaction committed.

Network errors and 5xx are retried with exponential backoff; 429 waits the
`retry_after` Telegram asks for (and pauses the relay, since the limit is the
bot's); 403 means the person blocked the bot, recorded on the member, and the
row is not retried; a row marked sent is never picked again.

Rows of another `kind` are Telegram actions (group invites, removals, delayed
deletions): the relay hands them to the action registered for that kind, which
returns the same outcomes, plus `skipped` when the action is no longer needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import Translator
from services.clock import Clock
from storage.repos.outbox import QueuedMessage
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12

Outcome = tuple[str, Any]
Action = Callable[[QueuedMessage], Awaitable[Outcome]]
MAX_BACKOFF_SECONDS = 600


def backoff_seconds(attempts: int) -> int:
    """2, 4, 8, ... seconds, capped at ten minutes."""
    return int(min(2 ** max(attempts, 1), MAX_BACKOFF_SECONDS))


class OutboxRelay:
    def __init__(
        self,
        bot: Bot,
        uow: UnitOfWorkFactory,
        i18n: Translator,
        clock: Clock,
        poll_seconds: float = 2.0,
        batch: int = 20,
        pause: Callable[[float], Awaitable[None]] | None = None,
        actions: dict[str, Action] | None = None,
    ) -> None:
        self.bot = bot
        self.uow = uow
        self.i18n = i18n
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        # Tests pass their own pause to observe flood waits instead of sleeping through them.
        self._pause_for = pause or self._pause
        self.actions: dict[str, Action] = dict(actions or {})

    def wake(self) -> None:
        """Called after a commit that queued messages, so they go out at once."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def _markup(self, row: QueuedMessage) -> InlineKeyboardMarkup | None:
        if not row.buttons:
            return None
        rows: list[list[InlineKeyboardButton]] = []
        for spec_row in row.buttons.get("rows", []):
            rows.append(
                [
                    InlineKeyboardButton(
                        text=self.i18n.t(spec["text_key"], row.language, **spec.get("params", {})),
                        callback_data=spec.get("callback_data"),
                        url=spec.get("url"),
                    )
                    for spec in spec_row
                ]
            )
        return InlineKeyboardMarkup(inline_keyboard=rows)

    async def _deliver(self, row: QueuedMessage) -> Message:
        text = self.i18n.t(row.text_key, row.language, **row.params)
        markup = self._markup(row)
        if row.photo_file_id:
            return await self.bot.send_photo(
                row.chat_id, row.photo_file_id, caption=text, reply_markup=markup
            )
        if row.document_file_id:
            return await self.bot.send_document(
                row.chat_id, row.document_file_id, caption=text, reply_markup=markup
            )
        return await self.bot.send_message(row.chat_id, text, reply_markup=markup)

    async def run_once(self) -> int:
        """Send what is due now; returns how many rows were handled."""
        async with self.uow() as uow:
            rows = await uow.outbox.due(self.clock.now(), self.batch)
        for row in rows:
            if self._stopping.is_set():
                break
            await self._send_one(row)
        return len(rows)

    async def _send_one(self, row: QueuedMessage) -> None:
        outcome: Outcome
        try:
            action = self.actions.get(row.kind)
            if action is not None:
                outcome = await action(row)
            elif row.kind != "message":
                outcome = ("failed", f"no action for kind {row.kind!r}")
            else:
                message = await self._deliver(row)
                outcome = ("sent", message.message_id)
        except TelegramRetryAfter as error:
            outcome = ("flood", error.retry_after)
        except TelegramForbiddenError as error:
            outcome = ("blocked", error.message)
        except (TelegramNetworkError, TelegramServerError) as error:
            outcome = ("retry", f"{type(error).__name__}: {error.message}")
        except TelegramBadRequest as error:
            outcome = ("failed", error.message)
        await self._record(row, outcome)

    async def _record(self, row: QueuedMessage, outcome: Outcome) -> None:
        kind, detail = outcome
        now = self.clock.now()
        async with self.uow() as uow:
            if kind == "sent":
                await uow.outbox.mark_sent(row.id, detail, now)
            elif kind == "skipped":
                await uow.outbox.give_up(row.id, "skipped", str(detail))
                log.info("Outbox row %s (%s) skipped: %s", row.id, row.kind, detail)
            elif kind == "flood":
                wait = int(detail)
                await uow.outbox.retry_later(
                    row.id, now + timedelta(seconds=wait), "429", count=False
                )
                log.warning("Flood limit: pausing the outbox for %s s", wait)
            elif kind == "blocked":
                await uow.outbox.give_up(row.id, "blocked", str(detail))
                await uow.outbox.mark_member_blocked(row.chat_id, now)
                log.info("Outbox row %s: chat %s blocked the bot", row.id, row.chat_id)
            elif kind == "retry" and row.attempts + 1 < MAX_ATTEMPTS:
                delay = backoff_seconds(row.attempts + 1)
                await uow.outbox.retry_later(
                    row.id, now + timedelta(seconds=delay), str(detail), count=True
                )
                log.warning("Outbox row %s: %s; retry in %s s", row.id, detail, delay)
            else:
                await uow.outbox.give_up(row.id, "failed", str(detail))
                log.error("Outbox row %s failed for good: %s", row.id, detail)
            await uow.commit()
        if kind == "flood":
            await self._pause_for(float(detail))

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)
        except TimeoutError:
            pass

    async def run_forever(self) -> None:
        while not self._stopping.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                log.exception("Outbox relay pass failed; trying again shortly")
                handled = 0
            if handled >= self.batch:
                continue  # more may be due right now
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass
