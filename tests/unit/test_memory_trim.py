"""Freed memory is given back once a burst of updates is over, not in the middle of it."""

from __future__ import annotations

from bot.memory_trim import IDLE_SECONDS, LONGEST_SECONDS, MemoryTrim
from tests.kit.clock import FrozenClock


def make() -> tuple[MemoryTrim, FrozenClock, list[float]]:
    clock = FrozenClock()
    trims: list[float] = []
    trim = MemoryTrim(clock.monotonic, lambda: trims.append(clock.monotonic()))
    return trim, clock, trims


async def test_nothing_is_trimmed_before_any_update() -> None:
    trim, clock, trims = make()
    clock.advance(seconds=LONGEST_SECONDS * 2)
    assert not await trim.tick()
    assert trims == []


async def test_one_trim_when_a_burst_is_over() -> None:
    trim, clock, trims = make()
    for _ in range(50):  # a burst: an update every 100 ms
        trim.seen()
        clock.advance(seconds=0.1)
        assert not await trim.tick()
    clock.advance(seconds=IDLE_SECONDS)
    assert await trim.tick()
    clock.advance(seconds=IDLE_SECONDS * 10)
    assert not await trim.tick()  # nothing new since: no second trim
    assert len(trims) == 1


async def test_under_steady_load_it_still_trims_now_and_then() -> None:
    trim, clock, trims = make()
    elapsed = 0.0
    while elapsed < LONGEST_SECONDS * 3 + 1:
        trim.seen()
        clock.advance(seconds=0.5)
        elapsed += 0.5
        await trim.tick()
    assert len(trims) == 3
