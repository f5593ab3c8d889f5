"""The language choices of members this process has seen, so that a known member's update
needs no query for the language it is answered in."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

# Another process (several bot processes share one database) may record a new /language
# choice; this one then answers in the old language for at most this long.
REMEMBER_SECONDS = 600.0
REMEMBERED_MEMBERS = 100_000


class LanguageMemo:
    """telegram_id → the member's /language choice (None: they chose none), for members
    known to exist. Bounded: the least recently seen are forgotten first."""

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
        self._entries: OrderedDict[int, tuple[str | None, float]] = OrderedDict()

    def recall(self, telegram_id: int) -> tuple[bool, str | None]:
        """(known, chosen language); unknown when never seen or remembered too long ago."""
        entry = self._entries.get(telegram_id)
        if entry is None or self._monotonic() - entry[1] > self._seconds:
            return False, None
        self._entries.move_to_end(telegram_id)
        return True, entry[0]

    def remember(self, telegram_id: int, chosen: str | None) -> None:
        self._entries[telegram_id] = (chosen, self._monotonic())
        self._entries.move_to_end(telegram_id)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
