"""Alembic's entry point: migrate the connection covgap hands over, in its transaction.

covgap runs migrations itself (``covgap.history.migrate``), never the ``alembic``
command, so there is no ``alembic.ini``: the connection arrives in
``config.attributes["connection"]`` already inside the transaction that also holds the
store's migration lock.
"""

from __future__ import annotations

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, render_as_batch=True, transaction_per_migration=False)
with context.begin_transaction():
    context.run_migrations()
