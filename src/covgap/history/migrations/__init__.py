"""Alembic migrations of the history store, run by :func:`covgap.history.open_store`."""
