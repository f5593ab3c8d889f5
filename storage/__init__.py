"""Persistence: SQLAlchemy models (storage/models/), engine and session setup, the unit of
work (uow.py) and one repository per aggregate (storage/repos/). Nothing above this layer
writes SQL."""
