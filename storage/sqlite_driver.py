"""SQLAlchemy's aiosqlite adapter with one thread hop per statement instead of four.

aiosqlite runs every sqlite3 call in its own thread; SQLAlchemy's adapter makes four of
them for each statement (open a cursor, execute, fetch the rows, close), and each hop
hands the GIL to the database thread and back (bench: about a quarter of a millisecond
per hop on two busy cores, some forty hops for one /me). Here the cursor is opened,
executed, read and closed in one function run in that same thread: the same sqlite3
calls, in the same order, on the same connection, so transactions, locks and errors are
exactly those of the stock adapter. Only the non-streaming cursor changes; server-side
(streaming) cursors are SQLAlchemy's own.

It queues the function through `aiosqlite.Connection._execute`, the method aiosqlite's
own public calls use (pyproject pins aiosqlite to the 0.22 series for it; the whole test
suite runs through this adapter).
"""

from __future__ import annotations

import sqlite3
from collections import deque
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util.concurrency import await_only

_Outcome = tuple[Any, list[Any], int | None, int]  # description, rows, lastrowid, rowcount


def _run(connection: sqlite3.Connection, operation: str, parameters: Any, many: bool) -> _Outcome:
    """In the database thread: the whole life of one cursor."""
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1
        return None, [], cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def _one_hop(self, operation: str, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        try:
            description, rows, lastrowid, rowcount = self.await_(
                connection._execute(  # type: ignore[no-untyped-call]
                    _run, connection._conn, operation, parameters, many
                )
            )
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description = description
        self._rows = deque(rows)
        self.lastrowid = lastrowid
        self.rowcount = rowcount

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._one_hop(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._one_hop(operation, seq_of_parameters, True)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            return super().cursor(server_side=True)
        return OneHopCursor(self)


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's own adapter does
        return OneHopConnection(self, await_only(connection))


def one_hop_dbapi() -> OneHopDbapi:
    """The `module=` to give create_async_engine for a sqlite+aiosqlite URL."""
    return OneHopDbapi(aiosqlite, sqlite3)
