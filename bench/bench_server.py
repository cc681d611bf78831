# ruff: noqa: E501 -- the printed lines and the RESULTS table template read best unwrapped
"""Load benchmark of the covgap server (issue 12): processes on one PostgreSQL.

Set-up: a throwaway PostgreSQL cluster (``tests/pgcluster.py``, loopback only), two
``covgap serve`` processes that only accept (``--process-threads 0``) and two
``covgap server worker`` processes that only process.

What is measured:

1. **Accepting.** ``--clients`` concurrent clients (threads, each with its own
   connection per request, round-robin over the two servers) upload ``--uploads``
   shard reports for ``--commits`` commits, in mixed formats (LCOV, Cobertura and
   covgap JSON, written by covgap's own writers from generated coverage), offered at
   ``--rate`` uploads/s (open loop: upload i is due at i/rate, and its latency counts
   from then, so a late start counts too). Reported: uploads/s over the whole burst
   and p50/p95/max accept latency (due time to 202 response) — the issue's target is
   a rate (>= 20/s) *at which* p95 stays under 200 ms. A closed-loop run (every
   client sending again as soon as it is answered) measures latency at saturation
   instead, which is clients / throughput by Little's law whatever the server does;
   it is reported in step 5 as the accept capacity.
2. **Processing lag.** For every upload, ``processed_at - received_at`` from the
   database: p50/p95/max, and the time from the first acceptance to the last upload
   processed.
3. **Exactness.** Every commit's totals from the API equal merging its shards locally
   (the same bytes read by covgap's readers and merged with ``CoverageSet.merge_all``).
4. **A 10,000-file report**: accepted and processed alone; the processing time.
5. **Scaling.** With the workers stopped, ``--drain`` uploads (one commit each) are
   queued by all clients at once as fast as they are answered (the accept capacity),
   held while 1 and then 2 workers start, and released at once: uploads processed per
   second and worker CPU per upload.
6. **kill -9.** A worker is killed while it holds a job; another claims it after the
   lease; the job is counted exactly once (attempts 2, the commit's upload count 1).

Usage::

    python bench/bench_server.py --uploads 40 --commits 4 --files 100 --big-files 2000 --drain 12  # quick
    python bench/bench_server.py --write-results bench/RESULTS-server.md  # full size
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from covgap.formats import get_format, read_report  # noqa: E402
from covgap.history.url import parse  # noqa: E402
from covgap.model import CoverageSet, FileCoverageBuilder  # noqa: E402
from covgap.pipeline import InputSpec  # noqa: E402
from covgap.server import db  # noqa: E402
from covgap.server.spawn import (  # noqa: E402
    ServeNotReady,
    free_port,
    stop_process,
    wait_healthy,
)
from covgap.upload import UploadPlan, encode, send  # noqa: E402
from pgcluster import start_cluster  # noqa: E402

FORMATS = ("lcov", "cobertura", "covgap")
SUFFIX = {"lcov": "lcov.info", "cobertura": "coverage.xml", "covgap": "coverage.json"}


def covgap(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "covgap", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def cpu_seconds(procs: list[subprocess.Popen[bytes]]) -> float:
    """User + system CPU seconds the processes have used so far (Linux ``/proc``).

    The machine may be shared while the bench runs: wall-clock rates then measure the
    other load as much as covgap, CPU seconds per upload do not.
    """
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in procs:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def settle(procs: list[subprocess.Popen[bytes]], timeout: float = 30.0) -> None:
    """Wait until the processes are idle (start-up done), so CPU counted after is work."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(procs)
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = cpu_seconds(procs)
        if now - before < 0.02 * max(len(procs), 1):
            return
        before = now


def start_serve(store: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "covgap", "serve", "--store", store, "--port", str(port),
         "--process-threads", "0", "--rate-limit", "0", "--pool-size", "10"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url)
    except ServeNotReady:
        stop_process(proc)
        raise
    return proc, url


