"""``kill -9`` a worker in the middle of a job: the job is claimed again when its lease
runs out and completes exactly once (PostgreSQL, real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, select
from srv_helpers import SHA_A, body, document, lcov
from srv_serving import create_repo, request, serve, wait_for_totals

from covgap.history import open_store
from covgap.history.url import parse
from covgap.server import db


def _worker(store: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "covgap", "server", "worker", "--store", store, "--lease", "1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_worker_job_completes_exactly_once(pg_url: str) -> None:
    store = pg_url
    token = create_repo(store, "alpha")
    files = {f"src/m{i}/f{i}.py": {n: (n + i) % 3 for n in range(1, 41)} for i in range(5000)}
    report = lcov(files)
    doc = document([("big.info", report, None)], files=sorted(files))
    engine = create_engine(parse(store))
    victim = _worker(store)
    rescuer: subprocess.Popen[bytes] | None = None
    try:
        with serve(store, "--process-threads", "0") as base:
            status, _ = request(
                f"{base}/api/v1/uploads", data=body(doc), token=token, method="POST"
            )
            assert status == 202
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    state = conn.execute(select(db.uploads.c.state)).scalar_one()
                if state == "processing":
                    break
                time.sleep(0.01)
            assert state == "processing"
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
            with engine.connect() as conn:
                assert conn.execute(select(db.uploads.c.state)).scalar_one() == "processing"
            rescuer = _worker(store)
            got = wait_for_totals(base, "alpha", SHA_A, timeout=120)
        with engine.connect() as conn:
            row = conn.execute(select(db.uploads)).one()
            commit = conn.execute(select(db.commits)).one()
        assert row.state == "done" and row.attempts == 2
        assert commit.uploads == 1
        expected_total = 5000 * 40
        expected_covered = sum(1 for hits in files.values() for n in hits.values() if n)
        assert got["totals"]["lines_total"] == expected_total
        assert got["totals"]["lines_covered"] == expected_covered
        with open_store(store) as history:
            _, runs = history.commit_coverage("alpha", SHA_A)
            assert len(runs) == 1 and runs[0].uploads == 1
            assert runs[0].totals.lines_covered == expected_covered
    finally:
        engine.dispose()
        for proc in (victim, rescuer):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
