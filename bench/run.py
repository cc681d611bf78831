"""Time covgap against the usual coverage tools on the same synthetic monorepo, in one run.

What it does: generates the corpus (``bench/generate.py``) into ``bench/out/`` (kept
between runs; regenerated when the generator changes), then runs each command as a
child process and records its wall time and peak resident memory (``ru_maxrss`` of the
child, read through a tiny wrapper process so every command is measured alone). Quick
commands (under 3 s) run three times and the best time is kept; slow ones run once.

It prints, per size, a table of seconds, peak RSS and ratios, then the issue's targets:

* issue 2: ``covgap report --format json`` on the LCOV >= 10x faster than
  ``lcov --summary``; on the Cobertura >= 5x faster than ``pycobertura show``; peak RSS
  below 3x the LCOV file and 2x the XML file;
* issue 4: merging 50 shard LCOV reports of the corpus takes < 3x the time of reading
  them (``covgap merge`` when it exists, else ``covgap report``, which merges).

At the end, issue 14's target 5: every command's time and peak memory at each size and
how much each grew from the smallest to the largest (``growth_table``).

Then, per size, an "other formats" table: ``covgap report --format json`` on the same
corpus written as JaCoCo, Go coverprofile, Clover, gcov JSON, gcovr JSON, Istanbul and
coverage.py JSON (``bench/formats.py``), each checked to report the LCOV's totals.

Usage::

    python bench/run.py                         # small, medium and full
    python bench/run.py --sizes medium          # one size
    python bench/run.py --write-results bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_e2e  # noqa: E402
import formats  # noqa: E402
import generate  # noqa: E402

BIN = Path(sys.executable).parent
SHARDS = 50
QUICK = 3.0
SLOW_LIMIT = 900.0
# A format whose full-size file would be larger than this is timed at medium only.
MAX_FORMAT_BYTES = 600 * 1024 * 1024

# Runs one command and prints {"seconds", "cpu", "max_rss_kb", "returncode"} as JSON: the
# wrapper's only child is the command, so RUSAGE_CHILDREN's ru_maxrss is its peak RSS.
MEASURE = r"""
import json, resource, subprocess, sys, time
t = time.perf_counter()
proc = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1], "wb"))
seconds = time.perf_counter() - t
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime,
                  "max_rss_kb": usage.ru_maxrss, "returncode": proc.returncode}))
