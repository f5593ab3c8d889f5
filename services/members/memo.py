"""What this process remembers about members it has seen lately, so that a known
member's update needs no query: the language they read, and the /start they sent."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

# Another process (several bot processes share one database) may record a new /language
# choice; this one then answers in the old language for at most this long.
REMEMBER_SECONDS = 600.0
REMEMBERED_MEMBERS = 100_000

V = TypeVar("V")


class RecentMembers(Generic[V]):
    """telegram_id → a value, for members known to exist, for at most `seconds`.
    Bounded: the least recently seen are forgotten first."""

    def __init__(
        self,
        monotonic: Callable[[], float],
        *,
        seconds: float = REMEMBER_SECONDS,
        size: int = REMEMBERED_MEMBERS,
    ) -> None:
        self._monotonic = monotonic
        self._seconds = seconds
        self._size = size
        self._entries: OrderedDict[int, tuple[V, float]] = OrderedDict()

    def recall(self, telegram_id: int) -> tuple[bool, V | None]:
        """(known, value); unknown when never seen or remembered too long ago."""
        entry = self._entries.get(telegram_id)
        if entry is None or self._monotonic() - entry[1] > self._seconds:
            return False, None
        self._entries.move_to_end(telegram_id)
        return True, entry[0]

    def remember(self, telegram_id: int, value: V) -> None:
        self._entries[telegram_id] = (value, self._monotonic())
        self._entries.move_to_end(telegram_id)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget(self, telegram_id: int) -> None:
        self._entries.pop(telegram_id, None)


class LanguageMemo(RecentMembers[str | None]):
    """telegram_id → the member's /language choice (None: they chose none)."""
