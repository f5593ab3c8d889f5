"""How many units of work (transactions) a service call or an update opens: the real
factory, counting each `uow()`."""

from __future__ import annotations

from typing import Any

from storage.uow import UnitOfWork, UnitOfWorkFactory


class CountingUow(UnitOfWorkFactory):
    """A unit-of-work factory like `inner` (same sessions, same outbox wake-up) that
    counts the units of work opened through it."""

    def __init__(self, inner: UnitOfWorkFactory) -> None:
        super().__init__(inner.session_factory, inner.on_outbox_commit)
        self.opened = 0

    def __call__(self) -> UnitOfWork:
        self.opened += 1
        return super().__call__()


def counting(*services: Any) -> CountingUow:
    """Count what these services open from now on (they share one counter)."""
    counter = CountingUow(services[0].uow)
    for service in services:
        service.uow = counter
    return counter


def counting_handlers(container: Any) -> CountingUow:
    """Count what every service the handlers call opens from now on: each service of the
    container on its unit-of-work factory, except `members`, which the language
    middleware asks before any handler runs (not a part of the handler's action)."""
    services = [
        value
        for name, value in vars(container).items()
        if name != "members" and getattr(value, "uow", None) is container.uow
    ]
    return counting(*services)
