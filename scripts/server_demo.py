#!/usr/bin/env python3
"""A covgap server you can click through, from a fresh clone: ``make server-demo``.

Starts ``covgap serve`` on SQLite (``--backend sqlite``, the default), on a throwaway
local PostgreSQL cluster (``--backend postgresql``: initdb + pg_ctl on 127.0.0.1, removed
at exit) or both side by side (``--backend both``), or on a store you name (``--store``).
Then it plays two repositories' CI: two small git repositories ("shop", Python-like, and
"engine", Go-like) get several commits on ``main`` and one pull-request branch, and each
commit's LCOV reports (two suites for shop) are sent with the real ``covgap upload``
(with ``--sources``, so the commits' file pages show the source text).
When the server has processed everything it checks that every commit's totals from
``GET /api/v1/repos/NAME/commits/SHA`` equal merging the same reports locally with
covgap's pipeline, prints the pages to open (the repositories with their trend charts,
a commit's report, the PR comparison) and keeps serving until Ctrl-C.

``--exit`` stops after the check (CI and tests); ``--json`` prints the URLs as one JSON
line instead of prose. Exit status: 0 when every check passed, 1 otherwise.
Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from covgap.server.spawn import ServeNotReady, free_port, stop_process, wait_healthy

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 120.0
CI_PREFIXES = ("GITHUB_", "CI_", "CIRCLE", "BUILDKITE", "JENKINS", "BUILD_", "SYSTEM_", "COVGAP_")
"""Variables ``covgap upload`` reads commit/branch/PR from: left out, so git decides."""


def covgap(*args: str, cwd: Path | None = None) -> str:
    """Run the covgap CLI of this interpreter; its stdout (stops the demo on failure)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(CI_PREFIXES) and k != "CI"}
    proc = subprocess.run(
        [sys.executable, "-m", "covgap", *args],
        capture_output=True, text=True, timeout=TIMEOUT, env=env, cwd=cwd, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(f"server-demo: covgap {args[0]} failed: {proc.stderr.strip()}")
    return proc.stdout


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", "-c", "user.email=demo@example.com", "-c", "user.name=demo", *args],
        cwd=repo, check=True, capture_output=True, text=True, timeout=60, env=env,
    ).stdout.strip()  # fmt: skip


def lcov(files: dict[str, dict[int, int]]) -> str:
    out = ["TN:"]
    for path, hits in sorted(files.items()):
        out.append(f"SF:{path}")
        out += [f"DA:{line},{n}" for line, n in sorted(hits.items())]
        out.append("end_of_record")
    return "\n".join(out) + "\n"


def source(lines: int, name: str) -> str:
    return "".join(f"line {i} of {name}\n" for i in range(1, lines + 1))


# -- the two repositories' histories ---------------------------------------------------


@dataclass
class Commit:
    """One CI run: what the tree holds and which suites hit which lines."""

    message: str
    files: dict[str, int]
    """path -> number of lines."""
    suites: dict[str, dict[str, dict[int, int]]]
    """suite -> path -> line -> hits."""
    branch: str = "main"
    pr: int | None = None
    stable: frozenset[str] = frozenset()
    """Files whose content this commit leaves as it was (the others change)."""


def _hits(lines: int, covered_upto: int, every: int = 1) -> dict[int, int]:
    return {i: (1 if i <= covered_upto and i % every == 0 else 0) for i in range(1, lines + 1)}


def shop_history() -> list[Commit]:
    files = {"shop/cart.py": 40, "shop/pay.py": 30, "shop/<b>promo</b>.py": 10}
    out = []
    for step, upto in enumerate((12, 20, 28)):
        out.append(
            Commit(
                f"shop: step {step}",
                files,
                {
                    "unit": {
                        "shop/cart.py": _hits(40, upto + 10),
                        "shop/pay.py": _hits(30, upto),
                        "shop/<b>promo</b>.py": _hits(10, 3),
                    },
                    "e2e": {"shop/pay.py": _hits(30, 30, every=3)},
                },
            )
        )
    pr_files = {**files, "shop/refund.py": 20}
    out.append(
        Commit(
            "shop: refunds (PR)",
            pr_files,
            {
                "unit": {
                    "shop/cart.py": _hits(40, 38),
                    "shop/pay.py": _hits(30, 20),
                    "shop/refund.py": _hits(20, 11),
                    "shop/<b>promo</b>.py": _hits(10, 3),
                },
                "e2e": {"shop/pay.py": _hits(30, 30, every=3)},
            },
            branch="feature/refunds",
            pr=7,
        )
    )
    return out


