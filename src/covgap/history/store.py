"""The history store: open by URL, migrate, record runs atomically, answer questions.

One class, :class:`Store`, over one SQLAlchemy engine. Every write is one
transaction; on SQLite it starts with ``BEGIN IMMEDIATE`` (writers queue on the file
lock, with a generous busy timeout) and on PostgreSQL the run's row is locked with
``SELECT … FOR UPDATE``, so concurrent shards of one run are merged one after another
and none is lost. Reads never hold the write lock.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    func,
    select,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from covgap.errors import StoreError
from covgap.history import recorder, schema
from covgap.history.codec import (
    DetailError,
    Encoding,
    LineColumns,
    RunDetail,
    decode,
    decode_lines,
)
from covgap.history.records import Carried, RecordResult, RunInfo
from covgap.history.url import DEFAULT_STORE, mask, parse
from covgap.model import Counts, CoverageSet

_BUSY_TIMEOUT_S = 120.0
_MIGRATION_LOCK = 0x636F7667  # "covg": the PostgreSQL advisory lock migrations hold


@dataclass(frozen=True)
class UploadInfo:
    """One ``covgap record`` exactly as it was recorded."""

    id: int
    run_id: int
    created_at: float
    suites: tuple[str, ...]
    inputs: tuple[str, ...]
    size: int
    totals: Counts


@dataclass
class RunCoverage:
    """A run's coverage: its recorded suites, and the suites carried into it."""

    run: RunInfo
    detail: RunDetail
    carried: RunDetail = field(default_factory=RunDetail)

    def coverage(self, *, with_carried: bool = True) -> CoverageSet:
        sets = list(self.detail.suites.values())
        if with_carried:
            sets.extend(self.carried.suites.values())
        return CoverageSet.merge_all(sets)


CarryPolicy = recorder.CarryPolicy


