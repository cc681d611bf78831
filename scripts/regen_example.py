"""Regenerate the bundled example's coverage with ``covgap run`` and compare it with the
committed reports (issue 13).

``scripts/make-example.sh`` produced the committed reports under
``src/covgap/example/coverage/`` by running each tool by hand. This script measures a
temporary copy of the example with one ``covgap run`` instead (the tools it finds:
cargo + llvm, coverage.py, SimpleCov, TypeScript + c8 from ``tools/node``), then reads
both with covgap and compares them file by file: which lines are executable, which ran,
and how many of each line's branches were taken (not which: the committed Python unit
suite is Cobertura XML, which does not say). Hit *counts* are not compared: the committed Python
coverage is two suites (unit, e2e) whose 0/1 hits add up, where ``covgap run`` runs
the package's tests once.

Differences that follow from how ``make-example.sh`` ran the tools, not from the
measurement, are listed as explained and do not fail the comparison:

* Rust integration-test sources (``crates/*/tests/*.rs``): ``make-example.sh`` leaves
  out ``/tests/`` as cargo-llvm-cov does; ``covgap run``'s export keeps them;
* TypeScript files no test loads: ``make-example.sh`` passes ``c8 --all``, which adds
  them at 0 %; ``covgap run`` runs ``c8 npm test``, which reports loaded files only;
* TypeScript branch lines only in the run: V8's block coverage reports a one-armed
  ``if`` as a branch in some runs and c8 versions and not in others (seen with the c8
  12 of ``tools/node``, in one run of two; ``make-example.sh`` used c8 10.1.3);
* Python lines whose branches the committed merge counts as more taken than the run
  (same branches, fewer taken in the run): the committed unit suite is Cobertura XML,
  and covgap's Cobertura reader numbers a partly taken line's branches without
  coverage.py's ``missing-branches`` attribute, so one taken branch seen by both
  suites merges as two (a covgap reader limitation, not a measurement difference).

Any other difference (a line or branch that ran in one and not the other, a file only
one side has) is printed and exits 1.

Usage::

    python scripts/regen_example.py                       # every component it can run
    python scripts/regen_example.py tasker-py tasker-rb   # just these components
    python scripts/regen_example.py --out DIR             # keep covgap run's reports
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "covgap" / "example"
NODE_MODULES = ROOT / "tools" / "node" / "node_modules"
TIMEOUT = 1800


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{NODE_MODULES / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env["CARGO_NET_OFFLINE"] = "true"
    for key in ("CARGO_TARGET_DIR", "RUSTFLAGS", "LLVM_PROFILE_FILE", "VIRTUAL_ENV"):
        env.pop(key, None)
    return env


def copy_example(dest: Path) -> Path:
    """The example's sources (not its reports or build output) in ``dest/tasker``."""
    skip = shutil.ignore_patterns("coverage", "target", "node_modules", "dist", "__pycache__")
    repo = dest / "tasker"
    shutil.copytree(EXAMPLE, repo, ignore=skip)
    if NODE_MODULES.is_dir():  # tsc needs @types/node beside the package, as npm would put it
        (repo / "typescript" / "node_modules").symlink_to(NODE_MODULES)
    return repo


