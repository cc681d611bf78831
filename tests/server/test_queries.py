"""The read side and the smaller paths, in process on SQLite: badges, the trend chart,
the PR comment without a base, pending commits, requeueing, the notification."""

from __future__ import annotations

from pathlib import Path

import pytest
from srv_helpers import SHA_A, SHA_B, body, document, lcov
from srv_serving import Receiver

from covgap.server import db, queries
from covgap.server.limits import Limits, Refused, inflate
from covgap.server.notify import notify_ready
from covgap.server.service import accept_upload, create_repo, find_repo, upload_status
from covgap.server.worker import Processed, claim, process_upload, with_engine_release

LIMITS = Limits()


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    eng = db.open_engine(f"sqlite:///{tmp_path}/q.db")
    db.create_schema(eng)
    yield eng
    eng.dispose()


@pytest.mark.parametrize(
    ("percent", "colour", "text"),
    [(95.0, "#4c1", "95.0%"), (80, "#a3c51c", "80.0%"), (65, "#dfb317", "65.0%"),
     (10, "#e05d44", "10.0%"), (None, "#9f9f9f", "unknown")],
)  # fmt: skip
def test_badge_colours(percent: float | None, colour: str, text: str) -> None:
    svg = queries.badge_svg("cov<er>age", percent)
    assert colour in svg and text in svg and "cov&lt;er&gt;age" in svg


def test_trend_chart() -> None:
    assert queries.trend_svg([]) == ""
    totals = {"lines_total": 2, "lines_covered": 1, "branches_total": 4, "branches_covered": 1}
    one = queries.trend_svg([{"sha": "<x>", "at": 1.0, "percent": 50.0, "totals": totals}])
    # the history report's chart: a point per measured metric (functions: none measured)
    assert one.count("<circle") == 2 and "&lt;x&gt;" in one and "<x>" not in one
    assert "lines 50.00 %" in one and "branches 25.00 %" in one
    commits = [
        {"sha": "a", "branch": "main", "updated_at": 2.0, "line_percent": 60.0},
        {"sha": "b", "branch": "dev", "updated_at": 1.0, "line_percent": 40.0},
        {"sha": "c", "branch": "main", "updated_at": 1.0, "line_percent": None},
    ]
    assert [p["sha"] for p in queries.trend(commits, None)] == ["b", "a"]
    assert [p["sha"] for p in queries.trend(commits, "main")] == ["a"]


def test_pending_commit_comparison_without_base_and_comment(engine) -> None:  # type: ignore[no-untyped-def]
    _, tok = create_repo(engine, "alpha")
    acc = accept_upload(
        engine, body(document([("l.info", lcov({"a.py": {1: 1, 2: 0}}), None)])), tok, LIMITS
    )
    with engine.connect() as conn:
        repo = find_repo(conn, "alpha")
        assert repo is not None
        state = queries.commit_state(conn, repo, SHA_A)
        assert state == {"repository": "alpha", "sha": SHA_A, "state": "pending", "totals": None,
                         "pending_uploads": 1}  # fmt: skip
    # a job whose processing raised goes straight back to the queue
    assert claim(engine, 30) == acc.id
    with_engine_release(engine, acc.id)
    with engine.connect() as conn:
        status = upload_status(conn, acc.id)
        assert status is not None and status["state"] == "queued"
        assert upload_status(conn, "nope") is None
    assert claim(engine, 30) == acc.id
    processed = process_upload(engine, acc.id, LIMITS, 30)
    assert processed is not None and processed.ready
    with engine.connect() as conn:
        head = queries.find_commit(conn, repo, SHA_A[:8])
        cmp = queries.comparison(conn, repo, head)
        verdict = queries.gate(conn, repo, head)
        overview = queries.repo_overview(conn, repo)
    assert cmp["patch"] is None and cmp["categories"] is None
    assert any("no base commit" in n for n in cmp["notes"])
    assert verdict["passed"] and not verdict["measured"]
    md = queries.pr_comment(cmp, verdict, "http://x/alpha/commit/a")
    assert "✅ passed" in md and "| Lines | 1 | 2 | 50.00 |" in md and "no base commit" in md
    assert overview["branches"] == [] and len(overview["commits"]) == 1


def test_base_without_coverage_is_said(engine) -> None:  # type: ignore[no-untyped-def]
    _, tok = create_repo(engine, "alpha")
    doc = document([("l.info", lcov({"a.py": {1: 1}}), None)], commit=SHA_B, base=SHA_A)
    acc = accept_upload(engine, body(doc), tok, LIMITS)
    assert claim(engine, 30) == acc.id
    process_upload(engine, acc.id, LIMITS, 30)
    with engine.connect() as conn:
        repo = find_repo(conn, "alpha")
        head = queries.find_commit(conn, repo, SHA_B)
        cmp = queries.comparison(conn, repo, head)
    assert any("has no coverage on this server" in n for n in cmp["notes"])
    assert any("carried no diff" in n for n in cmp["notes"])


def test_notification_goes_to_the_repository_url(engine) -> None:  # type: ignore[no-untyped-def]
    with Receiver() as receiver:
        repo, tok = create_repo(engine, "alpha", notify_url=receiver.url)
        acc = accept_upload(
            engine, body(document([("l.info", lcov({"a.py": {1: 1}}), None)])), tok, LIMITS
        )
        assert claim(engine, 30) == acc.id
        processed = process_upload(engine, acc.id, LIMITS, 30)
        assert processed is not None
        payload = notify_ready(engine, processed, None, "https://cov.example.com/")
        assert (
            payload is not None
            and payload["target_url"] == f"https://cov.example.com/alpha/commit/{SHA_A}"
        )
        assert receiver.received == [payload]
    # nowhere to send: nothing sent; an unreachable receiver: logged, not raised
    create_repo(engine, "beta")
    assert notify_ready(engine, Processed("x", True, True, 2, SHA_A), None, None) is None
    assert notify_ready(engine, Processed("x", True, True, repo.id, SHA_A), None, None) is None


def test_create_repo_refuses_bad_notify_url(engine) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Refused):
        create_repo(engine, "alpha", notify_url="file:///etc/passwd")


def test_inflate_rejects_trailing_garbage_and_truncation() -> None:
    import gzip

    with pytest.raises(Refused, match="trailing data"):
        inflate(gzip.compress(b"abc") + b"junk", LIMITS)
    with pytest.raises(Refused):
        inflate(gzip.compress(b"abc" * 1000)[:20], LIMITS)
