from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FrozenClock:
    """A clock tests move by hand: time is injected, never slept."""

    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 10, 3, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> datetime:
        self.current += timedelta(**delta)
        return self.current