def _covgap(args: Sequence[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "covgap", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def committed_inputs() -> list[str]:
    """``FLAG=PATH`` of the committed reports, from ``coverage/inputs.txt``."""
    out = []
    for raw in (EXAMPLE / "coverage" / "inputs.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            flag, _, rel = line.partition("=")
            out.append(f"{flag}={EXAMPLE / rel}")
    return out


def _view(doc: dict[str, Any], components: set[str]) -> dict[str, dict[str, Any]]:
    """Per file of the chosen components: executable lines, lines that ran, branches."""
    out = {}
    for f in doc["files"]:
        if f.get("component") not in components:
            continue
        out[f["path"]] = {
            "lines": sorted(line for line, _ in f["lines"]),
            "ran": sorted(line for line, hits in f["lines"] if hits),
            "branches": _branches_per_line(f["branches"]),
            "language": f.get("language"),
        }
    return out


def _branches_per_line(branches: list[list[Any]]) -> list[tuple[int, int, int]]:
    """(line, branches, taken) per line: the committed Python unit suite is Cobertura
    XML, which records how many of a line's branches were taken, not which ones."""
    per_line: dict[int, list[int]] = {}
    for line, _block, _branch, taken in branches:
        counts = per_line.setdefault(line, [0, 0])
        counts[0] += 1
        counts[1] += 1 if taken else 0
    return sorted((line, total, taken) for line, (total, taken) in per_line.items())


def _merge_artefact(run: list[tuple[int, int, int]], committed: list[tuple[int, int, int]]) -> bool:
    """Whether the only branch differences are lines the committed merge counts as more
    taken than the run, with the same number of branches (see :func:`compare`)."""
    if len(run) != len(committed):
        return False
    pairs = list(zip(run, committed, strict=True))
    return any(r != c for r, c in pairs) and all(r[:2] == c[:2] and r[2] <= c[2] for r, c in pairs)


def _more_c8_branches(
    run: list[tuple[int, int, int]], committed: list[tuple[int, int, int]]
) -> bool:
    """Whether the run has every committed branch line as is, plus lines of its own."""
    return set(committed) < set(run)


def _explained_only_in_run(path: str, info: dict[str, Any]) -> str | None:
    if info["language"] == "Rust" and "/tests/" in f"/{path}":
        return "Rust integration-test source: make-example.sh leaves out /tests/"
    return None


def _explained_only_committed(path: str, info: dict[str, Any]) -> str | None:
    if info["language"] == "TypeScript" and not info["ran"]:
        return "loaded by no test: make-example.sh's `c8 --all` reports it at 0 %"
    return None


def compare(
    run_doc: dict[str, Any], committed_doc: dict[str, Any], components: set[str]
) -> tuple[list[str], list[str], int]:
    """(differences, explained differences, files equal) of the two reports."""
    run, committed = _view(run_doc, components), _view(committed_doc, components)
    problems: list[str] = []
    explained: list[str] = []
    equal = 0
    for path in sorted(set(run) | set(committed)):
        if path not in committed:
            why = _explained_only_in_run(path, run[path])
            (explained if why else problems).append(
                f"{path}: only in covgap run's report" + (f" ({why})" if why else "")
            )
            continue
        if path not in run:
            why = _explained_only_committed(path, committed[path])
            (explained if why else problems).append(
                f"{path}: only in the committed reports" + (f" ({why})" if why else "")
            )
            continue
        a, b = run[path], committed[path]
        if a["language"] == "Python" and _merge_artefact(a["branches"], b["branches"]):
            explained.append(
                f"{path}: branches: run {_diff(a['branches'], b['branches'])} (the committed"
                " Python suites are Cobertura XML and coverage.py JSON; covgap's Cobertura"
                " reader numbers a partly taken line's branches without coverage.py's"
                " missing-branches, so the two suites' one taken branch merges as two)"
            )
            b = {**b, "branches": a["branches"]}
        if a["language"] == "TypeScript" and _more_c8_branches(a["branches"], b["branches"]):
            explained.append(
                f"{path}: branches: run {_diff(a['branches'], b['branches'])} (V8's block"
                " coverage reports a one-armed `if` as a branch in some runs and c8"
                " versions, not in others; make-example.sh used c8 10.1.3)"
            )
            b = {**b, "branches": a["branches"]}
        diffs = [
            f"{key}: run {_diff(a[key], b[key])}"
            for key in ("lines", "ran", "branches")
            if a[key] != b[key]
        ]
        if diffs:
            problems.append(f"{path}: " + "; ".join(diffs))
        else:
            equal += 1
    return problems, explained, equal


def _diff(a: list[Any], b: list[Any]) -> str:
    extra = [x for x in a if x not in b]
    missing = [x for x in b if x not in a]
    return f"has {extra[:5]} the committed lack, lacks {missing[:5]}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("components", nargs="*", help="components to run (default: all)")
    parser.add_argument("--out", type=Path, help="copy covgap run's reports to this folder")
    args = parser.parse_args(argv)
    env = _env()
    with tempfile.TemporaryDirectory(prefix="covgap-regen-") as tmp:
        repo = copy_example(Path(tmp))
        run_json = Path(tmp) / "run.json"
        run_args = ["run", *args.components, "--repo", str(repo), "--format", "json"]
        proc = _covgap([*run_args, "--detail", "-o", str(run_json)], env)
        sys.stderr.write(proc.stderr)
        if proc.returncode != 0:
            print(f"regen-example: covgap run failed (exit {proc.returncode})", file=sys.stderr)
            return proc.returncode
        proc = _covgap(
            ["report", "--repo", str(repo), "--format", "json", "--detail", *committed_inputs()],
            env,
        )
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            return proc.returncode
        run_doc = json.loads(run_json.read_text(encoding="utf-8"))
        committed_doc = json.loads(proc.stdout)
        measured = {c["name"] for c in json.loads(_manifest(repo).read_text())["components"]}
        problems, explained, equal = compare(run_doc, committed_doc, measured)
        if args.out is not None:
            shutil.copytree(_manifest(repo).parent, args.out, dirs_exist_ok=True)
    print(f"regen-example: components measured by covgap run: {', '.join(sorted(measured))}")
    print(f"regen-example: {equal} file(s) read equal to the committed reports")
    for line in explained:
        print(f"regen-example: explained: {line}")
    for line in problems:
        print(f"regen-example: DIFFERS: {line}")
    print("regen-example: " + ("FAIL" if problems else "PASS"))
    return 1 if problems else 0


def _manifest(repo: Path) -> Path:
    runs = repo / ".covgap" / "runs"
    return runs / (runs / "latest").read_text(encoding="utf-8").strip() / "run.json"


if __name__ == "__main__":
    sys.exit(main())
