"""After every service test, the ledger invariants hold (issue 4): each commission's shares
sum to its total, no report has two commissions, no balance is ever negative, payouts
never exceed earnings. A test that breaks the ledger on purpose says so with
`@pytest.mark.breaks_ledger`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from services.ledger import check_ledger
from storage.database import create_engine, create_session_factory
from storage.uow import UnitOfWorkFactory


async def _check(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return (await check_ledger(UnitOfWorkFactory(create_session_factory(engine)))).breaches
    finally:
        await engine.dispose()


@pytest.fixture(autouse=True)
def ledger_invariants(request: pytest.FixtureRequest) -> Iterator[None]:
    if "db_url" not in request.fixturenames or request.node.get_closest_marker("breaks_ledger"):
        yield
        return
    # Asked for here, so the database outlives this check (teardown runs in reverse).
    url: str = request.getfixturevalue("db_url")
    yield
    breaches = asyncio.run(_check(url))
    assert not breaches, f"ledger invariants broken after the test: {breaches}"
