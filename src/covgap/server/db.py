"""The server's tables and how a store URL becomes a SQLAlchemy engine.

The server keeps everything in the database and nothing in a process, so any number
of ``covgap serve`` / ``covgap server worker`` processes can share one PostgreSQL:

* ``server_repositories`` — one row per repository (name, public or not, where to
  POST a notification when a commit's result is ready, and a counter bumped whenever
  source text is stored for it, part of the report cache's key);
* ``server_tokens`` — upload, read and admin tokens, **stored hashed** (SHA-256 of a
  256-bit random token: a hash of that much entropy needs no salt or slow KDF); only
  the first characters (``prefix``) are kept in clear to name a token in logs;
* ``server_uploads`` — one accepted upload: its raw, still gzip-compressed body and
  its place in the job queue (``state``, ``lease_until``, ``attempts``). Storing the
  body and the queued job in one row means one INSERT accepts an upload: nothing can
  be queued without its data or stored without being queued;
* ``server_commits`` — one row per commit with processed uploads: branch, PR, base,
  the diff against the base, how many uploads were counted, the totals, and
  ``run_id``, the history store's run (``runs``) that holds the commit's merged
  per-line coverage. The workers record every upload into that run (run key
  ``server:<sha>``), so the per-line detail is stored once, in the history store's
  compact encoding, and ``covgap trend``/``flaky`` see server uploads too;
* ``server_rate`` — request counts per token and minute, so a rate limit holds
  across processes and machines;
* ``server_sources`` — source text sent with ``covgap upload --sources``, one row per
  repository and git blob id (content-addressed: a file unchanged over a thousand
  commits is stored once), zlib-compressed; the report's file pages show it
  (:mod:`covgap.server.sources`, migration ``0005``).

SQLite works for a one-machine trial: every write transaction (:func:`write`) there
starts with ``BEGIN IMMEDIATE`` (SQLite has no row locks, so a writer takes the
database lock up front instead of failing to upgrade a read lock later), with a long
busy timeout; reads run beside it in WAL mode.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
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
    create_engine,
)

from covgap.history.schema import COUNT_COLUMNS
from covgap.history.store import sqlite_transactions, write_transaction
from covgap.history.url import mask, parse

metadata = MetaData()

repositories = Table(
    "server_repositories",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("public", Boolean, nullable=False, default=True),
    Column("notify_url", Text, nullable=True),
    Column("created_at", Float, nullable=False),
    # bumped whenever source text is stored for the repository (migration 0005)
    Column("sources_version", Integer, nullable=False, default=0, server_default="0"),
)

tokens = Table(
    "server_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo_id", Integer, ForeignKey("server_repositories.id"), nullable=True),
    Column("kind", String(10), nullable=False),  # upload | read | admin
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(12), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

uploads = Table(
    "server_uploads",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("repo_id", Integer, ForeignKey("server_repositories.id"), nullable=False),
    Column("commit_sha", String(64), nullable=False),
    Column("branch", String(255), nullable=True),
    Column("pr", Integer, nullable=True),
    Column("base_sha", String(64), nullable=True),
    Column("state", String(12), nullable=False),  # queued | processing | done | failed
    Column("attempts", Integer, nullable=False, default=0),
    Column("lease_until", Float, nullable=True),
    Column("worker", String(100), nullable=True),
    Column("received_at", Float, nullable=False),
    Column("processed_at", Float, nullable=True),
    Column("body", LargeBinary, nullable=True),
    Column("body_size", BigInteger, nullable=False),
    Column("error", Text, nullable=True),
    Column("result", Text, nullable=True),
    Index("ix_server_uploads_queue", "state", "received_at"),
    Index("ix_server_uploads_commit", "repo_id", "commit_sha"),
)

commits = Table(
    "server_commits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("repo_id", Integer, ForeignKey("server_repositories.id"), nullable=False),
    Column("sha", String(64), nullable=False),
    Column("branch", String(255), nullable=True),
    Column("pr", Integer, nullable=True),
    Column("base_sha", String(64), nullable=True),
    Column("diff", LargeBinary, nullable=True),
    Column("run_id", Integer, nullable=True),  # runs.id (a foreign key in the migration)
    Column("uploads", Integer, nullable=False, default=0),
    Column("lines_total", BigInteger, nullable=False, default=0),
    Column("lines_covered", BigInteger, nullable=False, default=0),
    Column("branches_total", BigInteger, nullable=False, default=0),
    Column("branches_covered", BigInteger, nullable=False, default=0),
    Column("functions_total", BigInteger, nullable=False, default=0),
    Column("functions_covered", BigInteger, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("repo_id", "sha", name="uq_server_commits_repo_sha"),
    Index("ix_server_commits_branch", "repo_id", "branch", "updated_at"),
)

rate = Table(
    "server_rate",
    metadata,
    Column("token_id", Integer, primary_key=True),
    Column("window", BigInteger, primary_key=True),
    Column("count", Integer, nullable=False),
)

sources = Table(
    "server_sources",
    metadata,
    Column("repo_id", Integer, ForeignKey("server_repositories.id"), primary_key=True),
    Column("blob", String(40), primary_key=True),
    Column("size", BigInteger, nullable=False),  # uncompressed bytes
    Column("data", LargeBinary, nullable=False),  # zlib-compressed UTF-8 text
    Column("created_at", Float, nullable=False),
)

TOTAL_KEYS = COUNT_COLUMNS
"""The six counts of a commit, in the order the API returns them."""


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def write(engine: Engine) -> AbstractContextManager[Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` on SQLite, an ordinary one elsewhere.

    Reads (``engine.connect()``) start deferred transactions, which in WAL mode never
    wait for a writer; only writers queue for SQLite's lock.
    """
    return write_transaction(engine)


def open_engine(url: str, *, pool_size: int = 5) -> Engine:
    """A pooled engine for a store URL (``sqlite:///path`` or ``postgresql://...``).

    The URL is read exactly as the history store reads it
    (:func:`covgap.history.url.parse`: psycopg 3 for PostgreSQL, errors naming the
    store with its password masked). Unlike the history commands, a server keeps a
    connection pool: it answers many short requests.
    """
    parsed = parse(url)
    if parsed.get_backend_name() == "postgresql":
        return create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=10,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 10},
        )
    engine = create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
    sqlite_transactions(engine, "busy_timeout = 30000", "journal_mode = WAL", "foreign_keys = ON")
    return engine


def create_schema(engine: Engine) -> None:
    """Create or upgrade every table, the history store's and the server's, in place.

    The server's tables are migrations ``0004`` and ``0005`` of the history store's
    Alembic chain (:mod:`covgap.history.migrations`), so this is the history store's own migration
    step, run under its lock on PostgreSQL so concurrent starters migrate once.
    """
    from covgap.history.store import _MIGRATION_LOCK, migrate

    with write(engine) as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
        migrate(conn, mask(engine.url.render_as_string(hide_password=True)))


__all__ = [
    "TOTAL_KEYS",
    "commits",
    "create_schema",
    "is_sqlite",
    "metadata",
    "open_engine",
    "rate",
    "repositories",
    "sources",
    "tokens",
    "uploads",
    "write",
]
