"""One asyncio lock per person, for updates of one person handled concurrently."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class MemberLocks:
    """One asyncio lock per member, held while one of their updates is handled.

    Eight photos sent at once (an album, an impatient tap) arrive as eight updates
    handled concurrently; holding the member's lock, they are handled in turn. An entry
    lives only while someone holds or waits for it, so the dict never grows past the
    members being served at this moment. Per process: with several processes the
    database still decides (a compare-and-set on the row's status).
    """

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    def __len__(self) -> int:
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, member: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(member, (None, 0))
        if lock is None:
            lock = asyncio.Lock()
        self._locks[member] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[member]
            if users <= 1:
                del self._locks[member]
            else:
                self._locks[member] = (lock, users - 1)
