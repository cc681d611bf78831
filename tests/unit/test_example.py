"""The bundled example (``covgap/example/``) is complete, small and self-consistent.

The example is what ``covgap demo`` runs on, so it must ship whole: every report the
manifest names exists, every report's source files exist in the example tree (after the
suffix mapping covgap itself does), ``coverage/NATIVE.md`` has an entry for each report
whose totals match the report, and no build debris or nested repository slipped in.
These checks read the reports with the standard library only, independently of covgap's
readers, so they hold even while a reader is being written.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from covgap.config import load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "covgap" / "example"
COVERAGE = EXAMPLE / "coverage"
NATIVE = COVERAGE / "NATIVE.md"
MANIFEST = COVERAGE / "inputs.txt"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "make-example.sh"

NOT_REPORTS = {"NATIVE.md", "inputs.txt"}
MAX_REPORT_BYTES = 150_000
MAX_EXAMPLE_BYTES = 900_000
DEBRIS = {"target", "node_modules", "dist", "__pycache__", ".pytest_cache", ".ruff_cache", ".git"}


def reports() -> list[str]:
    """Every report under coverage/, as a path relative to coverage/."""
    return sorted(
        p.relative_to(COVERAGE).as_posix()
        for p in COVERAGE.rglob("*")
        if p.is_file() and p.name not in NOT_REPORTS
    )


def source_files() -> list[str]:
    """The example's files outside coverage/, relative to the example root."""
    return sorted(
        p.relative_to(EXAMPLE).as_posix()
        for p in EXAMPLE.rglob("*")
        if p.is_file() and COVERAGE not in p.parents
    )


def read_text(rel: str) -> str:
    path = COVERAGE / rel
    if path.suffix == ".gz":
        return gzip.decompress(path.read_bytes()).decode("utf-8")
    return path.read_text(encoding="utf-8")


def native_entries() -> dict[str, str]:
    """NATIVE.md's sections: ``## <report>`` heading → the section's text."""
    entries: dict[str, str] = {}
    current = None
    for line in NATIVE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:].strip()
            entries[current] = ""
        elif current is not None:
            entries[current] += line + "\n"
    return entries


# -- what each report names ------------------------------------------------------------


def named_sources(rel: str) -> list[str]:
    """The source paths a report names, as written by the tool."""
    text = read_text(rel)
    name = Path(rel).name
    if name.endswith((".lcov", ".info")):
        return [line[3:] for line in text.splitlines() if line.startswith("SF:")]
    if name.endswith(".xml"):
        root = ET.fromstring(text)
        sources = [s.text or "" for s in root.iter("source")]
        base = sources[0] if sources else ""
        return [f"{base}/{c.get('filename')}" for c in root.iter("class")]
    data = json.loads(text)
    if name.startswith(".resultset"):
        return [path for run in data.values() for path in run["coverage"]]
    if data.get("type") == "llvm.coverage.json.export":
        return [f["filename"] for export in data["data"] for f in export["files"]]
    if "meta" in data and "files" in data:  # coverage.py JSON
        return list(data["files"])
    return [entry["path"] for entry in data.values()]  # Istanbul coverage-final.json


def maps_onto(report_path: str, files: list[str]) -> list[str]:
    """Example files a report path designates by suffix, the way covgap maps paths."""
    path = report_path.replace("\\", "/")
    return [f for f in files if path == f or path.endswith("/" + f) or f.endswith("/" + path)]


# -- tests -----------------------------------------------------------------------------


def manifest(path: Path) -> list[tuple[str, str]]:
    """A manifest's entries as ``(flag, path)``; the flag is empty when not given."""
    entries = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            flag, sep, rel = line.partition("=")
            entries.append((flag, rel) if sep else ("", flag))
    return entries


def test_manifest_lists_existing_reports_with_flags() -> None:
    entries = manifest(MANIFEST)
    assert entries, "inputs.txt lists no report"
    for flag, rel in entries:
        assert flag, f"inputs.txt: {rel} has no FLAG="
        assert (EXAMPLE / rel).is_file(), f"inputs.txt names a missing report: {rel}"
    assert {"unit", "integration", "e2e"} <= {flag for flag, _ in entries}
    listed = [rel.removeprefix("coverage/") for _, rel in entries]
    assert len(set(listed)) == len(listed)
    assert not [r for r in listed if r.startswith("baseline/")], "the baseline is not an input"
    languages = {r.split("/")[0] for r in listed}
    assert languages == {"rust", "python", "ruby", "typescript"}


