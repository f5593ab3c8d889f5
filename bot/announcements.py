"""The announcement sender: delivers announcements to their recipients, beside the
outbox relay.

One announcement at a time, oldest first. Its recipients become rows when sending
starts (services/announcements/delivery.py); the sender claims a batch of them with a
lease, copies the post to each (`copyMessage`, or `copyMessages` for an album; link
buttons passed again because copying drops them), a few at once so the latency of one
call does not cut the rate, paced by its own bucket at `ANNOUNCE_RATE` a second (below
Telegram's 30, so replies to members keep flowing; every call still passes the sending
layer, bot/sending.py).

Each outcome is written **before the recipient counts as done**, in a group commit:
workers that just got an answer hand it to one writer, which records all of them in one
transaction; a worker takes its next recipient only after its outcome is written. So
after a crash at most `concurrency` recipients (the calls in flight) are sent again;
claimed rows of a sender that died return to pending when their lease runs out, and a
clean stop releases them at once.

- 429: every send of the announcement waits `retry_after` (the sending layer hands it
  straight here) and the same recipient is tried again (never failed, never lost).
- 403: the member blocked the bot: counted as blocked, marked on the member (later
  announcements and messages skip them).
- 400 and other 4xx: failed. "message to copy not found" (the post was deleted from
  the admin group) pauses the announcement instead of failing everyone.
- 5xx and network errors (after the sending layer's own retries): every send waits,
  with backoff up to five minutes, and the same recipient is tried again: an outage
  delays the announcement, it never fails members.

Pause and cancel are status changes made by admins (compare-and-set); the service tells
the sender (`poke`), which stops taking recipients, releases the ones claimed and not
tried, and shows the new state. The progress message in the admin group is edited at
most every `ANNOUNCE_PROGRESS_SECONDS`, and once at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiolimiter import AsyncLimiter

from bot.group_commit import GroupCommit
from bot.sending import FLOODS_TO_CALLER
from handlers.admin.announcements.views import copy_post, progress_markup, progress_text
from kernel.clock import Clock
from kernel.i18n import Translator
from services.announcements import (
    AnnouncementRecord,
    AnnouncementService,
    AnnouncementStatus,
    ClaimedRecipient,
)

log = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 10.0
MAX_OUTAGE_WAIT = 300.0  # between tries while Telegram answers 5xx or cannot be reached
SOURCE_GONE = ("message to copy not found", "no messages to copy", "message_id_invalid")

# (kind, detail): sent, failed, blocked; None: not tried (a pause or a stop came first).
Outcome = tuple[str, str] | None


@dataclass(frozen=True)
class _Pending:
    announcement_id: int
    recipient: ClaimedRecipient
    outcome: tuple[str, str]


class Outcomes:
    """The group commit of outcomes: `record` returns once the outcome is written; those
    arriving while a write runs go together in the next one."""

    def __init__(self, service: AnnouncementService) -> None:
        self.service = service
        self._outcomes: GroupCommit[_Pending] = GroupCommit(self._write, "announcement-outcomes")

    async def record(
        self, announcement_id: int, recipient: ClaimedRecipient, outcome: tuple[str, str]
    ) -> None:
        await self._outcomes.add(_Pending(announcement_id, recipient, outcome))

    async def _write(self, batch: list[_Pending]) -> None:
        by_announcement: dict[int, list[_Pending]] = {}
        for item in batch:
            by_announcement.setdefault(item.announcement_id, []).append(item)
        for announcement_id, items in by_announcement.items():
            await self.service.record(
                announcement_id,
                [i.recipient.id for i in items if i.outcome[0] == "sent"],
                [(i.recipient.id, i.outcome[1]) for i in items if i.outcome[0] == "failed"],
                [
                    (i.recipient.id, i.recipient.chat_id, i.outcome[1])
                    for i in items
                    if i.outcome[0] == "blocked"
                ],
            )


@dataclass
class _Run:
    """One announcement being sent: the recipients claimed and not tried yet."""

    record: AnnouncementRecord
    queue: deque[ClaimedRecipient] = field(default_factory=deque)
    refilling: asyncio.Lock = field(default_factory=asyncio.Lock)
    exhausted: bool = False  # nothing left to claim
    tried: int = 0
    broken: list[BaseException] = field(default_factory=list)


class AnnouncementSender:
    def __init__(
        self,
        bot: Bot,
        service: AnnouncementService,
        i18n: Translator,
        clock: Clock,
        *,
        admin_chat_id: int,
        zone: ZoneInfo,
        rate: float = 20.0,
        progress_seconds: float = 5.0,
        batch: int = 50,
        concurrency: int = 4,
        poll_seconds: float = 3.0,
    ) -> None:
        self.bot = bot
        self.service = service
        self.i18n = i18n
        self.clock = clock
        self.admin_chat_id = admin_chat_id
        self.zone = zone
        self.rate = rate
        self.progress_seconds = progress_seconds
        self.batch = batch
        self.concurrency = concurrency
        self.poll_seconds = poll_seconds
        # A batch takes batch/rate seconds; the lease covers it twice over, plus slack.
        self.lease = timedelta(seconds=2 * batch / rate + 15)
        self.language = i18n.default
        self._limiter: AsyncLimiter | None = None
        self._outcomes = Outcomes(service)
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._current: int | None = None
        self._interrupted = False
        self._paused_until = 0.0  # clock.monotonic() until which a 429 holds everything
        self._last_progress: dict[int, float] = {}

    # ------------------------------------------------------------------ control

    def poke(self, announcement_id: int) -> None:
        """An announcement started, resumed, paused or was cancelled (after commit)."""
        if announcement_id == self._current:
            self._interrupted = True  # look at its status again before the next recipient
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def _bucket(self) -> AsyncLimiter:
        if self._limiter is None:  # made in the running loop
            burst = max(1.0, float(int(self.rate // 10)))
            self._limiter = AsyncLimiter(burst, burst / self.rate)
        return self._limiter

    # ------------------------------------------------------------------ passes

    async def run_forever(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()  # before reading: a poke from now on wakes us again
            try:
                await self.run_once()
            except Exception:
                log.exception("Announcement pass failed; trying again shortly")
            if self._stopping.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)

    async def shutdown(self, running: asyncio.Task[None]) -> None:
        """Stop: recipients being sent finish (their outcome is written) and the claimed
        rest is released; after a grace period the loop is cancelled, and what it held
        returns to pending when its lease runs out."""
        self.stop()
        _done, late = await asyncio.wait({running}, timeout=STOP_GRACE_SECONDS)
        for task in late:
            task.cancel()
        await asyncio.gather(running, return_exceptions=True)

    async def run_once(self) -> int:
        """Start what is due and deliver every announcement that is sending; returns how
        many recipients were tried (tests use this; the bot uses run_forever)."""
        await self.service.start_due()
        tried = 0
        for announcement_id in await self.service.sending():
            if self._stopping.is_set():
                break
            tried += await self.deliver(announcement_id)
        return tried

    async def deliver(self, announcement_id: int) -> int:
        """Send one announcement until it is done, paused, cancelled or the bot stops;
        returns how many recipients were tried."""
        record = await self.service.prepare(announcement_id)
        if record is None or record.status is not AnnouncementStatus.SENDING:
            return 0
        self._current = announcement_id
        tried = 0
        try:
            await self._ensure_progress_message(record)
            await self.service.release_expired(announcement_id)
            while True:
                self._interrupted = False
                run = _Run(record)
                workers = min(self.concurrency, max(record.remaining, 1))
                await asyncio.gather(*(self._work(run) for _ in range(workers)))
                tried += run.tried
                if run.queue and not run.broken:
                    await self.service.release(announcement_id, [r.id for r in run.queue])
                if self._stopping.is_set() or run.broken:
                    break
                if self._interrupted:  # paused or cancelled, or a poke that changed nothing
                    record = await self.service.announcement(announcement_id)
                    if record.status is AnnouncementStatus.SENDING:
                        continue
                    break
                if run.exhausted and await self.service.finish(announcement_id):
                    log.info("Announcement %s sent", announcement_id)
                break
        finally:
            self._current = None
        if not self._stopping.is_set():
            await self._show_progress(announcement_id, final=True)
        return tried

    def _halted(self, run: _Run) -> bool:
        return self._stopping.is_set() or self._interrupted or bool(run.broken)

    async def _work(self, run: _Run) -> None:
        """One of `concurrency` workers: take the next claimed recipient, copy, wait for
        the outcome to be written, again. The queue is topped up before it runs dry, so
        workers never wait for each other at a batch's end."""
        while not self._halted(run):
            if len(run.queue) <= 2 * self.concurrency and not run.exhausted:
                if run.queue and run.refilling.locked():
                    pass  # another worker is claiming; carry on with what is queued
                elif not await self._refill(run):
                    return
            if not run.queue:
                return
            recipient = run.queue.popleft()
            outcome = await self._attempt(run.record, recipient)
            if outcome is None:
                run.queue.appendleft(recipient)
                return
            run.tried += 1
            try:
                await self._outcomes.record(run.record.id, recipient, outcome)
            except Exception as error:
                log.exception("Announcement %s: outcomes not written", run.record.id)
                run.broken.append(error)
                return
            await self._show_progress(run.record.id)

    async def _refill(self, run: _Run) -> bool:
        """Claim the next batch (checking first that the announcement is still sending:
        a pause or cancel made here or elsewhere); False when there is nothing to do."""
        async with run.refilling:
            if len(run.queue) > 2 * self.concurrency or run.exhausted:
                return bool(run.queue)
            fresh = await self.service.announcement(run.record.id)
            if fresh.status is not AnnouncementStatus.SENDING:
                self._interrupted = True
                return False
            holding = [r.id for r in run.queue]
            batch = await self.service.claim(run.record.id, self.batch, self.lease, holding)
            if not batch:
                run.exhausted = True
            run.queue.extend(batch)
            return bool(run.queue)

    # ------------------------------------------------------------------ one recipient

    async def _attempt(self, record: AnnouncementRecord, recipient: ClaimedRecipient) -> Outcome:
        outages = 0
        while True:
            if self._stopping.is_set() or self._interrupted:
                return None
            wait = self._paused_until - self.clock.monotonic()
            if wait > 0:
                await self.clock.sleep(wait)
                continue
            await self._bucket().acquire()
            floods = FLOODS_TO_CALLER.set(True)
            try:
                await copy_post(
                    self.bot, recipient.chat_id, record.source_chat_id,
                    record.source_message_ids, record.is_album, record.buttons,
                )  # fmt: skip
                return ("sent", "")
            except TelegramRetryAfter as error:
                log.warning("Announcement %s: 429, waiting %s s", record.id, error.retry_after)
                self._pause_all(float(error.retry_after))
            except TelegramForbiddenError as error:
                return ("blocked", error.message)
            except (TelegramNetworkError, TelegramServerError, ClientDecodeError) as error:
                # Telegram (or the way to it) is down: everyone waits and this member is
                # tried again; an outage never turns members into failures.
                outages += 1
                delay = min(2.0**outages, MAX_OUTAGE_WAIT)
                log.warning("Announcement %s: %s; all sends wait %.0f s", record.id,
                            type(error).__name__, delay)  # fmt: skip
                self._pause_all(delay)
            except TelegramBadRequest as error:
                if any(sign in error.message.lower() for sign in SOURCE_GONE):
                    await self._source_gone(record)
                    return None
                return ("failed", error.message)
            finally:
                FLOODS_TO_CALLER.reset(floods)

    def _pause_all(self, seconds: float) -> None:
        until = self.clock.monotonic() + seconds
        self._paused_until = max(self._paused_until, until)

    async def _source_gone(self, record: AnnouncementRecord) -> None:
        log.error("Announcement %s: its post was deleted; pausing it", record.id)
        self._interrupted = True
        await self.service.pause_missing_post(record.id)

    # ------------------------------------------------------------------ progress

    async def _ensure_progress_message(self, record: AnnouncementRecord) -> None:
        if record.status_message_id is not None:
            return
        try:
            sent = await self.bot.send_message(
                self.admin_chat_id,
                progress_text(record, self.i18n, self.language, self.zone, self.rate),
                reply_markup=progress_markup(record, self.i18n, self.language),
            )
        except Exception:
            log.exception("Announcement %s: progress message not sent", record.id)
            return
        await self.service.set_status_message(record.id, self.admin_chat_id, sent.message_id)
        self._last_progress[record.id] = self.clock.monotonic()

    async def _show_progress(self, announcement_id: int, *, final: bool = False) -> None:
        now = self.clock.monotonic()
        last = self._last_progress.get(announcement_id)
        if not final and last is not None and now - last < self.progress_seconds:
            return
        self._last_progress[announcement_id] = now
        record = await self.service.announcement(announcement_id)
        if record.status_chat_id is None or record.status_message_id is None:
            return
        try:
            await self.bot.edit_message_text(
                text=progress_text(record, self.i18n, self.language, self.zone, self.rate),
                chat_id=record.status_chat_id,
                message_id=record.status_message_id,
                reply_markup=progress_markup(record, self.i18n, self.language),
            )
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.warning("Announcement %s: progress not shown: %s", record.id, error.message)
        except Exception:
            log.exception("Announcement %s: progress not shown", record.id)
        if final:
            self._last_progress.pop(announcement_id, None)
