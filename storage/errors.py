"""Errors of the storage layer that services may catch without knowing the database library."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

__all__ = ["Conflict"]

Conflict = IntegrityError
"""A unique (or other integrity) constraint refused a write, at a flush or at commit:
someone else got there first. The transaction is spoiled; open a new unit of work."""
