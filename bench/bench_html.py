"""Benchmark the HTML report on a 10,000-file repository (issue 7, item 3).

Why a generated tree: the HTML report highlights real source files, and no 10,000-file
repository with a matching coverage report can be committed. The generator is seeded,
so every run times the same bytes: a polyglot monorepo of Python, TypeScript, Go, Rust
and C packages (each with its manifest, so components are detected), source files of
50-400 lines, test files beside them, a git history of one commit, and an LCOV report
whose line, branch and function records sit on the sources' real lines (function
headers, decisions, statements; never on blank lines or comments).

What is timed:

1. ``covgap report --format html -o OUT`` end to end in a child process: wall clock,
   CPU (the child and its workers) and peak RSS (``ru_maxrss`` of the child and its
   workers, from ``wait4``). Run twice: the first run parses every source with
   tree-sitter and highlights it with pygments (cold caches), the second is served
   from the source analysis and highlighting caches under ``.covgap/`` (warm).
   Then the phases in-process -- load, gap analysis, ``write_html`` without the
   highlighting cache at one job and at one per core, and with the warm cache -- so
   a slow run shows where the time goes.
2. The index page in headless chromium from ``file://``: navigation start to the
   files table having rows (``#files tbody tr``), median of 5 loads in fresh contexts.
3. One file page (the largest source file): navigation start to its last source row.

Usage::

    python bench/bench_html.py                          # 10,000 files, temporary dir
    python bench/bench_html.py --files 1000 --keep /tmp/htmlbench
    python bench/bench_html.py --write-results bench/RESULTS-html.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SEED = 20261124
ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOADS = 5
INDEX_TARGET_MS = 1000.0

# -- the synthetic repository ----------------------------------------------------------
#
# A language is a header, a function template and a manifest. Template lines carry a
# kind: "F" function header (executable, a function starts here), "E" statement,
# "B" statement with a two-outcome decision, "-" not executable. Lines between the
# "[" and "]" markers are repeated 1-6 times so function lengths vary.


@dataclass(frozen=True)
class Lang:
    """How one language's files look, so coverage lines land on real statements."""

    name: str
    ext: str
    header: tuple[str, ...]
    function: tuple[tuple[str, str], ...]
    footer: tuple[str, ...]
    manifest: tuple[str, str]
    test: tuple[str, str]
    """(path template relative to the package, one test function with {i})."""


