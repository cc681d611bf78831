"""Source text on the server (``covgap upload --sources``, ``covgap.server.sources``).

A real ``covgap serve`` on SQLite and on PostgreSQL: the uploaded text shows in the
commit's file pages (escaped), also in a commit viewed before the text arrived;
a text that does not hash to its blob id, a hostile path or a path the upload's blobs
do not name is refused with 400 and nothing is stored; files over the client's cap are
skipped with a note and keep the no-source page; without ``--sources`` nothing is sent.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select
from srv_helpers import SHA_A, body, document, lcov, make_repo
from srv_serving import covgap, create_repo, inprocess, request, serve, wait_for_totals

from covgap.history.context import git_blob_id
from covgap.report.html import slug
from covgap.server import db
from covgap.server.limits import Refused
from covgap.server.sources import (
    MAX_SOURCE_BYTES,
    load_sources,
    materialise,
    parse_sources,
    sources_version,
    store_sources,
)
from covgap.upload import UploadPlan, collect_sources, drop_stored_sources

SCRIPT = "<script>alert(1)</script>"
A_TEXT = f"def covgap_marker():\n    return '{SCRIPT}'\n"
CLEAN = {k: "" for k in os.environ if k.startswith(("GITHUB_", "CI_", "COVGAP_", "CIRCLE"))}


def _count(store: str, table: str) -> int:
    engine = db.open_engine(store)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(db.metadata.tables[table])
                ).scalar_one()
            )
    finally:
        engine.dispose()


def _page(base: str, sha: str, path: str) -> bytes:
    status, page = request(f"{base}/alpha/commit/{sha}/files/{slug(path)}")
    assert status == 200, page[:300]
    return page


def _upload(repo: Path, base: str, token: str, *extra: str) -> str:
    proc = covgap(
        "upload", "cov.info", "--url", base, "--token", token, *extra, env=CLEAN, cwd=repo
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stderr


def test_upload_sources_show_in_file_pages(server_store: str, tmp_path: Path) -> None:
    repo = tmp_path / "alpha"
    big = "x = 1\n" * (MAX_SOURCE_BYTES // 6 + 10)  # over the 2 MB per-file cap
    make_repo(repo, {"src/a.py": A_TEXT, "src/big.py": big, "README.md": "r\n"})
    (repo / "src/bin.py").write_bytes(b"\xff\xfe\x00x = 1\n")  # not UTF-8: skipped
    first = make_repo(repo, {"src/c.py": "c = 3\n"})
    (repo / "cov.info").write_bytes(
        lcov({"src/a.py": {1: 1, 2: 0}, "src/big.py": {1: 1}, "src/bin.py": {1: 1}})
    )
    token = create_repo(server_store, "alpha")
    with serve(server_store) as base:
        # without --sources: nothing sent, the no-source page (and it gets cached)
        assert "--sources" not in _upload(repo, base, token)
        wait_for_totals(base, "alpha", first)
        page = _page(base, first, "src/a.py")
        assert b"the source file is not in the repository" in page
        assert b"covgap_marker" not in page
        assert _count(server_store, "server_sources") == 0

        # another commit with the same src/a.py, uploaded with --sources
        second = make_repo(repo, {"src/d.py": "d = 4\n"})
        notes = _upload(repo, base, token, "--sources")
        assert "src/big.py" in notes and "per-file cap" in notes
        assert "src/bin.py" in notes and "not UTF-8" in notes
        wait_for_totals(base, "alpha", second)
        page = _page(base, second, "src/a.py")
        assert b"covgap_marker" in page and b"the source file is not" not in page
        assert SCRIPT.encode() not in page  # escaped in the page's JSON, shown as text
        assert b"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
        # the capped and the binary file keep the no-source page
        for path in ("src/big.py", "src/bin.py"):
            assert b"the source file is not in the repository" in _page(base, second, path)
        # the first commit has the same blob: its cached no-source site is rebuilt
        assert b"covgap_marker" in _page(base, first, "src/a.py")
        assert _count(server_store, "server_sources") == 1

        # uploading the same text again: the client asks first and does not resend it
        notes = _upload(repo, base, token, "--sources")
        assert "1 of 1 texts are already on the server" in notes
        assert _count(server_store, "server_sources") == 1


def test_forged_or_hostile_sources_are_refused(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/s.db"
    token = create_repo(store, "alpha")
    report = [("l.info", lcov({"src/a.py": {1: 1}}), None)]
    real = git_blob_id(A_TEXT.encode())
    forged = git_blob_id(b"something else\n")

    def doc(path: str, blob: str, text: str, blobs: dict[str, str] | None = None) -> bytes:
        sources = [{"blob": blob, "path": path, "text": text}]
        d = document(report, files=["src/a.py"], blobs=blobs or {path: blob}, sources=sources)
        return body(d)

    with serve(store) as base:
        url = f"{base}/api/v1/uploads"
        cases = {
            "forged": doc("src/a.py", forged, A_TEXT),
            "traversal": doc("../a.py", real, A_TEXT),
            "absolute": doc("/etc/a.py", real, A_TEXT),
            "other path's id": doc("src/a.py", real, A_TEXT, blobs={"src/a.py": forged}),
        }
        for why, data in cases.items():
            status, answer = request(url, data=data, token=token, method="POST")
            assert status == 400, (why, answer)
        assert (
            b"not " + forged.encode()
            in request(url, data=cases["forged"], token=token, method="POST")[1]
        )
        assert _count(store, "server_sources") == 0
        assert _count(store, "server_uploads") == 0
        # the honest document is accepted
        status, _ = request(url, data=doc("src/a.py", real, A_TEXT), token=token, method="POST")
        assert status == 202
        wait_for_totals(base, "alpha", SHA_A)
        assert b"covgap_marker" in _page(base, SHA_A, "src/a.py")


def test_parse_sources_checks() -> None:
    blob = git_blob_id(b"x\n")
    good = [{"blob": blob, "path": "a.py", "text": "x\n"}]
    assert parse_sources(good, {"a.py": blob}) == {blob: b"x\n"}
    assert parse_sources(None, {}) == {}
    bad: list[object] = [
        "text",
        ["x"],
        [{"blob": blob, "path": "a.py"}],
        [{"blob": "zz", "path": "a.py", "text": "x\n"}],
        [{"blob": blob, "path": "a.py", "text": "y\n"}],
        [{"blob": blob, "path": "b.py", "text": "x\n"}],
        [{"blob": blob, "path": "a/../../b", "text": "x\n"}],
        [{"blob": blob, "path": "a.py", "text": "\ud800"}],
    ]
    for value in bad:
        with pytest.raises(Refused) as info:
            parse_sources(value, {"a.py": blob, "a/../../b": blob})
        assert info.value.status == 400, value
    huge = "x" * (MAX_SOURCE_BYTES + 1)
    hid = git_blob_id(huge.encode())
    with pytest.raises(Refused) as info:
        parse_sources([{"blob": hid, "path": "a.py", "text": huge}], {"a.py": hid})
    assert info.value.status == 413


def test_store_load_and_materialise(tmp_path: Path) -> None:
    engine = db.open_engine(f"sqlite:///{tmp_path}/s.db")
    db.create_schema(engine)
    from covgap.server.service import create_repo as make

    repo, _ = make(engine, "r")
    data = {git_blob_id(b"a\n"): b"a\n", git_blob_id(b"b\n"): b"b\n"}
    with db.write(engine) as conn:
        assert store_sources(conn, repo.id, data) == 2
        assert store_sources(conn, repo.id, data) == 0
    with engine.connect() as conn:
        texts = load_sources(conn, repo.id, [*data, "0" * 40])
    assert texts == data
    blob_a = git_blob_id(b"a\n")
    root = tmp_path / "checkout"
    root.mkdir()
    written = materialise(root, {"x/a.py": blob_a, "../evil.py": blob_a, "y.py": "1" * 40}, texts)
    assert written == ["x/a.py"] and (root / "x/a.py").read_bytes() == b"a\n"
    assert not (tmp_path / "evil.py").exists()
    engine.dispose()


def test_collect_sources_caps(tmp_path: Path) -> None:
    files = {"a.py": b"a" * 10, "b.py": b"b" * 10, "c.py": b"c" * 30, "d.py": b"a" * 10}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "0.py").write_bytes(b"changed")
    (tmp_path / "1.py").write_bytes(b"\xff\xfe")
    blobs = {name: git_blob_id(data) for name, data in files.items()}
    blobs["0.py"] = git_blob_id(b"what git has")
    blobs["1.py"] = git_blob_id(b"\xff\xfe")
    blobs["2.py"] = git_blob_id(b"deleted from the checkout")
    notes: list[str] = []
    sent = collect_sources(tmp_path, sorted(blobs), blobs, notes, max_file=20, max_total=15)
    # a.py fits; b.py is past the total; c.py over the per-file cap; d.py is a.py's blob
    assert [s["path"] for s in sent] == ["a.py"]
    text = "\n".join(notes)
    assert "1 file(s)" in text and "b.py" in text and "total cap" in text
    assert "c.py" in text and "per-file cap" in text
    assert "0.py" in text and "checkout filter" in text
    assert "1.py" in text and "not UTF-8" in text and "2.py" in text and "unreadable" in text
    assert "d.py" not in text


def test_migration_0005_keeps_existing_repositories(server_store: str) -> None:
    """A store at 0004 with a repository upgrades in place: the new counter starts at 0
    and sources can be stored for the old repository."""
    from covgap.history.store import migrate

    engine = db.open_engine(server_store)
    try:
        with db.write(engine) as conn:
            migrate(conn, "store", target="0004")
            conn.exec_driver_sql(  # the 0004 table: no sources_version yet
                "INSERT INTO server_repositories (name, public, notify_url, created_at) "
                "VALUES ('old', true, NULL, 1.0)"
            )
        db.create_schema(engine)  # to head: 0005
        with db.write(engine) as conn:
            rid = conn.execute(select(db.repositories.c.id)).scalar_one()
            assert sources_version(conn, rid) == 0
            assert store_sources(conn, rid, {git_blob_id(b"a\n"): b"a\n"}) == 1
            assert sources_version(conn, rid) == 1
    finally:
        engine.dispose()


def test_sources_in_process(tmp_path: Path) -> None:
    """The accept, store and render path in this process (so coverage measures it):
    the page shows the text; a second upload of the same text stores nothing new."""
    store = f"sqlite:///{tmp_path}/s.db"
    engine = db.open_engine(store)
    db.create_schema(engine)
    from covgap.server.service import create_repo as make

    token = make(engine, "alpha")[1]
    blob = git_blob_id(A_TEXT.encode())
    doc = document(
        [("l.info", lcov({"src/a.py": {1: 1, 2: 0}}), None)],
        files=["src/a.py"],
        blobs={"src/a.py": blob},
        sources=[{"blob": blob, "path": "src/a.py", "text": A_TEXT}],
    )
    with inprocess(store, cache_dir=str(tmp_path / "cache")) as base:
        for _ in range(2):
            status, _ = request(
                f"{base}/api/v1/uploads", data=body(doc), token=token, method="POST"
            )
            assert status == 202
        wait_for_totals(base, "alpha", SHA_A)
        page = _page(base, SHA_A, "src/a.py")
        assert b"covgap_marker" in page and SCRIPT.encode() not in page
        # what the client asks before sending: only texts the server lacks are kept
        other = {"blob": git_blob_id(b"new\n"), "path": "src/n.py", "text": "new\n"}
        plan = UploadPlan(SHA_A, None, None, None, [], [], None)
        plan.sources = [{"blob": blob, "path": "src/a.py", "text": A_TEXT}, other]
        drop_stored_sources(plan, base, token)
        assert plan.sources == [other] and "1 of 2 texts" in plan.notes[0]
        drop_stored_sources(plan, base, "wrong-token")
        assert plan.sources == [other] and "did not say" in plan.notes[-1]
        ask = f"{base}/api/v1/sources/missing"
        assert request(ask, data=b"{", token=token, method="POST")[0] == 400
        assert request(ask, data=b'{"blobs": ["x"]}', token=token, method="POST")[0] == 400
    drop_stored_sources(plan, base, token)  # the server is gone: all sent, with a note
    assert plan.sources == [other] and "could not ask" in plan.notes[-1]
    with engine.connect() as conn:
        assert sources_version(conn, 1) == 1
    engine.dispose()


def test_plan_upload_with_sources(tmp_path: Path) -> None:
    """``plan_upload(sources=True)`` sends the covered files only, mapped like the server."""
    from covgap.pipeline import InputSpec
    from covgap.upload import encode, plan_upload

    repo = tmp_path / "r"
    sha = make_repo(repo, {"src/a.py": A_TEXT, "src/b.py": "b = 2\n", "src/c.py": "c\n" * 50})
    (repo / "cov.info").write_bytes(
        lcov({"/ci/build/src/a.py": {1: 1}, "/ci/build/src/c.py": {1: 1}})
    )
    spec = [InputSpec(repo / "cov.info", None)]
    plan = plan_upload(spec, repo, commit=sha, env={}, sources=True, max_source_file=60)
    assert [s["path"] for s in plan.sources] == ["src/a.py"]  # b.py is not covered
    assert plan.sources[0]["text"] == A_TEXT
    assert any("src/c.py" in n and "per-file cap" in n for n in plan.notes)
    assert b"covgap_marker" in gzip.decompress(encode(plan))
    assert plan_upload(spec, repo, commit=sha, env={}).sources == []
