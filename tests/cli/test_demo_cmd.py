"""``covgap demo`` works on the bundled example, and never clobbers a user's directory."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from covgap.cli import main


def test_demo_writes_every_report(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert "Overall" in result.stdout and "Components" in result.stdout
    for name in ("COVERAGE.md", "coverage.json", "GAPS.md", "html/index.html"):
        assert (out / name).is_file(), name
    doc = json.loads((out / "coverage.json").read_text())
    # Every report path was mapped onto the example tree: nothing left unmapped.
    assert doc["unmapped"] == []
    assert {c["name"] for c in doc["components"]} >= {"tasker-core", "tasker-py"}
    assert {f["name"] for f in doc["flags"]} == {"unit", "integration", "e2e"}
    assert "## Coverage Gaps: Prioritized List" in (out / "GAPS.md").read_text()
    # The history store (#11): the committed baseline and today's run are two points.
    trend = (out / "TREND.md").read_text()
    assert "| lines | 46.25 % | 62.90 % | +16.65 pp |" in trend
    assert "| tests | n/a | " in trend  # counted today; the baseline's count was not kept
    assert "## Coverage Trend" in (out / "GAPS.md").read_text()
    page = (out / "html/index.html").read_text()
    assert 'class="trend"' in page and "<svg" in page
    assert "https://" not in page.replace("http://www.w3.org/2000/svg", "")  # offline
    assert "Coverage trend of the example" in result.stdout
    # Running it again replaces its own directory without complaint.
    again = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert again.exit_code == 0


def test_demo_refuses_a_directory_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 2
    assert "was not made by `covgap demo`" in result.stderr
    assert (out / "notes.txt").read_text() == "keep me"


def test_demo_inside_a_clone_that_ignores_its_output(tmp_path: Path) -> None:
    """`make demo` runs in a clone whose .gitignore lists covgap-demo/."""
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("covgap-demo/\n")
    out = tmp_path / "covgap-demo"
    result = CliRunner().invoke(main, ["demo", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    doc = json.loads((out / "coverage.json").read_text())
    assert doc["unmapped"] == []
    assert all(f["component"] for f in doc["files"])
