"""Processing uploads: claim a job, read its reports, merge them into the commit.

The queue is the ``server_uploads`` table. A worker claims the oldest job that is
queued, or whose lease has run out (its worker died), in one statement::

    UPDATE server_uploads SET state='processing', lease_until=now+LEASE, attempts+1
     WHERE id = (SELECT id FROM server_uploads
                  WHERE state='queued' OR (state='processing' AND lease_until < now)
                  ORDER BY received_at LIMIT 1 FOR UPDATE SKIP LOCKED)
    RETURNING id

On PostgreSQL ``SKIP LOCKED`` lets N workers claim N different jobs without waiting on
each other; on SQLite the whole statement runs under the database lock. While it works,
a worker renews its lease every ``lease / 3`` seconds from a heartbeat thread, so only
a worker that is gone (``kill -9``, a lost machine) loses its job.

Batches. With each job a worker claims up to ``batch - 1`` more queued uploads of the
same commit (:func:`claim_more`) and records them together, so a burst of shards costs
one decode/merge/encode of the commit's stored run instead of one per shard.

Exactly once. Reading the reports happens outside any transaction; the result is then
merged into the commit in one transaction that first locks the uploads' rows and leaves
out any already ``done``. If two workers ever process one upload (the first one's
lease ran out while it was still alive), only the first to commit counts it; the other
sees ``done`` and discards its work. Merging is a sum, associative and commutative, so
shards merge exactly in any order.
"""

from __future__ import annotations

import gzip
import logging
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, Engine, or_, select, update

from covgap.config import Config
from covgap.errors import CovgapError
from covgap.formats import read_report
from covgap.history.store import Store
from covgap.model import CoverageSet, InputInfo
from covgap.server import db
from covgap.server.limits import Limits, Refused, inflate
from covgap.server.service import UploadDoc, mark, parse_upload, pending_count, report_data

log = logging.getLogger("covgap.server")

DEFAULT_LEASE = 30.0
"""Seconds a claimed job stays with its worker without a heartbeat (``COVGAP_LEASE``)."""
DEFAULT_BATCH = 8
"""Uploads of one commit a worker claims and records together (``--batch``)."""
DEFAULT_NICE = 10
"""How much a ``covgap server worker`` process lowers its CPU priority (``--nice``):
accepting an upload is a request someone waits for, processing it is not."""
MAX_ATTEMPTS = 5
"""A job that killed its worker this many times is marked failed rather than retried."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def claim(engine: Engine, lease: float, name: str | None = None) -> str | None:
    """Claim one job (see the module doc); return its upload id or None."""
    now = time.time()
    u = db.uploads
    pick = (
        select(u.c.id)
        .where(
            or_(
                u.c.state == "queued",
                (u.c.state == "processing") & (u.c.lease_until < now),
            )
        )
        .order_by(u.c.received_at)
        .limit(1)
    )
    if not db.is_sqlite(engine):
        pick = pick.with_for_update(skip_locked=True)
    stmt = (
        update(u)
        .where(u.c.id == pick.scalar_subquery())
        .values(
            state="processing",
            lease_until=now + lease,
            attempts=u.c.attempts + 1,
            worker=name or worker_name(),
        )
        .returning(u.c.id, u.c.attempts)
    )
    with db.write(engine) as conn:
        row = conn.execute(stmt).first()
        if row is None:
            return None
        if row.attempts > MAX_ATTEMPTS:
            mark(
                conn,
                row.id,
                state="failed",
                error=f"gave up after {MAX_ATTEMPTS} attempts (the worker died each time)",
                processed_at=time.time(),
            )
            return None
        return str(row.id)


class _Heartbeat:
    """Renew a job's lease in the background while the job is processed."""

    def __init__(self, engine: Engine, upload_ids: list[str], lease: float) -> None:
        self.engine = engine
        self.upload_ids = upload_ids
        self.lease = lease
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.lease / 3):
            try:
                with db.write(self.engine) as conn:
                    conn.execute(
                        update(db.uploads)
                        .where(
                            db.uploads.c.id.in_(self.upload_ids),
                            db.uploads.c.state == "processing",
                        )
                        .values(lease_until=time.time() + self.lease)
                    )
            except Exception:  # a missed heartbeat only risks a second, discarded run
                log.warning("heartbeat for %s failed", self.upload_ids, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()


def _safe_suffix(name: str) -> str:
    """The report's base name, reduced to characters safe in a temporary file name.

    Format detection takes the name as a hint (``lcov.info``, ``.resultset.json``), so
    it is kept, but never used as a path: the file lives in a fresh temporary directory.
    """
    base = name.rsplit("/", 1)[-1]
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in base)[-100:] or "report"


