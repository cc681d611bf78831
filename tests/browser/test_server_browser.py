"""The server's repository page in Debian's chromium (Playwright): the trend chart, the
commit list and its links work, a hostile file name shows as text, no console errors.
A screenshot is left in ``out/screenshots/server-repo.png`` for review."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import require_tool

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from srv_helpers import SHA_A, SHA_B, body, document, lcov
from srv_serving import create_repo, request, serve, wait_for_totals

from covgap.history.context import git_blob_id

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-proxy-server", "--no-first-run"]
XSS = "<img src=x onerror=alert(1)>.py"
SOURCE = "ok = 1\nbad = '<script>alert(2)</script>'\n"
"""src/a.py's text, sent with commit A (``covgap upload --sources``)."""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def _watch(page: Any) -> tuple[list[str], list[str]]:
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return errors, dialogs


def test_repository_page_commit_report_and_comparison_in_chromium(
    browser: Any, tmp_path: Path
) -> None:
    store = f"sqlite:///{tmp_path}/s.db"
    token = create_repo(store, "alpha")
    change = {"path": "src/a.py", "old_path": "src/a.py", "status": "M", "hunks": [[2, 1, 2, 2]]}
    blob = git_blob_id(SOURCE.encode())
    uploads = [
        (SHA_A, {1: 1, 2: 0}, {"branch": "main", "blobs": {"src/a.py": blob},
                               "sources": [{"blob": blob, "path": "src/a.py", "text": SOURCE}]}),
        (SHA_B, {1: 1, 2: 1, 3: 0}, {"branch": "feature", "pr": 3, "base": SHA_A,
                                     "diff": {"base": SHA_A, "files": [change]}}),
    ]  # fmt: skip
    with serve(store) as base:
        for sha, hits, extra in uploads:
            doc = document(
                [("l.info", lcov({"src/a.py": hits, XSS: {1: 0}}), "unit")],
                commit=sha,
                files=["src/a.py", XSS],
                **extra,
            )
            status, _ = request(
                f"{base}/api/v1/uploads", data=body(doc), token=token, method="POST"
            )
            assert status == 202
            wait_for_totals(base, "alpha", sha)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        errors, dialogs = _watch(page)

        # the repository: the history report's trend chart, one point per commit
        page.goto(f"{base}/alpha")
        assert page.locator("svg.covgap-trend circle").count() == 2
        assert page.locator("#commits tbody tr").count() == 2
        names = page.locator("#branches tbody tr td:first-child").all_inner_texts()
        assert sorted(names) == ["feature", "main"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "server-repo.png"), full_page=True)

        # a commit: the static HTML report's dashboard, drawn by its own covgap.js
        page.click(f"#commits a[href$='/commit/{SHA_A}/']")
        page.wait_for_selector("#files tbody tr")
        assert page.locator("#files tbody tr").count() == 2
        assert page.locator("#files a", has_text="onerror").inner_text() == XSS
        assert page.locator("img").count() == 0
        assert page.locator(".totals .value").first.inner_text() == "33.33%"
        page.screenshot(path=str(SHOTS / "server-commit.png"), full_page=True)

        # a file page of the report with its uploaded source: the text, a script in it
        # shown as text (no dialog below)
        page.click("#files a:text('src/a.py')")
        page.wait_for_selector("#source tbody tr")
        assert page.locator("h1").inner_text() == "src/a.py"
        assert page.locator("tr.miss").count() == 1
        assert "<script>alert(2)</script>" in page.locator("#source").inner_text()
        assert page.locator("p.problem").count() == 0
        note = page.locator("nav.server-nav .note").inner_text()
        assert note.startswith("File pages show the source text when it was uploaded")
        page.click("header .crumbs a")  # the report's own link back to its index.html
        page.wait_for_selector("#files tbody tr")
        assert page.url.endswith(f"/alpha/commit/{SHA_A}/index.html")
        page.locator("#files a", has_text="onerror").click()
        page.wait_for_selector("#source tbody tr")
        assert page.locator("h1").inner_text() == XSS and page.locator("img").count() == 0
        # no source uploaded for this one: the no-source page, lines with their hits
        assert "not in the repository" in page.locator("p.problem").inner_text()

        # the PR's comparison with its base: patch coverage and the changed file's link
        page.goto(f"{base}/alpha")
        page.click(f"#commits a[href$='/commit/{SHA_B}/compare']")
        assert page.locator("#patch").inner_text() == "50.00% (1/2)"
        assert page.locator("#categories tbody tr").count() >= 1
        assert page.locator("#file-categories tbody tr td.path").all_inner_texts() == ["src/a.py"]
        page.screenshot(path=str(SHOTS / "server-compare.png"), full_page=True)
        page.click("#changed a:text('src/a.py')")
        page.wait_for_selector("#source tbody tr")
        assert page.url.endswith("#L3")

        page.goto(f"{base}/")
        assert page.locator("#repos tbody tr").count() == 1
        context.close()
    assert errors == [] and dialogs == []
