"""Benchmark the HTML report against genhtml on a large repository (issue 14).

Why a generated tree: the HTML report reads real source files, and no 10,000-file
repository with a matching coverage report can be committed. The generator is seeded,
so every run times the same bytes: a polyglot monorepo of Python, TypeScript, Go, Rust
and C packages (each with its manifest, so components are detected), source files of
100-1,000 lines (~5.5 M lines at 10,000 files, ~4 M executable: the main corpus's
size), test files beside them, one file of 5,000 lines, a git history of one commit,
and an LCOV report whose line, branch and function records sit on the sources' real
lines (function headers, decisions, statements; never on blank lines or comments).

What is timed, per size, one after the other (child processes: wall clock, CPU of the
child and its workers, peak RSS from ``wait4``):

1. ``genhtml --branch-coverage`` on the same LCOV and sources;
2. ``covgap report --format html -o OUT``: cold (no site, no ``.covgap/`` cache),
   unchanged re-run, new site with the source-analysis cache warm, and after one
   source file was edited;
3. the phases in-process, one after the other: load, summarize, the gap analysis
   cold (no source-analysis cache) and warm, then ``write_html``'s own parts (page
   jobs, reading sources, page data and JSON, digests, writing the pages, the index
   data and scripts) and ``write_html`` whole with one and with every core: where
   the cold run's CPU goes, analysis against everything else;
4. in headless chromium from ``file://``: the index (first files-table row) and the
   5,000-line file page (first row, interactive, every row drawn), beside genhtml's
   index and genhtml's page of the same file, median of 5 loads in fresh contexts.

The issue's targets are printed with PASS/FAIL; with several sizes, a growth table
(time, memory and CPU per size, and how much each grew) and target 5's verdict.

Usage::

    python bench/bench_html.py                          # 10,000 files, temporary dir
    python bench/bench_html.py --files 1000 --keep /tmp/htmlbench
    python bench/bench_html.py --files 1000,3000,10000 --write-results bench/RESULTS-html.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
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

from ts_floor import floor_lines, tree_sitter_floor

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
BIG_FILE = "python/big/src/big_module.py"
BIG_LINES = 5000
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


def _source_file(
    rng: random.Random, lang: Lang, path: str, stem: str, size: int | None = None
) -> tuple[str, Record]:
    """One source file of LINES lines (or about ``size``, partly covered) and its
    coverage, function by function."""
    rec = Record(path)
    style = rng.random()
    # 8% untested, 12% fully tested, the rest mixed (as bench/generate.py).
    p_func = 0.0 if style < 0.08 else 1.0 if style < 0.20 else rng.uniform(0.3, 0.95)
    if size is not None:
        p_func = 0.7
    target = rng.randint(*LINES) if size is None else size
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
        # One file of 5,000 lines, for the file page target (its own seed: the others
        # stay the same bytes whatever the size).
        rel = BIG_FILE
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        text, rec = _source_file(random.Random(seed + 1), PY, rel, "big", size=BIG_LINES)
        (root / rel).write_text(text, encoding="utf-8")
        out.write(rec.lcov())
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


def measured(argv: list[str], cwd: Path | None = None) -> Run:
    """Run ``argv`` and return its wall clock, CPU and peak RSS from ``wait4``."""
    started = time.perf_counter()
    devnull = subprocess.DEVNULL
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, cwd=cwd, stdout=devnull, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{argv} failed ({proc.returncode}):\n{err.read().decode()[-3000:]}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


PHASES = r"""
import json, os, resource, shutil, sys, time
from pathlib import Path
from covgap.analysis.gap_analysis import analyze_loaded
from covgap.analysis.summary import summarize
from covgap.cli._common import load_inputs
from covgap.report import html

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
shutil.rmtree(repo / ".covgap", ignore_errors=True)
loaded = step("load (workspace, read, map)",
              lambda: load_inputs((report,), repo, None, show_progress=False))
summary = step("summarize", lambda: summarize(loaded.coverage, loaded.workspace,
               unmapped_paths=loaded.unmapped_paths, flag_totals=loaded.flag_totals))
step("gap analysis (cold: no source-analysis cache)", lambda: analyze_loaded(loaded))
analysis = step("gap analysis (warm source cache)", lambda: analyze_loaded(loaded))
# write_html's parts, one after the other, as it does them in one process
work = step("html: page jobs (paths, functions' rows)", lambda: html.page_jobs(
    summary, loaded.coverage, repo, analysis=analysis))
