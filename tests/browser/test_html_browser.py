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


def open_index(page: Any, site: Path) -> None:
    """Open the dashboard and wait until index-data.js has completed it."""
    page.goto((site / "index.html").as_uri())
    page.wait_for_function("window.__covgapReady !== undefined")


def test_dashboard_loads_without_errors_and_is_screenshotted(site: Path, page: Any) -> None:
    open_index(page, site)
    page.wait_for_selector("#files tbody tr")
    assert page.locator("#files tbody tr").count() == 5
    assert page.locator("#components tbody tr").count() == 2
    assert page.locator("#treemap .cell").count() >= 1
    # The gaps' reasons and recommended tests arrive with gaps.js, after the first rows.
    page.wait_for_function(
        "document.querySelectorAll('#gaps tbody tr td:nth-child(5)')[0].textContent.length > 0"
    )
    assert page.locator("#gaps tbody li").count() >= 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard.png"), full_page=True)
    assert page.console_errors == []


def test_the_first_rows_show_before_the_rest_of_the_data(
    site: Path, page: Any, tmp_path: Path
) -> None:
    """The first files rows come from index.html alone (issue 14): without
    index-data.js they still show, with the file count; the rest waits for it."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    (copy / "index-data.js").unlink()
    page.goto((copy / "index.html").as_uri())
    page.wait_for_selector("#files tbody tr")
    assert page.locator("#files tbody tr").count() == 5
    assert page.locator("#files a").first.get_attribute("href").startswith("files/")
    assert page.locator("#file-count").inner_text() == "5 files"
    assert page.locator("#treemap .cell").count() == 0  # drawn from the full data only
    assert page.evaluate("window.__covgapReady") is None
    page.console_errors.clear()  # the missing script's load error, and only that


def test_sorting_and_filtering(site: Path, page: Any) -> None:
    open_index(page, site)
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
    open_index(page, site)
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


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site of hostile names and sources, a stale huge line number, a long file and a
    page with an extra per-line field."""
    repo = tmp_path_factory.mktemp("hostile") / "repo"
    shutil.copytree(REPO, repo)
    evil = repo / "web" / "src" / "<script>alert(1)<"
    evil.mkdir(parents=True)
    (evil / "x.ts").write_text('const s = "</script><script>alert(2)</script>";\n<b>bold</b>\n')
    long_lines = [f"def f{i}():\n    return {i}\n" for i in range(1500)]
    (repo / "long.py").write_text("".join(long_lines))
    records = [
        f"SF:{evil / 'x.ts'}\nFN:1,<img src=x onerror=alert(3)>\n"
        "FNDA:0,<img src=x onerror=alert(3)>\nDA:1,0\nDA:2,1\nend_of_record\n",
        f"SF:{repo / 'tools' / 'gen.py'}\nDA:1,1\nDA:2000000000,0\nend_of_record\n",
        # every other function of long.py never runs: an uncovered block every 4 lines
        "SF:long.py\n"
        + "".join(f"DA:{2 * i + 1},1\nDA:{2 * i + 2},{i % 2}\n" for i in range(1500))
        + "end_of_record\n",
    ]
    (repo / "evil.info").write_text("".join(records))
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
            str(repo / "evil.info"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    from array import array

    from covgap.model import FileCoverage
    from covgap.report.html import FilePageJob, render_file_page

    job = FilePageJob(
        coverage=FileCoverage("extra.py", array("i", [1]), array("q", [1])),
        source_path=str(repo / "tools" / "gen.py"),
        page="extra.html",
        component=None,
        functions=(),
        title="t",
        extra={
            "tests": {"label": "Tests", "lines": {1: ["test_a", "<img src=x onerror=alert(4)>"]}}
        },
    )
    (out / "files" / "extra.html").write_bytes(render_file_page(job))
    return out


def test_hostile_names_and_sources_show_as_text(hostile_site: Path, page: Any) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_index(page, hostile_site)
    page.wait_for_selector("#files tbody tr")
    link = page.locator("#files a", has_text="alert(1)")
    assert link.inner_text() == "web/src/<script>alert(1)</x.ts"
    link.click()
    page.wait_for_selector("#source tbody tr")
    assert page.locator("h1").inner_text() == "web/src/<script>alert(1)</x.ts"
    code = page.locator("#source td.src").all_inner_texts()
    assert code == ['const s = "</script><script>alert(2)</script>";', "<b>bold</b>"]
    assert page.locator("#source b").count() == 0 and page.locator("img").count() == 0
    # Highlighted by file.js's tokenizer, still as text.
    assert page.locator("#L1 td.src span.k").all_inner_texts() == ["const"]
    assert page.locator("#L1 td.src span.s").all_inner_texts() == [
        '"</script><script>alert(2)</script>"'
    ]
    assert page.locator("table.functions a").inner_text() == "<img src=x onerror=alert(3)>"
    page.goto((hostile_site / "files" / "extra.html").as_uri())
    page.wait_for_selector("#source tbody tr")
    assert "Tests" in page.locator("#source thead").inner_text()
    assert page.locator("#L1 td.extra").inner_text() == "test_a, <img src=x onerror=alert(4)>"
    assert page.locator("img").count() == 0
    assert dialogs == [] and page.console_errors == []


def test_a_huge_line_number_is_one_row(hostile_site: Path, page: Any) -> None:
    from covgap.report.html import slug

    page.goto((hostile_site / "files" / slug("tools/gen.py")).as_uri())
    page.wait_for_selector("#source tbody tr")
    assert page.locator("#source tbody tr").count() == 12 + 1
    assert page.locator("#source tbody tr").last.get_attribute("id") == "L2000000000"
    assert page.console_errors == []


def test_a_long_file_draws_every_row_and_jumps_past_the_first_slice(
    hostile_site: Path, page: Any
) -> None:
    from covgap.report.html import slug

    url = (hostile_site / "files" / slug("long.py")).as_uri()
    page.goto(url + "#L2900")
    page.wait_for_selector("#L2900")
    page.wait_for_function("document.querySelectorAll('#source tbody tr').length === 3000")
    assert page.locator("#block-pos").inner_text() == "750 uncovered blocks"
    page.click("#prev-block")  # from the start, backwards: the last block
    assert page.evaluate("location.hash") == "#L2998"
    page.click("#next-block")  # and forwards from there: round to the first
    assert page.evaluate("location.hash") == "#L2"
    assert page.locator("#L2998").get_attribute("class") == "miss block-start"
    assert page.console_errors == []


def test_scrolling_draws_the_rows_coming_into_view(hostile_site: Path, page: Any) -> None:
    """Rows near the viewport are drawn at once, not only when the browser is idle
    (which a loaded machine may not be): here idle callbacks never come."""
    from covgap.report.html import slug

    page.add_init_script("window.requestIdleCallback = function () { return 0; };")
    page.goto((hostile_site / "files" / slug("long.py")).as_uri())
    page.wait_for_function("window.__covgapReady !== undefined")
    first = page.locator("#source tbody tr").count()
    assert first < 3000 and page.evaluate("window.__covgapDrawn") is None
    for _ in range(200):  # bounded: 30 slices of 100 rows at most
        if page.locator("#source tbody tr").count() == 3000:
            break
        page.mouse.wheel(0, 20000)
        page.wait_for_timeout(20)
    assert page.locator("#source tbody tr").count() == 3000
    assert page.evaluate("window.__covgapDrawn") is not None
    assert page.locator("#L3000").count() == 1
    assert page.console_errors == []
