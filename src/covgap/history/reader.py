"""The trend's read path: the store's driver directly, without SQLAlchemy or Alembic.

``covgap trend`` must answer over 1,000 runs in under a second, start-up included, and
importing SQLAlchemy alone takes about half of that. A store already at this covgap's
schema revision (checked with one query) is read here with the DB-API driver
(``sqlite3``, or psycopg for PostgreSQL) and plain SQL over the tables of
:mod:`covgap.history.schema`. Anything else (no such store, an older or newer schema,
a URL with a driver or options, a commit with several runs whose detail must be
merged) goes to the full :class:`~covgap.history.store.Store`, which migrates,
refuses or explains exactly as every other command does.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from covgap.errors import StoreError
from covgap.history.records import Carried, RunInfo
from covgap.history.url import DEFAULT_STORE, mask
from covgap.model import Counts

if TYPE_CHECKING:
    from covgap.history.store import RunCoverage, Store

SCHEMA_REVISION = "0005"
"""Must equal :data:`covgap.history.schema.SCHEMA_REVISION` (a test checks it; the
schema module imports SQLAlchemy, so the revision is repeated here)."""

_RUN_COLUMNS = (
    "id, repository, run_key, commit_sha, branch, pr, tests, created_at, updated_at, "
    "suites, carried, uploads, lines_total, lines_covered, branches_total, "
    "branches_covered, functions_total, functions_covered"
)
_BUSY_TIMEOUT_S = 120.0


class Reader:
    """Read-only answers for the trend over one DB-API connection."""

    def __init__(self, conn: Any, url: str, root: Path | None, marker: str) -> None:
        self.conn = conn
        self.url = mask(url)
        self._raw_url = url
        self._root = root
        self._marker = marker  # "?" (sqlite3) or "%s" (psycopg)
        self._store: Store | None = None

    def close(self) -> None:
        self.conn.close()
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            cur = self.conn.cursor()
            cur.execute(sql.replace("?", self._marker), tuple(params))
            rows: list[Any] = cur.fetchall()
            cur.close()
            return rows
        except Exception as exc:  # the driver's own errors (sqlite3 or psycopg)
            text = str(exc).strip().splitlines()
            raise StoreError(
                f"store {self.url}: cannot read: {text[0] if text else type(exc).__name__}"
            ) from None

    def runs(
        self,
        *,
        repository: str | None = None,
        branch: str | None = None,
        since: float | None = None,
    ) -> list[RunInfo]:
        """Recorded runs, oldest first (as :meth:`Store.runs <covgap.history.store.Store.runs>`)."""
        where: list[str] = ["uploads > 0"]
        params: list[Any] = []
        for column, value in (("repository", repository), ("branch", branch)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("created_at >= ?")
            params.append(since)
        rows = self._query(
            f"SELECT {_RUN_COLUMNS} FROM runs WHERE {' AND '.join(where)} "
            "ORDER BY created_at ASC, id ASC",
            params,
        )
        return [_info(r) for r in rows]

    def run_totals(
        self, run_ids: Sequence[int]
    ) -> dict[int, dict[tuple[str, str], tuple[bool, Counts]]]:
        """Per-suite and per-component totals of each run (as the full store's)."""
        out: dict[int, dict[tuple[str, str], tuple[bool, Counts]]] = {r: {} for r in run_ids}
        for start in range(0, len(run_ids), 500):
            part = list(run_ids[start : start + 500])
            marks = ", ".join("?" * len(part))
            for run_id, kind, name, carried, *counts in self._query(
                "SELECT run_id, kind, name, carried, lines_total, lines_covered, "
                "branches_total, branches_covered, functions_total, functions_covered "
                f"FROM run_totals WHERE run_id IN ({marks})",
                part,
            ):
                out[int(run_id)][(kind, name)] = (bool(carried), Counts(*map(int, counts)))
        return out

    def repositories(self) -> list[str]:
        return sorted(r[0] for r in self._query("SELECT DISTINCT repository FROM runs"))

    def run_coverage(self, run_id: int) -> RunCoverage:
        """A run's per-line detail: decoded by the full store (rare for a trend)."""
        if self._store is None:
            from covgap.history.store import open_store

            self._store = open_store(self._raw_url, root=self._root, create=False)
        return self._store.run_coverage(run_id)


def _info(row: Sequence[Any]) -> RunInfo:
    carried = tuple(
        Carried(c["suite"], c["from_commit"], c["from_run"], c["files"], c["changed_files"])
        for c in json.loads(row[10])
    )
    return RunInfo(
        int(row[0]),
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        float(row[7]),
        float(row[8]),
        tuple(json.loads(row[9])),
        carried,
        int(row[11]),
        Counts(*map(int, row[12:18])),
        None if row[6] is None else int(row[6]),
    )


def _connect(url: str, root: Path | None) -> tuple[Any, str] | None:
    """A DB-API connection and its parameter marker, or None: use the full store."""
    if url.startswith("sqlite:///") and "?" not in url:
        path = Path(url.removeprefix("sqlite:///")).expanduser()
        if not path.is_absolute() and root is not None:
            path = root / path
        if not path.is_file():
            return None
        import sqlite3

        try:
            conn = sqlite3.connect(
                path.resolve().as_uri() + "?mode=ro",
                uri=True,
                timeout=_BUSY_TIMEOUT_S,
                isolation_level=None,  # each query its own read, as Store's methods
            )
        except sqlite3.Error:
            return None
        return conn, "?"
    if url.startswith(("postgresql://", "postgres://")):
        import psycopg

        try:
            return psycopg.connect(url, connect_timeout=10, autocommit=True), "%s"
        except psycopg.Error:
            return None
    return None


def open_reader(url: str | None = None, *, root: Path | None = None) -> Reader | Store:
    """A :class:`Reader` when the store can be read directly, else the full store.

    Either answers ``runs``, ``run_totals``, ``repositories`` and ``run_coverage`` and
    has ``url`` and ``close``. Never creates a store.
    """
    url = url or DEFAULT_STORE
    got = _connect(url, root)
    if got is not None:
        conn, marker = got
        reader = Reader(conn, url, root, marker)
        try:
            rows = reader._query("SELECT version_num FROM alembic_version")
        except StoreError:
            rows = []
        if len(rows) == 1 and rows[0][0] == SCHEMA_REVISION:
            return reader
        reader.close()
    from covgap.history.store import open_store

    return open_store(url, root=root, create=False)


__all__ = ["SCHEMA_REVISION", "Reader", "open_reader"]
