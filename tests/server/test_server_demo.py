"""The issue's "done when" flow, as documented (``make server-demo``,
``scripts/server_demo.py``): a real ``covgap serve`` on SQLite and on PostgreSQL, two
repositories' CI runs uploaded with ``covgap upload``, then their trends, a commit's
report and the PR comparison over HTTP, and the API's totals against the local merge."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import orjson
from srv_serving import get_json, request

from covgap.report.html import slug

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "server_demo.py"


def _start(*args: str) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """Run the demo; return it and the JSON it prints once everything is checked."""
    proc = subprocess.Popen(
        [sys.executable, str(DEMO), "--port", "0", "--json", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(proc.stdout.readline()))  # type: ignore[union-attr]
    reader.start()
    reader.join(timeout=300)
    if not line or not line[0].strip():
        proc.kill()
        _, err = proc.communicate(timeout=30)
        raise AssertionError(f"server_demo.py printed nothing: {err}")
    return proc, orjson.loads(line[0])


def _check_server(server: dict[str, Any]) -> None:
    url = server["url"]
    shop, engine = server["repositories"]["shop"], server["repositories"]["engine"]
    assert len(shop["commits"]) == 4 and len(engine["commits"]) == 4
    for repo in (shop, engine):
        # the API's totals are the local merge's (computed by the demo with covgap's
        # pipeline), fetched here from the server
        for sha in repo["commits"]:
            status, doc = get_json(f"{url}/api/v1/repos/{repo['name']}/commits/{sha}")
            assert status == 200 and doc["state"] == "complete"
            assert doc["totals"] == repo["expected"][sha]
        status, page = request(repo["page"])
        assert status == 200
        # the trend chart: one point per commit for each measured metric (lines)
        assert page.count(b"<circle") == len(repo["commits"])
    # engine's first commit by hand: core.go 30 of 60 lines, io.go 10 of 25
    first = engine["expected"][engine["commits"][0]]
    assert (first["lines_covered"], first["lines_total"]) == (40, 85)
    status, page = request(shop["report"])
    assert status == 200 and b'id="covgap-data"' in page
    # shop/<b>promo</b>.py: the folder "shop/<b>promo<" and the file "b>.py", as JSON
    assert b'"shop/\\u003cb\\u003epromo\\u003c"' in page and b'"b\\u003e.py"' in page
    assert b"<b>promo" not in page
    page_url = shop["report"] + "files/" + slug("shop/cart.py")
    status, page = request(page_url)
    assert status == 200 and b"<h1>shop/cart.py</h1>" in page
    # uploaded with --sources: the page shows the text (the demo's "line N of PATH")
    assert b"line 1 of shop/cart.py" in page and b"not in the repository" not in page
    status, page = request(shop["compare"])
    assert status == 200
    patch = re.search(rb'id="patch">([0-9.]+)% \((\d+)/(\d+)\)', page)
    assert patch is not None, page
    # the PR added refund.py (20 lines, 11 covered) and changed a line of each file
    status, cmp = get_json(shop["compare"].replace(url, url + "/api/v1/repos").replace(
        "/shop/commit/", "/shop/commits/").replace("/compare", "/comparison"))  # fmt: skip
    assert status == 200
    assert (int(patch[2]), int(patch[3])) == (cmp["patch"]["covered"], cmp["patch"]["executable"])
    refund = [f for f in cmp["patch"]["files"] if f["path"] == "shop/refund.py"]
    assert refund and refund[0]["covered"] == 11 and len(refund[0]["uncovered"]) == 9
    assert engine["compare"] is None
    # engine/io.go never changes while its first 10, 8, 15, 17 lines are covered in
    # turn: lines 9-17 flipped, 9 and 10 twice
    status, flapping = get_json(f"{url}/api/v1/repos/engine/flapping")
    assert status == 200
    flips = {(f["path"], f["line"]): f["flips"] for f in flapping["lines"]}
    assert flips == {("engine/io.go", n): 2 if n < 11 else 1 for n in range(9, 18)}
    status, page = request(engine["flapping"])
    assert status == 200 and page.count(b'<td class="path">engine/io.go</td>') == 9
    status, shop_flapping = get_json(f"{url}/api/v1/repos/shop/flapping")
    assert shop_flapping["lines"] == []


def test_demo_serves_both_repositories(server_store: str) -> None:
    proc, result = _start("--store", server_store)
    try:
        assert result["ok"], result["problems"]
        assert [s["backend"] for s in result["servers"]] == ["given"]
        _check_server(result["servers"][0])
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)  # also closes the pipes
        assert proc.returncode == 0, err


def test_demo_starts_its_own_postgresql(pg_cluster: Any) -> None:
    """``--backend postgresql``: a throwaway cluster of its own, gone afterwards
    (``pg_cluster`` only makes this skip or fail like the other PostgreSQL tests)."""
    proc = subprocess.run(
        [sys.executable, str(DEMO), "--backend", "postgresql", "--port", "0", "--json",
         "--exit"],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = orjson.loads(proc.stdout)
    assert result["ok"] and result["servers"][0]["backend"] == "postgresql"
    cluster_dir = result["servers"][0]["store_dir"]
    assert cluster_dir and not Path(cluster_dir).exists()