PY = Lang(
    "python",
    "py",
    ('"""Module {stem}: generated for the HTML benchmark."""', "", "import os", ""),
    (
        ("F", "def {fn}(items, limit=None):"),
        ("-", '    """Sum the items, stopping past the limit."""'),
        ("E", "    total = 0"),
        ("[", ""),
        ("B", "    for item in items:"),
        ("B", "        if limit is not None and total > limit:"),
        ("E", '            raise ValueError(f"over {{limit}}: {{total}}")'),
        ("E", "        total += item * 2 if item > 0 else -item"),
        ("-", "    # the next pass folds the remainder"),
        ("]", ""),
        ("E", "    return total"),
        ("-", ""),
        ("-", ""),
    ),
    (),
    ("pyproject.toml", '[project]\nname = "{pkg}"\nversion = "0.1.0"\n'),
    ("tests/test_{stem}.py", "def test_{i}():\n    assert {i} + 1 == {i} + 1\n\n"),
)
TS = Lang(
    "typescript",
    "ts",
    ("/** Module {stem}: generated for the HTML benchmark. */", 'import {{ x }} from "./x";', ""),
    (
        ("F", "export function {fn}(items: number[], limit?: number): number {{"),
        ("E", "  let total = 0;"),
        ("[", ""),
        ("B", "  for (const item of items) {"),
        ("B", "    if (limit !== undefined && total > limit) {"),
        ("E", "      throw new Error(`over ${limit}: ${total}`);"),
        ("-", "    }"),
        ("E", "    total += item > 0 ? item * 2 : -item;"),
        ("-", "  }"),
        ("]", ""),
        ("E", "  return total;"),
        ("-", "}"),
        ("-", ""),
    ),
    (),
    ("package.json", '{{"name": "{pkg}", "version": "0.1.0"}}\n'),
    ("src/{stem}.test.ts", 'it("case {i}", () => {{ expect(1).toBe(1); }});\n'),
)
GO = Lang(
    "go",
    "go",
    (
        "// Package p is generated for the HTML benchmark ({stem}).",
        "package p",
        "",
        'import "fmt"',
        "",
    ),
    (
        ("F", "func {fn}(items []int, limit int) (int, error) {{"),
        ("E", "\ttotal := 0"),
        ("[", ""),
        ("B", "\tfor _, item := range items {{"),
        ("B", "\t\tif limit > 0 && total > limit {{"),
        ("E", '\t\t\treturn 0, fmt.Errorf("over %d: %d", limit, total)'),
        ("-", "\t\t}}"),
        ("E", "\t\ttotal += item"),
        ("-", "\t}}"),
        ("]", ""),
        ("E", "\treturn total, nil"),
        ("-", "}}"),
        ("-", ""),
    ),
    (),
    ("go.mod", "module example.com/{pkg}\n\ngo 1.22\n"),
    ("{stem}_test.go", "func TestF{i}(t *testing.T) {{ t.Log({i}) }}\n"),
)
RS = Lang(
    "rust",
    "rs",
    ("//! Module {stem}: generated for the HTML benchmark.", "use std::fmt;", ""),
    (
        ("F", "pub fn {fn}(items: &[i64], limit: Option<i64>) -> Result<i64, String> {{"),
        ("E", "    let mut total = 0;"),
        ("[", ""),
        ("B", "    for item in items {{"),
        ("B", "        if limit.map_or(false, |l| total > l) {{"),
        ("E", '            return Err(format!("over {{total}}"));'),
        ("-", "        }}"),
        ("E", "        total += if *item > 0 { item * 2 } else { -item };"),
        ("-", "    }}"),
        ("]", ""),
        ("E", "    Ok(total)"),
        ("-", "}}"),
        ("-", ""),
    ),
    (),
    ("Cargo.toml", '[package]\nname = "{pkg}"\nversion = "0.1.0"\n'),
    ("tests/{stem}.rs", "#[test]\nfn t{i}() {{ assert_eq!({i}, {i}); }}\n"),
)
C = Lang(
    "c",
    "c",
    ("/* Module {stem}: generated for the HTML benchmark. */", "#include <stdio.h>", ""),
    (
        ("F", "long {fn}(const long *items, size_t n, long limit) {{"),
        ("E", "    long total = 0;"),
        ("[", ""),
        ("B", "    for (size_t i = 0; i < n; i++) {{"),
        ("B", "        if (limit > 0 && total > limit) {{"),
        ("E", '            fprintf(stderr, "over %ld\\n", total); return -1;'),
        ("-", "        }}"),
        ("E", "        total += items[i] > 0 ? items[i] * 2 : -items[i];"),
        ("-", "    }}"),
        ("]", ""),
        ("E", "    return total;"),
        ("-", "}}"),
        ("-", ""),
    ),
    (),
    ("", ""),
    ("tests/test_{stem}.c", "void test_{i}(void) {{ }}\n"),
)
LANGS = (PY, TS, GO, RS, C)
FILES_PER_PACKAGE = 50
LINES = (100, 1000)
"""Source lines a file: 550 on average, so 10,000 files are ~5.5 M source lines of which
~4 M are executable -- the size of bench/generate.py's full corpus, on which the issue
compares the HTML report with genhtml."""


@dataclass
class Record:
    """One file's LCOV data, built while its source is written."""

    path: str
    lines: list[tuple[int, int]] = field(default_factory=list)
    branches: list[tuple[int, int, int, int | None]] = field(default_factory=list)
    functions: list[tuple[str, int, int, int]] = field(default_factory=list)

    def lcov(self) -> str:
        out = ["TN:", f"SF:{self.path}"]
        out += [f"FN:{s},{e},{n}" for n, s, e, _ in self.functions]
        out += [f"FNDA:{h},{n}" for n, _, _, h in self.functions]
        out.append(f"FNF:{len(self.functions)}")
        out.append(f"FNH:{sum(1 for f in self.functions if f[3])}")
        out += [f"BRDA:{ln},{b},{r},{'-' if t is None else t}" for ln, b, r, t in self.branches]
        out.append(f"BRF:{len(self.branches)}")
        out.append(f"BRH:{sum(1 for b in self.branches if b[3])}")
        out += [f"DA:{ln},{h}" for ln, h in self.lines]
        out.append(f"LF:{len(self.lines)}")
        out.append(f"LH:{sum(1 for _, h in self.lines if h)}")
        out.append("end_of_record\n")
        return "\n".join(out)