"""


@dataclass
class Result:
    """One timed command."""

    label: str
    input_kind: str
    seconds: float | None
    cpu: float | None
    rss_mb: float | None
    note: str = ""


def measure(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    ok: tuple[int, ...] = (0,),
    once: bool = False,
    before: Callable[[], None] | None = None,
) -> tuple[float, float, float]:
    """Run ``cmd`` (best of three when quick); return (wall s, CPU s, peak RSS in MB).

    Bytecode caching is on for the child (``PYTHONDONTWRITEBYTECODE`` cleared) as in
    a pip-installed covgap: otherwise every run of a Python tool would first compile
    its modules. ``ok`` are the exit codes that count as success (``covgap check`` exits 1 when a
    gate fails, which is a result, not an error); ``once`` runs it a single time (a
    cold run is only cold once); ``before`` runs before each attempt (emptying a cache).
    """
    best: tuple[float, float, float] | None = None
    for _ in range(1 if once else 3):
        if before is not None:
            before()
        with tempfile.NamedTemporaryFile(suffix=".err") as err:
            proc = subprocess.run(
                [sys.executable, "-c", MEASURE, err.name, *cmd],
                cwd=cwd,
                env={**os.environ, "PYTHONDONTWRITEBYTECODE": "", **(env or {})},
                capture_output=True,
                text=True,
                timeout=SLOW_LIMIT,
                check=True,
            )
            stats = json.loads(proc.stdout)
            if stats["returncode"] not in ok:
                message = Path(err.name).read_text(errors="replace").strip().splitlines()
                raise RuntimeError(f"{cmd[0]} failed: {message[-1] if message else '?'}")
        run = (stats["seconds"], stats["cpu"], stats["max_rss_kb"] / 1024)
        best = run if best is None or run[0] < best[0] else best
        if run[0] > QUICK:
            break
    assert best is not None
    return best


def tool(name: str) -> str | None:
    """Find a command in the virtualenv first, then on PATH."""
    local = BIN / name
    return str(local) if local.exists() else shutil.which(name)


def corpus(size: str, out: Path) -> dict[str, Path]:
    """Generate the corpus once per generator version; reuse it on later runs."""
    stamp = hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()[:16]
    stamp_file = out / f"{size}.stamp"
    paths = {
        "lcov": out / f"{size}.info",
        "cobertura": out / f"{size}.xml",
        "shards": out / f"{size}-shards",
    }
    if not stamp_file.exists() or stamp_file.read_text() != stamp:
        print(f"generating the {size} corpus into {out} ...", flush=True)
        shutil.rmtree(paths["shards"], ignore_errors=True)
        generate.write_corpus(size, out, shards=SHARDS)
        stamp_file.write_text(stamp)
    return paths


def first_files(info: Path, n: int) -> list[tuple[str, list[int]]]:
    """The first ``n`` files of an LCOV tracefile with their executable lines."""
    files: list[tuple[str, list[int]]] = []
    with info.open(encoding="utf-8") as fh:
        for row in fh:
            if row.startswith("SF:"):
                if len(files) == n:
                    break
                files.append((row[3:].strip(), []))
            elif row.startswith("DA:"):
                files[-1][1].append(int(row[3:].split(",", 1)[0]))
    return files


def make_diff_repo(info: Path, workdir: Path) -> Path:
    """A git repository whose branch changes five covered files, for diff-cover."""
    repo = workdir / "diff-repo"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    files = first_files(info, 5)

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("config", "user.email", "bench@example.invalid")
    git("config", "user.name", "bench")
    for path, lines in files:
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(f"line {n}\n" for n in range(1, lines[-1] + 5)))
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    git("checkout", "-q", "-b", "feature")
    for path, lines in files:
        target = repo / path
        text = target.read_text().splitlines(keepends=True)
        for ln in lines[::7]:
            text[ln - 1] = f"changed {ln}\n"
        target.write_text("".join(text))
    git("commit", "-q", "-am", "change five files")
    return repo


def run_size(size: str, out: Path, args: argparse.Namespace) -> list[Result]:
    paths = corpus(size, out)
    info, xml = paths["lcov"], paths["cobertura"]
    empty_repo = out / "empty-repo"
    empty_repo.mkdir(exist_ok=True)
    covgap = tool("covgap")
    results: list[Result] = []

    def add(label: str, kind: str, cmd: list[str] | None, why: str = "", **kw: object) -> None:
        if cmd is None or cmd[0] is None:
            results.append(Result(label, kind, None, None, None, why or "not installed"))
            return
        try:
            seconds, cpu, rss = measure(cmd, **kw)  # type: ignore[arg-type]
        except (RuntimeError, subprocess.SubprocessError) as exc:
            results.append(Result(label, kind, None, None, None, f"failed: {exc}"[:160]))
            return
        results.append(Result(label, kind, seconds, cpu, rss, why))
        print(
            f"  {label:<46} {kind:<10} {seconds:8.2f} s {cpu:8.2f} s CPU {rss:8.0f} MB", flush=True
        )

    report = [str(covgap), "report", "--format", "json", "--no-path-mapping"]
    # Outputs go to real files in out/, never to /dev/null: gcovr replaces its output by
    # renaming over it, which would turn the machine's /dev/null into a regular file.
    report += ["--repo", str(empty_repo), "-o", str(out / "covgap-report.json")]
    add("covgap report --format json", "lcov", [*report, str(info)], cwd=empty_repo)
    add("covgap report --format json", "cobertura", [*report, str(xml)], cwd=empty_repo)
    add(
        "covgap report (pure Python, no C accelerator)",
        "lcov",
        [*report, str(info)],
        "COVGAP_PURE_PYTHON=1",
        cwd=empty_repo,
        env={"COVGAP_PURE_PYTHON": "1"},
    )
    add(
        "lcov --summary",
        "lcov",
        [tool("lcov") or "", "--summary", str(info), "--rc", "lcov_branch_coverage=1"],
        cwd=out,
    )
    if size != "full" or args.full_genhtml:
        html = out / f"{size}-genhtml"
        add(
            "genhtml --no-source",
            "lcov",
            [
                *(tool("genhtml") or "", "--quiet", "--no-source"),
                *("--rc", "lcov_branch_coverage=1", "-o", str(html), str(info)),
            ],
            cwd=out,
        )
    else:
        results.append(
            Result(
                "genhtml --no-source",
                "lcov",
                None,
                None,
                None,
                "skipped at full size (minutes; see the medium row, or --full-genhtml)",
            )
        )
    pycob = tool("pycobertura")
    add("pycobertura show", "cobertura", [pycob, "show", str(xml)] if pycob else None, cwd=out)
    diff_cover = tool("diff-cover")
    if diff_cover and shutil.which("git"):
        repo = make_diff_repo(info, out / size)
        add(
            "diff-cover --compare-branch=main",
            "cobertura",
            [diff_cover, str(xml), "--compare-branch=main"],
            cwd=repo,
        )
    else:
        add("diff-cover", "cobertura", None)
    gcovr = tool("gcovr")
    add(
        "gcovr --cobertura-add-tracefile",
        "cobertura",
        [
            gcovr,
            "--cobertura-add-tracefile",
            str(xml),
            "--print-summary",
            "-o",
            str(out / "gcovr.txt"),
        ]
        if gcovr
        else None,
        "gcovr reads no LCOV; it reads Cobertura XML",
        cwd=out,
    )
    add(
        "naive Python LCOV loop",
        "lcov",
        [sys.executable, str(HERE / "naive.py"), str(info)],
        cwd=out,
    )
    add("wc -l", "lcov", [shutil.which("wc") or "", "-l", str(info)], cwd=out)

    shards = sorted(str(p) for p in paths["shards"].glob("*.info"))
    add(
        f"read {len(shards)} shards (no merge)",
        "lcov",
        [sys.executable, str(HERE / "read_only.py"), *shards],
        cwd=out,
    )
    merge_help = subprocess.run([str(covgap), "merge", "--help"], check=False, capture_output=True)
    if merge_help.returncode == 0:
        merged = out / f"{size}-merged.info"
        add(
            f"covgap merge {len(shards)} shards",
            "lcov",
            [str(covgap), "merge", *shards, "--no-path-mapping", "-o", str(merged)],
            cwd=empty_repo,
        )
        if results[-1].seconds is None:  # an older merge without --no-path-mapping
            results.pop()
            add(
                f"covgap merge {len(shards)} shards",
                "lcov",
                [str(covgap), "merge", *shards, "-o", str(merged)],
                cwd=empty_repo,
            )
    else:
        add(
            f"covgap report on {len(shards)} shards",
            "lcov",
            [*report, *shards],
            "covgap merge does not exist yet; report merges the shards",
            cwd=empty_repo,
        )
    return results


def other_corpus(size: str, out: Path, only: set[str] | None = None) -> dict[str, Path | str]:
    """Write the other formats once per generator version; a path, or why it is absent.

    A format whose file at this size would exceed :data:`MAX_FORMAT_BYTES` is not kept
    (estimated from the medium file, which is a tenth of the full corpus). ``only``
    (``--formats``) writes just those; the stamp then is not renewed, so the others
    are rewritten by the next full run.
    """
    digest = hashlib.sha256()
    for name in ("generate.py", "formats.py"):
        digest.update((HERE / name).read_bytes())
    stamp = digest.hexdigest()[:16]
    stamp_file = out / f"{size}.formats.stamp"
    fresh = stamp_file.exists() and stamp_file.read_text() == stamp
    files: list[generate.FileData] | None = None
    paths: dict[str, Path | str] = {}
    for name, (suffix, writer, _) in formats.FORMATS.items():
        if only is not None and name not in only:
            continue
        path = out / f"{size}.{suffix}"
        medium = out / f"medium.{suffix}"
        if size == "full" and medium.exists() and medium.stat().st_size * 10 > MAX_FORMAT_BYTES:
            mb = medium.stat().st_size * 10 / 1024 / 1024
            paths[name] = f"not timed at full: ~{mb:.0f} MB (> 600 MB); see the medium row"
            path.unlink(missing_ok=True)
            continue
        if not (fresh and path.exists()):
            if files is None:
                print(f"writing the other formats of the {size} corpus ...", flush=True)
                files = list(generate.generate(generate.SIZES[size]))
            with path.open("w", encoding="utf-8") as fh:
                for piece in writer(files):
                    fh.write(piece)
        paths[name] = path
    if only is None:
        stamp_file.write_text(stamp)
    return paths


TOTALS = ("lines", "branches", "functions")
# What the extra inputs hold the same as the LCOV (the others: formats.FORMATS).
FORMAT_HOLDS = {"covgap_json": TOTALS, "gocover-module": ("lines",)}


def summary_of(report: Path) -> dict[str, tuple[int, int]]:
    """(total, covered) per kind from a ``covgap report --format json`` output."""
    s = json.loads(report.read_text(encoding="utf-8"))["summary"]
    return {k: (s[f"{k}_total"], s[f"{k}_covered"]) for k in TOTALS}


# go tool cover runs `go list` in the module: no network, caches under out/.
GO_ENV = {"GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOTOOLCHAIN": "local"}

NYC = ROOT / "tools" / "node" / "node_modules" / ".bin" / "nyc"
# nyc counts only files with a JavaScript extension under its cwd unless told otherwise;
# the corpus holds Rust, Python, Go, C and TypeScript paths under /repo.
NYC_ARGS = ["--cwd", "/", "--exclude-node-modules=false", "--exclude="]
NYC_ARGS += [f"--extension=.{ext}" for _, ext in generate.LANGS]


def native_tool(
    name: str, path: Path, out: Path, size: str, args: argparse.Namespace
) -> tuple[str, list[str] | None, str]:
    """The format's own summary tool on the same file: (label, command or None, note)."""
    if name == "istanbul":
        if not NYC.exists():
            return "nyc report --reporter=text-summary", None, "not installed (make node-tools)"
        temp = out / f"{size}-nyc"
        temp.mkdir(exist_ok=True)
        link = temp / "coverage-final.json"
        link.unlink(missing_ok=True)
        link.symlink_to(path.resolve())
        cmd = [str(NYC), "report", "--temp-dir", str(temp), "--reporter=text-summary", *NYC_ARGS]
        return "nyc report --reporter=text-summary", cmd, "c8 report reads V8 data, not this"
    if name == "gcovr_json":
        gcovr = tool("gcovr")
        label = "gcovr --json-add-tracefile"
        if gcovr is None:
            return label, None, "not installed"
        if size == "full" and not args.full_tools:
            return (
                label,
                None,
                "skipped at full size: about 10x its medium row (20 s CPU, 1.8 GB there) on "
                "a shared machine; --full-tools runs it",
            )
        cmd = [gcovr, "--json-add-tracefile", str(path), "--print-summary"]
        return label, [*cmd, "-o", str(out / "gcovr-json.txt")], ""
    if name == "gocover-module":
        go = shutil.which("go")
        if go is None:
            return "go tool cover -func", None, "not installed"
        return "go tool cover -func", [go, "tool", "cover", f"-func={path}"], ""
    return "", None, ""


