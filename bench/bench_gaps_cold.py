"""Time ``covgap gaps`` cold on a repository with sources, against an older covgap.

Issue 14, target 4: cold ``gaps`` on the 10,000-file corpus must take at most 20 s, and
most of its time is source analysis in worker processes. This prints wall clock and CPU
seconds (the command and all its worker processes, from ``RUSAGE_CHILDREN``) of a cold
run (``.covgap/`` removed first) of this checkout's covgap and, with ``--compare REF``,
of the ``src/`` of git ref ``REF`` (exported with ``git archive``, put first on
``PYTHONPATH``), alternating ``--rounds`` times so both see the same neighbours; and it
checks the two JSON outputs are byte-identical. The repository is
``bench_html.generate_repo``'s (Python, TypeScript, Go, Rust and C, in one git commit).

Usage::

    python bench/bench_gaps_cold.py --files 1000 --keep /tmp/gapsbench --compare main
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_html import generate_repo

ROOT = Path(__file__).resolve().parents[1]


def _repo(base: Path, n_files: int) -> Path:
    repo = base / f"repo-{n_files}"
    report = repo / "coverage" / "lcov.info"
    if not report.exists():
        shutil.rmtree(repo, ignore_errors=True)
        repo.mkdir(parents=True)
        generate_repo(repo, n_files)
    return repo


def _export(ref: str, dest: Path) -> Path:
    archive = subprocess.run(
        ["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def _cold(repo: Path, out: Path, pythonpath: Path | None) -> tuple[float, float]:
    """(wall s, CPU s) of one cold ``covgap gaps`` in a child process."""
    shutil.rmtree(repo / ".covgap", ignore_errors=True)
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    cmd = [sys.executable, "-m", "covgap", "gaps", "--format", "json", "-o", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [*cmd, "coverage/lcov.info"], cwd=repo, env=env, check=True, stderr=subprocess.DEVNULL
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--compare", metavar="REF", help="also time src/ of this git ref")
    parser.add_argument("--keep", type=Path, help="generate (or reuse) the repository here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="gapsbench-"))
    base.mkdir(parents=True, exist_ok=True)
    repo = _repo(base, args.files)
    old_src = (
        _export(args.compare, Path(tempfile.mkdtemp(prefix="gapsold-"))) if args.compare else None
    )
    runs: dict[str, list[tuple[float, float]]] = {"this checkout": []}
    if old_src is not None:
        runs[args.compare] = []
    outputs = {label: base / f"gaps-{i}.json" for i, label in enumerate(runs)}
    for _ in range(args.rounds):
        for label, times in runs.items():
            src = old_src if label != "this checkout" else None
            times.append(_cold(repo, outputs[label], src))
    load = os.getloadavg()
    print(f"### covgap gaps cold, {args.files:,} files ({os.cpu_count()} cores)")
    print()
    print(f"load average after the runs: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print()
    print("| covgap | wall s (each run) | CPU s (each run) | best CPU s |")
    print("| --- | ---: | ---: | ---: |")
    for label, times in runs.items():
        walls = " / ".join(f"{w:.1f}" for w, _ in times)
        cpus = " / ".join(f"{c:.1f}" for _, c in times)
        print(f"| {label} | {walls} | {cpus} | {min(c for _, c in times):.1f} |")
    if old_src is not None:
        same = len({p.read_bytes() for p in outputs.values()}) == 1
        print()
        print(f"JSON outputs byte-identical: {'yes' if same else 'NO'}")
        return 0 if same else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
