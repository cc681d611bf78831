"""``covgap record``'s write path on the bare driver records exactly what the full store does.

The record's SQL (:mod:`covgap.history.recorder`) runs either on a SQLAlchemy
connection (:class:`~covgap.history.store.Store`) or on ``sqlite3``/psycopg directly
(:class:`~covgap.history.recorder.DirectWriter`, chosen by ``open_writer`` for a store
already at this covgap's schema). Both must leave the same rows, take the same locks
and fail the same way.
"""

from __future__ import annotations

import sqlite3
import threading
from array import array
from pathlib import Path

import pytest

from conftest import cli_modules
from covgap.errors import StoreError
from covgap.history import open_store
from covgap.history.recorder import DirectWriter, open_writer
from covgap.history.store import Store
from covgap.model import CoverageSet, FileCoverage, Function


def cov(seed: int, *paths: str) -> CoverageSet:
    files = {}
    for k, path in enumerate(paths):
        n = 5 + (seed + k) % 4
        files[path] = FileCoverage(
            path,
            array("i", range(1, n + 1)),
            array("q", [(seed * 7 + k + i) % 3 for i in range(n)]),
            br_line=array("i", [1, 1]),
            br_block=array("i", [0, 0]),
            br_branch=array("i", [0, 1]),
            br_taken=array("q", [seed % 2, -1]),
            functions=[Function("f", 1, None if seed % 2 else 4, seed % 2)],
        )
    return CoverageSet(files)


def record_history(store: Store | DirectWriter) -> None:
    """Runs, shards of one run, a suite carried from an ancestor, test counts."""
    blobs = {"a.py": "1" * 40, "b.py": "2" * 40, "c.py": "3" * 40}
    comps = {"a.py": "core", "b.py": "web"}
    store.record(
        {"unit": cov(1, "a.py", "b.py"), "e2e": cov(2, "b.py", "c.py")},
        repository="r",
        commit="a" * 40,
        branch="main",
        blobs=blobs,
        components=comps,
        inputs=["unit=x.info"],
        run_key="build-1",
        tests=9,
        now=100.0,
    )
    for shard in range(3):  # shards of one run, the e2e suite carried into it
        store.record(
            {"unit": cov(10 + shard, "a.py", "c.py")},
            repository="r",
            commit="b" * 40,
            branch="main",
            run_key="build-2",
            blobs={**blobs, "c.py": "4" * 40},
            components=comps,
            ancestors=["a" * 40],
            carry=lambda suite: True,
            now=200.0 + shard,
        )


def snapshot(url: str) -> object:
    with open_store(url, create=False) as store:
        runs = store.runs(repository="r")
        out = []
        for run in runs:
            rc = store.run_coverage(run.id)
            uploads = [
                (u.suites, u.inputs, u.size, u.totals, u.created_at) for u in store.uploads(run.id)
            ]
            out.append(
                (
                    run,
                    uploads,
                    store.run_totals([run.id])[run.id],
                    rc.detail.suites,
                    rc.detail.blobs,
                    rc.detail.components,
                    rc.carried.suites,
                )
            )
        return out


def test_direct_writer_records_what_the_full_store_records(store_url: str, tmp_path: Path) -> None:
    full_url = f"sqlite:///{tmp_path}/full.db"
    with open_store(full_url) as full:
        record_history(full)
    with open_store(store_url):
        pass  # created at this covgap's schema: the next open is direct
    with open_writer(store_url) as writer:
        assert isinstance(writer, DirectWriter)
        record_history(writer)
    got, want = snapshot(store_url), snapshot(full_url)
    assert got == want
    assert any(run[6] for run in got)  # the carried suite is there


