"""The server's tables (issue 12): repositories, hashed tokens, the upload queue,
each commit's metadata and totals (its merged coverage is the history store's run),
and per-token rate counters.

They live in the history store's database and migration chain, so one ``--store`` URL
holds both and one migration brings both up to date. Declared in
:mod:`covgap.server.db`; a test compares the migrated schema with that declaration.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _counts() -> list[sa.Column[int]]:
    return [
        sa.Column(name, sa.BigInteger, nullable=False)
        for name in (
            "lines_total",
            "lines_covered",
            "branches_total",
            "branches_covered",
            "functions_total",
            "functions_covered",
        )
    ]


def upgrade() -> None:
    op.create_table(
        "server_repositories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("notify_url", sa.Text, nullable=True),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "server_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("repo_id", sa.Integer, sa.ForeignKey("server_repositories.id"), nullable=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_table(
        "server_uploads",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("repo_id", sa.Integer, sa.ForeignKey("server_repositories.id"), nullable=False),
        sa.Column("commit_sha", sa.String(64), nullable=False),
        sa.Column("branch", sa.String(255), nullable=True),
        sa.Column("pr", sa.Integer, nullable=True),
        sa.Column("base_sha", sa.String(64), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("lease_until", sa.Float, nullable=True),
        sa.Column("worker", sa.String(100), nullable=True),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("processed_at", sa.Float, nullable=True),
        sa.Column("body", sa.LargeBinary, nullable=True),
        sa.Column("body_size", sa.BigInteger, nullable=False),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("result", sa.Text, nullable=True),
    )
    op.create_index("ix_server_uploads_queue", "server_uploads", ["state", "received_at"])
    op.create_index("ix_server_uploads_commit", "server_uploads", ["repo_id", "commit_sha"])
    op.create_table(
        "server_commits",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("repo_id", sa.Integer, sa.ForeignKey("server_repositories.id"), nullable=False),
        sa.Column("sha", sa.String(64), nullable=False),
        sa.Column("branch", sa.String(255), nullable=True),
        sa.Column("pr", sa.Integer, nullable=True),
        sa.Column("base_sha", sa.String(64), nullable=True),
        sa.Column("diff", sa.LargeBinary, nullable=True),
        sa.Column(
            "run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="SET NULL"), nullable=True
        ),
        sa.Column("uploads", sa.Integer, nullable=False),
        *_counts(),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("repo_id", "sha", name="uq_server_commits_repo_sha"),
    )
    op.create_index(
        "ix_server_commits_branch", "server_commits", ["repo_id", "branch", "updated_at"]
    )
    op.create_table(
        "server_rate",
        sa.Column("token_id", sa.Integer, primary_key=True),
        sa.Column("window", sa.BigInteger, primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("server_rate")
    op.drop_index("ix_server_commits_branch", table_name="server_commits")
    op.drop_table("server_commits")
    op.drop_index("ix_server_uploads_commit", table_name="server_uploads")
    op.drop_index("ix_server_uploads_queue", table_name="server_uploads")
    op.drop_table("server_uploads")
    op.drop_table("server_tokens")
    op.drop_table("server_repositories")