def go_module(size: str, out: Path) -> Path:
    """The corpus as a Go module and its profile (``formats.write_go_module``), once."""
    root = out / f"{size}-gomodule"
    stamp_file = out / f"{size}-gomodule.stamp"
    digest = hashlib.sha256()
    for name in ("generate.py", "formats.py"):
        digest.update((HERE / name).read_bytes())
    stamp = digest.hexdigest()[:16]
    profile = root / "cover.out"
    if not (stamp_file.exists() and stamp_file.read_text() == stamp and profile.exists()):
        print(f"writing the {size} corpus as a Go module ...", flush=True)
        shutil.rmtree(root, ignore_errors=True)
        formats.write_go_module(list(generate.generate(generate.SIZES[size])), root)
        stamp_file.write_text(stamp)
    return profile


def run_other(size: str, out: Path, args: argparse.Namespace) -> list[Result]:
    """Time covgap on every other format and check its totals against the LCOV's.

    The check compares what the format can hold (``formats.FORMATS``); a mismatch is
    printed loudly and written in the row's note, so a writer or reader regression
    cannot pass unseen behind a good time. Where the format has its own summary tool
    (nyc for Istanbul, gcovr for its JSON), that tool is timed on the same file right
    after covgap, so the two rows are side by side in one run. covgap's own JSON (the
    LCOV's report, written just before) is read back as one more format.
    """
    only = set(args.formats.split(",")) if args.formats else None
    paths = other_corpus(size, out, only)
    empty_repo = out / "empty-repo"
    empty_repo.mkdir(exist_ok=True)
    covgap = tool("covgap")
    report = [str(covgap), "report", "--format", "json", "--no-path-mapping"]
    report += ["--repo", str(empty_repo)]
    results: list[Result] = []
    baseline = out / f"{size}-lcov-report.json"
    own = out / f"{size}.covgap.json"
    inputs: list[tuple[str, Path | str]] = [
        ("lcov", out / f"{size}.info"),
        ("covgap_json", own),
        *paths.items(),
    ]
    if "gocover" in paths:  # go tool cover needs the Go sources: the corpus as a module
        inputs.insert(inputs.index(("gocover", paths["gocover"])) + 1, ("gocover-module", ""))
    if only is not None:  # the LCOV stays: the totals and the "x covgap" columns use it
        keep = only | {"lcov"} | ({"gocover-module"} if "gocover" in only else set())
        inputs = [(name, given) for name, given in inputs if name in keep]
    expected: dict[str, tuple[int, int]] = {}
    for name, given in inputs:
        cwd = empty_repo
        path = go_module(size, out) if name == "gocover-module" else given
        if name == "gocover-module":
            cwd = out / f"{size}-gomodule"
        if isinstance(path, str):
            results.append(Result("covgap report --format json", name, None, None, None, path))
            continue
        if name == "covgap_json":  # covgap reads back only a report written with --detail
            subprocess.run(
                [*report, "--detail", "-o", str(own), str(out / f"{size}.info")],
                cwd=empty_repo,
                check=True,
                capture_output=True,
            )
        target = baseline if name == "lcov" else out / f"{size}-{name}-report.json"
        try:
            seconds, cpu, rss = measure([*report, "-o", str(target), str(path)], cwd=cwd)
        except (RuntimeError, subprocess.SubprocessError) as exc:
            print(f"  !!! {name}: {exc}", flush=True)
            results.append(
                Result("covgap report --format json", name, None, None, None, f"failed: {exc}")
            )
            continue
        got = summary_of(target)
        note = f"{path.stat().st_size / 1024 / 1024:.1f} MB"
        if name == "lcov":
            expected = got
            note += "; the reference totals"
        else:
            held = FORMAT_HOLDS.get(name) or formats.FORMATS[name][2]
            wrong = [k for k in held if expected and got[k] != expected[k]]
            if wrong:
                detail = ", ".join(f"{k} {got[k]} != LCOV {expected[k]}" for k in wrong)
                print(f"\n  !!! TOTALS MISMATCH for {name} at {size}: {detail}\n", flush=True)
                note += f"; MISMATCH: {detail}"
            else:
                note += "; totals = LCOV's" if len(held) == 3 else f"; {', '.join(held)} = LCOV's"
            why_different = formats.WHY_DIFFERENT.get(name.removesuffix("-module"))
            if why_different:
                note += f" ({why_different})"
            if name == "gocover-module":
                note += "; the corpus as a Go module, for go tool cover"
        results.append(Result("covgap report --format json", name, seconds, cpu, rss, note))
        print(
            f"  {'covgap report --format json':<46} {name:<16} {seconds:8.2f} s {cpu:8.2f} s "
            f"CPU {rss:8.0f} MB",
            flush=True,
        )
        label, cmd, why = native_tool(name, path, out, size, args)
        if not label:
            continue
        if cmd is None:
            results.append(Result(label, name, None, None, None, why))
            continue
        try:
            seconds, cpu, rss = measure(cmd, cwd=cwd, env=GO_ENV)
        except (RuntimeError, subprocess.SubprocessError) as exc:
            results.append(Result(label, name, None, None, None, f"failed: {exc}"[:160]))
            continue
        results.append(Result(label, name, seconds, cpu, rss, why))
        print(f"  {label:<46} {name:<16} {seconds:8.2f} s {cpu:8.2f} s CPU {rss:8.0f} MB")
    return results


