"""The HTML site's "unchanged inputs" shortcut must not keep a stale trend (#11, #14)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from click.testing import CliRunner

from covgap.cli import main


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@e", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def _run(repo: Path, *args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--repo", str(repo)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_new_record_rebuilds_the_index_with_its_point(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\ny = 2\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "one")
    report = tmp_path / "l.info"
    report.write_text("SF:a.py\nDA:1,1\nDA:2,0\nBRDA:1,0,0,1\nBRDA:1,0,1,0\nend_of_record\n")
    store = "sqlite:///.covgap/history.db"
    _run(repo, "record", str(report), "--branch", "main", "--store", store)
    _git(repo, "commit", "-q", "--allow-empty", "-m", "two")
    site = tmp_path / "site"
    _run(repo, "report", str(report), "--format", "html", "-o", str(site))
    first = (site / "index.html").read_text(encoding="utf-8")
    # The same inputs again: the site is current and kept as it is.
    _run(repo, "report", str(report), "--format", "html", "-o", str(site))
    assert (site / "index.html").read_text(encoding="utf-8") == first
    # HEAD recorded now: same report, same commit, but the trend has a new point.
    _run(repo, "record", str(report), "--branch", "main", "--store", store)
    _run(repo, "report", str(report), "--format", "html", "-o", str(site))
    second = (site / "index.html").read_text(encoding="utf-8")
    assert second != first
