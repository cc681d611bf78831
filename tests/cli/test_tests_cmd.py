"""``covgap tests`` end to end on the fixture repository, through click's runner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from covgap.cli import main

FIXTURE = Path(__file__).parents[1] / "data" / "source" / "repo"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    return root


def run(*args: str) -> str:
    result = CliRunner().invoke(main, ["tests", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_markdown_golden(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    golden("tests_cmd/inventory.md", run("--repo", str(repo), "--format", "markdown"))


def test_json_golden_and_shape(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    text = run("--repo", str(repo), "--format", "json")
    golden("tests_cmd/inventory.json", text)
    doc = json.loads(text)
    assert doc["format"] == "covgap-tests" and doc["schema_version"] == 2
    files = {f["path"]: f for f in doc["files"]}
    lib = files["rust/src/lib.rs"]
    assert {k: lib[k] for k in ("language", "component", "kind", "inline_tests", "tested_by")} == {
        "language": "Rust",
        "component": "tally-core",
        "kind": "source",
        "inline_tests": 3,
        "tested_by": [],
    }
    # its doc examples are doctests, counted apart (one is ```ignore)
    assert (lib["doctests"], lib["doctests_ignored"], lib["doctests_no_run"]) == (3, 1, 0)
    assert summary_doctests(doc) == {"total": 3, "ignored": 1, "no_run": 0, "files": 1}
    assert doc["notes"] == [] and {f["analyser"] for f in doc["files"]} == {"tree-sitter"}
    assert files["python/tests/test_area.py"]["tests"] == 10
    summary = doc["summary"]
    assert summary["source_files"] == sum(f["kind"] == "source" for f in doc["files"])
    assert summary["tests"] == sum(f["tests"] for f in doc["files"])
    assert summary["test_files_by_kind"] == {"unit": 6, "integration": 2, "e2e": 1}


def summary_doctests(doc: dict[str, Any]) -> dict[str, int]:
    return dict(doc["summary"]["doctests"])


TOOLING = {
    "web/eslint.config.mjs": "tool configuration",
    "web/vite.config.ts": "tool configuration",
    "python/setup.py": "Python packaging script",
    "python/tests/conftest.py": "pytest configuration",
    "python/docs/conf.py": "Sphinx configuration",
    ".github/scripts/release.py": "CI (.github/)",
    "rust/build.rs": "Cargo build script",
}


def add_tooling(repo: Path) -> None:
    for path in TOOLING:
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.endswith(".rs"):
            target.write_text('fn main() {\n    println!("cargo:rerun-if-changed=build.rs");\n}\n')
        elif path.endswith(".py"):
            target.write_text("import os\n\n\ndef configure():\n    return os.environ\n")
        else:
            target.write_text("export default { rules: {} };\n")


def test_tooling_files_are_a_class_of_their_own(repo: Path) -> None:
    """Issue 10: config and CI files are neither source nor tests, and visibly so."""
    before = json.loads(run("--repo", str(repo), "--format", "json"))
    add_tooling(repo)
    doc = json.loads(run("--repo", str(repo), "--format", "json"))
    files = {f["path"]: f for f in doc["files"]}
    assert {p: (files[p]["kind"], files[p]["tooling_rule"]) for p in TOOLING} == {
        p: ("tooling", rule) for p, rule in TOOLING.items()
    }
    assert doc["summary"]["tooling_files"] == len(TOOLING)
    for key in ("source_files", "tested_source_files", "test_files", "tests"):
        assert doc["summary"][key] == before["summary"][key], key
    markdown = run("--repo", str(repo), "--format", "markdown")
    section = markdown.split("## Tooling files", 1)[1]
    assert "| `web/eslint.config.mjs` | tool configuration | 1 |" in section
    terminal = run("--repo", str(repo))
    assert "Tooling files" in terminal and "rust/build.rs" in terminal


def test_classify_config_overrides_the_defaults(repo: Path) -> None:
    add_tooling(repo)
    (repo / "covgap.toml").write_text(
        '[classify]\nsource = ["python/setup.py"]\ntooling = ["go/calc.go"]\n'
    )
    doc = json.loads(run("--repo", str(repo), "--format", "json"))
    files = {f["path"]: f for f in doc["files"]}
    assert files["python/setup.py"]["kind"] == "source"
    assert (files["go/calc.go"]["kind"], files["go/calc.go"]["tooling_rule"]) == (
        "tooling",
        "[classify] tooling",
    )
    assert files["web/eslint.config.mjs"]["kind"] == "tooling"


def test_fallback_is_said_on_stderr_markdown_and_json(  # type: ignore[no-untyped-def]
    repo: Path, missing_grammars
) -> None:
    """Issue 10: a language analysed without tree-sitter is never a silent zero."""
    missing_grammars("rust")
    args = ["tests", "--repo", str(repo), "--format", "json", "--no-cache"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0
    message = (
        "Rust: 5 files analysed without tree-sitter (tree_sitter_rust is not installed): "
        "tests and functions (complexity estimated) found by regex; doctests, error paths "
        "and imports not found"
    )
    assert result.stderr.count("covgap: note: Rust:") == 1
    assert f"covgap: note: {message}" in result.stderr
    doc = json.loads(result.stdout)
    assert [(n["language"], n["kind"], n["files"], n["message"]) for n in doc["notes"]] == [
        ("Rust", "fallback", 5, message)
    ]
    rust = next(r for r in doc["languages"] if r["name"] == "Rust")
    assert rust["tests"] > 0 and rust["doctests"] == 0
    markdown = CliRunner().invoke(main, [*args[:3], "--format", "markdown", "--no-cache"])
    assert f"> **Note**: {message}" in markdown.stdout


def test_second_run_uses_the_cache_and_prints_the_same(repo: Path) -> None:
    first = run("--repo", str(repo), "--format", "json")
    assert (repo / ".covgap/cache/source-v2.sqlite").is_file()
    assert run("--repo", str(repo), "--format", "json") == first
    assert run("--repo", str(repo), "--format", "json", "--no-cache", "-j", "1") == first


def test_terminal_output_and_top(repo: Path) -> None:
    out = run("--repo", str(repo), "--top", "2")
    assert "Source files with tests" in out
    assert "10/15 (66.67%)" in out
    section = out.split("Largest source files with no tests", 1)[1]
    assert len(section.strip().splitlines()) == 4  # header, rule, two rows
    assert "ruby/lib/widgets/catalog.rb" in section and "rust/src/report.rs" in section
    assert "\x1b[" not in out  # no colour when not on a terminal


def test_output_file(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "TESTS.md"
    result = CliRunner().invoke(
        main, ["tests", "--repo", str(repo), "--format", "markdown", "-o", str(target)]
    )
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text().startswith("# Tests inventory\n")


def test_configured_zero_files_sets_the_default_top(repo: Path) -> None:
    (repo / "covgap.toml").write_text("[report]\nzero_files = 1\n")
    doc = json.loads(run("--repo", str(repo), "--format", "json"))
    assert len(doc["untested_largest"]) == 1


def test_bad_config_is_one_line_and_exit_2(repo: Path) -> None:
    (repo / "covgap.toml").write_text("[tests]\nunit = 3\n")
    result = CliRunner().invoke(main, ["tests", "--repo", str(repo)])
    assert result.exit_code == 2
    assert result.stderr.startswith("covgap: error: ")
    assert "tests.unit" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("part", "total", "expected"),
    [(0, 0, None), (1, 3, 33.33), (99_999, 100_000, 99.99), (1, 100_000, 0.01), (5, 5, 100.0)],
)
def test_json_percent_is_never_rounded_to_0_or_100(
    part: int, total: int, expected: float | None
) -> None:
    from covgap.report.tests_report import _json_percent

    assert _json_percent(part, total) == expected