def _source_file(rng: random.Random, lang: Lang, path: str, stem: str) -> tuple[str, Record]:
    """One source file of LINES lines and its coverage, function by function."""
    rec = Record(path)
    style = rng.random()
    # 8% untested, 12% fully tested, the rest mixed (as bench/generate.py).
    p_func = 0.0 if style < 0.08 else 1.0 if style < 0.20 else rng.uniform(0.3, 0.95)
    target = rng.randint(*LINES)
    text = [line.format(stem=stem) for line in lang.header]
    n_fn = 0
    while len(text) < target or n_fn == 0:
        name = f"{stem}_fn{n_fn}"
        n_fn += 1
        body: list[tuple[str, str]] = []
        repeat: list[tuple[str, str]] = []
        in_repeat = False
        for kind, line in lang.function:
            if kind == "[":
                in_repeat = True
            elif kind == "]":
                in_repeat = False
                body += repeat * rng.randint(1, 6)
            elif in_repeat:
                repeat.append((kind, line))
            else:
                body.append((kind, line))
        runs = rng.randint(1, 5000) if rng.random() < p_func else 0
        start = len(text) + 1
        live = runs
        for kind, line in body:
            n = len(text) + 1
            text.append(
                line.format(fn=name) if kind == "F" else line.replace("{{", "{").replace("}}", "}")
            )
            if kind == "-":
                continue
            if runs and kind == "E" and rng.random() < 0.12:
                live = 0  # an early exit taken every time: the rest of the block is missed
            elif runs and kind == "B":
                live = runs if rng.random() < 0.85 else 0
            rec.lines.append((n, live))
            if kind == "B":
                if live == 0:
                    rec.branches += [(n, 0, 0, None), (n, 0, 1, None)]
                else:
                    taken = rng.choice((0, live, rng.randint(0, live)))
                    rec.branches += [(n, 0, 0, taken), (n, 0, 1, live - taken)]
        rec.functions.append((name, start, len(text), runs))
    text += list(lang.footer)
    return "\n".join(text) + "\n", rec


def generate_repo(root: Path, n_files: int, seed: int = SEED) -> Path:
    """Write the repository and its LCOV report under ``root``; return the report."""
    rng = random.Random(seed)
    n_packages = max(1, n_files // FILES_PER_PACKAGE)
    report = root / "coverage" / "lcov.info"
    report.parent.mkdir(parents=True, exist_ok=True)
    made: set[Path] = set()
    with report.open("w", encoding="utf-8") as out:
        for i in range(n_files):
            p = i % n_packages
            lang = LANGS[p % len(LANGS)]
            pkg = f"{lang.name}-pkg{p:04d}"
            base = root / lang.name / pkg
            stem = f"mod_{i:05d}"
            if base not in made:
                made.add(base)
                name, content = lang.manifest
                (base / "src").mkdir(parents=True, exist_ok=True)
                if name:
                    (base / name).write_text(content.format(pkg=pkg), encoding="utf-8")
            rel = f"{lang.name}/{pkg}/src/{stem}.{lang.ext}"
            text, rec = _source_file(rng, lang, rel, stem)
            (root / rel).write_text(text, encoding="utf-8")
            out.write(rec.lcov())
            if rng.random() < 0.15:
                test = base / lang.test[0].format(stem=stem)
                test.parent.mkdir(parents=True, exist_ok=True)
                body = "".join(lang.test[1].format(i=k) for k in range(rng.randint(2, 8)))
                test.write_text(body, encoding="utf-8")
    (root / ".gitignore").write_text("coverage/\n.covgap/\nhtml/\n", encoding="utf-8")
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "-C", str(root)]
    if shutil.which("git"):
        subprocess.run([*git, "init", "-q"], check=True)
        subprocess.run([*git, "add", "."], check=True)
        subprocess.run([*git, "commit", "-q", "-m", "generated"], check=True)
    return report