# The readers issue 14's target 2 is about: every JSON reader and the Go profile reader.
TARGET2 = (
    "gocover",
    "gocover-module",
    "gcov_json",
    "gcovr_json",
    "istanbul",
    "coveragepy_json",
    "llvm_json",
    "simplecov",
    "covgap_json",
)


def other_targets(size: str, results: list[Result], out: Path) -> list[str]:
    """Issue 14, target 2, per format: peak RSS <= 3x the file; faster than its own tool.

    Both are computed from this run's rows. The tool reads the same file, so its time
    over covgap's is the ratio per megabyte.
    """
    mb = 1024 * 1024
    lines = []
    for r in results:
        if not r.label.startswith("covgap report") or r.input_kind not in TARGET2:
            continue
        path = _input_path(size, r.input_kind, out)
        if r.rss_mb is None or r.seconds is None or path is None:
            lines.append(f"- {r.input_kind}: not measured ({r.note})")
            continue
        ratio = r.rss_mb / (path.stat().st_size / mb)
        lines.append(
            f"- {r.input_kind}: covgap peak RSS / file = {r.rss_mb:.0f} MB / "
            f"{path.stat().st_size / mb:.1f} MB = {ratio:.2f}x (target <= 3x) "
            + ("PASS" if ratio <= 3 else "FAIL")
        )
        native = next(
            (
                n
                for n in results
                if n.input_kind == r.input_kind and not n.label.startswith("covgap")
            ),
            None,
        )
        if native is None:
            continue
        if native.seconds is None or native.cpu is None or not r.cpu:
            lines.append(f"- {r.input_kind}: {native.label}: not measured ({native.note})")
            continue
        wall, cpu = native.seconds / r.seconds, native.cpu / r.cpu
        lines.append(
            f"- {r.input_kind}: {native.label} / covgap = {wall:.2f}x wall, {cpu:.2f}x CPU "
            f"({native.seconds:.2f} s vs {r.seconds:.2f} s; same file, so per MB; "
            "target > 1x) " + ("PASS" if wall > 1 else "FAIL")
        )
    return lines


