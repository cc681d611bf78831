"""Accepting and processing uploads in process, on SQLite and a real PostgreSQL.

Refusals store nothing; an accepted upload is counted once however many times it is
processed; shards of a commit merge to exactly what a local merge gives; the history
store records the same upload in the same transaction.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from srv_helpers import SHA_A, SHA_B, body, document, lcov

from covgap.formats import read_report
from covgap.history import open_store
from covgap.model import CoverageSet
from covgap.server import db, queries
from covgap.server.access import authenticate
from covgap.server.limits import Limits, Refused
from covgap.server.service import (
    accept_upload,
    create_repo,
    create_token,
    find_repo,
    init_store,
    upload_status,
)
from covgap.server.worker import claim, process_upload, run_worker

LIMITS = Limits()


@pytest.fixture
def engine(server_store: str):  # type: ignore[no-untyped-def]
    eng = db.open_engine(server_store)
    db.create_schema(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Validation does not depend on the database: these run on SQLite only."""
    eng = db.open_engine(f"sqlite:///{tmp_path}/v.db")
    db.create_schema(eng)
    yield eng
    eng.dispose()


def _count(engine, table) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_schema_matches_declaration(engine) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import inspect

    insp = inspect(engine)
    for table in db.metadata.sorted_tables:
        got = {c["name"] for c in insp.get_columns(table.name)}
        assert got == {c.name for c in table.columns}, table.name
        assert {ix.name for ix in table.indexes} <= {
            ix["name"] for ix in insp.get_indexes(table.name)
        }


def test_tokens_are_stored_hashed_and_scoped(engine) -> None:  # type: ignore[no-untyped-def]
    admin = init_store(engine)
    assert admin is not None and init_store(engine) is None
    _, tok_a = create_repo(engine, "alpha")
    _, tok_b = create_repo(engine, "beta", public=False)
    with engine.connect() as conn:
        stored = [r.token_hash for r in conn.execute(select(db.tokens)).all()]
        assert tok_a not in stored and all(len(h) == 64 for h in stored)
        a = authenticate(conn, tok_a)
        assert a is not None and a.kind == "upload"
        assert authenticate(conn, tok_a + "x") is None
    with pytest.raises(Refused) as info:
        create_repo(engine, "alpha")
    assert info.value.status == 409
    read = create_token(engine, "beta", "read")
    with engine.connect() as conn:
        from covgap.server.service import can_read

        beta = find_repo(conn, "beta")
        assert beta is not None
        assert not can_read(conn, beta, None)
        assert not can_read(conn, beta, tok_a)
        assert can_read(conn, beta, read) and can_read(conn, beta, tok_b)


@pytest.mark.parametrize(
    ("mutate", "status"),
    [
        (lambda d: d.update(commit="HEAD"), 400),
        (lambda d: d["reports"][0].update(name="../../etc/passwd"), 400),
        (lambda d: d.update(files=["/abs/path.py"]), 400),
        (lambda d: d["reports"][0].update(flag="bad flag"), 400),
        (lambda d: d.update(repository="beta"), 403),
        (lambda d: d.update(version=99), 400),
        (lambda d: d["reports"][0].update(data=7), 400),
        (lambda d: d.update(reports=[1]), 400),  # not a list of objects
        (lambda d: d.update(reports="lcov.info"), 400),
    ],
)
def test_refused_uploads_store_nothing(sqlite_engine, mutate, status) -> None:  # type: ignore[no-untyped-def]
    engine = sqlite_engine
    _, tok = create_repo(engine, "alpha")
    create_repo(engine, "beta")
    doc = document([("lcov.info", lcov({"a.py": {1: 1}}), None)])
    mutate(doc)
    with pytest.raises(Refused) as info:
        accept_upload(engine, body(doc), tok, LIMITS)
    assert info.value.status == status
    assert _count(engine, db.uploads) == 0