@dataclass
class ReadUpload:
    """An upload's reports read and mapped: merged, and per suite for the history store."""

    coverage: CoverageSet
    suites: dict[str, CoverageSet]
    result: dict[str, Any]
    doc: UploadDoc


def read_upload(raw: bytes) -> ReadUpload:
    """Read an accepted upload's reports with covgap's ordinary readers and map paths.

    The paths are mapped onto the uploaded file list exactly as ``covgap report``
    maps them onto a checkout (:func:`covgap.paths.map_paths`), so a server-side
    result equals the local one.
    """
    from covgap.paths import map_paths
    from covgap.workspace import Workspace

    doc = parse_upload(raw, with_sources=False)  # stored when accepted
    by_suite: dict[str, list[CoverageSet]] = {}
    with tempfile.TemporaryDirectory(prefix="covgap-upload-") as tmp:
        for i, rep in enumerate(doc.reports):
            path = Path(tmp) / f"{i:04d}-{_safe_suffix(rep['name'])}"
            path.write_bytes(report_data(doc, i))
            cs = read_report(path, format_name=rep.get("format"), flag=rep.get("flag"))
            cs.inputs = tuple(InputInfo(rep["name"], info.format, info.flag) for info in cs.inputs)
            by_suite.setdefault(rep.get("flag") or "", []).append(cs)
        suites = {name: CoverageSet.merge_all(sets) for name, sets in by_suite.items()}
        result: dict[str, Any] = {"reports": len(doc.reports)}
        if doc.files:
            workspace = Workspace(Path(tmp), sorted(set(doc.files)))
            unmapped: list[str] = []
            for name, cs in suites.items():
                mapping = map_paths(cs, workspace, Config().path_fixes)
                suites[name] = mapping.coverage
                unmapped.extend(p for g in mapping.unmapped for p in g.paths)
            unique = sorted(set(unmapped))
            result["unmapped"] = len(unique)
            result["unmapped_paths"] = unique[:20]
    merged = CoverageSet.merge_all(suites.values())
    result["files"] = len(merged.files)
    return ReadUpload(merged, suites, result, doc)


def commit_coverage(engine: Engine, run_id: int | None) -> CoverageSet:
    """A commit's merged coverage: its history run's, or empty before its first upload."""
    if run_id is None:
        return CoverageSet()
    return _reader(engine).run_coverage(run_id).coverage()


def _reader(engine: Engine) -> Store:
    return Store(engine, engine.url.render_as_string(hide_password=True))


@dataclass(frozen=True)
class Processed:
    """What became of one job: counted now, or already counted by another run."""

    upload_id: str
    counted: bool
    ready: bool
    """No other upload of the commit is still pending: its result is complete."""
    repo_id: int
    commit: str
    count: int = 1
    """How many uploads this run of the job counted."""


class _InTransaction(Store):
    """The history store, writing inside the server's own transaction.

    Recording the upload in the history store, merging it into the commit and marking
    it done must commit together or not at all: that is what makes processing exactly
    once. The store's public ``record`` is used unchanged; only the transaction it
    writes in is the caller's.
    """

    def __init__(self, conn: Connection, engine: Engine) -> None:
        super().__init__(engine, engine.url.render_as_string(hide_password=True))
        self._conn = conn

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        yield self._conn