def _input_path(size: str, kind: str, out: Path) -> Path | None:
    if kind == "covgap_json":
        path = out / f"{size}.covgap.json"
    elif kind == "gocover-module":
        path = out / f"{size}-gomodule" / "cover.out"
    elif kind in formats.FORMATS:
        path = out / f"{size}.{formats.FORMATS[kind][0]}"
    else:
        return None
    return path if path.exists() else None


def other_table(size: str, results: list[Result], out: Path) -> str:
    """The "other formats" table: same columns, ratios against covgap on the LCOV."""
    base = _find(results, "covgap report --format json", "lcov")
    rows = []
    for r in results:
        secs = "" if r.seconds is None else f"{r.seconds:.2f}"
        cpu = "" if r.cpu is None else f"{r.cpu:.2f}"
        rss = "" if r.rss_mb is None else f"{r.rss_mb:.0f}"
        x_wall = x_cpu = ""
        if base and base.seconds and base.cpu and r.seconds is not None and r.cpu:
            x_wall, x_cpu = f"{r.seconds / base.seconds:.1f}", f"{r.cpu / base.cpu:.1f}"
        rows.append(
            f"| {r.label} | {r.input_kind} | {secs} | {cpu} | {rss} | {x_wall} | {x_cpu} "
            f"| {r.note} |"
        )
    note = "" if size == "full" else " (stated for the full size; shown for reference)"
    return (
        f"### other formats, {size} (x covgap = against covgap on the LCOV)\n\n"
        "| command | input | wall s | CPU s | peak RSS MB | x covgap wall | x covgap CPU | note |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
        + "\n".join(rows)
        + f"\n\nTargets (issue 14, target 2){note}:\n\n"
        + "\n".join(other_targets(size, results, out))
        + "\n"
    )