step("html: read the sources", lambda: [html._read_source(j.source_path) for j in work])
pages = step("html: page data + JSON (orjson), sources read again",
             lambda: [html.render_file_page(j) for j in work])
step("html: digests (blake2b)", lambda: [html._digest(p) for p in pages])
def write_pages():
    (out / "parts").mkdir(parents=True)
    for j, page in zip(work, pages):
        with open(out / "parts" / j.page, "wb") as fh:
            fh.write(page)
step("html: write the pages", write_pages)
del pages
data = step("html: index data", lambda: html.index_data(summary, loaded.coverage, analysis))
step("html: index-data.js, gaps.js, index.html", lambda: (html.index_script(data),
     html.gap_details(analysis), html.render_index(html.environment(), summary,
     loaded.coverage, analysis, "t", data)))
for j in jobs:
    n = int(j)
    step(f"write_html, new site, jobs={n}", lambda: html.write_html(out / f"j{n}",
         summary, loaded.coverage, repo, analysis=analysis, jobs=n))
step("write_html, every page unchanged (linked)", lambda: html.write_html(out / "again",
     summary, loaded.coverage, repo, analysis=analysis, previous=out / f"j{jobs[-1]}"))
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


COLD_ANALYSIS = "gap analysis (cold: no source-analysis cache)"
WARM_ANALYSIS = "gap analysis (warm source cache)"
NON_ANALYSIS = ("load (workspace, read, map)", "summarize", "write_html, new site, jobs=1")


INIT = """
window.__covgapRows = null;
window.__covgapLong = [];
new MutationObserver(function (changes, observer) {
  if (document.querySelector("#files tbody tr, #source tbody tr")) {
    window.__covgapRows = performance.now();
    observer.disconnect();
  }
}).observe(document, {childList: true, subtree: true});
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__covgapLong.push(e.startTime + e.duration); });
  }).observe({type: "longtask", buffered: true});
} catch (e) {}
"""
"""Records when the first table row exists, in ms since navigation start (polling from
Playwright would add its own latency), and the end of every long task (> 50 ms)."""

NAV_TIMES = """(() => {
  const n = performance.getEntriesByType("navigation")[0];
  const long = window.__covgapLong.length ? Math.max(...window.__covgapLong) : 0;
  const ready = window.__covgapReady || window.__covgapRows || n.domContentLoadedEventEnd;
  return {rows: window.__covgapRows, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd,
          interactive: Math.max(ready, long), drawn: window.__covgapDrawn || null};
})()"""


def _load(page: Any, url: str, selector: str, file_page: bool) -> dict[str, float]:
    page.goto(url, wait_until="commit")
    page.wait_for_selector(selector, state="attached")
    page.wait_for_load_state("load")
    if file_page:
        page.wait_for_function("window.__covgapDrawn !== undefined")
    page.wait_for_timeout(150)  # long-task entries are delivered asynchronously
    times: dict[str, float] = page.evaluate(NAV_TIMES)
    return times


def browser_times(pages: dict[str, tuple[Path, str, bool]]) -> dict[str, Any]:
    """Median times (ms from navigation start) of each page in headless chromium from
    file://, each load in a fresh browser context. ``pages``: label -> (page, a
    selector that exists once it shows rows, whether it is a covgap file page)."""
    from playwright.sync_api import sync_playwright

    runs: dict[str, list[dict[str, float]]] = {label: [] for label in pages}
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        try:
            for _ in range(LOADS):
                ctx = browser.new_context(viewport={"width": 1300, "height": 1000})
                ctx.add_init_script(INIT)
                page = ctx.new_page()
                page.on("pageerror", lambda e: errors.append(str(e)))
                for label, (path, selector, file_page) in pages.items():
                    runs[label].append(_load(page, path.as_uri(), selector, file_page))
                ctx.close()
        finally:
            browser.close()
    out: dict[str, Any] = {"errors": errors, "index loads": [r["rows"] for r in runs["index"]]}
    for label, loads in runs.items():
        for key in ("rows", "dcl", "load", "interactive", "drawn"):
            values = [r[key] for r in loads if r.get(key) is not None]
            out[f"{label} {key}"] = statistics.median(values) if values else float("nan")
    return out


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {model}; load {load}"