def claim_more(engine: Engine, upload_id: str, lease: float, limit: int) -> list[str]:
    """Claim up to ``limit`` more queued uploads of the same commit as ``upload_id``.

    A burst of shards of one commit is then merged and recorded in one transaction:
    the commit's run is decoded, merged and encoded once per batch instead of once per
    shard, which is most of the cost of processing a shard.
    """
    if limit <= 0:
        return []
    u = db.uploads
    now = time.time()
    with db.write(engine) as conn:
        first = conn.execute(select(u.c.repo_id, u.c.commit_sha).where(u.c.id == upload_id)).one()
        pick = (
            select(u.c.id)
            .where(
                u.c.repo_id == first.repo_id,
                u.c.commit_sha == first.commit_sha,
                u.c.state == "queued",
            )
            .order_by(u.c.received_at)
            .limit(limit)
        )
        if not db.is_sqlite(engine):
            pick = pick.with_for_update(skip_locked=True)
        rows = conn.execute(
            update(u)
            .where(u.c.id.in_(pick.scalar_subquery()))
            .values(
                state="processing",
                lease_until=now + lease,
                attempts=u.c.attempts + 1,
                worker=worker_name(),
            )
            .returning(u.c.id)
        ).all()
    return [str(r.id) for r in rows]


def _merge_into_commit(engine: Engine, reads: dict[str, ReadUpload]) -> Processed:
    """Count processed uploads of one commit into it and the history store, once.

    One transaction: lock the uploads and keep those not already ``done`` (a ``done``
    one was counted by another run of the same job), create or lock the commit's row,
    record their merged coverage into the commit's history run (merged with the
    earlier shards under the run's lock), copy the run's totals to the commit and mark
    the uploads done.
    """
    u, c = db.uploads, db.commits
    ids = list(reads)
    with db.write(engine) as conn:
        rows = conn.execute(
            select(u.c.id, u.c.state, u.c.repo_id, u.c.commit_sha)
            .where(u.c.id.in_(ids))
            .order_by(u.c.received_at)
            .with_for_update()
        ).all()
        repo_id, sha = rows[0].repo_id, rows[0].commit_sha
        todo = [r.id for r in rows if r.state != "done"]
        if not todo:
            return Processed(ids[0], False, False, repo_id, sha, 0)
        now = time.time()
        # Create the commit's row if it is new (a no-op when it exists), then lock it:
        # concurrent shards of one commit queue up here.
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as upsert
        else:
            from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
        conn.execute(
            upsert(c)
            .values(
                repo_id=repo_id,
                sha=sha,
                uploads=0,
                created_at=now,
                updated_at=now,
                **dict.fromkeys(db.TOTAL_KEYS, 0),
            )
            .on_conflict_do_nothing()
        )
        existing = conn.execute(
            select(c).where(c.c.repo_id == repo_id, c.c.sha == sha).with_for_update()
        ).one()
        repo_name = conn.execute(
            select(db.repositories.c.name).where(db.repositories.c.id == repo_id)
        ).scalar_one()
        batch = [reads[i] for i in todo]
        by_suite: dict[str, list[CoverageSet]] = {}
        blobs: dict[str, str] = {}
        for read in batch:
            for name, cs in read.suites.items():
                by_suite.setdefault(name, []).append(cs)
            blobs.update({p: b for p, b in read.doc.blobs.items() if p in read.coverage.files})
        suites = {name: CoverageSet.merge_all(sets) for name, sets in by_suite.items()}
        last = batch[-1].doc
        recorded = _InTransaction(conn, engine).record(
            suites,
            repository=repo_name,
            commit=sha,
            branch=last.branch,
            pr=str(last.pr) if last.pr is not None else None,
            run_key=f"server:{sha}",
            blobs=blobs,
            inputs=[r["name"] for read in batch for r in read.doc.reports],
            now=now,
        )
        totals = recorded.run.totals
        values: dict[str, Any] = {
            "branch": existing.branch,
            "pr": existing.pr,
            "base_sha": existing.base_sha,
            "diff": existing.diff,
        }
        for read in batch:  # the latest upload that says wins
            doc = read.doc
            if doc.branch:
                values["branch"] = doc.branch
            if doc.pr is not None:
                values["pr"] = doc.pr
            if doc.base:
                values["base_sha"] = doc.base
            if doc.diff is not None:
                values["diff"] = gzip.compress(orjson.dumps(doc.diff))
        conn.execute(
            update(c)
            .where(c.c.id == existing.id)
            .values(
                uploads=c.c.uploads + len(todo),
                run_id=recorded.run.id,
                updated_at=now,
                **values,
                **{k: getattr(totals, k) for k in db.TOTAL_KEYS},
            )
        )
        for upload_id in todo:
            result = dict(reads[upload_id].result, history_upload=recorded.upload_id)
            mark(
                conn,
                upload_id,
                state="done",
                processed_at=now,
                lease_until=None,
                result=orjson.dumps(result).decode(),
                error=None,
            )
        ready = pending_count(conn, repo_id, sha) == 0
    return Processed(todo[0], True, ready, repo_id, sha, len(todo))


