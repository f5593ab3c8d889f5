"""Alembic migrations: the schema of every database, test ones included."""
