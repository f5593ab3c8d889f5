"""The outbox relay: sends queued messages after their transaction committed.

Each pass takes what is due and sends it **concurrently across chats, in order within
a chat**: every chat with something due gets one worker, which sends that chat's rows
oldest first and stops at the first one that has to wait (a later message never
overtakes an earlier one; the repository holds it back until the earlier one is
sent). A chat being worked on is left out of the next pass, so a chat that waits —
the admin group at Telegram's 20 messages a minute, a 429, a hung call — never holds
messages to anyone else. Pacing and in-call retries happen in the sending layer
(bot/sending.py); what still fails reaches the relay:

- a 429 the layer could not wait out: the row waits `retry_after` (that chat only);
- 5xx, network errors, timeouts, HTML error pages: retried with exponential backoff
  (2, 4, 8 ... seconds, at most ten minutes) and given up after MAX_ATTEMPTS, with an
  error line in the log and an alert in the admin group;
- 403: the person blocked the bot, recorded on the member, not retried;
- another 4xx: failed for good (log line and admin alert);
- a row marked sent is never picked again.

Rows sent are marked in a **group commit**: every worker that has just sent hands its
(row, message id) to one writer, which marks all of them in one transaction while the
next ones queue up for the following one; the worker waits for its mark before it
sends on or lets its chat go (so a row is never read as due after it was sent). Under
load that is one write per pass instead of one per message (bench: 30 approvals at
once, p95 tap → member's message).

Rows of another `kind` are Telegram actions (group invites, removals, delayed
deletions): the relay hands them to the action registered for that kind, which
returns the same outcomes, plus `skipped` when the action is no longer needed.

A wake-up (a commit that queued something) is never lost: the flag is cleared before
a pass reads the table, so a commit during the pass starts another one at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.group_commit import GroupCommit
from kernel.clock import Clock
from kernel.i18n import Translator
from kernel.notices import Notice
from storage.repos.outbox import QueuedMessage
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 12

Outcome = tuple[str, Any]
Action = Callable[[QueuedMessage], Awaitable[Outcome]]
MAX_BACKOFF_SECONDS = 600
STOP_GRACE_SECONDS = 10.0


def backoff_seconds(attempts: int) -> int:
    """2, 4, 8, ... seconds, capped at ten minutes."""
    return int(min(2 ** max(attempts, 1), MAX_BACKOFF_SECONDS))


class SentMarks:
    """The group commit of sent marks: `mark` returns once the row is marked sent; marks
    that arrive while a write is running go together in the next one."""

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self.uow = uow
        self.clock = clock
        self._marks: GroupCommit[tuple[int, int | None]] = GroupCommit(
            self._write, "outbox-sent-marks"
        )

    async def mark(self, row_id: int, message_id: int | None) -> None:
        await self._marks.add((row_id, message_id))

    async def _write(self, batch: list[tuple[int, int | None]]) -> None:
        async with self.uow() as uow:
            await uow.outbox.mark_sent(batch, self.clock.now())
            await uow.commit()


class OutboxRelay:
    def __init__(
        self,
        bot: Bot,
        uow: UnitOfWorkFactory,
        i18n: Translator,
        clock: Clock,
        poll_seconds: float = 2.0,
        batch: int = 100,
        concurrency: int = 8,
        actions: dict[str, Action] | None = None,
        admin_chat_id: int | None = None,
        on_blocked: Callable[[int], None] | None = None,
        reads: UnitOfWorkFactory | None = None,
    ) -> None:
        self.bot = bot
        # Where a pass reads what is due (a read-only connection of its own), else `uow`.
        self.reads = reads or uow
        # Told the chat id of a member found to have blocked the bot (after it is
        # recorded), so what the process remembers of them is read again.
        self.on_blocked = on_blocked
        self.uow = uow
        self.i18n = i18n
        self.clock = clock
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.concurrency = concurrency
        self.admin_chat_id = admin_chat_id
        self.actions: dict[str, Action] = dict(actions or {})
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._slots: asyncio.Semaphore | None = None
        self._busy: dict[int, asyncio.Task[int]] = {}  # chat id -> its worker
        self._sent = SentMarks(uow, clock)

    def wake(self) -> None:
        """Called after a commit that queued messages, so they go out at once."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    # ------------------------------------------------------------------ passes

    async def run_once(self) -> int:
        """Send what is due now and wait until it is handled; returns how many rows were
        taken (tests and the CLI use this; the running bot uses run_forever)."""
        workers = await self._start_pass()
        handled = 0
        if workers:
            handled = sum(await asyncio.gather(*workers))
        return handled

    async def _start_pass(self) -> list[asyncio.Task[int]]:
        """Read what is due (leaving out chats being worked on) and start one worker per
        chat; returns the workers started."""
        async with self.reads() as uow:
            rows = await uow.outbox.due(self.clock.now(), self.batch, busy_chats=set(self._busy))
        by_chat: dict[int, list[QueuedMessage]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        workers = []
        for chat_id, chat_rows in by_chat.items():
            worker = asyncio.create_task(self._work(chat_rows), name=f"outbox-chat-{chat_id}")
            self._busy[chat_id] = worker
            worker.add_done_callback(functools.partial(self._finished, chat_id))
            workers.append(worker)
        return workers

    def _finished(self, chat_id: int, _task: asyncio.Task[None]) -> None:
        self._done(chat_id)

    def _done(self, chat_id: int) -> None:
        self._busy.pop(chat_id, None)
        self._wake.set()  # the chat may have more waiting

    async def _work(self, rows: list[QueuedMessage]) -> int:
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.concurrency)
        handled = 0
        for row in rows:
            if self._stopping.is_set():
                break
            kind = await self._send_one(row, self._slots)
            handled += 1
            if row.kind == "message" and kind not in ("sent", "skipped", "blocked", "failed"):
                break  # it waits for a retry: what follows in this chat waits behind it
        return handled

    async def run_forever(self) -> None:
        try:
            while not self._stopping.is_set():
                self._wake.clear()  # before reading: a commit from now on wakes us again
                try:
                    await self._start_pass()
                except Exception:
                    log.exception("Outbox relay pass failed; trying again shortly")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
        finally:
            await self._finish_workers()

    async def _finish_workers(self) -> None:
        """Let rows being sent finish (their outcome is recorded); after a grace period
        the rest are cancelled and stay pending, sent after the next start."""
        workers = list(self._busy.values())
        if not workers:
            return
        _done, late = await asyncio.wait(workers, timeout=STOP_GRACE_SECONDS)
        for worker in late:
            worker.cancel()
        await asyncio.gather(*late, return_exceptions=True)

    # ------------------------------------------------------------------ one row

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

    async def _send_one(self, row: QueuedMessage, slots: asyncio.Semaphore) -> str:
        """Send one row (holding one of the `concurrency` slots only for the Telegram
        call: a worker waiting for its outcome to be written never holds back another
        chat's message), then record the outcome."""
        async with slots:
            outcome = await self._attempt(row)
        try:
            await self._record(row, outcome)
        except Exception:
            log.exception("Outbox row %s: could not record %s", row.id, outcome[0])
        return outcome[0]

    async def _attempt(self, row: QueuedMessage) -> Outcome:
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
        except ClientDecodeError:
            outcome = ("retry", "the Bot API answered with a non-JSON page")
        except TelegramBadRequest as error:
            outcome = ("failed", error.message)
        except Exception as error:  # a bug in an action must not stop the relay
            log.exception("Outbox row %s (%s) raised", row.id, row.kind)
            outcome = ("retry", f"{type(error).__name__}: {error}")
        return outcome

    async def _record(self, row: QueuedMessage, outcome: Outcome) -> None:
        kind, detail = outcome
        if kind == "sent":
            await self._sent.mark(row.id, detail)
            return
        now = self.clock.now()
        gave_up = False
        async with self.uow() as uow:
            if kind == "skipped":
                await uow.outbox.give_up(row.id, "skipped", str(detail))
                log.info("Outbox row %s (%s) skipped: %s", row.id, row.kind, detail)
            elif kind == "blocked":
                await uow.outbox.give_up(row.id, "blocked", str(detail))
                await uow.outbox.mark_member_blocked(row.chat_id, now)
                log.info("Outbox row %s: chat %s blocked the bot", row.id, row.chat_id)
            elif kind in ("flood", "retry") and row.attempts + 1 < MAX_ATTEMPTS:
                if kind == "flood":
                    delay, error = int(detail), f"429: retry after {detail}"
                else:
                    delay, error = backoff_seconds(row.attempts + 1), str(detail)
                await uow.outbox.retry_later(
                    row.id, now + timedelta(seconds=delay), error, count=True
                )
                log.warning("Outbox row %s to chat %s: %s; retry in %s s", row.id, row.chat_id,
                            error, delay)  # fmt: skip
            else:
                await uow.outbox.give_up(row.id, "failed", str(detail))
                log.error(
                    "Outbox row %s (%s, %s) to chat %s failed for good after %s attempt(s): %s",
                    row.id, row.kind, row.text_key, row.chat_id, row.attempts + 1, detail,
                )  # fmt: skip
                gave_up = await self._alert_gave_up(uow, row, str(detail), now)
            await uow.commit()
        if kind == "blocked" and self.on_blocked is not None:
            self.on_blocked(row.chat_id)
        if gave_up:
            self.wake()

    async def _alert_gave_up(self, uow: Any, row: QueuedMessage, detail: str, now: Any) -> bool:
        """One alert an hour in the admin group (never about the admin group itself, which
        the alert could not reach either)."""
        if self.admin_chat_id is None or row.chat_id == self.admin_chat_id:
            return False
        notice = Notice(
            chat_id=self.admin_chat_id,
            text_key="outbox.gave_up",
            language=self.i18n.default,
            params={"chat_id": row.chat_id, "error": detail[:200]},
            dedupe_key=f"outbox-gave-up:{now:%Y-%m-%dT%H}",
        )
        queued: bool = await uow.outbox.enqueue(notice, now)
        return queued
