"""The most read rows, read as plain tuples through statements built once.

An ORM read of one member cost about 0.4 ms of CPU here: building the statement and its
cache key, the ORM compile step, an instrumented object in the identity map. The same
read through a statement built once, of the table's columns (Core), costs a third of
that (./scripts/bench mix and scale measure what it buys). A `PlainRows` selects a
model's table columns (the column types still convert values: dates come back aware)
and hands each row back as a named tuple with the model's attribute names, so the same
`to_...` functions read it. Repositories return domain values either way, so no caller
sees the difference; `read_plain` flushes pending ORM changes first.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Column, Executable, Result, Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from storage.models.base import Base


class PlainRows:
    def __init__(self, model: type[Base]) -> None:
        table = model.__table__
        assert isinstance(table, Table)
        self.table = table
        self.c = table.c
        self.columns: tuple[Column[Any], ...] = tuple(table.c)
        row_type = namedtuple(f"{model.__name__}Row", [c.key for c in self.columns])  # type: ignore[misc]
        self._make: Callable[[Sequence[Any]], Any] = row_type._make

    def select(self) -> Select[Any]:
        """SELECT of every column of the table (add joins and WHERE)."""
        return select(*self.columns)

    def take(self, row: Sequence[Any], start: int = 0) -> Any:
        """This model's columns of `row`, which selected them from position `start`."""
        return self._make(row[start : start + len(self.columns)])


async def read_plain(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any]
) -> Result[Any]:
    """Runs a Core statement in the unit of work's session, flushing first when the
    session holds changes: an ORM query here returned objects as changed in memory (and
    never autoflushes: the session factory turns that off), so a plain read sees the
    same once they are written; a membership added a moment ago is in what is read."""
    if session.new or session.dirty or session.deleted:
        await session.flush()
    return await session.execute(statement, params)
