"""Rows read for list views as plain tuples, without ORM objects.

Loading an ORM object costs tens of microseconds (instrumented attributes, identity map,
instance state); a view of thirty cards with their members and proofs spent a third of
its time there. A `PlainRows` selects a model's table columns through Core (the column
types still convert values: dates come back aware) and hands each row back as a named
tuple with the model's attribute names, so the same `to_...` functions read it.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Column, Table

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

    def take(self, row: Sequence[Any], start: int = 0) -> Any:
        """This model's columns of `row`, which selected them from position `start`."""
        return self._make(row[start : start + len(self.columns)])
