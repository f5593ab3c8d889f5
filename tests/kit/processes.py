"""Stopping a `python -m bot` process the way an operator would (e2e tests, benchmarks)."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable


async def stop_gently(process: asyncio.subprocess.Process, log: Callable[[], str]) -> int:
    """SIGTERM and wait; kill it and complain (with its log) if it does not stop in 30 s.
    Returns its exit code."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout=30)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise AssertionError(f"the bot did not stop on SIGTERM:\n{log()}") from None
    return int(process.returncode or 0)
