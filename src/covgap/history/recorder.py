"""Recording a run: one implementation in plain SQL, over SQLAlchemy or the bare driver.

``covgap record`` must take at most twice as long as ``covgap report`` on the same
input (issue 11), and importing SQLAlchemy alone costs a third of a second or more
before anything is written. So the record itself is written here in plain SQL over a
minimal :class:`Sql` interface (``rows``/``run``/``many`` with ``?`` parameters), which
two things provide:

* :class:`~covgap.history.store.Store` (SQLAlchemy): its :meth:`record
  <covgap.history.store.Store.record>` runs this code on its own connection (and the
  server's worker, which subclasses it, inside the server's transaction);
* :class:`DirectWriter`: the DB-API driver itself (``sqlite3``, or psycopg for
  PostgreSQL), used by :func:`open_writer` when the store already exists at this
  covgap's schema revision (one query checks it) and its URL is a plain one. Anything
  else (a new store, an older schema to migrate, a newer one to refuse, a URL with a
  driver or options) opens the full store, which does all of that as always.

Both take the same locks: ``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR UPDATE`` on
the run's row on PostgreSQL, so concurrent shards of a run are merged one after another.
"""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from covgap.errors import StoreError
from covgap.history.codec import DetailError, Encoding, RunDetail, decode, detail_from, encode
from covgap.history.reader import _RUN_COLUMNS, SCHEMA_REVISION, _info
from covgap.history.records import Carried, RecordResult, RunInfo
from covgap.history.url import DEFAULT_STORE, mask
from covgap.model import COUNT_KEYS, Counts, CoverageSet

if TYPE_CHECKING:
    from covgap.history.store import Store

CarryPolicy = Callable[[str], bool]
"""Whether a suite may be carried forward (``[history.carryforward]``)."""

_BUSY_TIMEOUT_S = 120.0
_COUNTS = ", ".join(COUNT_KEYS)
_RUN_ROW = f"{_RUN_COLUMNS}, detail"
"""A run's row as :func:`~covgap.history.reader._info` reads it, then its detail (18)."""


class Sql(Protocol):
    """What the record needs of a connection inside a write transaction.

    SQL is written with ``?`` for parameters; an implementation turns them into its
    driver's marker. ``dialect`` is ``"sqlite"`` or ``"postgresql"``.
    """

    dialect: str

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]: ...

    def run(self, sql: str, params: Sequence[Any] = ()) -> None: ...

    def many(self, sql: str, params: Sequence[Sequence[Any]]) -> None: ...


Transaction = Callable[[], AbstractContextManager[Sql]]
"""Opens one write transaction and yields the :class:`Sql` to write in it."""


def record(
    transaction: Transaction,
    url: str,
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
    """Record one upload in one transaction (see :meth:`Store.record
    <covgap.history.store.Store.record>` for the meaning of every argument).

    The detail is encoded before the transaction starts, so the write lock is held
    only for the inserts (and, for a shard of a run already recorded, the merge).
    ``encoding``, when given, is ``Encoding(suites)`` started earlier by the caller.
    """
    now = time.time() if now is None else now
    key = run_key or f"single-{uuid.uuid4().hex}"
    upload = detail_from(suites, blobs, components)
    if encoding is None:
        encoding = Encoding(upload.suites)
    elif encoding.suites.keys() != suites.keys() or any(
        encoding.suites[name] is not cs for name, cs in suites.items()
    ):
        raise ValueError("the encoding started is not of these suites")
    data = encoding.finish(upload.blobs, upload.components)
    up_totals = upload.coverage().totals()
    all_blobs = dict(blobs or {})
    with transaction() as db:
        run_id, first = _claim_run(db, url, repository, key, commit, branch, pr, now)
        upload_id = _insert_id(
            db,
            "INSERT INTO uploads (run_id, created_at, suites, inputs, size, detail, "
            f"{_COUNTS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                now,
                json.dumps(sorted(suites)),
                json.dumps(list(inputs)),
                len(data),
                data,
                *_values(up_totals),
            ),
        )
        row = db.rows(f"SELECT {_RUN_ROW} FROM runs WHERE id = ?", (run_id,))[0]
        if first:
            merged = upload
        else:
            merged = _run_detail(db, url, row).merge(upload)
            merged.blobs.update({p: b for p, b in all_blobs.items() if p in merged.blobs})
        carried, carried_detail = _carry(db, url, repository, merged, all_blobs, ancestors, carry)
        info = _store_run(db, row, merged, carried, carried_detail, first, now, tests, up_totals)
    return RecordResult(upload_id, info, len(data))


