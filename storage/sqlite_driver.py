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

The connection also knows whether sqlite has a transaction open (each statement reports
`in_transaction` from the database thread), so a rollback with none open costs no hop:
sqlite3's rollback is a no-op then. That is the pool's reset of every connection handed
back after its session already committed or rolled back, one hop of each transaction.
After an error the state is unknown and the next rollback makes its hop. And the BEGIN
the engine sends when a transaction starts (IMMEDIATE for the writer, DEFERRED for the
reader) travels with the transaction's first statement, in the same function, so it
takes the write lock at the same point of the same order of sqlite calls, one hop
sooner; a transaction that runs no statement never begins in sqlite at all. A BEGIN
that fails (the write lock not granted within the busy timeout) is therefore reported by
the transaction's first statement, with the same OperationalError.
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

# description, rows, lastrowid, rowcount, whether a transaction is open after it
_Outcome = tuple[Any, list[Any], int | None, int, bool]


_BEGINS = frozenset({"BEGIN", "BEGIN IMMEDIATE", "BEGIN DEFERRED"})


def _run(
    connection: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool
) -> _Outcome:
    """In the database thread: the whole life of one cursor, after the transaction's
    BEGIN when this is its first statement."""
    cursor = connection.cursor()
    try:
        if begin is not None:
            cursor.execute(begin)
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        if cursor.description:
            return cursor.description, cursor.fetchall(), -1, -1, connection.in_transaction
        return None, [], cursor.lastrowid, cursor.rowcount, connection.in_transaction
    finally:
        cursor.close()


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def _one_hop(self, operation: str, parameters: Any, many: bool) -> None:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        adapted: OneHopConnection = self._adapt_connection  # type: ignore[assignment]
        if not many and not parameters and operation in _BEGINS and adapted.begin is None:
            # Sent with the transaction's first statement, in the same trip.
            adapted.begin = operation
            self.description, self._rows, self.lastrowid, self.rowcount = None, deque(), -1, -1
            return
        begin, adapted.begin = adapted.begin, None
        try:
            description, rows, lastrowid, rowcount, adapted.in_transaction = self.await_(
                connection._execute(  # type: ignore[no-untyped-call]
                    _run, connection._conn, begin, operation, parameters, many
                )
            )
        except Exception as error:
            adapted.in_transaction = True  # unknown: the next rollback goes to sqlite
            adapted._handle_exception(error)
        self.description = description
        self._rows = deque(rows)
        self.lastrowid = lastrowid
        self.rowcount = rowcount

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._one_hop(operation, parameters, False)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> Any:
        self._one_hop(operation, seq_of_parameters, True)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ("begin", "in_transaction")

    def __init__(self, dbapi: Any, connection: Any) -> None:
        super().__init__(dbapi, connection)
        self.in_transaction = True  # not known yet
        self.begin: str | None = None  # a BEGIN waiting for the first statement

    def _send_begin(self) -> None:
        if self.begin is not None:
            OneHopCursor(self).execute("SELECT 1")  # carries the BEGIN

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        if server_side:
            self._send_begin()
            self.in_transaction = True  # its statements are not seen here
            return super().cursor(server_side=True)
        return OneHopCursor(self)

    def execute(self, *args: Any, **kw: Any) -> Any:
        self._send_begin()
        self.in_transaction = True
        return super().execute(*args, **kw)

    def rollback(self) -> None:
        # A transaction that never ran a statement was never begun in sqlite.
        self.begin = None
        if self.in_transaction:
            super().rollback()
            self.in_transaction = False

    def commit(self) -> None:
        if self.begin is not None and not self.in_transaction:
            self.begin = None  # begun and committed without a statement: nothing to do
            return
        self.begin = None
        super().commit()
        self.in_transaction = False


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        connection = self.aiosqlite.connect(*arg, **kw)
        connection._thread.daemon = True  # as SQLAlchemy's own adapter does
        return OneHopConnection(self, await_only(connection))


def one_hop_dbapi() -> OneHopDbapi:
    """The `module=` to give create_async_engine for a sqlite+aiosqlite URL."""
    return OneHopDbapi(aiosqlite, sqlite3)
