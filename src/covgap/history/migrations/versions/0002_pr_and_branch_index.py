"""Runs remember their pull/merge request, and the trend query gets its index.

The first schema answered "runs of branch B since T" by scanning a repository's runs;
this index makes it a range read (the trend over 1,000 runs stays well under a second).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("pr", sa.String(64), nullable=True))
    op.create_index(
        "ix_runs_repository_branch_created", "runs", ["repository", "branch", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_runs_repository_branch_created", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("pr")
