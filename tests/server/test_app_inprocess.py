"""The ASGI application served by uvicorn in this process (a thread), on SQLite.

The same HTTP behaviour the subprocess tests check, here also measured by the test
run's coverage (code in ``covgap serve`` subprocesses is not): every route, the
refusals, the escaping, private repositories and in-process workers.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from srv_helpers import SHA_A, SHA_B, body, document, lcov
from srv_serving import free_port, get_json, request, wait_for_totals

from covgap.report.html import slug
from covgap.server import db
from covgap.server.limits import Limits
from covgap.server.service import create_repo, init_store
from covgap.server.settings import Settings


@pytest.fixture
def app_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    import uvicorn

    from covgap.server.app import create_app

    store = f"sqlite:///{tmp_path}/app.db"
    engine = db.open_engine(store)
    db.create_schema(engine)
    tokens = {"admin": init_store(engine) or ""}
    for name, public in (("alpha", True), ("beta", True), ("secret", False)):
        tokens[name] = create_repo(engine, name, public=public)[1]
    engine.dispose()
    settings = Settings(
        store=store,
        limits=Limits(max_body=400_000, max_ratio=50),
        rate_limit=1000,
        lease=5,
        cache_dir=str(tmp_path / "cache"),
    )
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", tokens
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_routes_refusals_and_escaping(app_server: tuple[str, dict[str, str]]) -> None:
    base, tok = app_server
    up = f"{base}/api/v1/uploads"
    xss = "<b onmouseover=alert(1)>x</b>.py"
    good = body(document([("l.info", lcov({"src/a.py": {1: 1, 2: 0}, xss: {1: 1}}), "unit")],
                         files=["src/a.py", xss], branch="main"))  # fmt: skip
    refusals = [
        (up, good, None, 401),
        (up, good, "cgu_" + "y" * 43, 401),
        (up, good, tok["admin"], 403),
        (f"{base}/api/v1/repos/alpha/uploads", good, tok["beta"], 403),
        (up, gzip.compress(b"\0" * (8 << 20)), tok["alpha"], 413),
        (up, b"\x1f\x8b" + b"\0" * 500_000, tok["alpha"], 413),
        (up, body(document([("../x", lcov({"a": {1: 1}}), None)])), tok["alpha"], 400),
    ]
    for url, data, token, status in refusals:
        assert request(url, data=data, token=token, method="POST")[0] == status
    big = request(up, data=b"x" * 10, token=tok["alpha"], method="POST",
                  headers={"Content-Length": "999999999"})  # fmt: skip
    assert big[0] in (400, 413)

    status, answer = request(f"{base}/api/v1/repos/alpha/uploads", data=good, token=tok["alpha"],
                             method="POST")  # fmt: skip
    assert status == 202
    accepted = orjson.loads(answer)
    got = wait_for_totals(base, "alpha", SHA_A)
    assert got["totals"]["lines_total"] == 3 and got["totals"]["lines_covered"] == 2
    status, up_state = get_json(accepted["status_url"])
    assert status == 200 and up_state["state"] == "done"
    assert get_json(f"{base}/api/v1/uploads/{'0' * 32}")[0] == 404

    change = {"path": "src/a.py", "old_path": "src/a.py", "status": "M", "hunks": [[2, 0, 3, 1]]}
    pr = document([("l.info", lcov({"src/a.py": {1: 1, 2: 1, 3: 0}}), "unit")], commit=SHA_B,
                  files=["src/a.py"], branch="feature", pr=3, base=SHA_A,
                  diff={"base": SHA_A, "files": [change]})  # fmt: skip
    assert request(up, data=body(pr), token=tok["alpha"], method="POST")[0] == 202
    wait_for_totals(base, "alpha", SHA_B)

    pages = {
        "/": [b"alpha", b"beta"],
        "/alpha": [b'class="covgap-trend"', b"feature"],
        "/alpha?branch=main": [SHA_A[:12].encode()],
        # the commit's report is the static HTML report's dashboard (redirected to
        # the slash URL its relative links need), the path escaped in its JSON
        f"/alpha/commit/{SHA_A}": [b'id="covgap-data"', b"\\u003cb onmouseover=alert(1)"],
        f"/alpha/commit/{SHA_B}/": [b'<script src="covgap.js"', b'id="compare-link"'],
        f"/alpha/commit/{SHA_A}/files/{slug(xss)}": [
            b"<h1>&lt;b onmouseover=alert(1)&gt;x&lt;/b&gt;.py</h1>",
            b"File pages show the source text when it was uploaded",
            b'"problem":"the source file is not in the repository"',
            b'<script src="../file.js">',
        ],
        f"/alpha/commit/{SHA_A}/covgap.js": [b"covgap-data"],
        f"/alpha/commit/{SHA_A}/file.js": [b"covgap-file"],
        f"/alpha/commit/{SHA_A}/covgap.css": [b"--good"],
        f"/alpha/commit/{SHA_A}/gaps.js": [b"covgapGapDetails("],
        # served again from the cache: the same site; index.html is the file pages'
        # link back to it
        f"/alpha/commit/{SHA_A}/": [b'<a href="/alpha">alpha</a>'],
        f"/alpha/commit/{SHA_A}/index.html": [b'<a href="/alpha">alpha</a>'],
        f"/alpha/commit/{SHA_B}/compare": [
            b"Patch coverage",
            b"UNC",
            b'<table id="file-categories">',
            f'href="/alpha/commit/{SHA_B}/files/{slug("src/a.py")}"'.encode(),
        ],
        "/alpha/flapping": [b"No flapping lines"],
        "/static/covgap.css": [b"--good"],
        "/health": [b"ok"],
        f"/api/v1/repos/alpha/commits/{SHA_B}/comment.md": [b"**Patch coverage:** 0.00% (0/1"],
        "/api/v1/repos/alpha/badge.svg": [b"<svg"],
        "/api/v1/repos/alpha/badge.svg?branch=nope": [b"unknown"],
    }
    for path, needles in pages.items():
        status, page = request(base + path)
        assert status == 200, path
        for needle in needles:
            assert needle in page, (path, needle)
        assert b"<b onmouseover" not in page
    missing = (
        f"/alpha/commit/{SHA_A}/files/nope.html",
        f"/alpha/commit/{SHA_A}/files/..%2F..%2Fetc%2Fpasswd",
        f"/alpha/commit/{SHA_A}/manifest.json",
        f"/alpha/commit/{SHA_A}/.covgap-site-complete",
        f"/alpha/commit/{SHA_A}/files",
        f"/alpha/commit/{'c' * 40}/files/{slug('src/a.py')}",
        f"/secret/commit/{SHA_A}/",
    )
    for path in ("/nope", f"/alpha/commit/{'c' * 40}", "/secret", "/alpha/commit/zzz", *missing):
        assert request(base + path)[0] in (400, 404), path
    status, gate = get_json(f"{base}/api/v1/repos/alpha/commits/{SHA_B}/gate")
    assert status == 200 and gate["rules"][0]["rule"] == "no-drop"
    status, cmp = get_json(f"{base}/api/v1/repos/alpha/commits/{SHA_B}/comparison")
    assert cmp["patch"]["files"][0]["uncovered"] == [3]
    assert get_json(f"{base}/api/v1/repos/alpha/commits/{'c' * 40}/gate")[0] == 404
    assert get_json(f"{base}/api/v1/repos/alpha/commits/HEAD")[0] == 400
    assert get_json(f"{base}/api/v1/repos/alpha/flapping")[0] == 200

    # private repositories and the admin API
    assert [r["name"] for r in get_json(f"{base}/api/v1/repos")[1]["repositories"]] == [
        "alpha",
        "beta",
    ]
    listed = get_json(f"{base}/api/v1/repos", token=tok["secret"])[1]["repositories"]
    assert [r["name"] for r in listed] == ["alpha", "beta", "secret"]
    assert get_json(f"{base}/api/v1/repos/secret", token=tok["beta"])[0] == 404
    assert get_json(f"{base}/api/v1/repos/secret", token=tok["admin"])[0] == 200
    assert request(f"{base}/", token=tok["secret"])[1].count(b"secret") >= 1
    created = request(
        f"{base}/api/v1/repos?name=gamma", token=tok["admin"], method="POST", data=b""
    )
    assert created[0] == 201 and orjson.loads(created[1])["upload_token"].startswith("cgu_")
    for token, status in ((None, 401), (tok["alpha"], 403)):
        got_status = request(
            f"{base}/api/v1/repos?name=delta", token=token, method="POST", data=b""
        )[0]
        assert got_status == status
    assert (
        request(f"{base}/api/v1/repos?name=gamma", token=tok["admin"], method="POST", data=b"")[0]
        == 409
    )
    assert (
        request(f"{base}/api/v1/repos?name=api", token=tok["admin"], method="POST", data=b"")[0]
        == 400
    )