def _find(results: list[Result], label: str, kind: str | None = None) -> Result | None:
    for r in results:
        if r.label.startswith(label) and (kind is None or r.input_kind == kind):
            return r
    return None


def targets(results: list[Result], info: Path, xml: Path) -> list[str]:
    """The issue's targets, each with its measured value and PASS/FAIL.

    Time ratios are judged on wall time; the CPU-time ratio beside each is what to
    trust when other work shares the machine.
    """
    lines = []
    mb = 1024 * 1024
    cov_lcov = _find(results, "covgap report --format json", "lcov")
    cov_xml = _find(results, "covgap report --format json", "cobertura")
    lcov_sum = _find(results, "lcov --summary")
    pycob = _find(results, "pycobertura show")
    read = _find(results, "read ")
    merge = _find(results, "covgap merge") or _find(results, "covgap report on")

    def ratios(a: Result | None, b: Result | None) -> tuple[float, float] | None:
        if a is None or b is None or not a.seconds or not b.seconds or not a.cpu or not b.cpu:
            return None
        return a.seconds / b.seconds, a.cpu / b.cpu

    def check_ratio(name: str, r: tuple[float, float] | None, goal: float, above: bool) -> None:
        sign = ">=" if above else "<"
        if r is None:
            lines.append(f"- {name}: not measured (target {sign} {goal:g}x)")
            return
        ok = r[0] >= goal if above else r[0] < goal
        lines.append(
            f"- {name}: {r[0]:.2f}x wall, {r[1]:.2f}x CPU (target {sign} {goal:g}x) "
            + ("PASS" if ok else "FAIL")
        )

    check_ratio("lcov --summary / covgap report (LCOV)", ratios(lcov_sum, cov_lcov), 10, True)
    check_ratio("pycobertura show / covgap report (Cobertura)", ratios(pycob, cov_xml), 5, True)
    for name, res, path, goal in (
        ("LCOV", cov_lcov, info, 3.0),
        ("Cobertura", cov_xml, xml, 2.0),
    ):
        if res is None or res.rss_mb is None:
            lines.append(f"- covgap peak RSS / {name} file size: not measured")
            continue
        v = res.rss_mb / (path.stat().st_size / mb)
        lines.append(
            f"- covgap peak RSS / {name} file size: {v:.2f}x (target < {goal:g}x) "
            + ("PASS" if v < goal else "FAIL")
        )
    check_ratio("merge 50 shards / read 50 shards", ratios(merge, read), 3, False)
    return lines