def test_baseline_manifest_replaces_only_the_rust_reports() -> None:
    current = {rel for _, rel in manifest(MANIFEST)}
    baseline = {rel for _, rel in manifest(COVERAGE / "baseline" / "inputs.txt")}
    for rel in baseline:
        assert (EXAMPLE / rel).is_file(), f"baseline/inputs.txt names a missing report: {rel}"
    assert {r for r in baseline if "/baseline/" in r} == {"coverage/baseline/rust.json.gz"}
    assert {r for r in current if "/rust/" not in r} == {r for r in baseline if "/rust" not in r}


def test_every_language_has_reports() -> None:
    found = reports()
    for folder in ("rust", "python", "ruby", "typescript", "baseline"):
        assert any(r.startswith(folder + "/") for r in found), f"no {folder} report"


@pytest.mark.parametrize("rel", reports())
def test_report_is_small(rel: str) -> None:
    assert (COVERAGE / rel).stat().st_size <= MAX_REPORT_BYTES


def test_example_is_small() -> None:
    total = sum(p.stat().st_size for p in EXAMPLE.rglob("*") if p.is_file())
    assert total <= MAX_EXAMPLE_BYTES, f"the example weighs {total} bytes"


@pytest.mark.parametrize("rel", reports())
def test_report_sources_exist_in_the_example(rel: str) -> None:
    files = source_files()
    named = named_sources(rel)
    assert named, f"{rel} names no source file"
    for path in named:
        matches = maps_onto(path, files)
        assert len(matches) == 1, f"{rel}: {path} maps onto {matches or 'nothing'}"


def test_reports_keep_the_tools_paths() -> None:
    """Paths are left as the tools wrote them: absolute temp-dir paths, for the demo."""
    assert any(p.startswith("/") for p in named_sources("rust/integration.lcov"))
    assert all(not p.startswith("/") for p in named_sources("python/coverage.json"))


def test_native_has_an_entry_per_report() -> None:
    entries = native_entries()
    assert sorted(entries) == reports()
    for rel, text in entries.items():
        assert "```text" in text, f"NATIVE.md entry {rel} shows no tool output"


# -- NATIVE.md describes these very reports --------------------------------------------


def _numbers(pattern: str, text: str) -> tuple[int, ...]:
    match = re.search(pattern, text, re.MULTILINE)
    assert match, f"{pattern!r} not found"
    return tuple(int(g) for g in match.groups())


LCOV_REPORTS = [r for r in reports() if r.endswith((".lcov", ".info"))]


def _lcov_da(text: str) -> tuple[int, int]:
    """(hit, found) over distinct DA lines per SF record set, as ``lcov --summary`` counts."""
    files: dict[str, dict[int, int]] = {}
    current: dict[int, int] = {}
    for line in text.splitlines():
        if line.startswith("SF:"):
            current = files.setdefault(line[3:], {})
        elif line.startswith("DA:"):
            number, hits = line[3:].split(",")[:2]
            current[int(number)] = current.get(int(number), 0) + int(hits)
    found = sum(len(lines) for lines in files.values())
    hit = sum(1 for lines in files.values() for hits in lines.values() if hits > 0)
    return hit, found


@pytest.mark.parametrize("rel", LCOV_REPORTS)
def test_lcov_lines_match_lcov_summary(rel: str) -> None:
    expected = _numbers(r"lines\.+: [\d.]+% \((\d+) of (\d+) lines\)", native_entries()[rel])
    assert _lcov_da(read_text(rel)) == expected


@pytest.mark.parametrize("rel", [r for r in LCOV_REPORTS if "rust" in r])
def test_llvm_lcov_summary_lines_are_llvm_cov_report_lines(rel: str) -> None:
    """llvm-cov's LCOV export writes LF/LH from its own line model (= ``llvm-cov report``),
    which counts more lines than it writes DA records for: the file's own summary and its
    per-line data disagree, a real case a reader must decide about."""
    text = read_text(rel)
    found = sum(int(line[3:]) for line in text.splitlines() if line.startswith("LF:"))
    hit = sum(int(line[3:]) for line in text.splitlines() if line.startswith("LH:"))
    lines, missed = _numbers(
        r"^TOTAL\s+\d+\s+\d+\s+[\d.]+%\s+\d+\s+\d+\s+[\d.]+%\s+(\d+)\s+(\d+)",
        native_entries()[rel.replace(".lcov", ".json.gz")],
    )
    assert (hit, found) == (lines - missed, lines)
    assert _lcov_da(text)[1] < found


def test_cobertura_matches_coverage_report() -> None:
    root = ET.fromstring(read_text("python/coverage.xml"))
    stmts, miss, branches = _numbers(
        r"^TOTAL\s+(\d+)\s+(\d+)\s+(\d+)", native_entries()["python/coverage.xml"]
    )
    assert int(root.get("lines-valid", -1)) == stmts
    assert int(root.get("lines-covered", -1)) == stmts - miss
    assert int(root.get("branches-valid", -1)) == branches


