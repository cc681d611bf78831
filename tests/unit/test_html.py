"""The HTML report: page names, escaping of hostile names and sources, the site's files,
the file pages' data, and unchanged re-runs."""

from __future__ import annotations

import json
import re
import shutil
from array import array
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from covgap.cli import main
from covgap.report.html import (
    FILE_FORMAT,
    FilePageJob,
    embed_json,
    file_data,
    index_head,
    inputs_key,
    render_file_page,
    slug,
)

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
    # The source travels as JSON that cannot close its script element ...
    assert "\\u003c/script\\u003e\\u003cscript\\u003ealert(2)" in html
    # ... and only covgap's own scripts are in the pages.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script type="application/json" id="covgap-file">',
        '<script src="../file.js">',
    ]
    data = json.loads(re.search(r'id="covgap-file">(.*?)</script>', html, re.S).group(1))  # type: ignore[union-attr]
    assert data["source"].startswith('const s = "</script><script>alert(2)</script>";')
    assert data["functions"][0][0] == "<img src=x onerror=alert(3)>"
    index = (out / "index.html").read_text()
    assert "<script>alert" not in index
    assert re.findall(r"<script[^>]*>", index) == [
        '<script src="covgap.js" defer>',
        '<script type="application/json" id="covgap-data">',
    ]
    # No script inserts data as HTML: text only.
    for asset in ("covgap.js", "file.js"):
        code = (out / asset).read_text()
        assert "innerHTML" not in code and "insertAdjacentHTML" not in code
        assert "document.write" not in code


def test_site_has_a_page_per_file_and_the_assets(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    out = tmp_path / "site"
    result = html_report(repo, out, f"unit={repo / 'unit.info'}", f"e2e={repo / 'e2e.info'}")
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            ".covgap-html",
            "covgap.css",
            "covgap.js",
            "file.js",
            "files",
            "gaps.js",
            "index-data.js",
            "index.html",
            "manifest.json",
        ]
    )
    assert len(list((out / "files").iterdir())) == 5
    data = re.search(
        r'<script type="application/json" id="covgap-data">(.*?)</script>',
        (out / "index.html").read_text(),
        re.S,
    )
    assert data is not None
    head = json.loads(data.group(1))
    script = (out / "index-data.js").read_text()
    assert script.startswith("covgapIndexData(") and script.rstrip().endswith(");")
    doc = json.loads(script[len("covgapIndexData(") : script.rindex(")")])
    # Five files: the embedded first rows are all of them, with their folders.
    assert head["count"] == 5 and len(head["files"]) == 5
    assert [head["folders"][r[0]] + r[1] for r in head["files"]] == [
        doc["folders"][r[0]] + r[1] for r in doc["files"]
    ]
    paths = []
    for folder, name, digest, *_ in doc["files"]:
        path = f"{doc['folders'][folder]}/{name}" if doc["folders"][folder] else name
        paths.append(path)
        page = out / "files" / slug(path)
        assert page.is_file() and page.name.endswith(f".{digest}.html")
    assert len(paths) == 5 and "crates/core/src/lib.rs" in paths
    gaps = (out / "gaps.js").read_text()
    assert gaps.startswith("covgapGapDetails(") and gaps.rstrip().endswith(");")
    details = json.loads(gaps[len("covgapGapDetails(") : gaps.rindex(")")])
    assert len(details["reasons"]) == len(details["recommended"]) == len(doc["gaps"])


def test_the_index_embeds_only_its_first_rows() -> None:
    """index.html carries a slice of constant size; the rest is in index-data.js."""
    folders = [f"pkg{k}/src" for k in range(40)]
    rows = [[i % 40, f"m{i}.py", "0123456789", -1, 1, 2, 0, 0, 0, 0] for i in range(5000)]
    data = {"folders": folders, "files": rows, "names": [], "components": []}
    head = index_head(data)
    assert head["count"] == 5000 and len(head["files"]) == 100
    assert len(head["folders"]) == 40  # only the folders its rows name
    assert index_head(data, rows=3)["folders"] == ["pkg0/src", "pkg1/src", "pkg2/src"]
    for (f, name, *rest), full in zip(head["files"], rows, strict=False):
        assert (head["folders"][f], name, rest) == (folders[full[0]], full[1], full[2:])
    assert len(embed_json(head)) < 12_000


