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
has them.

Usage::

    python bench/compare_readers.py --compare aae95cd --rounds 3 \\
        --write-results bench/RESULTS-readers.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
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


def _run(path: Path, pythonpath: Path) -> tuple[float, float]:
    """(wall s, CPU s) of one ``covgap report`` of ``path`` in a child process."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(pythonpath)
    cmd = [sys.executable, "-m", "covgap", "report", "--format", "json", "--no-path-mapping"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [*cmd, str(path)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=OUT,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


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
            f"{args.compare} wall s | {args.compare} CPU s | CPU ratio | verdict |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        if unbuilt:
            lines.insert(2, f"accelerators that did not build: {unbuilt}")
        failed = 0
        for title, name in files:
            path = OUT / name
            mine: list[tuple[float, float]] = []
            theirs: list[tuple[float, float]] = []
            for _ in range(args.rounds):
                mine.append(_run(path, this_src))
                theirs.append(_run(path, src))
            m_wall, m_cpu = min(w for w, _ in mine), min(c for _, c in mine)
            t_wall, t_cpu = min(w for w, _ in theirs), min(c for _, c in theirs)
            ratio = m_cpu / t_cpu
            ok = ratio <= 1 + args.tolerance
            failed += not ok
            row = (
                f"| {title} | {path.stat().st_size / 1e6:.1f} | {m_wall:.2f} | {m_cpu:.2f} | "
                f"{t_wall:.2f} | {t_cpu:.2f} | {ratio:.2f} | {'PASS' if ok else 'FAIL'} |"
            )
            print(row, flush=True)
            lines.append(row)
        lines += [
            "",
            f"- no reader slower than {args.compare} by more than "
            f"{args.tolerance:.0%} of CPU: {'PASS' if not failed else f'FAIL ({failed})'}",
            "",
        ]
    text = "\n".join(lines)
    print(text)
    if args.write_results:
        with args.write_results.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
