"""The HTML report: page names, escaping of hostile names and sources, the site's files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from covgap.cli import main
from covgap.report.html import embed_json, slug

REPO = Path(__file__).resolve().parents[1] / "data" / "report-repo"


def html_report(repo: Path, out: Path, *inputs: str) -> Result:
    """Run ``covgap report --format html -o OUT`` on ``repo`` with ``inputs``."""
    return CliRunner().invoke(
        main,
        ["report", "--repo", str(repo), "--format", "html", "-o", str(out), *inputs],
        catch_exceptions=False,
    )


def test_slug_is_safe_and_unique() -> None:
    a, b = slug("src/a b.py"), slug("src/a_b.py")
    assert a != b
    for s in (a, b, slug("../../etc/passwd"), slug("<script>.py")):
        assert re.fullmatch(r"[A-Za-z0-9._-]+\.html", s), s
        assert "/" not in s and ".." not in s.split(".")[0]


def test_embedded_json_cannot_close_the_script_element() -> None:
    text = embed_json({"path": "</script><script>alert(1)</script>", "amp": "a&b"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["path"] == "</script><script>alert(1)</script>"


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    evil = repo / "web" / "src" / "<script>alert(1)<"
    evil.mkdir(parents=True)
    (evil / "x.ts").write_text('const s = "</script><script>alert(2)</script>";\n<b>bold</b>\n')
    (repo / "evil.info").write_text(
        f"SF:{evil / 'x.ts'}\n"
        "FN:1,<img src=x onerror=alert(3)>\nFNDA:0,<img src=x onerror=alert(3)>\n"
        "DA:1,0\nDA:2,1\nend_of_record\n"
    )
    return repo


def test_site_escapes_everything_from_code_and_reports(hostile_repo: Path) -> None:
    out = hostile_repo / "html"
    result = html_report(
        hostile_repo, out, str(hostile_repo / "unit.info"), str(hostile_repo / "evil.info")
    )
    assert result.exit_code == 0, result.stderr
    pages = list((out / "files").glob("*.html"))
    evil_page = next(p for p in pages if "alert" in p.name or "script" in p.name)
    html = evil_page.read_text()
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;" in html  # the path, shown as text
    assert "&lt;/script&gt;&lt;script&gt;alert(2)" in html.replace("&#34;", '"')
    index = (out / "index.html").read_text()
    assert "<script>alert" not in index
    # Only covgap's own scripts are in the pages.
    assert re.findall(r"<script[^>]*>", index) == [
        '<script type="application/json" id="covgap-data">',
        '<script src="covgap.js">',
    ]


def test_site_has_a_page_per_file_and_the_assets(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    out = tmp_path / "site"
    result = html_report(repo, out, f"unit={repo / 'unit.info'}", f"e2e={repo / 'e2e.info'}")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [".covgap-html", "covgap.css", "covgap.js", "file.js", "files", "index.html"]
    )
    assert len(list((out / "files").iterdir())) == 5
    data = re.search(
        r'<script type="application/json" id="covgap-data">(.*?)</script>',
        (out / "index.html").read_text(),
        re.S,
    )
    assert data is not None
    doc = json.loads(data.group(1))
    for f in doc["files"]:
        assert (out / f["page"]).is_file()


def test_refuses_to_overwrite_a_directory_it_did_not_make(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "keep.txt").write_text("mine")
    result = CliRunner().invoke(
        main,
        [
            "report",
            "--repo",
            str(repo),
            "--format",
            "html",
            "-o",
            str(precious),
            str(repo / "unit.info"),
        ],
    )
    assert result.exit_code == 2
    assert "is not a covgap HTML report" in result.stderr
    assert (precious / "keep.txt").read_text() == "mine"


def test_html_needs_an_output_directory(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["report", "--repo", str(REPO), "--format", "html", str(REPO / "unit.info")]
    )
    assert result.exit_code == 2
    assert "needs -o DIR" in result.stderr


def test_sources_outside_the_repository_are_never_published(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN\n")
    (repo / "traversal.info").write_text(
        f"SF:../secret.txt\nDA:1,1\nend_of_record\nSF:{secret}\nDA:1,0\nend_of_record\n"
    )
    out = tmp_path / "site"
    result = html_report(repo, out, str(repo / "traversal.info"))
    assert result.exit_code == 0
    for page in (out / "files").iterdir():
        assert "TOP-SECRET-TOKEN" not in page.read_text()


def test_source_lookup_stays_inside_the_repository(tmp_path: Path) -> None:
    from covgap.report.html import _source_in_repo

    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "a.py").write_text("x = 1\n")
    (tmp_path / "secret.txt").write_text("no")
    (repo / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert _source_in_repo(repo, "src/a.py") == str((repo / "src" / "a.py").resolve())
    assert _source_in_repo(repo, "../secret.txt") is None
    assert _source_in_repo(repo, str(tmp_path / "secret.txt")) is None
    assert _source_in_repo(repo, "link.txt") is None
    assert _source_in_repo(repo, "src/missing.py") is None


def test_a_huge_line_number_does_not_make_billions_of_rows(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    (repo / "huge.info").write_text(
        f"SF:{repo / 'tools' / 'gen.py'}\nDA:1,1\nDA:2000000000,0\nend_of_record\n"
    )
    out = tmp_path / "site"
    result = html_report(repo, out, str(repo / "huge.info"))
    assert result.exit_code == 0
    (page,) = (out / "files").iterdir()
    html = page.read_text()
    assert 'id="L2000000000"' in html
    assert html.count("<tr id=") == 12 + 1  # the 12 source lines, then the stale one


def test_highlight_cache_is_keyed_by_content_and_survives_corruption(tmp_path: Path) -> None:
    import zlib

    from covgap.report.html import _highlight_cached, _highlight_lines

    cache = tmp_path / "cache"
    text = "def f():\n    return 1\n"
    first = _highlight_cached("a.py", text, text.encode(), str(cache))
    assert first == _highlight_lines("a.py", text)
    (entry,) = [p for p in cache.rglob("*") if p.is_file()]
    # A hit returns what the cache holds (proving it is read) ...
    entry.write_bytes(zlib.compress(b"cached-line"))
    assert _highlight_cached("a.py", text, text.encode(), str(cache)) == ["cached-line"]
    # ... other content is another key ...
    other = "x = 2\n"
    assert _highlight_cached("a.py", other, other.encode(), str(cache)) == _highlight_lines(
        "a.py", other
    )
    # ... and a corrupt entry is a miss, not an error.
    entry.write_bytes(b"not zlib")
    assert _highlight_cached("a.py", text, text.encode(), str(cache)) == first
