"""Hostile requests against a real ``covgap serve`` on PostgreSQL: each is refused with
the right status (or escaped) and nothing is stored; no token reaches the logs."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import orjson
import pytest
from sqlalchemy import create_engine, func, select
from srv_helpers import SHA_A, body, document, lcov
from srv_serving import create_repo, get_json, request, serve, wait_for_totals

from covgap.history.url import parse
from covgap.report.html import slug
from covgap.server import db


def _uploads(store: str) -> int:
    engine = create_engine(parse(store))
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(db.uploads)).scalar_one())
    finally:
        engine.dispose()


def test_hostile_requests_are_refused_and_store_nothing(pg_url: str, tmp_path: Path) -> None:
    store = pg_url
    alpha = create_repo(store, "alpha")
    beta = create_repo(store, "beta")
    secret = create_repo(store, "secret", "--private")
    good = body(document([("lcov.info", lcov({"src/a.py": {1: 1}}), None)], files=["src/a.py"]))
    log = tmp_path / "serve.log"
    with serve(store, "--max-body", "200000", "--max-ratio", "50", log=log) as base:
        up = f"{base}/api/v1/uploads"
        cases = [
            ("no token", up, good, None, 401),
            ("wrong token", up, good, "cgu_" + "x" * 43, 401),
            ("another repository's token", f"{base}/api/v1/repos/alpha/uploads", good, beta, 403),
            ("gzip bomb", up, gzip.compress(b"\0" * (20 << 20)), alpha, 413),
            ("oversized body", up, b"\x1f\x8b" + b"\0" * 300_000, alpha, 413),
            (
                "hostile path",
                up,
                body(document([("../../etc/passwd", lcov({"a": {1: 1}}), None)])),
                alpha,
                400,
            ),
            (
                "hostile file list",
                up,
                body(document([("l.info", lcov({"a": {1: 1}}), None)], files=["/etc/passwd"])),
                alpha,
                400,
            ),
            ("not gzip", up, b"{}", alpha, 400),
        ]
        for what, url, data, token, status in cases:
            got, answer = request(url, data=data, token=token, method="POST")
            assert got == status, (what, got, answer)
            assert b"error" in answer, what
        assert _uploads(store) == 0

        # a private repository is invisible without one of its tokens
        assert get_json(f"{base}/api/v1/repos/secret")[0] == 404
        assert get_json(f"{base}/api/v1/repos/secret", token=alpha)[0] == 404
        assert get_json(f"{base}/api/v1/repos/secret", token=secret)[0] == 200
        assert request(f"{base}/secret")[0] == 404
        assert b"secret" not in request(f"{base}/")[1]

        # an XSS payload in a file name is stored as data and shown escaped
        xss = '<script>alert("x")</script>.py'
        doc = document([("l.info", lcov({xss: {1: 1, 2: 0}}), None)], files=[xss])
        status, answer = request(up, data=body(doc), token=alpha, method="POST")
        assert status == 202, answer
        wait_for_totals(base, "alpha", SHA_A)
        status, page = request(f"{base}/alpha/commit/{SHA_A}")
        assert status == 200
        assert b"<script>alert" not in page
        # the commit's report (the static report's pages): JSON-escaped data on the
        # dashboard, HTML-escaped text on the file page
        # (the dashboard's rows hold the folder and the file name apart)
        assert b'["\\u003cscript\\u003ealert(\\"x\\")\\u003c"]' in page
        assert b'"script\\u003e.py"' in page
        status, page = request(f"{base}/alpha/commit/{SHA_A}/files/{slug(xss)}")
        assert status == 200 and b"<script>alert" not in page
        assert b"<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;.py</h1>" in page
        # creating a repository needs the admin token, not an upload token
        assert (
            request(f"{base}/api/v1/repos?name=x", token=alpha, method="POST", data=b"")[0] == 403
        )
        assert request(f"{base}/api/v1/repos?name=x", method="POST", data=b"")[0] == 401
    text = log.read_text()
    for token in (alpha, beta, secret):
        assert token not in text and token[:20] not in text


def test_rate_limit_over_http(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/s.db"
    token = create_repo(store, "alpha")
    good = body(document([("lcov.info", lcov({"a.py": {1: 1}}), None)]))
    with serve(store, "--rate-limit", "2", "--process-threads", "0") as base:
        window = int(time.time() // 60)
        codes = [
            request(f"{base}/api/v1/uploads", data=good, token=token, method="POST")[0]
            for _ in range(3)
        ]
        if int(time.time() // 60) != window:  # the minute turned between the requests
            pytest.skip("the rate-limit window changed during the test")
    assert codes == [202, 202, 429]
    assert _uploads(store) == 2


def test_admin_creates_repositories_over_http(tmp_path: Path) -> None:
    from srv_serving import covgap

    store = f"sqlite:///{tmp_path}/s.db"
    admin = covgap("server", "init", "--store", store).stdout.strip().splitlines()[-1]
    with serve(store, "--process-threads", "0") as base:
        status, answer = request(
            f"{base}/api/v1/repos?name=gamma&public=false", token=admin, method="POST", data=b""
        )
        assert status == 201
        doc = orjson.loads(answer)
        assert doc["name"] == "gamma" and doc["upload_token"].startswith("cgu_")
        assert get_json(f"{base}/api/v1/repos/gamma", token=doc["upload_token"])[0] == 200