# -- measuring -------------------------------------------------------------------------


@dataclass
class Run:
    """Wall clock, CPU seconds and peak RSS of one child process (and its workers)."""

    wall: float
    cpu: float
    rss_mb: float


def measured(argv: list[str], env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` and return its wall clock, CPU and peak RSS from ``wait4``."""
    started = time.perf_counter()
    devnull = subprocess.DEVNULL
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, env=env, stdout=devnull, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{argv} failed ({proc.returncode}):\n{err.read().decode()[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


PHASES = r"""
import json, os, resource, sys, time
from pathlib import Path
from covgap.analysis.gap_analysis import analyze_loaded
from covgap.analysis.summary import summarize
from covgap.cli._common import load_inputs
from covgap.report.html import write_html

def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

repo, report, out, jobs = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4:]
times = {}
def step(name, fn):
    w, c = time.perf_counter(), cpu()
    value = fn()
    times[name] = [time.perf_counter() - w, cpu() - c]
    return value
loaded = step("load (workspace, read, map)",
              lambda: load_inputs((report,), repo, None, show_progress=False))
summary = step("summarize", lambda: summarize(loaded.coverage, loaded.workspace,
               unmapped_paths=loaded.unmapped_paths, flag_totals=loaded.flag_totals))
analysis = step("gap analysis", lambda: analyze_loaded(loaded))
for j in jobs:
    n = int(j)
    step(f"write_html jobs={n}, no highlight cache", lambda: write_html(out / f"j{n}",
         summary, loaded.coverage, repo, analysis=analysis, jobs=n, cache=False))
step("write_html, warm highlight cache", lambda: write_html(out / "warm", summary,
     loaded.coverage, repo, analysis=analysis))
print(json.dumps(times))
"""


def phases(repo: Path, report: Path, out: Path, jobs: list[int]) -> dict[str, list[float]]:
    """Time the pipeline's phases in one process, ``write_html`` once per job count."""
    import json

    proc = subprocess.run(
        [sys.executable, "-c", PHASES, str(repo), str(report), str(out), *map(str, jobs)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, list[float]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


ROWS_SEEN = """
window.__covgapRows = null;
new MutationObserver(function (changes, observer) {
  if (document.querySelector("#files tbody tr, #source tbody tr")) {
    window.__covgapRows = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
"""
"""Records when the first table row exists, in ms since navigation start: polling from
Playwright (wait_for_selector) would add its own latency to the number."""

NAV_TIMES = """(() => {
  const n = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return [window.__covgapRows, n.domContentLoadedEventEnd, n.loadEventEnd,
          fcp ? fcp.startTime : null];
})()"""


def _load(page: Any, url: str, selector: str) -> list[float]:
    page.goto(url, wait_until="commit")
    page.wait_for_selector(selector, state="attached")
    page.wait_for_load_state("load")
    page.wait_for_function("performance.getEntriesByName('first-contentful-paint').length > 0")
    times: list[float] = page.evaluate(NAV_TIMES)
    return times


def browser_times(index: Path, file_page: Path) -> dict[str, Any]:
    """Median times (ms from navigation start) of the index and one file page in
    headless chromium from file://, each load in a fresh browser context."""
    from playwright.sync_api import sync_playwright

    index_runs: list[list[float]] = []
    file_runs: list[list[float]] = []
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            for _ in range(LOADS):
                ctx = browser.new_context(viewport={"width": 1300, "height": 1000})
                ctx.add_init_script(ROWS_SEEN)
                page = ctx.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                index_runs.append(_load(page, index.as_uri(), "#files tbody tr"))
                file_runs.append(_load(page, file_page.as_uri(), "#source tbody tr"))
                ctx.close()
        finally:
            browser.close()
    names = ("rows", "DOMContentLoaded", "load", "first paint")
    out: dict[str, Any] = {"errors": errors, "index loads": [r[0] for r in index_runs]}
    for label, runs in (("index", index_runs), ("file", file_runs)):
        for i, name in enumerate(names):
            out[f"{label} {name}"] = statistics.median(r[i] for r in runs)
    return out


def _largest_page(site: Path) -> Path:
    return max((site / "files").iterdir(), key=lambda p: p.stat().st_size)


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {model}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    parser.add_argument("--no-browser", action="store_true", help="skip the chromium timings")
    parser.add_argument("--no-phases", action="store_true", help="skip the in-process phases")
    parser.add_argument("--write-results", type=Path, help="append the results to this file")
    args = parser.parse_args(argv)

    root = args.keep or Path(tempfile.mkdtemp(prefix="covgap-bench-html-"))
    repo = root / "repo"
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    def row(*cells: object) -> None:
        """A Markdown table row: floats (seconds) with two decimals, ints as they are."""
        say("| " + " | ".join(f"{c:.2f}" if isinstance(c, float) else str(c) for c in cells) + " |")

    try:
        report = repo / "coverage" / "lcov.info"
        if not report.exists():
            started = time.perf_counter()
            report = generate_repo(repo, args.files)
            print(f"generated in {time.perf_counter() - started:.1f}s under {repo}")
        with report.open(encoding="utf-8") as fh:
            covered = [line[3:].strip() for line in fh if line.startswith("SF:")]
        sources = len(covered)
        size = sum((repo / p).stat().st_size for p in covered)
        say(
            f"repository: {sources:,} covered source files, {size / 1e6:.1f} MB; "
            f"LCOV {report.stat().st_size / 1e6:.1f} MB"
        )
        shutil.rmtree(repo / ".covgap", ignore_errors=True)
        site = root / "html"
        cli = [
            str(BIN / "covgap"),
            "report",
            "--repo",
            str(repo),
            "--format",
            "html",
            "-o",
            str(site),
            str(report),
        ]
        say()
        say("| run | wall s | CPU s | peak RSS MB |")
        say("| --- | ---: | ---: | ---: |")
        for label in ("cold caches", "warm caches"):
            r = measured(cli)
            row(f"`covgap report --format html` ({label})", r.wall, r.cpu, round(r.rss_mb))
        pages = list((site / "files").iterdir())
        total = sum(p.stat().st_size for p in pages)
        index_size = (site / "index.html").stat().st_size
        say()
        say(
            f"site: {len(pages):,} file pages, {total / 1e6:.0f} MB; "
            f"index.html {index_size / 1e6:.2f} MB"
        )
        if not args.no_phases:
            cores = os.cpu_count() or 1
            jobs = [1] if cores == 1 else [1, cores]
            times = phases(repo, report, root / "phases", jobs)
            say()
            say("| phase (in-process, warm source cache) | wall s | CPU s |")
            say("| --- | ---: | ---: |")
            for name, (wall, cpu) in times.items():
                say(f"| {name} | {wall:.2f} | {cpu:.2f} |")
            shutil.rmtree(root / "phases", ignore_errors=True)
        if not args.no_browser:
            page = _largest_page(site)
            b = browser_times(site / "index.html", page)
            verdict = "PASS" if b["index rows"] < INDEX_TARGET_MS else "FAIL"
            kb = page.stat().st_size / 1e3
            say()
            row(
                f"headless chromium, file://, median of {LOADS} (ms)",
                "index.html",
                f"{kb:.0f} kB file page",
            )
            say("| --- | ---: | ---: |")
            row(
                "first table row in the DOM",
                f"{b['index rows']:.0f} ({verdict} < 1 s)",
                round(b["file rows"]),
            )
            row(
                "DOMContentLoaded",
                round(b["index DOMContentLoaded"]),
                round(b["file DOMContentLoaded"]),
            )
            row(
                "first contentful paint",
                round(b["index first paint"]),
                round(b["file first paint"]),
            )
            row("load event", round(b["index load"]), round(b["file load"]))
            say()
            say(
                "index, first row (ms), each load: "
                + ", ".join(f"{v:.0f}" for v in b["index loads"])
            )
            if b["errors"]:
                say(f"page errors: {b['errors'][:3]}")
        if args.write_results:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
            head = [f"## {stamp}: {args.files:,} files", "", f"Machine: {machine()}.", ""]
            with args.write_results.open("a", encoding="utf-8") as fh:
                fh.write("\n".join([*head, *lines, "", ""]))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