def start_worker(store: str, lease: float = 10.0) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "covgap", "server", "worker", "--store", store, "--lease", str(lease)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def stop(proc: subprocess.Popen[bytes] | None) -> None:
    stop_process(proc)


def shard(
    rng: random.Random, files: int, lines: int, commit_index: int, shard_index: int
) -> CoverageSet:
    """One shard's coverage: every file of the commit's tree, hits varying by shard."""
    cs = CoverageSet()
    for f in range(files):
        b = FileCoverageBuilder(f"pkg{f % 37}/mod{f}/file{f}.py")
        for n in range(1, lines + 1):
            b.add_line(n, rng.choice((0, 0, 1, 3)) if (n + shard_index) % 4 else 0)
        for n in range(5, lines, 20):
            b.add_branch(n, 0, 0, rng.choice((0, 1)))
            b.add_branch(n, 0, 1, rng.choice((0, 2)))
        b.add_function(f"f{f}", 1, rng.choice((0, 1)), lines // 2 or 1)
        b.add_function(f"g{f}", lines // 2 + 1, rng.choice((0, 1)), lines)
        cs.add(b.build())
    return cs


def write(cs: CoverageSet, fmt: str) -> bytes:
    out = io.BytesIO()
    writer = get_format(fmt).write
    assert writer is not None
    writer(cs, out)
    return out.getvalue()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def make_body(
    tmp: Path, name: str, data: bytes, commit: str, fmt: str, files: list[str] | None = None
) -> bytes:
    path = tmp / name
    path.write_bytes(data)
    plan = UploadPlan(commit, "main", None, None, files or [], [(InputSpec(path, None), fmt)], None)
    return encode(plan)


def reset(engine: Any) -> None:
    """Empty the queue, the commits and their history runs between phases."""
    from covgap.history.schema import runs

    with engine.begin() as conn:
        conn.execute(db.uploads.delete())
        conn.execute(db.commits.delete())
        conn.execute(runs.delete())


def timed_send(body: bytes, urls: list[str], i: int, token: str) -> float:
    """Send one upload to server ``i % 2``; seconds until it was accepted."""
    started = time.perf_counter()
    send(body, urls[i % len(urls)], token, retries=1)
    return time.perf_counter() - started


def hold(engine: Any, held: bool) -> None:
    """Hold the queued jobs out of the workers' reach (a state no worker claims), or
    release them all at once: so a scaling run starts with a full queue and warm workers."""
    frm, to = ("queued", "held") if held else ("held", "queued")
    with engine.begin() as conn:
        conn.execute(db.uploads.update().where(db.uploads.c.state == frm).values(state=to))


def wait_processed(engine: Any, n: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            done = conn.execute(
                select(func.count())
                .select_from(db.uploads)
                .where(db.uploads.c.state.in_(("done", "failed")))
            ).scalar_one()
        if done >= n:
            return True
        time.sleep(0.1)
    return False


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--uploads", type=int, default=200)
    ap.add_argument("--commits", type=int, default=10)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--files", type=int, default=400, help="files per shard report")
    ap.add_argument("--lines", type=int, default=150, help="lines per file")
    ap.add_argument("--big-files", type=int, default=10_000)
    ap.add_argument("--drain", type=int, default=60)
    ap.add_argument("--rate", type=float, default=25.0,
                    help="uploads per second offered by the clients in the accept burst")  # fmt: skip
    ap.add_argument("--write-results", type=Path)
    args = ap.parse_args()
    rng = random.Random(12)
    results: dict[str, Any] = {}
    cluster = start_cluster()
    if cluster is None:
        print("needs PostgreSQL's initdb and pg_ctl", file=sys.stderr)
        return 2
    procs: list[subprocess.Popen[bytes]] = []
    try:
        store = cluster.create_database("bench")
        init = covgap("server", "create-repo", "bench", "--store", store)
        assert init.returncode == 0, init.stderr
        token = init.stdout.strip().splitlines()[-1]
        engine = create_engine(parse(store))
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            # -- generate the shards -----------------------------------------------
            t0 = time.perf_counter()
            commits = [f"{i:02d}" + "c0ffee" * 6 + f"{i:02d}" for i in range(args.commits)]
            jobs: list[tuple[str, bytes, str, bytes]] = []  # commit, raw report, format, body
            for u in range(args.uploads):
                ci = u % args.commits
                fmt = FORMATS[u % len(FORMATS)]
                raw = write(shard(rng, args.files, args.lines, ci, u), fmt)
                name = f"{u}-{SUFFIX[fmt]}"
                jobs.append((commits[ci], raw, fmt, make_body(tmp, name, raw, commits[ci], fmt)))
            sizes = [len(j[1]) for j in jobs]
            bodies = [len(j[3]) for j in jobs]
            results["generate_s"] = time.perf_counter() - t0
            results["report_mb"] = statistics.mean(sizes) / 1e6
            results["body_kb"] = statistics.mean(bodies) / 1e3
            print(f"generated {len(jobs)} shards: mean report {results['report_mb']:.2f} MB, "
                  f"mean gzip body {results['body_kb']:.0f} kB ({results['generate_s']:.1f}s)")  # fmt: skip

            # -- 1. accept burst ---------------------------------------------------
            servers = [start_serve(store) for _ in range(2)]
            procs += [p for p, _ in servers]
            urls = [u for _, u in servers]
            workers = [start_worker(store) for _ in range(2)]
            procs += workers
            latencies: list[float] = []
            lock = threading.Lock()

            def upload(i: int) -> None:
                # Open loop: upload i is due at t0 + i/rate, whether or not earlier ones
                # were answered, and its latency counts from then (a client that could
                # not start on time because all were busy waited too).
                due = t0 + i / args.rate
                time.sleep(max(0.0, due - time.perf_counter()))
                send(jobs[i][3], urls[i % 2], token, retries=1)
                took = time.perf_counter() - due
                with lock:
                    latencies.append(took)

            server_procs = [p for p, _ in servers]
            settle(server_procs + workers)
            results["load_start"] = os.getloadavg()[0]
            serve_cpu0, worker_cpu0 = cpu_seconds(server_procs), cpu_seconds(workers)
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                list(pool.map(upload, range(len(jobs))))
            burst = time.perf_counter() - t0
            results["accept_cpu_ms"] = (cpu_seconds(server_procs) - serve_cpu0) / len(jobs) * 1000
            results["uploads_per_s"] = len(jobs) / burst
            results["accept_p50_ms"] = pct(latencies, 0.5) * 1000
            results["accept_p95_ms"] = pct(latencies, 0.95) * 1000
            results["accept_max_ms"] = max(latencies) * 1000
            print(f"accepted {len(jobs)} uploads offered at {args.rate:g}/s in {burst:.2f}s: "
                  f"{results['uploads_per_s']:.1f}/s, p50 {results['accept_p50_ms']:.0f} ms, "
                  f"p95 {results['accept_p95_ms']:.0f} ms")  # fmt: skip

            # -- 2. processing lag -------------------------------------------------
            ok = wait_processed(engine, len(jobs), timeout=900)
            results["process_cpu_ms"] = (cpu_seconds(workers) - worker_cpu0) / len(jobs) * 1000
            with engine.connect() as conn:
                rows = conn.execute(
                    select(db.uploads.c.received_at, db.uploads.c.processed_at, db.uploads.c.state)
                ).all()
            lags = [r.processed_at - r.received_at for r in rows if r.processed_at]
            results["all_processed"] = ok and all(r.state == "done" for r in rows)
            results["lag_p50_s"] = pct(lags, 0.5)
            results["lag_p95_s"] = pct(lags, 0.95)
            results["lag_max_s"] = max(lags)
            first = min(r.received_at for r in rows)
            results["drain_s"] = max(r.processed_at for r in rows if r.processed_at) - first
            print(f"processed: lag p50 {results['lag_p50_s']:.1f}s p95 {results['lag_p95_s']:.1f}s "
                  f"max {results['lag_max_s']:.1f}s; all done {results['drain_s']:.1f}s after the first")  # fmt: skip
            print(f"CPU per upload: accepting {results['accept_cpu_ms']:.1f} ms (servers), "
                  f"processing {results['process_cpu_ms']:.1f} ms (workers)")  # fmt: skip

            # -- 3. exactness ------------------------------------------------------
            exact = 0
            for ci, sha in enumerate(commits):
                local = []
                for j, (commit, raw, fmt, _) in enumerate(jobs):
                    if commit != sha:
                        continue
                    p = tmp / f"check-{j}-{SUFFIX[fmt]}"
                    p.write_bytes(raw)
                    local.append(read_report(p, format_name=fmt))
                expected = CoverageSet.merge_all(local).totals().as_dict()
                with urllib.request.urlopen(
                    f"{urls[ci % 2]}/api/v1/repos/bench/commits/{sha}"
                ) as r:
                    got = orjson.loads(r.read())
                if got["totals"] == expected and got["uploads"] == len(local):
                    exact += 1
                else:
                    print(f"MISMATCH {sha}: {got['totals']} != {expected}")
            results["exact_commits"] = f"{exact}/{len(commits)}"
            print(
                f"exact: {exact}/{len(commits)} commits' totals equal the local merge of their shards"
            )

            # -- 4. one 10,000-file report -----------------------------------------
            big = shard(rng, args.big_files, 40, 99, 0)
            raw = write(big, "lcov")
            big_sha = "b" * 40
            # with the repository's file list, so its 10,000 paths are mapped as well
            body = make_body(tmp, "big.info", raw, big_sha, "lcov", sorted(big.files))
            acc = send(body, urls[0], token)
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    row = conn.execute(select(db.uploads).where(db.uploads.c.id == acc.id)).one()
                if row.state in ("done", "failed"):
                    break
                time.sleep(0.05)
            results["big_report_mb"] = len(raw) / 1e6
            results["big_files"] = args.big_files
            results["big_lag_s"] = row.processed_at - row.received_at
            results["big_ok"] = row.state == "done"
            print(
                f"{args.big_files:,}-file report ({len(raw) / 1e6:.1f} MB): processed {results['big_lag_s']:.2f}s after acceptance"
            )

            # -- 5. scaling of processing ------------------------------------------
            for w in workers:
                stop(w)
            scaling: dict[int, float] = {}
            scaling_cpu: dict[int, float] = {}
            # One commit per job, so that the workers never wait on each other's commit lock.
            drain_bodies = [
                make_body(tmp, f"d{i}-{SUFFIX[fmt]}", raw, f"{i:040x}", fmt)
                for i, (_, raw, fmt, _) in enumerate(jobs[: args.drain])
            ]
            capacity: list[float] = []
            saturated: list[float] = []
            for k in (1, 2):
                reset(engine)
                # The queue is filled with no worker running, by all the clients at once
                # as fast as the servers answer (closed loop: the accept capacity), then
                # held while k workers start, and released at once.
                t1 = time.perf_counter()
                with ThreadPoolExecutor(args.clients) as pool:
                    saturated += list(
                        pool.map(
                            timed_send,
                            drain_bodies,
                            [urls] * len(drain_bodies),
                            range(len(drain_bodies)),
                            [token] * len(drain_bodies),
                        )
                    )
                capacity.append(len(drain_bodies) / (time.perf_counter() - t1))
                hold(engine, True)
                ws = [start_worker(store) for _ in range(k)]
                settle(ws)
                cpu0 = cpu_seconds(ws)
                hold(engine, False)
                wait_processed(engine, len(drain_bodies), timeout=900)
                scaling_cpu[k] = (cpu_seconds(ws) - cpu0) / len(drain_bodies) * 1000
                for w in ws:
                    stop(w)
                # From the first job finished to the last: worker start-up is not counted.
                with engine.connect() as conn:
                    first_done, last_done = conn.execute(
                        select(
                            func.min(db.uploads.c.processed_at), func.max(db.uploads.c.processed_at)
                        )
                    ).one()
                scaling[k] = (len(drain_bodies) - 1) / max(last_done - first_done, 1e-9)
                print(f"{k} worker(s): {scaling[k]:.1f} uploads processed/s, "
                      f"{scaling_cpu[k]:.0f} ms CPU per upload")  # fmt: skip
            results["scaling"] = scaling
            results["capacity"] = max(capacity)
            results["saturated_p95_ms"] = pct(saturated, 0.95) * 1000
            print(f"accept capacity ({args.clients} clients, closed loop, no worker running): "
                  f"{results['capacity']:.1f} uploads/s, p95 {results['saturated_p95_ms']:.0f} ms")  # fmt: skip
            results["scaling_cpu"] = scaling_cpu

            # -- 6. kill -9 mid-job --------------------------------------------------
            reset(engine)
            victim = start_worker(store, lease=2)
            procs.append(victim)
            acc = send(body, urls[0], token)
            deadline = time.monotonic() + 120
            state = ""
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    state = conn.execute(
                        select(db.uploads.c.state).where(db.uploads.c.id == acc.id)
                    ).scalar_one()
                if state == "processing":
                    break
                time.sleep(0.01)
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait(timeout=10)
            killed_t = time.perf_counter()
            rescuer = start_worker(store, lease=2)
            procs.append(rescuer)
            wait_processed(engine, 1, timeout=300)
            with engine.connect() as conn:
                row = conn.execute(select(db.uploads).where(db.uploads.c.id == acc.id)).one()
                commit_row = conn.execute(
                    select(db.commits).where(db.commits.c.sha == big_sha)
                ).one()
            once = row.state == "done" and row.attempts == 2 and commit_row.uploads == 1
            results["kill9"] = (
                f"killed while '{state}'; completed {time.perf_counter() - killed_t:.1f}s later by "
                f"another worker, attempts {row.attempts}, commit upload count {commit_row.uploads}, "
                f"lines {commit_row.lines_covered}/{commit_row.lines_total} "
                f"(expected {big.totals().lines_covered}/{big.totals().lines_total})"
            )
            once = (
                once
                and commit_row.lines_total == big.totals().lines_total
                and commit_row.lines_covered == big.totals().lines_covered
            )
            results["kill9_once"] = once
            print(f"kill -9: {results['kill9']}: {'exactly once' if once else 'NOT EXACTLY ONCE'}")
        engine.dispose()
    finally:
        for p in procs:
            stop(p)
        cluster.stop()
    results["load_end"] = os.getloadavg()[0]
    verdicts = targets(results)
    print()
    for name, measured, target, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {name}: {measured} (target {target})")
    if args.write_results:
        write_results(args, results, verdicts)
    return 0 if all(ok for *_, ok in verdicts) else 1


def targets(r: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    """Every target of issue 12, with the measured value and PASS/FAIL computed."""
    s1, s2 = r["scaling"][1], r["scaling"][2]
    return [
        ("uploads accepted per second", f"{r['uploads_per_s']:.1f} (reports of {r['report_mb']:.2f} MB)",
         ">= 20 of ~1 MB reports", r["uploads_per_s"] >= 20 and r["report_mb"] >= 0.8),
        ("accept latency p95 at that rate", f"{r['accept_p95_ms']:.0f} ms", "< 200 ms",
         r["accept_p95_ms"] < 200),
        ("every upload processed within 10 s of acceptance",
         f"max lag {r['lag_max_s']:.1f} s, all processed: {r['all_processed']}", "< 10 s",
         r["all_processed"] and r["lag_max_s"] < 10),
        ("commits' totals equal the local merge of their shards", r["exact_commits"], "all",
         r["exact_commits"].split("/")[0] == r["exact_commits"].split("/")[1]),
        (f"{r['big_files']:,}-file report processed after acceptance", f"{r['big_lag_s']:.2f} s",
         "< 5 s for 10,000 files", r["big_ok"] and r["big_lag_s"] < 5 and r["big_files"] >= 10_000),
        ("processing throughput 1 -> 2 workers", f"{s1:.1f} -> {s2:.1f} uploads/s", "grows",
         s2 > s1),
        ("kill -9 a worker mid-job", "exactly once" if r["kill9_once"] else "NOT exactly once",
         "exactly once", bool(r["kill9_once"])),
    ]  # fmt: skip


PROSE = "## Reading these numbers"


def write_results(
    args: argparse.Namespace, r: dict[str, Any], verdicts: list[tuple[str, str, str, bool]]
) -> None:
    """Write the results table; an existing file's prose section (``PROSE`` on) is kept."""
    rows = "\n".join(
        f"| {name} | {measured} | {target} | {'PASS' if ok else 'FAIL'} |"
        for name, measured, target, ok in verdicts
    )
    old = args.write_results.read_text() if args.write_results.exists() else ""
    prose = old[old.index(PROSE) :] if PROSE in old else ""
    text = f"""# covgap server load benchmark

`python bench/bench_server.py --uploads {args.uploads} --commits {args.commits} --clients {args.clients} --rate {args.rate:g} --files {args.files} --lines {args.lines} --drain {args.drain}`
on {dt.date.today().isoformat()}, {platform.python_implementation()} {platform.python_version()},
{os.cpu_count()} cores; load average (1 min) {r["load_start"]:.1f} when the burst started,
{r["load_end"]:.1f} at the end (above ~0.5 the machine was shared and wall-clock numbers are
pessimistic; CPU seconds per upload are not affected).

Set-up: a throwaway PostgreSQL 15 cluster on 127.0.0.1 (fsync off), 2 `covgap serve`
processes that only accept uploads, 2 `covgap server worker` processes that only process;
{args.clients} concurrent clients upload {args.uploads} shard reports (LCOV, Cobertura and covgap JSON in
turn, each a mean {r["report_mb"]:.2f} MB uncompressed, {r["body_kb"]:.0f} kB as sent) for {args.commits} commits.

| target (issue 12) | measured | target | verdict |
| --- | --- | --- | --- |
{rows}

| detail | result |
| --- | --- |
| accept latency p50 / p95 / max (uploads offered at {args.rate:g}/s by {args.clients} clients, open loop) | {r["accept_p50_ms"]:.0f} / {r["accept_p95_ms"]:.0f} / {r["accept_max_ms"]:.0f} ms |
| accept capacity (best of 2 runs): {args.drain} uploads by {args.clients} clients as fast as answered (closed loop, no worker running); p95 latency there (both runs) | {r["capacity"]:.1f} uploads/s; {r["saturated_p95_ms"]:.0f} ms |
| processing lag p50 / p95 / max | {r["lag_p50_s"]:.1f} / {r["lag_p95_s"]:.1f} / {r["lag_max_s"]:.1f} s |
| last upload processed after the first accepted | {r["drain_s"]:.1f} s |
| CPU per upload: accepting (2 servers) / processing (2 workers) | {r["accept_cpu_ms"]:.1f} / {r["process_cpu_ms"]:.1f} ms |
| processing CPU per upload with 1 / 2 workers (one commit per upload) | {r["scaling_cpu"][1]:.0f} / {r["scaling_cpu"][2]:.0f} ms |
| {r["big_files"]:,}-file report | {r["big_report_mb"]:.1f} MB LCOV with its {r["big_files"]:,}-path file list |
| kill -9 a worker mid-job | {r["kill9"]} |

Numbers are computed by the script; nothing here is typed in by hand.

{prose}"""
    args.write_results.write_text(text.rstrip() + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