def table(size: str, results: list[Result], info: Path, xml: Path) -> str:
    mb = 1024 * 1024
    base = {
        kind: r
        for kind in ("lcov", "cobertura")
        if (r := _find(results, "covgap report --format json", kind)) and r.seconds
    }
    head = (
        f"### {size}: {info.stat().st_size / mb:.1f} MB LCOV, {xml.stat().st_size / mb:.1f} MB "
        "Cobertura\n\n"
        "| command | input | wall s | CPU s | peak RSS MB | x covgap wall | x covgap CPU | note |\n"
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n"
    )
    rows = []
    for r in results:
        secs = "" if r.seconds is None else f"{r.seconds:.2f}"
        cpu = "" if r.cpu is None else f"{r.cpu:.2f}"
        rss = "" if r.rss_mb is None else f"{r.rss_mb:.0f}"
        b = base.get(r.input_kind)
        x_wall = x_cpu = ""
        if b is not None and r.seconds is not None and b.seconds and r.cpu and b.cpu:
            x_wall, x_cpu = f"{r.seconds / b.seconds:.1f}", f"{r.cpu / b.cpu:.1f}"
        rows.append(
            f"| {r.label} | {r.input_kind} | {secs} | {cpu} | {rss} | {x_wall} | {x_cpu} "
            f"| {r.note} |"
        )
    note = "" if size == "full" else " (stated for the full size; shown for reference)"
    return (
        head
        + "\n".join(rows)
        + f"\n\nTargets{note}:\n\n"
        + "\n".join(targets(results, info, xml))
        + "\n"
    )


def e2e_table(
    size: str, out: Path, results: list[Result], collect: list[Result] | None = None
) -> str:
    """Targets 3 and 4: the mapped report and gaps/check end to end (``bench_e2e``);
    the rows are also appended to ``collect`` (for the growth table)."""
    covgap = tool("covgap")
    assert covgap is not None
    found = bench_e2e.rows(size, out, covgap, tool("lcov"), measure)
    if collect is not None:
        collect.extend(Result(r[0], r[1], r[2], r[3], r[4]) for r in found)
    lcov = _find(results, "lcov --summary")
    lcov_corpus = (lcov.seconds, lcov.cpu) if lcov and lcov.seconds and lcov.cpu else None
    rows = []
    for label, kind, secs, cpu, rss, note in found:
        rows.append(
            f"| {label} | {kind} | {'' if secs is None else f'{secs:.2f}'} "
            f"| {'' if cpu is None else f'{cpu:.2f}'} | {'' if rss is None else f'{rss:.0f}'} "
            f"| {note} |"
        )
    note = "" if size == "full" else " (stated for the full size; shown for reference)"
    files = bench_e2e.E2E_FILES[size]
    return (
        f"### the user's path and end to end, {size} ({generate.SIZES[size]:,}-file "
        f"checkout; {files:,}-file repository with sources)\n\n"
        "| command | input | wall s | CPU s | peak RSS MB | note |\n"
        "| --- | --- | ---: | ---: | ---: | --- |\n"
        + "\n".join(rows)
        + f"\n\nTargets (issue 14, targets 3 and 4){note}:\n\n"
        + "\n".join(bench_e2e.targets(found, out / f"{size}.info", lcov_corpus))
        + "\n"
    )


