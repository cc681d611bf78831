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

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--no-proxy-server", "--no-first-run"]
XSS = "<img src=x onerror=alert(1)>.py"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def test_repository_page_in_chromium(browser: Any, tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/s.db"
    token = create_repo(store, "alpha")
    with serve(store) as base:
        for sha, hits in ((SHA_A, {1: 1, 2: 0}), (SHA_B, {1: 1, 2: 1})):
            doc = document(
                [("l.info", lcov({"src/a.py": hits, XSS: {1: 0}}), "unit")],
                commit=sha,
                files=["src/a.py", XSS],
                branch="main",
            )
            status, _ = request(
                f"{base}/api/v1/uploads", data=body(doc), token=token, method="POST"
            )
            assert status == 202
            wait_for_totals(base, "alpha", sha)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        errors: list[str] = []
        dialogs: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/alpha")
        assert page.locator("svg.trend circle").count() == 2
        assert page.locator("#commits tbody tr").count() == 2
        assert page.locator("#branches tbody tr td:first-child").all_inner_texts() == ["main"]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "server-repo.png"), full_page=True)
        page.click(f"#commits a[href$='/commit/{SHA_B}']")
        page.wait_for_selector("#files")
        assert XSS in page.locator("#files td.path").all_inner_texts()
        assert page.locator("#files img").count() == 0
        page.goto(f"{base}/")
        assert page.locator("#repos tbody tr").count() == 1
        context.close()
    assert errors == [] and dialogs == []
