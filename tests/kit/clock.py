from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta


class FrozenClock:
    """A clock tests move by hand: time is injected, never slept.

    `sleep` moves the clock instead of waiting (and lets other tasks run once), so code
    that waits out a 429 or a backoff does so instantly; `slept` records each wait."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 10, 3, 0, tzinfo=UTC)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.current.timestamp()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += timedelta(seconds=max(seconds, 0))
        await asyncio.sleep(0)

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current