@dataclass
class SizeResult:
    """One size's numbers, for the growth table."""

    files: int
    source_lines: int
    genhtml: Run
    cold: Run
    unchanged: Run
    new_site: Run
    one_edit: Run
    index_mb: float
    rows_ms: float | None = None
    big_ms: float | None = None
    analysis_cold_cpu: float | None = None
    analysis_warm_cpu: float | None = None
    rest_cpu: float | None = None
    """CPU s of load + summarize + write_html (jobs=1): the part that is not analysis."""


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def run_size(n_files: int, root: Path, args: argparse.Namespace, say: Any) -> SizeResult:
    """Generate (or reuse) the ``n_files`` repository and measure everything on it."""

    def row(*cells: object) -> None:
        say("| " + " | ".join(f"{c:.2f}" if isinstance(c, float) else str(c) for c in cells) + " |")

    repo = root / "repo"
    report = repo / "coverage" / "lcov.info"
    if not report.exists():
        started = time.perf_counter()
        report = generate_repo(repo, n_files)
        print(f"generated in {time.perf_counter() - started:.1f}s under {repo}", flush=True)
    with report.open(encoding="utf-8") as fh:
        covered = [line[3:].strip() for line in fh if line.startswith("SF:")]
    size = lines = 0
    for p in covered:
        data = (repo / p).read_bytes()
        size += len(data)
        lines += data.count(b"\n")
    executable = sum(1 for line in report.open(encoding="utf-8") if line.startswith("DA:"))
    say(f"### {len(covered):,} files")
    say()
    say(
        f"repository: {len(covered):,} covered source files, {size / 1e6:.1f} MB, "
        f"{lines:,} source lines ({executable:,} executable); LCOV "
        f"{report.stat().st_size / 1e6:.1f} MB; one file of {BIG_LINES:,} lines"
    )
    site = root / "html"
    gen_out = root / "genhtml"
    for d in (site, gen_out, repo / ".covgap"):
        shutil.rmtree(d, ignore_errors=True)
    cli = [str(BIN / "covgap"), "report", "--repo", str(repo), "--format", "html"]
    cli += ["-o", str(site), str(report)]
    genhtml = ["genhtml", "-q", "--branch-coverage", "--function-coverage", "-o", str(gen_out)]
    results: dict[str, Run] = {}
    say()
    say("| run (child process, one after the other) | wall s | CPU s | peak RSS MB |")
    say("| --- | ---: | ---: | ---: |")
    if shutil.which("genhtml"):
        results["genhtml"] = measured([*genhtml, str(report)], cwd=repo)
        r = results["genhtml"]
        row(
            "`genhtml --branch-coverage` (sources, no highlighting)", r.wall, r.cpu, round(r.rss_mb)
        )
    else:
        results["genhtml"] = Run(float("nan"), float("nan"), float("nan"))
        say("| genhtml | not installed | | |")
    labels = {
        "cold": "covgap, cold: no site, no source-analysis cache",
        "unchanged": "covgap, unchanged re-run",
        "new_site": "covgap, new site (site deleted; source-analysis cache warm)",
        "one_edit": "covgap, one source file edited (1 page written, the rest linked)",
    }
    big = repo / BIG_FILE
    original = big.read_bytes()
    for key, label in labels.items():
        if key == "new_site":
            shutil.rmtree(site, ignore_errors=True)
        if key == "one_edit":
            big.write_bytes(original + b"# edited\n")
        try:
            results[key] = measured(cli)
        finally:
            if key == "one_edit":
                big.write_bytes(original)
        r = results[key]
        row(f"`covgap report --format html`: {label}", r.wall, r.cpu, round(r.rss_mb))
    # the site is now of the edited file; make it of the original again for the browser
    measured(cli)
    pages = list((site / "files").iterdir())
    total = sum(p.stat().st_size for p in pages)
    index_size = (site / "index.html").stat().st_size
    gaps_size = (site / "gaps.js").stat().st_size
    gen_size = sum(p.stat().st_size for p in gen_out.rglob("*") if p.is_file())
    say()
    say(
        f"site: {len(pages):,} file pages, {total / 1e6:.0f} MB; index.html "
        f"{index_size / 1e6:.2f} MB (+ gaps.js {gaps_size / 1e6:.2f} MB, loaded after the "
        f"first rows); genhtml's site {gen_size / 1e6:.0f} MB"
    )
    result = SizeResult(
        len(covered),
        lines,
        results["genhtml"],
        results["cold"],
        results["unchanged"],
        results["new_site"],
        results["one_edit"],
        index_size / 1e6,
    )
    if not args.no_phases:
        cores = os.cpu_count() or 1
        jobs = [1] if cores == 1 else [1, cores]
        times = phases(repo, report, root / "phases", jobs)
        say()
        say("| phase (in-process, one after the other) | wall s | CPU s |")
        say("| --- | ---: | ---: |")
        for name, (wall, cpu) in times.items():
            say(f"| {name} | {wall:.2f} | {cpu:.2f} |")
        shutil.rmtree(root / "phases", ignore_errors=True)
        result.analysis_cold_cpu = times[COLD_ANALYSIS][1]
        result.analysis_warm_cpu = times[WARM_ANALYSIS][1]
        result.rest_cpu = sum(times[k][1] for k in NON_ANALYSIS)
        say()
        say(
            f"Where the cold run's CPU goes: the gap analysis with its source analysis "
            f"{result.analysis_cold_cpu:.2f} s cold ({result.analysis_warm_cpu:.2f} s warm); "
            f"everything else (load, summarize, write_html with one job) "
            f"{result.rest_cpu:.2f} s, which is "
            f"{result.rest_cpu / result.genhtml.cpu:.2f} of genhtml's CPU time."
        )
        # what tree-sitter alone costs here, against the cold target (issue 14, target 1)
        say()
        say("Whether the cold target is within reach of any tree-sitter analyser:")
        say()
        for line in floor_lines(
            tree_sitter_floor(repo),
            result.rest_cpu,
            cores,
            0.10 * result.genhtml.wall,
            "a cold HTML report (one tenth of genhtml's wall clock)",
        ):
            say(line)
    if not args.no_browser:
        try:
            import playwright  # noqa: F401
        except ImportError:
            say()
            say("browser timings skipped: Playwright is not installed (make test-deps)")
            args.no_browser = True
    if not args.no_browser:
        from covgap.report.html import slug

        page = site / "files" / slug(BIG_FILE)
        gen_page = gen_out / (BIG_FILE + ".gcov.html")
        targets = {
            "index": (site / "index.html", "#files tbody tr", False),
            "file": (page, "#source tbody tr", True),
        }
        if gen_page.is_file():
            targets["genhtml index"] = (gen_out / "index.html", "table", False)
            targets["genhtml file"] = (gen_page, "pre.source", False)
        b = browser_times(targets)
        result.rows_ms = b["index rows"]
        result.big_ms = b["file interactive"]
        have_gen = "genhtml file" in targets

        def ms(key: str) -> str:
            value = b.get(key)
            return "" if value is None or math.isnan(value) else f"{value:.0f}"

        say()
        head = ["index.html", f"{BIG_LINES:,}-line file page"]
        if have_gen:
            head += ["genhtml's index", "genhtml's page of that file"]
        row(f"headless chromium, file://, median of {LOADS} (ms from navigation start)", *head)
        say("| --- |" + " ---: |" * len(head))
        labels = ["index", "file"] + (["genhtml index", "genhtml file"] if have_gen else [])
        for name, key in (
            ("first table row in the DOM", "rows"),
            ("interactive (drawn, handlers on, no long task after)", "interactive"),
            ("every source row drawn (slices after the first)", "drawn"),
            ("DOMContentLoaded", "dcl"),
            ("load event", "load"),
        ):
            row(name, *(ms(f"{label} {key}") for label in labels))
        say()
        say("index, first row (ms), each load: " + ", ".join(f"{v:.0f}" for v in b["index loads"]))
        if b["errors"]:
            say(f"page errors: {b['errors'][:3]}")
    g = result.genhtml.wall
    say()
    say("| target (issue 14, stated for 10,000 files) | measured | verdict |")
    say("| --- | ---: | --- |")
    ratio = result.cold.wall / g
    say(
        f"| cold generation <= 1/10 of genhtml's time | {result.cold.wall:.1f} s / {g:.1f} s "
        f"= {ratio:.2f} | {verdict(ratio <= 0.10)} |"
    )
    ratio_new = result.new_site.wall / g
    say(
        f"| (the same with the source-analysis cache warm) | {result.new_site.wall:.1f} s / "
        f"{g:.1f} s = {ratio_new:.2f} | {verdict(ratio_new <= 0.10)} |"
    )
    say(
        f"| unchanged re-run <= 2 s | {result.unchanged.wall:.2f} s | "
        f"{verdict(result.unchanged.wall <= 2.0)} |"
    )
    say(f"| index page <= 2 MB | {result.index_mb:.2f} MB | {verdict(result.index_mb <= 2.0)} |")
    if result.rows_ms is not None and result.big_ms is not None:
        say(
            f"| index first rows <= 300 ms | {result.rows_ms:.0f} ms | "
            f"{verdict(result.rows_ms <= 300)} |"
        )
        say(
            f"| {BIG_LINES:,}-line file page interactive <= 300 ms | {result.big_ms:.0f} ms | "
            f"{verdict(result.big_ms <= 300)} |"
        )
    return result


