"""The server's stored source text (issue 12): ``covgap upload --sources``.

One row per repository and git blob id, zlib-compressed, so a file's text is stored
once however many commits contain it, and a per-repository counter bumped whenever
text is stored (the commit reports' cache key: one primary-key read per page view
instead of counting the rows). Declared in :mod:`covgap.server.db`.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "server_sources",
        sa.Column(
            "repo_id",
            sa.Integer,
            sa.ForeignKey("server_repositories.id"),
            primary_key=True,
        ),
        sa.Column("blob", sa.String(40), primary_key=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.add_column(  # a plain ALTER TABLE ... ADD COLUMN, also on SQLite
        "server_repositories",
        sa.Column("sources_version", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    with op.batch_alter_table("server_repositories") as batch:
        batch.drop_column("sources_version")
    op.drop_table("server_sources")