class _ConnectionSql:
    """:class:`covgap.history.recorder.Sql` over a SQLAlchemy connection (driver SQL)."""

    def __init__(self, conn: Connection, dialect: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self._marker = "?" if dialect == "sqlite" else "%s"

    def _sql(self, sql: str) -> str:
        return recorder.with_marker(sql, self._marker)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        return list(self.conn.exec_driver_sql(self._sql(sql), tuple(params)).all())

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.conn.exec_driver_sql(self._sql(sql), tuple(params))

    def many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        self.conn.exec_driver_sql(self._sql(sql), [tuple(p) for p in params])


def _counts(row: Any) -> Counts:
    """The six count columns, which every query here selects last (in declared order)."""
    return Counts(*map(int, row[-6:]))


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


class Store:
    """A history store. Open it with :func:`open_store`; close it (or use ``with``)."""

    def __init__(self, engine: Engine, url: str) -> None:
        self.engine = engine
        self.url = mask(url)
        self.dialect = engine.dialect.name

    # -- plumbing ------------------------------------------------------------------

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _error(self, exc: BaseException, doing: str) -> StoreError:
        return StoreError(f"store {self.url}: {doing}: {_first_line(exc)}")

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        try:
            with write_transaction(self.engine) as conn:
                yield conn
        except DBAPIError as exc:
            raise self._error(exc, "cannot write") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn, conn.begin():
                yield conn
        except DBAPIError as exc:
            raise self._error(exc, "cannot read") from None

    def _decode(self, data: bytes | None, what: str) -> RunDetail:
        if data is None:
            return RunDetail()
        try:
            return decode(data)
        except DetailError as exc:
            raise StoreError(f"store {self.url}: {what}: {exc}") from None

    # -- recording -----------------------------------------------------------------

    def record(
        self,
        suites: Mapping[str, CoverageSet],
        *,
        repository: str,
        commit: str,
        branch: str | None = None,
        pr: str | None = None,
        run_key: str | None = None,
        blobs: Mapping[str, str] | None = None,
        components: Mapping[str, str] | None = None,
        inputs: Sequence[str] = (),
        ancestors: Sequence[str] = (),
        carry: CarryPolicy | None = None,
        tests: int | None = None,
        now: float | None = None,
        encoding: Encoding | None = None,
    ) -> RecordResult:
        """Record one upload (a whole run, or one shard of it) in one transaction.

        ``suites`` maps a suite name (``""`` for unlabelled reports) to its coverage.
        Uploads with the same ``run_key`` are shards of one run and are merged exactly;
        without a key the upload is a run of its own. ``ancestors`` are the commit's
        ancestors, nearest first: a suite earlier runs had and this run lacks is carried
        from the nearest of them that recorded it, for files whose ``blobs`` (git blob
        ids) are unchanged, when ``carry(suite)`` allows it. ``tests`` is the
        repository's test count, when counted (the newest upload that counted it wins).
        ``encoding`` is the upload's detail already being compressed
        (``codec.Encoding(suites)``, started by the caller while it did other work).
        The SQL is :func:`covgap.history.recorder.record`'s, run on this store's
        connection (the same code ``covgap record`` runs on the bare driver).
        """
        return recorder.record(
            self._sql_transaction,
            self.url,
            suites,
            repository=repository,
            commit=commit,
            branch=branch,
            pr=pr,
            run_key=run_key,
            blobs=blobs,
            components=components,
            inputs=inputs,
            ancestors=ancestors,
            carry=carry,
            tests=tests,
            now=now,
            encoding=encoding,
        )

    @contextmanager
    def _sql_transaction(self) -> Iterator[recorder.Sql]:
        """:meth:`_write`'s transaction, as the plain-SQL interface the recorder uses."""
        with self._write() as conn:
            yield _ConnectionSql(conn, self.dialect)

    def _run_detail(self, conn: Connection, row: Any) -> RunDetail:
        """A run's recorded suites, merged (its one upload's detail, or ``runs.detail``)."""
        if row.detail is not None:
            return self._decode(row.detail, f"run {row.id}")
        data = conn.execute(
            select(schema.uploads.c.detail).where(schema.uploads.c.run_id == row.id)
        ).scalar()
        return self._decode(data, f"run {row.id}")

    # -- queries -------------------------------------------------------------------

    @staticmethod
    def _info(row: Any) -> RunInfo:
        carried = tuple(
            Carried(c["suite"], c["from_commit"], c["from_run"], c["files"], c["changed_files"])
            for c in json.loads(row.carried)
        )
        return RunInfo(
            int(row.id),
            row.repository,
            row.run_key,
            row.commit_sha,
            row.branch,
            row.pr,
            float(row.created_at),
            float(row.updated_at),
            tuple(json.loads(row.suites)),
            carried,
            int(row.uploads),
            _counts(row),
            None if row.tests is None else int(row.tests),
        )

    def _run_columns(self) -> list[Any]:
        runs = schema.runs
        return [c for c in runs.c if c.name not in ("detail", "carried_detail")]

    def repositories(self) -> list[str]:
        """Every repository with a run in the store, sorted."""
        with self._read() as conn:
            rows = conn.execute(select(schema.runs.c.repository).distinct()).scalars().all()
        return sorted(rows)

    def runs(
        self,
        *,
        repository: str | None = None,
        branch: str | None = None,
        commit: str | None = None,
        since: float | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[RunInfo]:
        """Recorded runs (with at least one upload), oldest first unless ``newest_first``."""
        runs = schema.runs
        query = select(*self._run_columns()).where(runs.c.uploads > 0)
        if repository is not None:
            query = query.where(runs.c.repository == repository)
        if branch is not None:
            query = query.where(runs.c.branch == branch)
        if commit is not None:
            query = query.where(runs.c.commit_sha.startswith(commit, autoescape=True))
        if since is not None:
            query = query.where(runs.c.created_at >= since)
        order = (runs.c.created_at.desc(), runs.c.id.desc())
        if not newest_first:
            order = (runs.c.created_at.asc(), runs.c.id.asc())
        query = query.order_by(*order)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            return [self._info(r) for r in conn.execute(query).all()]

    def run(self, run_id: int) -> RunInfo | None:
        with self._read() as conn:
            row = conn.execute(
                select(*self._run_columns()).where(schema.runs.c.id == run_id)
            ).one_or_none()
        return None if row is None else self._info(row)

    def uploads(self, run_id: int) -> list[UploadInfo]:
        """A run's uploads, as recorded, oldest first."""
        up = schema.uploads
        with self._read() as conn:
            rows = conn.execute(
                select(*(c for c in up.c if c.name != "detail"))
                .where(up.c.run_id == run_id)
                .order_by(up.c.id)
            ).all()
        return [
            UploadInfo(
                int(r.id),
                int(r.run_id),
                float(r.created_at),
                tuple(json.loads(r.suites)),
                tuple(json.loads(r.inputs)),
                int(r.size),
                _counts(r),
            )
            for r in rows
        ]

    def upload_detail(self, upload_id: int) -> RunDetail:
        """One upload's coverage exactly as it was recorded."""
        with self._read() as conn:
            data = conn.execute(
                select(schema.uploads.c.detail).where(schema.uploads.c.id == upload_id)
            ).scalar()
        if data is None:
            raise StoreError(f"store {self.url}: no upload {upload_id}")
        return self._decode(data, f"upload {upload_id}")

    def run_coverage(self, run_id: int) -> RunCoverage:
        """A run's merged coverage: recorded suites and carried ones apart."""
        with self._read() as conn:
            row = conn.execute(select(schema.runs).where(schema.runs.c.id == run_id)).one_or_none()
            if row is None or not row.uploads:
                raise StoreError(f"store {self.url}: no run {run_id}")
            detail = self._run_detail(conn, row)
        carried = self._decode(row.carried_detail, f"run {run_id}")
        return RunCoverage(self._info(row), detail, carried)

    def run_lines(self, run_id: int) -> LineColumns:
        """A run's recorded suites, lines and hits only (what ``flaky`` compares).

        Reads only the run's merged detail (or its one upload's) and decodes only the
        line columns: far less work than :meth:`run_coverage` on a large run.
        """
        runs, up = schema.runs, schema.uploads
        with self._read() as conn:
            row = conn.execute(
                select(runs.c.uploads, runs.c.detail).where(runs.c.id == run_id)
            ).one_or_none()
            if row is None or not row.uploads:
                raise StoreError(f"store {self.url}: no run {run_id}")
            data = row.detail
            if data is None:
                data = conn.execute(select(up.c.detail).where(up.c.run_id == run_id)).scalar()
        try:
            return decode_lines(data)
        except DetailError as exc:
            raise StoreError(f"store {self.url}: run {run_id}: {exc}") from None

    def run_totals(
        self, run_ids: Sequence[int]
    ) -> dict[int, dict[tuple[str, str], tuple[bool, Counts]]]:
        """Per-suite (``("suite", name)``) and per-component totals of each run."""
        out: dict[int, dict[tuple[str, str], tuple[bool, Counts]]] = {r: {} for r in run_ids}
        rt = schema.run_totals
        with self._read() as conn:
            for start in range(0, len(run_ids), 500):
                part = list(run_ids[start : start + 500])
                for run_id, kind, name, carried, *counts in conn.execute(
                    select(rt).where(rt.c.run_id.in_(part))
                ):
                    out[int(run_id)][(kind, name)] = (bool(carried), Counts(*map(int, counts)))
        return out

    def commits_with_runs(
        self, repository: str, commits: Sequence[str]
    ) -> dict[str, list[RunInfo]]:
        """The runs of each of ``commits`` that has any (newest run first)."""
        runs = schema.runs
        found: dict[str, list[RunInfo]] = {}
        with self._read() as conn:
            for start in range(0, len(commits), 500):
                part = list(commits[start : start + 500])
                rows = conn.execute(
                    select(*self._run_columns())
                    .where(
                        runs.c.repository == repository,
                        runs.c.commit_sha.in_(part),
                        runs.c.uploads > 0,
                    )
                    .order_by(runs.c.created_at.desc(), runs.c.id.desc())
                ).all()
                for r in rows:
                    found.setdefault(r.commit_sha, []).append(self._info(r))
        return found

    def commit_coverage(self, repository: str, commit: str) -> tuple[CoverageSet, list[RunInfo]]:
        """A commit's coverage: the merge of all its runs (carried suites included)."""
        runs = self.commits_with_runs(repository, [commit]).get(commit, [])
        sets = [self.run_coverage(r.id).coverage() for r in runs]
        return CoverageSet.merge_all(sets), runs

    # -- housekeeping --------------------------------------------------------------

    def delete_runs(self, run_ids: Sequence[int]) -> int:
        """Delete runs (and their uploads and totals) in one transaction."""
        if not run_ids:
            return 0
        with self._write() as conn:
            for start in range(0, len(run_ids), 500):
                part = list(run_ids[start : start + 500])
                conn.execute(delete(schema.run_totals).where(schema.run_totals.c.run_id.in_(part)))
                conn.execute(delete(schema.uploads).where(schema.uploads.c.run_id.in_(part)))
                conn.execute(delete(schema.runs).where(schema.runs.c.id.in_(part)))
        return len(run_ids)

    def size_of_runs(self) -> dict[int, int]:
        """Bytes of stored detail per run (uploads plus merged and carried detail)."""
        up = schema.uploads
        runs = schema.runs
        with self._read() as conn:
            sizes = {
                int(r.run_id): int(r.total)
                for r in conn.execute(
                    select(up.c.run_id, func.sum(up.c.size).label("total")).group_by(up.c.run_id)
                )
            }
            for r in conn.execute(
                select(
                    runs.c.id,
                    func.coalesce(func.length(runs.c.detail), 0).label("d"),
                    func.coalesce(func.length(runs.c.carried_detail), 0).label("c"),
                )
            ):
                sizes[int(r.id)] = sizes.get(int(r.id), 0) + int(r.d) + int(r.c)
        return sizes


# -- opening and migrating ----------------------------------------------------------


def _script_directory() -> Any:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", "covgap.history:migrations")
    return cfg, ScriptDirectory.from_config(cfg)


def head_revision() -> str:
    """The schema revision this covgap writes."""
    _, script = _script_directory()
    head: str = script.get_current_head()
    return head


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    rev: str | None = MigrationContext.configure(conn).get_current_revision()
    return rev


def _stored_revision(conn: Connection) -> str | None:
    from sqlalchemy import inspect, text

    if not inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return rows[0] if len(rows) == 1 else None


def migrate(conn: Connection, url: str, target: str = "head") -> None:
    """Bring the store's schema to ``target`` inside the caller's transaction.

    A revision this covgap does not know means a newer covgap wrote the store: refuse,
    rather than guess at tables it does not understand.
    """
    if target == "head" and _stored_revision(conn) == schema.SCHEMA_REVISION:
        return  # the common case, answered without importing Alembic
    from alembic import command

    cfg, script = _script_directory()
    current = current_revision(conn)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"store {url}: its schema (revision {current}) was written by a newer covgap "
            f"than this one (which knows up to {script.get_current_head()}); upgrade covgap"
        )
    if current == script.get_current_head() and target == "head":
        return
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, target)