def page_data(page: Path) -> dict[str, Any]:
    """The JSON data a file page carries."""
    found = re.search(r'id="covgap-file">(.*?)</script>', page.read_text(), re.S)
    assert found is not None
    doc: dict[str, Any] = json.loads(found.group(1))
    return doc


def test_file_page_data_has_every_per_line_fact(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    out = tmp_path / "site"
    result = html_report(repo, out, f"unit={repo / 'unit.info'}", f"e2e={repo / 'e2e.info'}")
    assert result.exit_code == 0
    doc = page_data(out / "files" / slug("crates/core/src/lib.rs"))
    assert doc["format"] == FILE_FORMAT
    assert doc["path"] == "crates/core/src/lib.rs"
    assert doc["lang"] == "rust"
    assert doc["source"] == (repo / "crates/core/src/lib.rs").read_text()
    assert len(doc["lines"]) == len(doc["hits"]) and 0 in doc["hits"]
    lines, blocks, branches, taken = doc["branches"]
    assert len(lines) == len(blocks) == len(branches) == len(taken)
    assert [name for name, _ in doc["suites"]] == ["e2e", "unit"]
    assert doc["functions"] and all(len(f) == 6 for f in doc["functions"])
    assert "extra" not in doc


def test_extra_per_line_fields_travel_in_the_page_data(tmp_path: Path) -> None:
    from covgap.model import FileCoverage

    job = FilePageJob(
        coverage=FileCoverage("a.py", array("i", [1, 2]), array("q", [3, 0])),
        source_path=None,
        page=slug("a.py"),
        component=None,
        functions=(),
        title="t",
        extra={"tests": {"label": "Tests", "lines": {1: ["test_a", "<b>x</b>"]}}},
    )
    doc = file_data(job)
    assert doc["extra"] == {"tests": {"label": "Tests", "lines": {"1": ["test_a", "<b>x</b>"]}}}
    assert doc["problem"] == "the source file is not in the repository"
    page = render_file_page(job)
    assert b"<b>x</b>" not in page
    assert json.loads(
        re.search(rb'id="covgap-file">(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    )["extra"]["tests"]["lines"]["1"] == ["test_a", "<b>x</b>"]


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
    from covgap.report.html import SourceFinder

    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "a.py").write_text("x = 1\n")
    (tmp_path / "secret.txt").write_text("no")
    (repo / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert SourceFinder(repo)("src/a.py") == str((repo / "src" / "a.py").resolve())
    assert SourceFinder(repo)("../secret.txt") is None
    assert SourceFinder(repo)(str(tmp_path / "secret.txt")) is None
    assert SourceFinder(repo)("link.txt") is None
    assert SourceFinder(repo)("src/missing.py") is None
    # Folders are resolved once and cached: each way out is still closed.

    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "b.py").write_text("y = 2\n")
    (repo / "out").symlink_to(tmp_path / "outside")
    (repo / "src" / "inner.py").symlink_to(repo / "src" / "a.py")
    find = SourceFinder(repo)
    assert find("src/a.py") == find("src/inner.py") == str((repo / "src" / "a.py").resolve())
    assert find("out/b.py") is None
    assert find("src/../../outside/b.py") is None
    assert find("src") is None and find("src/") is None and find("src/..") is None
    assert find("src/a.py") is not None  # the cached folder again


def test_a_huge_line_number_is_data_not_rows(tmp_path: Path) -> None:
    """DA:2000000000 is one more line in the data; file.js draws the 12 source lines and
    that one (the browser test counts the rows)."""
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    (repo / "huge.info").write_text(
        f"SF:{repo / 'tools' / 'gen.py'}\nDA:1,1\nDA:2000000000,0\nend_of_record\n"
    )
    out = tmp_path / "site"
    result = html_report(repo, out, str(repo / "huge.info"))
    assert result.exit_code == 0
    (page,) = (out / "files").iterdir()
    assert page.stat().st_size < 10_000
    doc = page_data(page)
    assert doc["lines"] == [1, 2000000000]
    assert doc["source"].count("\n") == 12


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    """Each file of a site: (inode, modification time): what a rewrite would change."""
    return {
        str(p.relative_to(site)): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in site.rglob("*")
        if p.is_file()
    }


def test_an_unchanged_rerun_keeps_the_site_and_a_change_rewrites_only_its_page(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    out = tmp_path / "site"
    inputs = (f"unit={repo / 'unit.info'}", f"e2e={repo / 'e2e.info'}")
    assert html_report(repo, out, *inputs).exit_code == 0
    before = snapshot(out)
    # Nothing changed: the site is kept as it is, no file rewritten.
    assert html_report(repo, out, *inputs).exit_code == 0
    assert snapshot(out) == before
    # One source changed: its page is written again, every other page is the old file.
    lib = repo / "crates" / "core" / "src" / "lib.rs"
    lib.write_text(lib.read_text() + "// edited\n")
    assert html_report(repo, out, *inputs).exit_code == 0
    after = snapshot(out)
    changed = {p for p in after if p.startswith("files/") and after[p] != before.get(p)}
    assert changed == {f"files/{slug('crates/core/src/lib.rs')}"}
    assert page_data(out / "files" / slug("crates/core/src/lib.rs"))["source"].endswith(
        "// edited\n"
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert len(manifest["pages"]) == 5 and manifest["inputs"]
    # A page lost from the site: the site is no longer current and is made again.
    victim = out / "files" / slug("crates/core/src/lib.rs")
    victim.unlink()
    assert html_report(repo, out, *inputs).exit_code == 0
    assert victim.is_file()


def test_the_inputs_key_sees_inputs_files_and_parts(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    report = tmp_path / "lcov.info"
    report.write_text("SF:a.py\nDA:1,1\nend_of_record\n")

    def key(parts: tuple[str, ...] = ("t",)) -> str:
        return inputs_key(tmp_path, ["a.py"], inputs=[report], parts=parts)

    first = key()
    assert key() == first
    assert key(("other title",)) != first  # the caller's parts
    report.write_text("SF:a.py\nDA:1,2\nend_of_record\n")
    assert key() != first  # a coverage input
    second = key()
    (tmp_path / "a.py").write_text("x = 22\n")
    assert key() != second  # a repository file
    third = key()
    (tmp_path / "a.py").unlink()
    assert key() != third  # a file gone


def test_pages_written_by_forked_workers_equal_those_of_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from covgap import report

    repo = tmp_path / "repo"
    shutil.copytree(REPO, repo)
    one, two = tmp_path / "one", tmp_path / "two"
    assert html_report(repo, one, str(repo / "unit.info")).exit_code == 0
    monkeypatch.setattr(report.html, "PARALLEL_THRESHOLD", 1)
    monkeypatch.setattr(report.html.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(report.html, "_can_fork", lambda: True)
    pools: list[int] = []
    real_pool = report.html.ProcessPoolExecutor

    def counting_pool(*args: Any, **kwargs: Any) -> Any:
        pools.append(kwargs["max_workers"])
        return real_pool(*args, **kwargs)

    monkeypatch.setattr(report.html, "ProcessPoolExecutor", counting_pool)
    assert html_report(repo, two, str(repo / "unit.info")).exit_code == 0
    assert pools == [2]
    pages = sorted(p.name for p in (one / "files").iterdir())
    assert pages == sorted(p.name for p in (two / "files").iterdir())
    for name in pages:
        assert (one / "files" / name).read_bytes() == (two / "files" / name).read_bytes()


def test_a_missing_damaged_or_old_manifest_is_an_empty_one(tmp_path: Path) -> None:
    from covgap.report.html import MANIFEST, read_manifest, site_is_current

    assert read_manifest(tmp_path) == {}
    (tmp_path / MANIFEST).write_text("{not json")
    assert read_manifest(tmp_path) == {}
    (tmp_path / MANIFEST).write_text('{"version": 0, "inputs": "k", "pages": {}}')
    assert read_manifest(tmp_path) == {}
    assert not site_is_current(tmp_path, "k")


def test_unreadable_sources_and_untokenized_names_are_said_so(tmp_path: Path) -> None:
    from covgap.report.html import MAX_SOURCE_BYTES, _read_source, _tokenizer

    (tmp_path / "dir.py").mkdir()
    text, problem = _read_source(str(tmp_path / "dir.py"))
    assert text is None and problem is not None and "could not be read" in problem
    crlf = tmp_path / "w.py"
    crlf.write_bytes(b"a = 1\r\nb = 2\r\n")
    assert _read_source(str(crlf)) == ("a = 1\nb = 2\n", None)
    assert _tokenizer("src/a.PY", 10) == "python"
    assert _tokenizer("Makefile", 10) is None
    assert _tokenizer(".bashrc", 10) is None
    assert _tokenizer("big.py", MAX_SOURCE_BYTES + 1) is None
