"""The commit reports' cache (``covgap.server.report``): one site per commit data
version, built once and atomically, older versions and the oldest sites pruned, and
only the site's own listed files served."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from covgap.model import CoverageSet, FileCoverageBuilder
from covgap.report.html import slug
from covgap.server import report


def _row(sha: str = "a" * 40, updated: float = 1.0, uploads: int = 1) -> Any:
    return SimpleNamespace(repo_id=1, sha=sha, run_id=None, uploads=uploads, updated_at=updated)


@pytest.fixture
def coverage(monkeypatch: pytest.MonkeyPatch) -> CoverageSet:
    """The stored coverage every site is built from (no database needed)."""
    cs = CoverageSet()
    builder = FileCoverageBuilder("src/<i>x</i>.py")
    builder.add_line(1, 2)
    builder.add_line(2, 0)
    cs.files["src/<i>x</i>.py"] = builder.build()
    monkeypatch.setattr(report, "commit_coverage", lambda engine, run_id: cs)
    monkeypatch.setattr(report, "commit_sources_version", lambda engine, repo_id: "")
    return cs


def test_site_built_once_per_data_version(tmp_path: Path, coverage: CoverageSet) -> None:
    cache = report.ReportCache(tmp_path, "sqlite:///x.db")
    site = cache.site(None, _row(), "t")  # type: ignore[arg-type]
    index = site.file("index.html")
    assert index is not None and b'id="covgap-data"' in index.read_bytes()
    page = site.file(slug("src/<i>x</i>.py"), "files")
    assert page is not None and b"<h1>src/&lt;i&gt;x&lt;/i&gt;.py</h1>" in page.read_bytes()
    assert not (site.root / ".checkout").exists()
    inode = os.stat(index).st_ino
    again = cache.site(None, _row(), "t")  # type: ignore[arg-type]
    assert again.root == site.root and os.stat(again.root / "index.html").st_ino == inode
    # a new upload: a new site, the old version removed
    newer = cache.site(None, _row(updated=2.0, uploads=2), "t")  # type: ignore[arg-type]
    assert newer.root != site.root and not site.root.exists()
    # another store: another folder
    other = report.ReportCache(tmp_path, "postgresql://db/x").site(None, _row(), "t")  # type: ignore[arg-type]
    assert other.root.parent != newer.root.parent


def test_only_listed_files_are_served(tmp_path: Path, coverage: CoverageSet) -> None:
    site = report.ReportCache(tmp_path, "s").site(None, _row(), "t")  # type: ignore[arg-type]
    (tmp_path / "secret.txt").write_text("x")
    for name, folder in (("../secret.txt", ""), ("..", ""), (report.COMPLETE, ""),
                         ("files", ""), ("nope.html", "files"), ("../index.html", "files"),
                         (".hidden", "")):  # fmt: skip
        assert site.file(name, folder) is None, (name, folder)
    assert site.file("covgap.js") is not None
    assert report.Site(tmp_path / "missing").file("index.html") is None


def test_oldest_sites_pruned(
    tmp_path: Path, coverage: CoverageSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "MAX_SITES", 2)
    cache = report.ReportCache(tmp_path, "s")
    roots = []
    for i, sha in enumerate(("a", "b", "c")):
        roots.append(cache.site(None, _row(sha * 40), "t").root)  # type: ignore[arg-type]
        os.utime(roots[-1], (1000.0 + i, 1000.0 + i))
    assert [r.exists() for r in roots] == [False, True, True]


def test_a_concurrent_build_that_won_is_used(
    tmp_path: Path, coverage: CoverageSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes building the same site: the loser's rename fails, the winner's
    complete site is served and the loser's temporary copy is gone."""
    cache = report.ReportCache(tmp_path, "s")
    winner = cache.site(None, _row(), "t").root  # type: ignore[arg-type]
    shutil.rmtree(winner)
    real = report._write_site

    def racing(out: Path, cs: Any, title: str, *sources: Any) -> None:
        real(out, cs, title, *sources)
        winner.mkdir()  # meanwhile, another process renamed its site into place
        (winner / "index.html").write_text("the winner's")
        (winner / report.COMPLETE).write_text("")

    monkeypatch.setattr(report, "_write_site", racing)
    site = cache.site(None, _row(), "t")  # type: ignore[arg-type]
    assert site.root == winner and (winner / "index.html").read_text() == "the winner's"
    assert [p.name for p in cache.dir.iterdir()] == [winner.name]


def test_nav_escapes_and_links(tmp_path: Path) -> None:
    commit = {"sha": "a" * 40, "branch": "<b>x</b>", "pr": 4, "uploads": 2, "base": "b" * 40}
    nav = report.nav_html("re<po", commit, depth=1)
    assert "<b>x</b>" not in nav and "&lt;b&gt;x&lt;/b&gt;" in nav and "re&lt;po" in nav
    assert 'href="/re%3Cpo/commit/' + "a" * 40 + '/compare"' in nav
    assert 'href="../index.html"' in nav and "PR #4" in nav
    plain = report.nav_html("r", {"sha": "c" * 40, "uploads": 1})
    assert "compare" not in plain and "PR" not in plain
    assert report.with_nav(b"<main>x", "N", b"<main>") == b"<main>\nNx"
    assert report.with_nav(b"<div>x", "N", b"<main>") == b"<div>x"


def test_default_cache_dir_is_per_user_and_per_store() -> None:
    root = report.default_cache_dir()
    assert root.name == f"covgap-server-{os.getuid()}"
    a, b = report.ReportCache(None, "sqlite:///a.db"), report.ReportCache(None, "sqlite:///b.db")
    assert a.dir.parent == b.dir.parent == root and a.dir != b.dir