def sqlite_transactions(engine: Engine, *pragmas: str) -> None:
    """Let covgap begin SQLite's transactions: ``BEGIN IMMEDIATE`` for writers.

    SQLite has no row locks: a writer that starts deferred and upgrades its read lock
    later can fail with "database is locked" however long the busy timeout. Writers
    (:func:`write_transaction`) therefore take the lock up front; readers begin
    deferred. ``pragmas`` (``"foreign_keys=ON"``, ...) are run on every new connection.
    The history store and the server both open SQLite this way.
    """

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # covgap issues BEGIN itself
        cur = dbapi_conn.cursor()
        for pragma in pragmas:
            cur.execute(f"PRAGMA {pragma}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("covgap_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """One write transaction: ``BEGIN IMMEDIATE`` on SQLite, an ordinary one elsewhere."""
    with engine.connect().execution_options(covgap_write=True) as conn, conn.begin():
        yield conn


def _sqlite_engine(url: URL) -> Engine:
    engine = create_engine(url, connect_args={"timeout": _BUSY_TIMEOUT_S}, poolclass=_null_pool())
    sqlite_transactions(engine, "foreign_keys=ON")
    return engine


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool


def open_store(
    url: str | None = None,
    *,
    root: Path | None = None,
    create: bool = True,
    migrate_to: str = "head",
) -> Store:
    """Open the store at ``url`` (default :data:`DEFAULT_STORE` under ``root``).

    The schema is created or upgraded in place (one transaction, under a lock, so
    concurrent openers do it once). With ``create=False`` a SQLite store that does not
    exist is an error instead of a new empty file: reading commands should not create
    stores. Any failure is a :class:`StoreError` naming the store, password masked.
    """
    url = url or DEFAULT_STORE
    shown = mask(url)
    parsed = parse(url, root)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if not path.exists():
            if not create:
                raise StoreError(f"store {shown}: no such store (record a run first)")
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"store {shown}: cannot create {path.parent}: {exc.strerror}"
                ) from None
        elif path.is_dir():
            raise StoreError(f"store {shown}: {path} is a directory")
        engine = _sqlite_engine(parsed)
    else:
        engine = create_engine(
            parsed,
            connect_args={"connect_timeout": 10},
            pool_pre_ping=False,
            poolclass=_null_pool(),
        )
    store = Store(engine, url)
    try:
        with write_transaction(engine) as conn:
            if store.dialect == "postgresql":
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            migrate(conn, shown, migrate_to)
    except StoreError:
        engine.dispose()
        raise
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"store {shown}: cannot open: {_first_line(exc)}") from None
    return store


__all__ = [
    "Carried",
    "CarryPolicy",
    "RecordResult",
    "RunCoverage",
    "RunInfo",
    "Store",
    "UploadInfo",
    "head_revision",
    "migrate",
    "open_store",
    "sqlite_transactions",
    "write_transaction",
]