def test_new_old_or_unusual_stores_open_the_full_store(tmp_path: Path) -> None:
    new = f"sqlite:///{tmp_path}/new.db"
    with open_writer(new) as writer:
        assert isinstance(writer, Store)  # creates the store
        writer.record({"": cov(1, "a.py")}, repository="r", commit="a" * 40)
    assert (tmp_path / "new.db").is_file()
    old = f"sqlite:///{tmp_path}/old.db"
    open_store(old, migrate_to="0003").close()
    with open_writer(old) as writer:
        assert isinstance(writer, Store)  # migrates it
    with sqlite3.connect(tmp_path / "old.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() != [("0003",)]
    with open_writer(old) as writer:
        assert isinstance(writer, DirectWriter)
    with open_writer(f"sqlite:///{tmp_path}/old.db?timeout=5") as writer:
        assert isinstance(writer, Store)  # a URL with options: SQLAlchemy reads them
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        open_writer(f"sqlite:///{junk}")


def test_relative_sqlite_path_is_under_the_root(tmp_path: Path) -> None:
    open_store("sqlite:///.covgap/h.db", root=tmp_path).close()
    with open_writer("sqlite:///.covgap/h.db", root=tmp_path) as writer:
        assert isinstance(writer, DirectWriter)
        writer.record({"": cov(1, "a.py")}, repository="r", commit="a" * 40)
    with open_store(f"sqlite:///{tmp_path}/.covgap/h.db") as store:
        assert len(store.runs()) == 1


def test_a_failed_write_names_the_store_and_leaves_no_half_run(store_url: str) -> None:
    with open_store(store_url) as store:
        store.record({"": cov(1, "a.py")}, repository="r", commit="a" * 40)
    with open_writer(store_url) as writer:
        assert isinstance(writer, DirectWriter)
        conn = writer.conn
        writer.record({"": cov(2, "b.py")}, repository="r", commit="c" * 40, run_key="k")
        with pytest.raises(StoreError, match="recorded for commit"):  # refused, rolled back
            writer.record({"": cov(2, "b.py")}, repository="r", commit="d" * 40, run_key="k")
        conn.execute("DROP TABLE run_totals")  # the record's last statements fail
        with pytest.raises(StoreError, match=r"^store .*: cannot write: ") as info:
            writer.record({"": cov(2, "b.py")}, repository="r", commit="b" * 40)
        assert "\n" not in str(info.value)
        assert conn.execute("SELECT count(*) FROM runs").fetchone()[0] == 2  # rolled back
        assert conn.execute("SELECT count(*) FROM uploads").fetchone()[0] == 2


def test_password_is_masked(pg_url: str) -> None:
    with open_store(pg_url):
        pass
    secret = pg_url.replace("postgres@", "postgres:hunter2@")  # trust auth ignores it
    with open_writer(secret) as writer:
        assert isinstance(writer, DirectWriter)
        assert "hunter2" not in writer.url and "***" in writer.url


def test_concurrent_shards_on_the_bare_driver_lose_nothing(store_url: str) -> None:
    with open_store(store_url):
        pass
    shards = [cov(i, "a.py", f"g{i % 3}.py") for i in range(8)]
    errors: list[BaseException] = []

    def one(cs: CoverageSet) -> None:
        try:
            with open_writer(store_url) as writer:
                assert isinstance(writer, DirectWriter)
                writer.record({"unit": cs}, repository="r", commit="a" * 40, run_key="build-7")
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(cs,)) for cs in shards]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors
    with open_store(store_url) as store:
        (run,) = store.runs(repository="r")
        assert run.uploads == 8
        assert run.totals == CoverageSet.merge_all(shards).totals()
        assert store.run_coverage(run.id).coverage() == CoverageSet.merge_all(shards)


def test_count_keys_are_the_counts_fields() -> None:
    """One list of count names serves the JSON, the stored columns and the recorder."""
    import dataclasses

    from covgap.model import COUNT_KEYS, Counts

    assert tuple(f.name for f in dataclasses.fields(Counts)) == COUNT_KEYS


def test_record_command_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    open_store(url).close()
    report = tmp_path / "r.info"
    report.write_text("SF:a.py\nDA:1,1\nDA:2,0\nend_of_record\n")
    stdout, loaded = cli_modules(
        ["record", str(report), "--repo", str(tmp_path), "--store", url,
         "--commit", "a" * 40, "--repository", "r", "--format", "json"],
        ("sqlalchemy", "alembic"),
    )  # fmt: skip
    assert loaded == [False, False]
    assert '"upload"' in stdout


def test_an_encoding_must_be_of_the_suites_recorded(tmp_path: Path) -> None:
    from covgap.history.codec import Encoding

    suites = {"": cov(1, "a.py")}
    with open_writer(f"sqlite:///{tmp_path}/h.db") as writer:
        with pytest.raises(ValueError, match="not of these suites"):
            writer.record(
                {"": cov(1, "a.py")}, repository="r", commit="a" * 40, encoding=Encoding(suites)
            )
        result = writer.record(
            suites, repository="r", commit="a" * 40, encoding=Encoding(suites), blobs={}
        )
    with open_store(f"sqlite:///{tmp_path}/h.db") as store:
        assert store.upload_detail(result.upload_id).suites == suites


def test_an_unreachable_server_is_reported_by_the_full_store() -> None:
    import socket

    with socket.socket() as sock:  # a loopback port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql://covgap:s3cret@127.0.0.1:{port}/nothing"
    with pytest.raises(StoreError, match=r"^store postgresql://covgap:\*\*\*@") as info:
        open_writer(url)
    assert "s3cret" not in str(info.value)
