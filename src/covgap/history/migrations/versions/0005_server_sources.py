"""The server's stored source text (issue 12): ``covgap upload --sources``.

One row per repository and git blob id, zlib-compressed, so a file's text is stored
once however many commits contain it. Declared in :mod:`covgap.server.db` (``sources``).

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


def downgrade() -> None:
    op.drop_table("server_sources")