def test_auth_refusals(engine) -> None:  # type: ignore[no-untyped-def]
    _, tok_a = create_repo(engine, "alpha")
    _, tok_b = create_repo(engine, "beta")
    good = body(document([("lcov.info", lcov({"a.py": {1: 1}}), None)]))
    for token, status in ((None, 401), ("cgu_wrong", 401)):
        with pytest.raises(Refused) as info:
            accept_upload(engine, good, token, LIMITS)
        assert info.value.status == status
    with pytest.raises(Refused) as info:
        accept_upload(engine, good, tok_b, LIMITS, repo_name="alpha")
    assert info.value.status == 403
    admin = init_store(engine)
    with pytest.raises(Refused) as info:
        accept_upload(engine, good, admin, LIMITS)
    assert info.value.status == 403
    assert _count(engine, db.uploads) == 0
    accept_upload(engine, good, tok_a, LIMITS, repo_name="alpha")
    assert _count(engine, db.uploads) == 1


def test_rate_limit_holds_in_the_database(engine) -> None:  # type: ignore[no-untyped-def]
    _, tok = create_repo(engine, "alpha")
    good = body(document([("lcov.info", lcov({"a.py": {1: 1}}), None)]))
    window = int(time.time() // 60)
    for _ in range(3):
        accept_upload(engine, good, tok, LIMITS, rate_per_minute=3)
    try:
        accept_upload(engine, good, tok, LIMITS, rate_per_minute=3)
        status = 202
    except Refused as exc:
        status = exc.status
    if int(time.time() // 60) != window:
        pytest.skip("the rate-limit window changed during the test")
    assert status == 429
    assert _count(engine, db.uploads) == 3


def _process_all(engine) -> int:  # type: ignore[no-untyped-def]
    return run_worker(
        engine, limits=LIMITS, lease=30, poll=0.01, max_jobs=1000, stop=_Stopper(engine)
    )


class _Stopper(threading.Event):
    """Stops a worker once the queue is empty (for in-process tests)."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.engine = engine

    def wait(self, timeout: float | None = None) -> bool:
        self.set()
        return True


def test_shards_merge_exactly_and_paths_are_mapped(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _, tok = create_repo(engine, "alpha")
    shards = [
        ("unit/lcov.info", lcov({"/ci/src/a.py": {1: 1, 2: 0}, "/ci/src/b.py": {1: 0}}), "unit"),
        ("e2e/lcov.info", lcov({"/ci/src/a.py": {2: 3, 3: 0}}), "e2e"),
        ("more/lcov.info", lcov({"/ci/src/b.py": {1: 2, 4: 0}}), None),
    ]
    files = ["src/a.py", "src/b.py", "README.md"]
    for name, data, flag in shards:
        accept_upload(
            engine, body(document([(name, data, flag)], files=files, branch="main")), tok, LIMITS
        )
    assert _process_all(engine) == 3
    local = []
    for i, (_, data, flag) in enumerate(shards):
        p = tmp_path / f"{i}.info"
        p.write_bytes(data.replace(b"/ci/", b""))
        local.append(read_report(p, flag=flag))
    expected = CoverageSet.merge_all(local)
    with engine.connect() as conn:
        repo = find_repo(conn, "alpha")
        assert repo is not None
        state = queries.commit_state(conn, repo, SHA_A)
        assert state is not None and state["state"] == "complete"
        assert state["totals"] == expected.totals().as_dict() | {}
        assert state["uploads"] == 3
        row = queries.find_commit(conn, repo, SHA_A)
        cs, rows = queries.commit_files(engine, row)
        assert cs == expected
        assert [r["path"] for r in rows] == ["src/a.py", "src/b.py"]
        assert queries.commit_state(conn, repo, SHA_B) is None
    # the history store recorded the same coverage, one run for the commit
    with open_store(str(engine.url.render_as_string(hide_password=False))) as store:
        merged, runs = store.commit_coverage("alpha", SHA_A)
        # the three queued shards were claimed together and recorded as one batch
        assert len(runs) == 1 and runs[0].uploads == 1
        assert merged == expected


def test_a_job_processed_twice_counts_once(engine) -> None:  # type: ignore[no-untyped-def]
    _, tok = create_repo(engine, "alpha")
    acc = accept_upload(
        engine, body(document([("l.info", lcov({"a.py": {1: 1, 2: 0}}), None)])), tok, LIMITS
    )
    assert claim(engine, lease=30) == acc.id
    # the first worker's lease runs out while it is still working: another claims the job
    with engine.begin() as conn:
        conn.execute(update(db.uploads).values(lease_until=0))
    assert claim(engine, lease=30) == acc.id
    first = process_upload(engine, acc.id, LIMITS, 30)
    second = process_upload(engine, acc.id, LIMITS, 30)
    assert first is not None and first.counted and first.ready
    assert second is not None and not second.counted
    with engine.connect() as conn:
        row = conn.execute(select(db.commits)).one()
        assert row.uploads == 1 and row.lines_total == 2 and row.lines_covered == 1
        status = upload_status(conn, acc.id)
        assert status is not None and status["state"] == "done" and status["attempts"] == 2
    with open_store(str(engine.url.render_as_string(hide_password=False))) as store:
        _, runs = store.commit_coverage("alpha", SHA_A)
        assert runs[0].uploads == 1


def test_a_bad_report_fails_its_upload_only(engine) -> None:  # type: ignore[no-untyped-def]
    _, tok = create_repo(engine, "alpha")
    bad = accept_upload(
        engine, body(document([("x.info", b"SF:a.py\nDA:x,1\n", None)])), tok, LIMITS
    )
    good = accept_upload(
        engine, body(document([("l.info", lcov({"a.py": {1: 1}}), None)])), tok, LIMITS
    )
    _process_all(engine)
    with engine.connect() as conn:
        b, g = upload_status(conn, bad.id), upload_status(conn, good.id)
        assert b is not None and b["state"] == "failed" and "x.info" not in (b["error"] or "/")[:0]
        assert g is not None and g["state"] == "done"
        repo = find_repo(conn, "alpha")
        assert repo is not None
        state = queries.commit_state(conn, repo, SHA_A)
        assert (
            state is not None
            and state["failed_uploads"] == 1
            and state["totals"]["lines_total"] == 1
        )


def test_data_that_is_not_base64_fails_in_the_worker_and_stores_nothing(engine) -> None:  # type: ignore[no-untyped-def]
    """Base64 is decoded by the worker, not at accept time (accepting stays cheap):
    the upload is accepted, then fails with a clear error in the API, and neither the
    commit nor the history store holds anything of it."""
    from covgap.history.schema import runs

    _, tok = create_repo(engine, "alpha")
    doc = document([("lcov.info", lcov({"a.py": {1: 1}}), None)])
    doc["reports"][0]["data"] = "***"
    acc = accept_upload(engine, body(doc), tok, LIMITS)
    _process_all(engine)
    with engine.connect() as conn:
        status = upload_status(conn, acc.id)
    assert status is not None and status["state"] == "failed"
    assert status["error"] == "upload: reports[0].data is not base64"
    assert _count(engine, db.commits) == 0
    assert _count(engine, runs) == 0


def test_concurrent_workers_count_each_upload_once(engine) -> None:  # type: ignore[no-untyped-def]
    _, tok = create_repo(engine, "alpha")
    n = 12
    for i in range(n):
        accept_upload(
            engine,
            body(document([("l.info", lcov({f"f{i % 3}.py": {i + 1: 1}}), None)])),
            tok,
            LIMITS,
        )
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=run_worker,
            args=(engine,),
            kwargs={"limits": LIMITS, "lease": 30, "poll": 0.02, "stop": stop},
        )
        for _ in range(3)
    ]
    for t in threads:
        t.start()
    try:
        for _ in range(500):
            with engine.connect() as conn:
                done = conn.execute(
                    select(func.count()).select_from(db.uploads).where(db.uploads.c.state == "done")
                ).scalar_one()
            if done == n:
                break
            threading.Event().wait(0.05)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    with engine.connect() as conn:
        row = conn.execute(select(db.commits)).one()
        assert row.uploads == n and row.lines_total == n and row.lines_covered == n
        attempts = conn.execute(select(func.sum(db.uploads.c.attempts))).scalar_one()
        assert attempts == n


def test_flapping_lines_over_identical_source(engine) -> None:  # type: ignore[no-untyped-def]
    _, tok = create_repo(engine, "alpha")
    blob = "1" * 40
    for sha, hits in ((SHA_A, {1: 1, 2: 1}), (SHA_B, {1: 1, 2: 0}), ("c" * 40, {1: 1, 2: 1})):
        doc = document(
            [("l.info", lcov({"a.py": hits}), "unit")],
            commit=sha,
            files=["a.py"],
            blobs={"a.py": blob},
            branch="main",
        )
        accept_upload(engine, body(doc), tok, LIMITS)
        _process_all(engine)
    with engine.connect() as conn:
        repo = find_repo(conn, "alpha")
    assert repo is not None
    data = queries.flapping(engine, repo, "main")
    assert [(x["path"], x["line"], x["suite"], x["flips"], x["runs"]) for x in data["lines"]] == [
        ("a.py", 2, "unit", 2, 3)
    ]


def test_batches_are_claimed_per_commit(engine) -> None:  # type: ignore[no-untyped-def]
    from covgap.server.worker import claim_more, process_batch

    _, tok = create_repo(engine, "alpha")
    ids = [
        accept_upload(
            engine,
            body(document([("l.info", lcov({"a.py": {i + 1: 1}}), None)], commit=sha)),
            tok,
            LIMITS,
        ).id
        for i, sha in enumerate([SHA_A, SHA_B, SHA_A, SHA_A])
    ]
    first = claim(engine, 30)
    assert first == ids[0]
    more = claim_more(engine, first, 30, 1)
    assert more == [ids[2]]  # same commit only, oldest first, at most the limit
    processed = process_batch(engine, [first, *more], LIMITS, 30)
    assert processed is not None and processed.count == 2 and not processed.ready
    with engine.connect() as conn:
        row = conn.execute(select(db.commits).where(db.commits.c.sha == SHA_A)).one()
        assert row.uploads == 2 and row.lines_total == 2
        states = dict(conn.execute(select(db.uploads.c.id, db.uploads.c.state)).all())
    assert [states[i] for i in ids] == ["done", "queued", "done", "queued"]


def test_report_data_is_decoded_from_the_raw_json_string() -> None:
    """The worker decodes base64 straight from the document's bytes; a string written
    with JSON escapes (valid JSON, unusual) is unescaped first and gives the same bytes."""
    import gzip

    import orjson

    from covgap.server.limits import inflate
    from covgap.server.service import parse_upload, report_data

    report = lcov({"a.py": {1: 1}})
    doc = document([("lcov.info", report, None)])
    plain = orjson.dumps(doc)
    encoded = doc["reports"][0]["data"]
    escaped = plain.replace(encoded.encode(), encoded.replace("V", "\\u0056").encode())
    assert escaped != plain
    for raw in (plain, escaped):
        assert report_data(parse_upload(inflate(gzip.compress(raw), LIMITS)), 0) == report
    for bad, message in ((b"[1]", "expected a JSON object"), (b'{"a": tru', "not JSON")):
        with pytest.raises(Refused, match=message):
            parse_upload(bad)


def test_a_revoked_token_is_refused_from_the_next_upload_on(engine) -> None:  # type: ignore[no-untyped-def]
    """Tokens are looked up on every upload (no cache in the accept path)."""
    from covgap.server.access import hash_token

    _, tok = create_repo(engine, "alpha")
    good = body(document([("lcov.info", lcov({"a.py": {1: 1}}), None)]))
    accept_upload(engine, good, tok, LIMITS)
    with db.write(engine) as conn:
        conn.execute(
            update(db.tokens).where(db.tokens.c.token_hash == hash_token(tok)).values(revoked=True)
        )
    with pytest.raises(Refused) as info:
        accept_upload(engine, good, tok, LIMITS)
    assert info.value.status == 401
    assert _count(engine, db.uploads) == 1
