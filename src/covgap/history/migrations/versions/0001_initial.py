"""The first schema: runs, every upload as recorded, per-suite and per-component totals.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_COUNTS = (
    "lines_total",
    "lines_covered",
    "branches_total",
    "branches_covered",
    "functions_total",
    "functions_covered",
)


def _counts() -> list[sa.Column[int]]:
    return [sa.Column(n, sa.BigInteger, nullable=False) for n in _COUNTS]


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("repository", sa.String(255), nullable=False),
        sa.Column("run_key", sa.String(255), nullable=False),
        sa.Column("commit_sha", sa.String(64), nullable=False),
        sa.Column("branch", sa.String(255), nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("suites", sa.Text, nullable=False),
        sa.Column("carried", sa.Text, nullable=False),
        sa.Column("uploads", sa.Integer, nullable=False),
        sa.Column("detail", sa.LargeBinary, nullable=True),
        sa.Column("carried_detail", sa.LargeBinary, nullable=True),
        *_counts(),
        sa.UniqueConstraint("repository", "run_key", name="uq_runs_repository_run_key"),
    )
    op.create_index("ix_runs_repository_commit", "runs", ["repository", "commit_sha"])
    op.create_table(
        "uploads",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("suites", sa.Text, nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("detail", sa.LargeBinary, nullable=False),
        *_counts(),
    )
    op.create_index("ix_uploads_run_id", "uploads", ["run_id"])
    op.create_table(
        "run_totals",
        sa.Column(
            "run_id",
            sa.Integer,
            sa.ForeignKey("runs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("carried", sa.Boolean, nullable=False),
        *_counts(),
    )


def downgrade() -> None:
    op.drop_table("run_totals")
    op.drop_table("uploads")
    op.drop_table("runs")
