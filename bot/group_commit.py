"""A group commit: many workers each wait until their item is written, and the items
that arrive while one write runs go together in the next one (one transaction for many
outcomes under load, instead of one each).

Used by the outbox relay (rows marked sent) and the announcement sender (recipients'
outcomes): in both a worker may go on only once what it did is durable, so a crash
repeats at most what was in flight.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class GroupCommit(Generic[T]):
    def __init__(self, write: Callable[[list[T]], Awaitable[None]], name: str) -> None:
        self._write_batch = write
        self._name = name
        self._queue: list[tuple[T, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def add(self, item: T) -> None:
        """Returns once `item` is written (raises what the write raised)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write(), name=self._name)
        await done

    async def _write(self) -> None:
        await asyncio.sleep(0)  # items of workers finishing in this same turn join in
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                await self._write_batch([item for item, _ in batch])
            except BaseException as error:  # a worker must never wait for a lost write
                failed = error if isinstance(error, Exception) else RuntimeError("stopped")
                for _, done in batch + self._queue:
                    if not done.done():
                        done.set_exception(failed)
                if not isinstance(error, Exception):
                    raise  # cancelled (the bot stops): nothing marked, done again later
                continue
            for _, done in batch:
                if not done.done():
                    done.set_result(None)