def _values(counts: Counts) -> tuple[int, ...]:
    return tuple(getattr(counts, key) for key in COUNT_KEYS)


def _insert_id(db: Sql, sql: str, params: Sequence[Any]) -> int:
    return int(db.rows(sql + " RETURNING id", params)[0][0])


def _decode(data: bytes | None, url: str, what: str) -> RunDetail:
    if data is None:
        return RunDetail()
    try:
        return decode(bytes(data))
    except DetailError as exc:
        raise StoreError(f"store {url}: {what}: {exc}") from None


def _claim_run(
    db: Sql,
    url: str,
    repository: str,
    key: str,
    commit: str,
    branch: str | None,
    pr: str | None,
    now: float,
) -> tuple[int, bool]:
    """Create the run row or lock the existing one; returns ``(id, created)``."""
    db.run(
        "INSERT INTO runs (repository, run_key, commit_sha, branch, pr, created_at, "
        f"updated_at, suites, carried, uploads, {_COUNTS}) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING",
        (repository, key, commit, branch, pr, now, now, "[]", "[]"),
    )
    lock = " FOR UPDATE" if db.dialect == "postgresql" else ""
    run_id, uploads, sha = db.rows(
        f"SELECT id, uploads, commit_sha FROM runs WHERE repository = ? AND run_key = ?{lock}",
        (repository, key),
    )[0]
    if sha != commit:
        raise StoreError(
            f"store {url}: run {key!r} of {repository} was recorded for commit "
            f"{sha[:12]}, not {commit[:12]}; shards of one run share a commit "
            "(pass a different --run-id for a re-run)"
        )
    return int(run_id), int(uploads) == 0


def _run_detail(db: Sql, url: str, row: Sequence[Any]) -> RunDetail:
    """A run's recorded suites, merged (its first upload's detail, or ``runs.detail``)."""
    if row[18] is not None:
        return _decode(row[18], url, f"run {row[0]}")
    got = db.rows("SELECT detail FROM uploads WHERE run_id = ? ORDER BY id LIMIT 1", (row[0],))
    return _decode(got[0][0] if got else None, url, f"run {row[0]}")


def _carry(
    db: Sql,
    url: str,
    repository: str,
    merged: RunDetail,
    blobs: Mapping[str, str],
    ancestors: Sequence[str],
    carry: CarryPolicy | None,
) -> tuple[list[Carried], RunDetail]:
    """Suites earlier runs had and this one lacks, from the nearest ancestor run."""
    if carry is None or not ancestors:
        return [], RunDetail()
    have = set(merged.suites)
    order = {sha: i for i, sha in enumerate(ancestors)}
    candidates: list[Sequence[Any]] = []  # id, commit_sha, suites, created_at
    for start in range(0, len(ancestors), 500):
        part = list(ancestors[start : start + 500])
        candidates.extend(
            db.rows(
                "SELECT id, commit_sha, suites, created_at FROM runs WHERE repository = ? "
                f"AND commit_sha IN ({', '.join('?' * len(part))}) AND uploads > 0",
                (repository, *part),
            )
        )
    candidates.sort(key=lambda r: (order[r[1]], -r[3]))
    sources: dict[str, Sequence[Any]] = {}
    for cand in candidates:
        for suite in json.loads(cand[2]):
            if suite and suite not in have and suite not in sources and carry(suite):
                sources[suite] = cand
    carried: list[Carried] = []
    detail = RunDetail()
    cache: dict[int, RunDetail] = {}
    for suite, cand in sorted(sources.items()):
        cand_id = int(cand[0])
        if cand_id not in cache:
            full = db.rows(f"SELECT {_RUN_ROW} FROM runs WHERE id = ?", (cand_id,))[0]
            cache[cand_id] = _run_detail(db, url, full)
        source = cache[cand_id]
        files = source.suites[suite].files
        keep = {
            path: fc
            for path, fc in files.items()
            if source.blobs.get(path) is not None and source.blobs.get(path) == blobs.get(path)
        }
        carried.append(Carried(suite, cand[1], cand_id, len(keep), len(files) - len(keep)))
        detail.suites[suite] = CoverageSet(keep)
        for path in keep:
            detail.blobs[path] = blobs[path]
            comp = source.components.get(path)
            if comp is not None:
                detail.components[path] = comp
    return carried, detail


