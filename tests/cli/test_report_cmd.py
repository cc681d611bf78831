"""End-to-end tests of ``covgap report`` through the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from covgap.cli import main

REPO = Path(__file__).resolve().parents[1] / "data" / "report-repo"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the fixture repository outside covgap's own git work tree."""
    target = tmp_path / "repo"
    shutil.copytree(REPO, target)
    return target


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_json_totals_are_the_per_line_union(repo: Path) -> None:
    code, out, _ = run(
        "report",
        "--repo",
        str(repo),
        "--format",
        "json",
        f"unit={repo / 'unit.info'}",
        f"e2e={repo / 'e2e.info'}",
    )
    assert code == 0
    doc = json.loads(out)
    files = {f["path"]: f for f in doc["files"]}
    # lib.rs: unit measures 1,2,3,4,6,7,9; e2e adds 10 and covers 3 and 4.
    lib = files["crates/core/src/lib.rs"]
    assert (lib["lines_total"], lib["lines_covered"]) == (8, 5)
    assert lib["uncovered_ranges"] == [[6, 7], [10, 10]]
    assert lib["component"] == "core"
    assert doc["summary"]["lines_total"] == sum(f["lines_total"] for f in doc["files"])
    comps = {c["name"]: c for c in doc["components"]}
    assert comps["web"]["lines_total"] == 8
    assert comps["web"]["passed"] is False  # 3 of 8 lines = 37.5 %, target 40
    assert comps["core"]["targets"][0] == {
        "metric": "line",
        "minimum": 70.0,
        "measured": 100.0 * 9 / 12,
        "passed": True,
    }
    flags = {f["name"]: f for f in doc["flags"]}
    assert flags["unit"]["lines_total"] == 13
    assert flags["e2e"]["lines_total"] == 11


def test_reports_match_golden(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    inputs = [f"unit={repo / 'unit.info'}", f"e2e={repo / 'e2e.info'}"]
    for fmt, name in (("markdown", "report.md"), ("terminal", "report.txt")):
        code, out, _ = run("report", "--repo", str(repo), "--format", fmt, *inputs)
        assert code == 0
        # notes name the inputs; Markdown escapes the path's underscores
        escaped = str(repo).replace("_", "\\_")
        golden(f"cli/{name}", out.replace(escaped, "<repo>").replace(str(repo), "<repo>"))


def test_output_file_is_written_atomically(repo: Path) -> None:
    out = repo / "out" / "COVERAGE.md"
    code, stdout, _ = run(
        "report",
        "--repo",
        str(repo),
        "--format",
        "markdown",
        "-o",
        str(out),
        str(repo / "unit.info"),
    )
    assert code == 0
    assert stdout == ""
    assert out.read_text().startswith("# Coverage report")
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02binary\x00" * 10, "binary data"),
        (b"SF:a.c\nDA:1,1\nDA:2,x\nend_of_record\n", ":3:"),
        (b"hello world\n", "not a coverage format"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(repo: Path, content: bytes, expected: str) -> None:
    bad = repo / "bad.info"
    bad.write_bytes(content)
    code, out, err = run("report", "--repo", str(repo), str(bad))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("covgap: error: ")
    assert expected in err
    assert str(bad) in err


def test_missing_input(repo: Path) -> None:
    code, _, err = run("report", "--repo", str(repo), str(repo / "nope.info"))
    assert code == 2
    assert "no such file" in err


def test_skip_invalid_reports_the_rest_and_lists_what_was_skipped(repo: Path) -> None:
    bad = repo / "bad.info"
    bad.write_bytes(b"SF:a.c\nDA:1,-5\nend_of_record\n")
    code, out, err = run(
        "report",
        "--repo",
        str(repo),
        "--format",
        "json",
        "--skip-invalid",
        str(bad),
        str(repo / "unit.info"),
    )
    assert code == 0
    doc = json.loads(out)
    assert [s["path"] for s in doc["skipped"]] == [str(bad)]
    assert "skipped" in err
    assert doc["summary"]["lines_total"] == 13


def test_skip_invalid_with_nothing_readable_fails(repo: Path) -> None:
    bad = repo / "bad.info"
    bad.write_bytes(b"garbage\n")
    code, _, err = run("report", "--repo", str(repo), "--skip-invalid", str(bad))
    assert code == 2
    assert "none of the inputs could be read" in err


def test_bad_config_names_the_key(repo: Path) -> None:
    (repo / "covgap.toml").write_text("[gates]\nlines = 3\n")
    code, _, err = run("report", "--repo", str(repo), str(repo / "unit.info"))
    assert code == 2
    assert "[gates.lines]" in err


def test_python_dash_m_covgap_runs() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "covgap", "--version"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith("covgap, version ")
