"""The store's tables, declared once with SQLAlchemy Core (the same on SQLite and PostgreSQL).

The migrations under ``migrations/versions`` create exactly these; a test compares the
migrated schema with this declaration so the two cannot drift apart.

* ``runs``: one row per run (``repository`` + ``run_key`` unique). A run is the
  shards of one CI build merged; its totals include carried-forward suites, and
  ``detail`` holds the merged per-line detail once it has more than one upload
  (with a single upload the upload's own detail is the run's).
* ``uploads``: every ``covgap record`` exactly as recorded (never rewritten).
* ``run_totals``: a run's totals per suite and per component, for the trend.

``runs.tests`` is the number of tests the repository defined (``record --tests``), or
NULL when not counted.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from covgap.model import COUNT_KEYS

metadata = MetaData()

SCHEMA_REVISION = "0005"  # 0005: the server's stored source text (issue 12)
"""The newest migration's revision: what this covgap writes (a test checks it is the head)."""

COUNT_COLUMNS = COUNT_KEYS


def _counts() -> list[Column[int]]:
    return [Column(name, BigInteger, nullable=False, default=0) for name in COUNT_COLUMNS]


runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repository", String(255), nullable=False),
    Column("run_key", String(255), nullable=False),
    Column("commit_sha", String(64), nullable=False),
    Column("branch", String(255), nullable=True),
    Column("pr", String(64), nullable=True),
    Column("tests", Integer, nullable=True),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("suites", Text, nullable=False),
    Column("carried", Text, nullable=False),
    Column("uploads", Integer, nullable=False),
    Column("detail", LargeBinary, nullable=True),
    Column("carried_detail", LargeBinary, nullable=True),
    *_counts(),
    UniqueConstraint("repository", "run_key", name="uq_runs_repository_run_key"),
    Index("ix_runs_repository_commit", "repository", "commit_sha"),
    Index("ix_runs_repository_branch_created", "repository", "branch", "created_at"),
)

uploads = Table(
    "uploads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("created_at", Float, nullable=False),
    Column("suites", Text, nullable=False),
    Column("inputs", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("detail", LargeBinary, nullable=False),
    *_counts(),
)

run_totals = Table(
    "run_totals",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("name", String(255), primary_key=True),
    Column("carried", Boolean, nullable=False, default=False),
    *_counts(),
)

__all__ = ["COUNT_COLUMNS", "SCHEMA_REVISION", "metadata", "run_totals", "runs", "uploads"]