def _store_run(
    db: Sql,
    row: Sequence[Any],
    merged: RunDetail,
    carried: list[Carried],
    carried_detail: RunDetail,
    first: bool,
    now: float,
    tests: int | None,
    upload_totals: Counts,
) -> RunInfo:
    run_id = int(row[0])
    carried_sets = list(carried_detail.suites.values())
    if first and not carried:
        # a run's first upload with nothing carried is the run: its totals are known
        totals = upload_totals
        per_file = merged.coverage().files
    else:
        coverage = CoverageSet.merge_all([*merged.suites.values(), *carried_sets])
        totals = coverage.totals()
        per_file = coverage.files
    uploads = int(row[11]) + 1
    suites = sorted(merged.suites)
    tests = tests if tests is not None else (None if row[6] is None else int(row[6]))
    db.run(
        "UPDATE runs SET tests = ?, updated_at = ?, suites = ?, carried = ?, uploads = ?, "
        "detail = ?, carried_detail = ?, "
        + ", ".join(f"{k} = ?" for k in COUNT_KEYS)
        + " WHERE id = ?",
        (
            tests,
            now,
            json.dumps(suites),
            json.dumps([c.as_dict() for c in carried]),
            uploads,
            None if first else encode(merged),
            encode(carried_detail) if carried else None,
            *_values(totals),
            run_id,
        ),
    )
    db.run("DELETE FROM run_totals WHERE run_id = ?", (run_id,))
    rows: list[tuple[Any, ...]] = []
    one_suite = len(merged.suites) == 1 and not carried_sets
    for name, cs in merged.suites.items():
        # one suite, nothing carried: the suite's totals are the run's (no second sum)
        suite_totals = totals if one_suite else cs.totals()
        rows.append((run_id, "suite", name, False, *_values(suite_totals)))
    for name, cs in carried_detail.suites.items():
        rows.append((run_id, "suite", name, True, *_values(cs.totals())))
    components = {**merged.components, **carried_detail.components}
    by_comp: dict[str, Counts] = {}
    for path, comp in components.items():
        fc = per_file.get(path)
        if fc is not None:
            by_comp[comp] = by_comp.get(comp, Counts()) + fc.counts()
    for name, counts in by_comp.items():
        rows.append((run_id, "component", name, False, *_values(counts)))
    if rows:
        db.many(
            f"INSERT INTO run_totals (run_id, kind, name, carried, {_COUNTS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    # the row as it was before this upload, with what this upload changed
    return dataclasses.replace(
        _info(row),
        updated_at=now,
        suites=tuple(suites),
        carried=tuple(carried),
        uploads=uploads,
        totals=totals,
        tests=tests,
    )


# -- the bare driver ----------------------------------------------------------------


def with_marker(sql: str, marker: str) -> str:
    """``sql`` with its ``?`` parameters as ``marker`` (``?`` for sqlite3, ``%s`` for psycopg)."""
    return sql if marker == "?" else sql.replace("?", marker)


class _DriverSql:
    """:class:`Sql` over a DB-API cursor (``?`` becomes the driver's marker)."""

    def __init__(self, conn: Any, dialect: str, marker: str) -> None:
        self.conn = conn
        self.dialect = dialect
        self._marker = marker

    def _sql(self, sql: str) -> str:
        return with_marker(sql, self._marker)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[Sequence[Any]]:
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), tuple(params))
            return list(cur.fetchall())
        finally:
            cur.close()

    def run(self, sql: str, params: Sequence[Any] = ()) -> None:
        cur = self.conn.cursor()
        try:
            cur.execute(self._sql(sql), tuple(params))
        finally:
            cur.close()

    def many(self, sql: str, params: Sequence[Sequence[Any]]) -> None:
        cur = self.conn.cursor()
        try:
            cur.executemany(self._sql(sql), [tuple(p) for p in params])
        finally:
            cur.close()