def process_batch(
    engine: Engine, upload_ids: list[str], limits: Limits, lease: float
) -> Processed | None:
    """Process claimed jobs of one commit; a bad report fails its own upload only."""
    with engine.connect() as conn:
        bodies = dict(
            conn.execute(
                select(db.uploads.c.id, db.uploads.c.body).where(db.uploads.c.id.in_(upload_ids))
            ).all()
        )
    reads: dict[str, ReadUpload] = {}
    with _Heartbeat(engine, upload_ids, lease):
        for upload_id in upload_ids:
            try:
                reads[upload_id] = read_upload(inflate(bodies[upload_id], limits))
            except (CovgapError, Refused) as exc:
                with db.write(engine) as conn:
                    mark(
                        conn,
                        upload_id,
                        state="failed",
                        error=exc.message,
                        processed_at=time.time(),
                        lease_until=None,
                    )
                log.warning("upload %s failed: %s", upload_id, exc.message)
        if not reads:
            return None
        return _merge_into_commit(engine, reads)


def process_upload(
    engine: Engine, upload_id: str, limits: Limits, lease: float
) -> Processed | None:
    """Process one claimed job (:func:`process_batch` of one)."""
    return process_batch(engine, [upload_id], limits, lease)


def run_worker(
    engine: Engine,
    *,
    limits: Limits,
    lease: float = DEFAULT_LEASE,
    poll: float = 0.5,
    stop: threading.Event | None = None,
    on_ready: Callable[[Processed], None] | None = None,
    max_jobs: int | None = None,
    batch: int = DEFAULT_BATCH,
) -> int:
    """Claim and process jobs until ``stop`` is set (or ``max_jobs`` are done).

    With each claimed job, up to ``batch - 1`` more queued uploads of the same commit
    are claimed and processed together (:func:`claim_more`).
    """
    stop = stop or threading.Event()
    done = 0
    while not stop.is_set():
        try:
            upload_id = claim(engine, lease)
        except Exception:
            log.warning("claiming a job failed; retrying", exc_info=True)
            stop.wait(poll)
            continue
        if upload_id is None:
            stop.wait(poll)
            continue
        ids = [upload_id]
        try:
            ids += claim_more(engine, upload_id, lease, batch - 1)
            processed = process_batch(engine, ids, limits, lease)
        except Exception:
            # A database hiccup: put the jobs back in the queue for another try.
            log.warning("processing uploads %s failed; they will be retried", ids, exc_info=True)
            for job in ids:
                with_engine_release(engine, job)
            continue
        done += len(ids)
        if processed is not None and processed.counted and processed.ready and on_ready:
            try:
                on_ready(processed)
            except Exception:
                log.warning("notification for %s failed", processed.commit, exc_info=True)
        if max_jobs is not None and done >= max_jobs:
            break
    return done


def with_engine_release(engine: Engine, upload_id: str) -> None:
    """Put a job whose processing raised back in the queue at once."""
    try:
        with db.write(engine) as conn:
            conn.execute(
                update(db.uploads)
                .where(db.uploads.c.id == upload_id, db.uploads.c.state == "processing")
                .values(state="queued", lease_until=None)
            )
    except Exception:
        log.warning("could not requeue upload %s; its lease will expire", upload_id)


__all__ = [
    "DEFAULT_LEASE",
    "DEFAULT_NICE",
    "Processed",
    "claim",
    "claim_more",
    "commit_coverage",
    "process_batch",
    "process_upload",
    "read_upload",
    "run_worker",
]
