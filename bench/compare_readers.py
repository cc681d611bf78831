"""Time ``covgap report`` on each full-size corpus file: this checkout against an older ref.

Issue 14's "no reader or report got slower on the existing rows" cannot be read off two
runs of ``bench/run.py``: on this machine the same command moves by up to a quarter from
one run to the next. So this runs ``covgap report --format json --no-path-mapping`` on
each corpus file (``bench/out/full.*``, written by ``bench/run.py``) with the ``src/`` of
git ref ``--this`` (default ``HEAD``: commit first) and of ``--compare REF``, both
exported and their C accelerators built the same way (``bench_gaps_cold._export``), so
only the code differs, alternately, ``--rounds`` times each; it prints each side's best
wall and CPU seconds, the ratio, and FAIL where ``--this`` is more than ``--tolerance``
slower by CPU. Both sides run with their modules byte-compiled, as an installed covgap
has them. Each run's peak memory (the child's maximum RSS) is printed too, with FAIL
where ``--this`` needs more than ``--memory-tolerance`` above ``--compare``'s; with
``--speedup X`` a row also fails unless ``--this`` takes at most 1/X of the CPU (the
JaCoCo and Clover scanners' target, issue 14 follow-up: ``--formats JaCoCo,Clover
--speedup 5``).

Usage::

    python bench/compare_readers.py --compare aae95cd --rounds 3 \\
        --write-results bench/RESULTS-readers.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_gaps_cold import _export

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
FILES = [
    ("lcov", "full.info"),
    ("cobertura", "full.xml"),
    ("covgap JSON", "full.covgap.json"),
    ("Go coverprofile", "full.cover.out"),
    ("JaCoCo", "full.jacoco.xml"),
    ("Clover", "full.clover.xml"),
    ("gcov JSON", "full.gcov.json"),
    ("gcovr JSON", "full.gcovr.json"),
    ("Istanbul", "full.coverage-final.json"),
    ("coverage.py JSON", "full.coverage.json"),
    ("llvm-cov export", "full.llvm-cov.json"),
    ("SimpleCov", "full.resultset.json"),
]


def _run(path: Path, pythonpath: Path) -> tuple[float, float, float]:
    """(wall s, CPU s, peak MB) of one ``covgap report`` of ``path`` in a child process."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(pythonpath)
    cmd = [sys.executable, "-m", "covgap", "report", "--format", "json", "--no-path-mapping"]
    started = time.perf_counter()
    child = subprocess.Popen(
        [*cmd, str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=OUT,
    )
    # wait4: this child's own usage (RUSAGE_CHILDREN's maxrss is the largest of all).
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - started
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, child.args)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _verdict(failures: int) -> str:
    return "PASS" if not failures else f"FAIL ({failures})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--compare", required=True, help="the older git ref")
    parser.add_argument("--this", default="HEAD", help="the newer git ref (default HEAD)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tolerance", type=float, default=0.10, help="allowed CPU slowdown")
    parser.add_argument("--write-results", type=Path, help="append the table to this file")
    parser.add_argument(
        "--formats", help="only these rows, comma-separated titles (e.g. 'lcov,SimpleCov')"
    )
    parser.add_argument(
        "--memory-tolerance", type=float, default=0.05, help="allowed peak memory growth"
    )
    parser.add_argument(
        "--speedup", type=float, help="also require --this to take at most 1/X of the CPU"
    )
    args = parser.parse_args()
    files = FILES
    if args.formats:
        wanted = {f.strip().lower() for f in args.formats.split(",")}
        files = [(t, n) for t, n in FILES if t.lower() in wanted]
        if len(files) != len(wanted):
            known = ", ".join(t for t, _ in FILES)
            print(f"--formats: unknown title among {args.formats!r} ({known})", file=sys.stderr)
            return 2
    missing_inputs = [name for _, name in files if not (OUT / name).exists()]
    if missing_inputs:
        print(f"run bench/run.py first: missing {', '.join(missing_inputs)}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="covgap-readers-") as tmp:
        (Path(tmp) / "this").mkdir()
        (Path(tmp) / "that").mkdir()
        this_src, this_unbuilt = _export(args.this, Path(tmp) / "this")
        src, unbuilt = _export(args.compare, Path(tmp) / "that")
        unbuilt += this_unbuilt
        for tree in (this_src, src):
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree)], check=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        lines = [
            f"### covgap report on each full-size corpus file: {args.this} vs {args.compare}",
            "",
            f"{stamp}; best of {args.rounds}, the two alternating; load average before: "
            + " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "",
            f"| format | file MB | {args.this} wall s | {args.this} CPU s | "
            f"{args.compare} wall s | {args.compare} CPU s | CPU ratio | "
            f"{args.this} peak MB | {args.compare} peak MB | verdict |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        if unbuilt:
            lines.insert(2, f"accelerators that did not build: {unbuilt}")
        slower = bigger = short = 0
        for title, name in files:
            path = OUT / name
            mine: list[tuple[float, float, float]] = []
            theirs: list[tuple[float, float, float]] = []
            for _ in range(args.rounds):
                mine.append(_run(path, this_src))
                theirs.append(_run(path, src))
            m_wall, m_cpu, m_mb = (min(r[i] for r in mine) for i in range(3))
            t_wall, t_cpu, t_mb = (min(r[i] for r in theirs) for i in range(3))
            ratio = m_cpu / t_cpu
            ok = ratio <= 1 + args.tolerance
            slower += not ok
            if m_mb > t_mb * (1 + args.memory_tolerance):
                ok = False
                bigger += 1
            if args.speedup and ratio > 1 / args.speedup:
                ok = False
                short += 1
            row = (
                f"| {title} | {path.stat().st_size / 1e6:.1f} | {m_wall:.2f} | {m_cpu:.2f} | "
                f"{t_wall:.2f} | {t_cpu:.2f} | {ratio:.2f} | {m_mb:.0f} | {t_mb:.0f} | "
                f"{'PASS' if ok else 'FAIL'} |"
            )
            print(row, flush=True)
            lines.append(row)
        lines += [
            "",
            f"- no reader slower than {args.compare} by more than "
            f"{args.tolerance:.0%} of CPU: {_verdict(slower)}",
            f"- no reader's peak memory above {args.compare}'s by more than "
            f"{args.memory_tolerance:.0%}: {_verdict(bigger)}",
        ]
        if args.speedup:
            lines.append(
                f"- every reader at least {args.speedup:g}x faster than {args.compare} "
                f"by CPU: {_verdict(short)}"
            )
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.write_results:
        with args.write_results.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