class DirectWriter:
    """Records runs through the DB-API driver, without SQLAlchemy (see the module doc).

    Only :func:`open_writer` makes one, after checking the store's schema revision.
    """

    def __init__(self, conn: Any, url: str, dialect: str) -> None:
        self.conn = conn
        self.url = mask(url)
        self.dialect = dialect

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> DirectWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _first_line(self, exc: BaseException) -> str:
        text = str(exc).strip().splitlines()
        return text[0] if text else type(exc).__name__

    @contextmanager
    def _transaction(self) -> Iterator[Sql]:
        """One write transaction: ``BEGIN IMMEDIATE`` on SQLite (writers queue on the
        file lock), an ordinary one on PostgreSQL; rolled back on any error."""
        errors = _driver_errors(self.dialect)
        try:
            if self.dialect == "sqlite":
                self.conn.execute("BEGIN IMMEDIATE")
                try:
                    yield _DriverSql(self.conn, "sqlite", "?")
                except BaseException:
                    self.conn.execute("ROLLBACK")
                    raise
                self.conn.execute("COMMIT")
            else:
                with self.conn.transaction():
                    yield _DriverSql(self.conn, "postgresql", "%s")
        except errors as exc:
            raise StoreError(f"store {self.url}: cannot write: {self._first_line(exc)}") from None

    def record(self, suites: Mapping[str, CoverageSet], **kwargs: Any) -> RecordResult:
        """:meth:`Store.record <covgap.history.store.Store.record>`, the same arguments."""
        return record(self._transaction, self.url, suites, **kwargs)


def _driver_errors(dialect: str) -> tuple[type[BaseException], ...]:
    if dialect == "sqlite":
        import sqlite3

        return (sqlite3.Error,)
    import psycopg

    return (psycopg.Error,)


def _connect(url: str, root: Path | None) -> DirectWriter | None:
    """A writer on the bare driver for a plain URL of an existing store, else None."""
    if url.startswith("sqlite:///") and "?" not in url:
        path = Path(url.removeprefix("sqlite:///")).expanduser()
        if not path.is_absolute() and root is not None:
            path = root / path
        if not path.is_file():
            return None  # the full store creates it
        import sqlite3

        try:
            conn = sqlite3.connect(path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error:
            return None
        return DirectWriter(conn, url, "sqlite")
    if url.startswith(("postgresql://", "postgres://")):
        import psycopg

        try:
            pg = psycopg.connect(url, connect_timeout=10, autocommit=True)
        except psycopg.Error:
            return None  # the full store says why, as for every other command
        return DirectWriter(pg, url, "postgresql")
    return None


def open_writer(url: str | None = None, *, root: Path | None = None) -> DirectWriter | Store:
    """Something to :meth:`record` with: a :class:`DirectWriter` when the store exists at
    this covgap's schema revision and its URL is plain, else the full (migrating,
    creating) store from :func:`~covgap.history.store.open_store`. Both have ``record``,
    ``url`` and ``close`` and are context managers."""
    url = url or DEFAULT_STORE
    writer = _connect(url, root)
    if writer is not None:
        try:
            revision = _DriverSql(
                writer.conn, writer.dialect, "?" if writer.dialect == "sqlite" else "%s"
            ).rows("SELECT version_num FROM alembic_version")
        except _driver_errors(writer.dialect):
            revision = []
        if len(revision) == 1 and revision[0][0] == SCHEMA_REVISION:
            return writer
        writer.close()
    from covgap.history.store import open_store

    return open_store(url, root=root)


__all__ = [
    "CarryPolicy",
    "DirectWriter",
    "Sql",
    "Transaction",
    "open_writer",
    "record",
    "with_marker",
]