def growth(results: list[SizeResult], say: Any) -> None:
    """Time and memory per size, so a change in the slope shows (issue 14, item 5)."""
    say()
    say("### Growth")
    say()
    say(
        "| files | source lines | genhtml s / MB | cold s / MB | new site s / MB "
        "| unchanged s / MB | one edit s | index MB | first rows ms | 5,000-line page ms "
        "| CPU s: genhtml / cold / analysis cold / the rest |"
    )
    say("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        ms = ["" if v is None else f"{v:.0f}" for v in (r.rows_ms, r.big_ms)]
        parts = " / ".join(
            "" if v is None else f"{v:.1f}"
            for v in (r.genhtml.cpu, r.cold.cpu, r.analysis_cold_cpu, r.rest_cpu)
        )
        say(
            f"| {r.files:,} | {r.source_lines:,} | {r.genhtml.wall:.1f} / {r.genhtml.rss_mb:.0f} "
            f"| {r.cold.wall:.1f} / {r.cold.rss_mb:.0f} | {r.new_site.wall:.1f} / "
            f"{r.new_site.rss_mb:.0f} | {r.unchanged.wall:.2f} / {r.unchanged.rss_mb:.0f} "
            f"| {r.one_edit.wall:.1f} | {r.index_mb:.2f} | {ms[0]} | {ms[1]} | {parts} |"
        )
    small, large = results[0], results[-1]
    scale = large.files / small.files

    def times(a: float, b: float) -> str:
        return f"x{b / a:.1f}" if a and not math.isnan(a) and not math.isnan(b) else "n/a"

    say()
    say(
        f"From {small.files:,} to {large.files:,} files (x{scale:.1f}): genhtml "
        f"{times(small.genhtml.wall, large.genhtml.wall)} in time, "
        f"{times(small.genhtml.rss_mb, large.genhtml.rss_mb)} in memory; covgap cold "
        f"{times(small.cold.wall, large.cold.wall)} / "
        f"{times(small.cold.rss_mb, large.cold.rss_mb)}, new site "
        f"{times(small.new_site.wall, large.new_site.wall)} / "
        f"{times(small.new_site.rss_mb, large.new_site.rss_mb)}, unchanged re-run "
        f"{times(small.unchanged.wall, large.unchanged.wall)} / "
        f"{times(small.unchanged.rss_mb, large.unchanged.rss_mb)} (linear would be "
        f"x{scale:.1f})."
    )
    say()
    n = len(results)
    say(
        f"Target 5 (time and memory at three sizes, HTML report): {n} sizes measured: "
        + verdict(n >= 3)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--files", default="10000", help="repository sizes, comma-separated (default 10000)"
    )
    parser.add_argument("--keep", type=Path, help="generate into this directory and keep it")
    parser.add_argument("--no-browser", action="store_true", help="skip the chromium timings")
    parser.add_argument("--no-phases", action="store_true", help="skip the in-process phases")
    parser.add_argument("--write-results", type=Path, help="append the results to this file")
    args = parser.parse_args(argv)
    sizes = [int(n) for n in args.files.split(",")]

    base = args.keep or Path(tempfile.mkdtemp(prefix="covgap-bench-html-"))
    lines: list[str] = []

    def say(text: str = "") -> None:
        print(text, flush=True)
        lines.append(text)

    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    say(f"## {stamp}: {', '.join(f'{n:,}' for n in sizes)} files")
    say()
    say(f"Machine: {machine()}.")
    results: list[SizeResult] = []
    try:
        for n in sizes:
            say()
            results.append(run_size(n, base / f"files-{n}", args, say))
        if len(results) > 1:
            growth(results, say)
        else:
            say()
            say("Target 5 (time and memory at three sizes): one size measured: FAIL")
        say()
        say(f"Machine at the end: {machine()}.")
        if args.write_results:
            with args.write_results.open("a", encoding="utf-8") as fh:
                fh.write("\n".join([*lines, "", ""]))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
