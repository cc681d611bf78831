"""The HTML report in a real headless browser (Debian's chromium driven by Playwright).

Checks that pages load from file:// without console errors, that sorting, filtering
and links work, and leaves screenshots of the dashboard and a file page in
``out/screenshots/`` for review.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import require_tool
from covgap.cli import main

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
REPO = ROOT / "tests" / "data" / "report-repo"
SHOTS = ROOT / "out" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("browser") / "repo"
    shutil.copytree(REPO, repo)
    out = repo / "html"
    result = CliRunner().invoke(
        main,
        [
            "report",
            "--repo",
            str(repo),
            "--format",
            "html",
            "-o",
            str(out),
            f"unit={repo / 'unit.info'}",
            f"e2e={repo / 'e2e.info'}",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_tool("chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.console_errors = errors
    yield pg
    context.close()


def test_dashboard_loads_without_errors_and_is_screenshotted(site: Path, page: Any) -> None:
    page.goto((site / "index.html").as_uri())
    page.wait_for_selector("#files tbody tr")
    assert page.locator("#files tbody tr").count() == 5
    assert page.locator("#components tbody tr").count() == 2
    assert page.locator("#treemap .cell").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
    assert page.console_errors == []


def test_sorting_and_filtering(site: Path, page: Any) -> None:
    page.goto((site / "index.html").as_uri())
    page.click("#files th[data-key=missed]")
    missed = page.locator("#files tbody tr td:nth-child(4)").all_inner_texts()
    assert [int(m) for m in missed] == sorted(int(m) for m in missed)
    page.click("#files th[data-key=missed]")
    missed = page.locator("#files tbody tr td:nth-child(4)").all_inner_texts()
    assert [int(m) for m in missed] == sorted((int(m) for m in missed), reverse=True)
    page.fill("#file-filter", "web/")
    paths = page.locator("#files tbody tr td:first-child").all_inner_texts()
    assert paths and all(p.startswith("web/") for p in paths)
    page.fill("#file-filter", "")
    page.check("#uncovered-only")
    assert page.locator("#files tbody tr").count() == 3
    page.click("button.tier-medium")
    tiers = page.locator("#gaps tbody tr td:first-child").all_inner_texts()
    assert tiers and set(tiers) == {"medium"}
    assert page.console_errors == []


def test_links_resolve_and_file_page_jumps(site: Path, page: Any) -> None:
    page.goto((site / "index.html").as_uri())
    page.click("#files a:text('crates/core/src/lib.rs')")
    page.wait_for_selector("table.source")
    assert page.locator("h1").inner_text() == "crates/core/src/lib.rs"
    assert page.locator("tr.miss").count() == 3
    page.click("#next-block")
    assert page.evaluate("location.hash") == "#L6"
    page.click("#next-block")
    assert page.evaluate("location.hash") == "#L10"
    page.keyboard.press("n")
    assert page.evaluate("location.hash") == "#L6"
    page.screenshot(path=str(SHOTS / "file-page.png"), full_page=True)
    # Every link on the page points at a file that exists.
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    for href in hrefs:
        target = href.split("#")[0]
        if target.startswith("file://"):
            assert Path(target[len("file://") :]).exists(), href
    assert page.console_errors == []