def test_coveragepy_json_matches_coverage_report() -> None:
    totals = json.loads(read_text("python/coverage.json"))["totals"]
    stmts, miss, branches, partial = _numbers(
        r"^TOTAL\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", native_entries()["python/coverage.json"]
    )
    assert (totals["num_statements"], totals["missing_lines"]) == (stmts, miss)
    assert (totals["num_branches"], totals["num_partial_branches"]) == (branches, partial)


@pytest.mark.parametrize("rel", [r for r in reports() if r.endswith(".json.gz")])
def test_llvm_json_matches_llvm_cov_report(rel: str) -> None:
    totals = json.loads(read_text(rel))["data"][0]["totals"]
    row = _numbers(
        r"^TOTAL\s+(\d+)\s+(\d+)\s+[\d.]+%\s+(\d+)\s+(\d+)\s+[\d.]+%\s+(\d+)\s+(\d+)",
        native_entries()[rel],
    )
    regions, missed_regions, functions, missed_functions, lines, missed_lines = row
    assert totals["regions"]["count"] == regions
    assert totals["regions"]["count"] - totals["regions"]["covered"] == missed_regions
    assert totals["functions"]["count"] == functions
    assert totals["functions"]["count"] - totals["functions"]["covered"] == missed_functions
    assert totals["lines"]["count"] == lines
    assert totals["lines"]["count"] - totals["lines"]["covered"] == missed_lines


def test_simplecov_resultset_matches_simplecov() -> None:
    data = json.loads(read_text("ruby/.resultset.json"))
    relevant = covered = 0
    for run in data.values():
        for cov in run["coverage"].values():
            lines = cov["lines"] if isinstance(cov, dict) else cov
            relevant += sum(1 for hits in lines if hits is not None)
            covered += sum(1 for hits in lines if hits)
    expected = _numbers(r"\((\d+) / (\d+) lines", native_entries()["ruby/.resultset.json"])
    assert (covered, relevant) == expected


def test_istanbul_matches_c8_summary() -> None:
    data = json.loads(read_text("typescript/coverage-final.json"))
    statements = sum(len(f["s"]) for f in data.values())
    covered = sum(1 for f in data.values() for hits in f["s"].values() if hits)
    expected = _numbers(
        r"^Statements\s+: [\d.]+% \( (\d+)/(\d+) \)",
        native_entries()["typescript/coverage-final.json"],
    )
    assert (covered, statements) == expected


# -- the example tree ------------------------------------------------------------------


def test_no_build_debris_or_nested_repository() -> None:
    for path in EXAMPLE.rglob("*"):
        assert path.name not in DEBRIS, f"build debris in the example: {path}"
        assert path.suffix not in {".profraw", ".profdata", ".pyc"}, path


def test_the_example_is_polyglot_and_realistic() -> None:
    files = source_files()
    by_ext: dict[str, int] = {}
    for f in files:
        by_ext[Path(f).suffix] = by_ext.get(Path(f).suffix, 0) + 1
    for ext in (".rs", ".py", ".rb", ".ts"):
        assert by_ext.get(ext, 0) >= 8, f"too few {ext} files"
    assert 40 <= sum(by_ext.get(e, 0) for e in (".rs", ".py", ".rb", ".ts")) <= 80
    cargo = (EXAMPLE / "Cargo.toml").read_text(encoding="utf-8")
    assert 'members = ["crates/*"]' in cargo
    assert (EXAMPLE / "Cargo.lock").is_file(), "cargo must build offline from the lock file"
    for manifest in ("python/pyproject.toml", "ruby/tasker.gemspec", "typescript/package.json"):
        assert (EXAMPLE / manifest).is_file()


def test_config_is_valid_and_declares_every_component() -> None:
    config = load_config(EXAMPLE)
    assert config.source == EXAMPLE / "covgap.toml"
    names = {c.name for c in config.components}
    assert names == {"tasker-core", "tasker-cli", "tasker-py", "tasker-rb", "worker-ts"}
    assert all(c.target is not None for c in config.components)
    files = source_files()
    for comp in config.components:
        prefix = comp.paths[0].removesuffix("/**")
        assert any(f.startswith(prefix + "/") for f in files), comp.name
    gates = config.section("gates")
    assert {"line", "branch", "patch", "max_drop", "critical"} <= set(gates)


def test_make_example_script_is_valid_bash() -> None:
    text = SCRIPT.read_text(encoding="utf-8")
    assert "set -euo pipefail" in text
    subprocess.run(["bash", "-n", str(SCRIPT)], check=True)
