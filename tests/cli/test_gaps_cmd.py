"""End-to-end tests of ``covgap gaps`` and ``covgap plan``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import cli_modules
from covgap.cli import main

REPO = Path(__file__).resolve().parents[1] / "data" / "report-repo"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(REPO, target)
    return target


def run(repo: Path, *args: str) -> tuple[int, str, str]:
    inputs = [f"unit={repo / 'unit.info'}", f"e2e={repo / 'e2e.info'}"]
    result = CliRunner().invoke(main, [*args, "--repo", str(repo), *inputs], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_gap_document_matches_golden(repo: Path, golden) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = run(repo, "gaps", "--format", "markdown")
    assert code == 0
    golden("cli/gaps.md", out)
    for heading in (
        "## Executive Summary",
        "## Coverage Gaps: Prioritized List",
        "## Coverage Strengths (What's Working Well)",
        "## Action Plan",
        "## Coverage Targets",
        "### Per-Package Goals",
        "### Coverage Gates for PRs",
    ):
        assert heading in out


def test_gap_json_carries_the_same_content(repo: Path) -> None:
    code, out, _ = run(repo, "gaps", "--format", "json")
    assert code == 0
    doc = json.loads(out)
    paths = [g["path"] for g in doc["gaps"]]
    assert paths[0] == "crates/core/src/lib.rs"  # critical component ranks first
    assert set(paths) == {"crates/core/src/lib.rs", "web/src/app.ts", "web/src/untested.ts"}
    lib = doc["gaps"][0]
    assert lib["critical"] is True
    assert lib["uncovered_ranges"] == [[6, 7], [10, 10]]
    web_plan = next(p for p in doc["plans"] if p["scope"] == "web")
    assert web_plan["needed_lines"] == 1
    assert web_plan["reachable"] is True


def test_plan_for_a_component_reaches_its_target(repo: Path) -> None:
    code, out, _ = run(repo, "plan", "--component", "web", "--format", "json")
    assert code == 0
    (plan,) = json.loads(out)
    assert plan["scope"] == "web"
    assert plan["projected"] >= plan["target"]


def test_plan_unknown_component(repo: Path) -> None:
    code, _, err = run(repo, "plan", "--component", "nope")
    assert code == 2
    assert "unknown component 'nope'" in err


def test_plan_without_targets(repo: Path) -> None:
    (repo / "covgap.toml").write_text("detect_components = false\n")
    code, _, err = run(repo, "plan")
    assert code == 2
    assert "nothing to plan" in err


def test_unknown_gap_weight_is_a_config_error(repo: Path) -> None:
    with (repo / "covgap.toml").open("a") as fh:
        fh.write("\n[gaps.weights]\nsizes = 1\n")
    code, _, err = run(repo, "gaps")
    assert code == 2
    assert "[gaps.weights.sizes]" in err


def test_a_fallback_is_said_once_on_stderr_and_in_json(  # type: ignore[no-untyped-def]
    repo: Path, missing_grammars
) -> None:
    """Issue 10: without the Rust grammar the gap analysis says so, once per language."""
    import json

    missing_grammars("rust")
    code, out, err = run(repo, "gaps", "--format", "json")
    assert code == 0
    rust = [line for line in err.splitlines() if line.startswith("covgap: note: Rust:")]
    assert len(rust) == 1
    assert "analysed without tree-sitter (tree_sitter_rust is not installed)" in rust[0]
    notes = {n["language"]: n for n in json.loads(out)["notes"]}
    assert notes["Rust"]["kind"] == "fallback" and notes["Rust"]["missing"][0] == "doctests"
    code, out, err = run(repo, "gaps", "--format", "markdown")
    assert "> **Note**: Rust: 2 files analysed without tree-sitter" in out


def test_an_unreadable_report_stops_the_analysis_started_before_it(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """gaps starts source analysis before reading the reports; a bad report must still be
    one line and exit 2, and the analysis nobody waits for must be closed."""
    from covgap.source import repo as repo_mod

    closed: list[bool] = []
    real_close = repo_mod.PendingAnalysis.close

    def close(self: repo_mod.PendingAnalysis) -> None:
        closed.append(True)
        real_close(self)

    monkeypatch.setattr(repo_mod.PendingAnalysis, "close", close)
    (repo / "bad.info").write_text("SF:a.py\nDA:x,y\n")
    args = ["gaps", "--repo", str(repo), str(repo / "bad.info")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert "bad.info" in result.stderr and "Traceback" not in result.stderr
    assert closed


def test_gaps_starts_source_analysis_before_reading_the_reports(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers parse while the coverage is read (issue 14): the order is the point."""
    import covgap.source
    from covgap import pipeline
    from covgap.source import repo as repo_mod

    order: list[str] = []
    real_start, real_read = repo_mod.start_analysis, pipeline.read_inputs

    def start(*args: object, **kwargs: object) -> repo_mod.PendingAnalysis:
        order.append("analysis started")
        return real_start(*args, **kwargs)  # type: ignore[arg-type]

    def read(*args: object, **kwargs: object) -> pipeline.ReadResult:
        order.append("reports read")
        return real_read(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(covgap.source, "start_analysis", start)
    monkeypatch.setattr(pipeline, "read_inputs", read)
    code, out, _ = run(repo, "gaps", "--format", "json")
    assert code == 0 and json.loads(out)["gaps"]
    assert order == ["analysis started", "reports read"]


def test_no_store_no_sqlalchemy_import(repo: Path, tmp_path: Path) -> None:
    """Without a history store, `covgap gaps` and the HTML report never import
    SQLAlchemy (~0.2 s of every run; issue 14): the default store's path is checked
    without parsing its URL."""
    inputs = [f"unit={repo / 'unit.info'}", f"e2e={repo / 'e2e.info'}"]
    runs = [
        ["gaps", "--format", "json", "-o", str(tmp_path / "g.json")],
        ["report", "--format", "html", "-o", str(tmp_path / "site")],
    ]
    for args in runs:
        _, loaded = cli_modules([*args, "--repo", str(repo), *inputs], ("sqlalchemy",))
        assert loaded == [False], args
    store = repo / ".covgap" / "history.db"  # with the default store present, it is used
    store.parent.mkdir(exist_ok=True)
    store.write_bytes(b"")
    from covgap.cli._history import store_in_use
    from covgap.config import Config

    assert store_in_use(None, Config(), repo) == "sqlite:///.covgap/history.db"
    store.unlink()
    assert store_in_use(None, Config(), repo) is None