def growth_table(per_size: dict[str, list[Result]]) -> str:
    """Issue 14, target 5: every command's time and peak memory at each size, and how
    much each grew from the smallest size to the largest beside the corpus's growth,
    so a change in a slope shows."""
    sizes = list(per_size)
    keys: dict[tuple[str, str], dict[str, Result]] = {}
    for size, results in per_size.items():
        for r in results:
            keys.setdefault((r.label, r.input_kind), {})[size] = r
    first, last = sizes[0], sizes[-1]
    scale = generate.SIZES[last] / generate.SIZES[first] if first != last else 1.0

    def cell(r: Result | None) -> str:
        if r is None or r.seconds is None:
            return ""
        return f"{r.seconds:.2f} / {'' if r.rss_mb is None else f'{r.rss_mb:.0f}'}"

    def grew(a: Result | None, b: Result | None) -> str:
        if a is None or b is None or not a.seconds or b.seconds is None or not a.rss_mb:
            return ""
        return f"x{b.seconds / a.seconds:.1f} / x{(b.rss_mb or 0) / a.rss_mb:.1f}"

    head = " | ".join(f"{s} ({generate.SIZES[s]:,} files) s / MB" for s in sizes)
    lines = [
        "### How each cost grows (issue 14, target 5)",
        "",
        f"| command | input | {head} | {first} -> {last}: time / memory |",
        "| --- | --- |" + " ---: |" * (len(sizes) + 1),
    ]
    missing = []
    for (label, kind), by_size in keys.items():
        cells = " | ".join(cell(by_size.get(s)) for s in sizes)
        lines.append(
            f"| {label} | {kind} | {cells} | {grew(by_size.get(first), by_size.get(last))} |"
        )
        measured = sum(1 for s in sizes if cell(by_size.get(s)))
        if measured < 3 and label.startswith("covgap"):  # the other tools are references
            missing.append(f"{label} ({kind}): {measured}")
    lines += ["", f"The corpus grows x{scale:.1f} in files from {first} to {last}.", ""]
    verdict = "PASS" if len(sizes) >= 3 and not missing else "FAIL"
    detail = (
        "every covgap command" if not missing else "not every covgap command: " + "; ".join(missing)
    )
    lines.append(
        f"- target 5: time and memory at three sizes ({len(sizes)} sizes run; {detail} "
        f"measured at three) {verdict}"
    )
    return "\n".join(lines) + "\n"


def _load() -> str:
    """The machine's load average, to read wall times by (others' work skews them)."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for row in Path("/proc/cpuinfo").read_text().splitlines():
            if row.startswith("model name"):
                cpu = row.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} cores (nproc), {cpu}, Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="small,medium,full")
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument("--full-genhtml", action="store_true", help="also run genhtml at full")
    parser.add_argument(
        "--full-tools", action="store_true", help="also run gcovr on its JSON at full"
    )
    parser.add_argument(
        "--no-other-formats", action="store_true", help="skip the other-formats section"
    )
    parser.add_argument(
        "--no-end-to-end", action="store_true", help="skip the mapped report and gaps/check"
    )
    parser.add_argument(
        "--formats",
        help="only these other formats (comma-separated, e.g. gocover), beside the LCOV; "
        "skips the main table and end to end: for iterating on one reader",
    )
    parser.add_argument("--write-results", type=Path, help="write the tables here (Markdown)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    load_at_start = _load()
    sections = []
    per_size: dict[str, list[Result]] = {}
    for size in args.sizes.split(","):
        print(f"== {size}", flush=True)
        grown = per_size.setdefault(size, [])
        if args.formats:
            corpus(size, args.out)
        else:
            results = run_size(size, args.out, args)
            grown.extend(results)
            text = table(size, results, args.out / f"{size}.info", args.out / f"{size}.xml")
            print("\n" + text, flush=True)
            sections.append(text)
        if not args.no_end_to_end and not args.formats:
            print(f"== {size}: the user's path and end to end", flush=True)
            text = e2e_table(size, args.out, results, grown)
            print("\n" + text, flush=True)
            sections.append(text)
        if not args.no_other_formats:
            print(f"== {size}: other formats", flush=True)
            others = run_other(size, args.out, args)
            grown.extend(others)
            text = other_table(size, others, args.out)
            print("\n" + text, flush=True)
            sections.append(text)
    if not args.formats:
        text = growth_table(per_size)
        print("\n" + text, flush=True)
        sections.append(text)
    if args.write_results:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        args.write_results.write_text(
            "# Benchmark results\n\n"
            f"Measured {stamp} with `python bench/run.py` on {machine()}; load average "
            f"{load_at_start} before the run and {_load()} after it (1, 5, 15 min).\n"
            "Quick commands are the best of three.\n\n" + "\n".join(sections),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