def engine_history() -> list[Commit]:
    files = {"engine/core.go": 60, "engine/io.go": 25}
    return [
        Commit(
            f"engine: step {step}",
            files,
            {"go": {"engine/core.go": _hits(60, upto), "engine/io.go": _hits(25, upto // 3)}},
            # io.go never changes while its covered lines do: the flapping-lines page
            stable=frozenset({"engine/io.go"}),
        )
        for step, upto in enumerate((30, 24, 45, 52))
    ]


# -- running things --------------------------------------------------------------------


def get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, None


@contextmanager
def postgresql() -> Iterator[tuple[str, str]]:
    """A throwaway PostgreSQL cluster on 127.0.0.1 (tests/pgcluster.py): its store URL
    and its directory (removed when the demo stops)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from pgcluster import start_cluster

    cluster = start_cluster()
    if cluster is None:
        raise SystemExit("server-demo: PostgreSQL's initdb and pg_ctl were not found")
    try:
        yield cluster.create_database("covgap_demo"), str(cluster.dir)
    finally:
        cluster.stop()


@contextmanager
def serve(store: str, port: int, cache: Path) -> Iterator[str]:
    """``covgap serve`` on 127.0.0.1:port; yields its URL once it answers."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "covgap", "serve", "--store", store, "--host", "127.0.0.1",
         "--port", str(port), "--cache-dir", str(cache)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(proc, url)
        except ServeNotReady as exc:
            raise SystemExit(f"server-demo: {exc}") from None
        yield url
    finally:
        stop_process(proc)


@dataclass
class Played:
    """What one repository's CI uploaded: per commit, its SHA and local totals."""

    name: str
    commits: list[tuple[str, Commit, dict[str, int]]] = field(default_factory=list)


def local_totals(repo: Path, reports: list[str]) -> dict[str, int]:
    """Merging the same reports locally, as ``covgap report`` would in the checkout."""
    from covgap.config import Config
    from covgap.pipeline import InputSpec, load
    from covgap.workspace import Workspace

    config = Config()
    specs = [InputSpec(repo / s.path, s.flag) for s in map(InputSpec.parse, reports)]
    totals: dict[str, int] = (
        load(specs, Workspace.load(repo, config), config).coverage.totals().as_dict()
    )
    return totals


def play(name: str, history: list[Commit], work: Path, targets: list[tuple[str, str]]) -> Played:
    """Commit ``history`` into a fresh git repository and upload each commit's reports
    to every server in ``targets`` (url, token) with ``covgap upload``."""
    repo = work / name
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    played = Played(name)
    base: str | None = None
    for commit in history:
        if commit.branch != "main" and git(repo, "branch", "--show-current") == "main":
            base = git(repo, "rev-parse", "HEAD")
            git(repo, "checkout", "-q", "-b", commit.branch)
        for path, lines in commit.files.items():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            change = "" if path in commit.stable else f"# {commit.message}\n"
            (repo / path).write_text(source(lines, path) + change)
        (repo / ".gitignore").write_text("cov/\n")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", commit.message)
        sha = git(repo, "rev-parse", "HEAD")
        reports = []
        (repo / "cov").mkdir(exist_ok=True)
        for suite, files in commit.suites.items():
            (repo / "cov" / f"{suite}.info").write_text(lcov(files))
            reports.append(f"{suite}=cov/{suite}.info")
        extra = ["--branch", commit.branch, "--sources"]
        if commit.pr is not None and base is not None:
            extra += ["--pr", str(commit.pr), "--base", base]
        for url, token in targets:
            covgap("upload", *reports, "--url", url, "--token", token, *extra, cwd=repo)
        played.commits.append((sha, commit, local_totals(repo, reports)))
    return played


def wait_and_check(url: str, played: list[Played]) -> list[str]:
    """Wait until every commit is processed; the mismatches with the local merge."""
    problems = []
    for repo in played:
        for sha, _commit, expected in repo.commits:
            deadline = time.monotonic() + TIMEOUT
            while True:
                status, doc = get_json(f"{url}/api/v1/repos/{repo.name}/commits/{sha}")
                if status == 200 and doc["state"] == "complete":
                    break
                if time.monotonic() > deadline:
                    problems.append(f"{url}: {repo.name}@{sha[:12]} not processed")
                    break
                time.sleep(0.1)
            if status == 200 and doc["totals"] != expected:
                problems.append(
                    f"{url}: {repo.name}@{sha[:12]}: server {doc['totals']} != local {expected}"
                )
    return problems


def pages(url: str, played: list[Played]) -> dict[str, Any]:
    out: dict[str, Any] = {"url": url, "repositories": {}}
    for repo in played:
        pr = [sha for sha, c, _ in repo.commits if c.pr is not None]
        last_main = [sha for sha, c, _ in repo.commits if c.branch == "main"][-1]
        out["repositories"][repo.name] = {
            "name": repo.name,
            "page": f"{url}/{repo.name}",
            "commits": [sha for sha, _, _ in repo.commits],
            "expected": {sha: totals for sha, _, totals in repo.commits},
            "report": f"{url}/{repo.name}/commit/{last_main}/",
            "compare": f"{url}/{repo.name}/commit/{pr[0]}/compare" if pr else None,
            "flapping": f"{url}/{repo.name}/flapping",
        }
    return out


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--store", help="use this store URL instead of a throwaway one")
    parser.add_argument("--port", type=int, default=8080,
                        help="first port (a second server: the next); 0: any free")  # fmt: skip
    parser.add_argument("--exit", action="store_true", help="stop after the check")
    parser.add_argument("--json", action="store_true", help="print the URLs as one JSON line")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops it as Ctrl-C does: cleanly

    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="covgap-demo-")))
        stores: list[tuple[str, str, str]] = []  # backend, store URL, its directory
        if args.store:
            stores.append(("given", args.store, ""))
        else:
            if args.backend in ("sqlite", "both"):
                stores.append(("sqlite", f"sqlite:///{work}/covgap-server.db", str(work)))
            if args.backend in ("postgresql", "both"):
                stores.append(("postgresql", *stack.enter_context(postgresql())))
        servers: list[tuple[str, str, dict[str, str]]] = []
        for i, (kind, store, _dir) in enumerate(stores):
            covgap("server", "init", "--store", store)
            tokens = {
                name: covgap("server", "create-repo", name, "--store", store).splitlines()[-1]
                for name in ("shop", "engine")
            }
            port = free_port() if args.port == 0 else args.port + i
            cache = work / f"cache-{i}"  # the commits' HTML reports, removed at exit
            servers.append((kind, stack.enter_context(serve(store, port, cache)), tokens))
        played = [
            play(name, history, work / "repos", [(url, t[name]) for _, url, t in servers])
            for name, history in (("shop", shop_history()), ("engine", engine_history()))
        ]
        problems = [p for _, url, _ in servers for p in wait_and_check(url, played)]
        result = {
            "ok": not problems,
            "problems": problems,
            "servers": [
                {"backend": kind, "store_dir": where, **pages(url, played)}
                for (kind, url, _), (_, _, where) in zip(servers, stores, strict=True)
            ],
        }
        if args.json:
            print(json.dumps(result), flush=True)
        else:
            for server in result["servers"]:
                print(f"\ncovgap server on {server['backend']}: {server['url']}/")
                for name, repo in server["repositories"].items():
                    print(f"  {name}: trend {repo['page']}")
                    print(f"  {name}: latest main report {repo['report']}")
                    if repo["compare"]:
                        print(f"  {name}: PR comparison {repo['compare']}")
                print(f"  engine: flapping lines {server['repositories']['engine']['flapping']}")
            print(
                "\nevery commit's totals equal the local merge"
                if not problems
                else "\n".join(["", "MISMATCH:", *problems])
            )
        if args.exit or problems:
            return 0 if not problems else 1
        print("serving; Ctrl-C to stop", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
