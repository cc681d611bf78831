"""The history store on SQLite and a real PostgreSQL: open, migrate, record, read back."""

from __future__ import annotations

import sqlite3
from array import array
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, text

from covgap.errors import StoreError
from covgap.history import DEFAULT_STORE, head_revision, mask, open_store
from covgap.history.codec import RunDetail, decode, encode
from covgap.history.schema import metadata
from covgap.history.store import migrate
from covgap.history.url import parse
from covgap.model import CoverageSet, FileCoverage, FileCoverageBuilder, Function

SHA_A = "a" * 40
SHA_B = "b" * 40


def cov(path: str, hits: dict[int, int], flag: str | None = None) -> CoverageSet:
    b = FileCoverageBuilder(path)
    for line, n in hits.items():
        b.add_line(line, n)
    b.add_branch(min(hits), 0, 0, 1)
    b.add_branch(min(hits), 0, 1, None)
    b.add_function("f", min(hits), 1)
    cs = CoverageSet({path: b.build()})
    return cs.with_flag(flag) if flag else cs


def test_round_trip_and_shards(store_url: str) -> None:
    unit = cov("src/a.py", {1: 1, 2: 0, 3: 4}, "unit")
    e2e = cov("src/a.py", {2: 1, 3: 0, 9: 0}, "e2e").merge(cov("src/b.py", {1: 0}, "e2e"))
    with open_store(store_url) as store:
        one = store.record({"unit": unit}, repository="r", commit=SHA_A, run_key="ci-1")
        two = store.record({"e2e": e2e}, repository="r", commit=SHA_A, run_key="ci-1")
        assert one.run.id == two.run.id
        assert two.run.uploads == 2
        expected = unit.merge(e2e)
        assert two.run.totals == expected.totals()
        assert store.run_coverage(two.run.id).coverage() == expected
        # every upload stays as recorded
        ups = store.uploads(two.run.id)
        assert [u.suites for u in ups] == [("unit",), ("e2e",)]
        assert store.upload_detail(ups[0].id).coverage() == unit
        # a re-run is another run, not a shard
        again = store.record({"unit": unit}, repository="r", commit=SHA_A, run_key="ci-2")
        assert again.run.id != two.run.id
        totals = store.run_totals([two.run.id])[two.run.id]
        assert totals[("suite", "unit")] == (False, unit.totals())
        assert totals[("suite", "e2e")] == (False, e2e.totals())
        commit_cov, runs = store.commit_coverage("r", SHA_A)
        assert len(runs) == 2
        assert commit_cov == expected.merge(unit)


def test_schema_revision_is_the_migrations_head() -> None:
    from covgap.history.schema import SCHEMA_REVISION

    assert head_revision() == SCHEMA_REVISION


def test_shard_of_another_commit_is_refused(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path}/h.db") as store:
        store.record({"": cov("a", {1: 1})}, repository="r", commit=SHA_A, run_key="k")
        with pytest.raises(StoreError, match="recorded for commit aaaaaaaaaaaa"):
            store.record({"": cov("a", {1: 1})}, repository="r", commit=SHA_B, run_key="k")
        assert len(store.uploads(store.runs()[0].id)) == 1


def test_schema_matches_declaration(store_url: str) -> None:
    url = parse(store_url)
    open_store(store_url).close()
    engine = create_engine(url)
    try:
        insp = inspect(engine)
        for table in metadata.sorted_tables:
            got = {c["name"] for c in insp.get_columns(table.name)}
            assert got == {c.name for c in table.columns}, table.name
            declared_ix = {ix.name for ix in table.indexes}
            assert declared_ix <= {ix["name"] for ix in insp.get_indexes(table.name)}
    finally:
        engine.dispose()


def test_older_store_is_upgraded_in_place(store_url: str) -> None:
    engine = create_engine(parse(store_url))
    try:
        with engine.begin() as conn:
            migrate(conn, mask(store_url), "0001")
            conn.execute(
                text(
                    "INSERT INTO runs (repository, run_key, commit_sha, branch, created_at,"
                    " updated_at, suites, carried, uploads, lines_total, lines_covered,"
                    " branches_total, branches_covered, functions_total, functions_covered)"
                    " VALUES ('r', 'old', :sha, 'main', 1, 1, '[]', '[]', 0, 0, 0, 0, 0, 0, 0)"
                ),
                {"sha": SHA_A},
            )
    finally:
        engine.dispose()
    with open_store(store_url) as store:
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
                head_revision()
            )
            assert conn.execute(text("SELECT run_key, pr FROM runs")).one() == ("old", None)
        store.record({"": cov("a", {1: 1})}, repository="r", commit=SHA_B, pr="7")
        assert store.runs()[-1].pr == "7"


def test_newer_store_is_refused_untouched(store_url: str) -> None:
    open_store(store_url).close()
    engine = create_engine(parse(store_url))
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(StoreError, match=r"revision 9999\) was written by a newer covgap"):
        open_store(store_url)
    engine = create_engine(parse(store_url))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "9999"
    finally:
        engine.dispose()


def test_corrupt_sqlite_is_one_line_and_left_alone(tmp_path: Path) -> None:
    bad = tmp_path / "history.db"
    bad.write_bytes(b"this is not a database" * 100)
    before = bad.read_bytes()
    with pytest.raises(StoreError) as err:
        open_store(f"sqlite:///{bad}")
    assert str(err.value).startswith(f"store sqlite:///{bad}: ")
    assert "\n" not in str(err.value)
    assert bad.read_bytes() == before


def test_unreachable_postgres_masks_the_password() -> None:
    url = "postgresql://covgap:s3cret@127.0.0.1:1/none"
    with pytest.raises(StoreError) as err:
        open_store(url)
    message = str(err.value)
    assert "s3cret" not in message
    assert "postgresql://covgap:***@127.0.0.1:1/none" in message


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("mysql://x@h/db", "unsupported database"),
        ("not a url", "not a store URL"),
        ("sqlite://", "needs a file path"),
    ],
)
def test_wrong_urls(url: str, why: str) -> None:
    with pytest.raises(StoreError, match=why):
        open_store(url)


def test_reading_does_not_create_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such store"):
        open_store(f"sqlite:///{tmp_path}/none.db", create=False)
    assert not (tmp_path / "none.db").exists()


def test_default_store_is_under_the_repository(tmp_path: Path) -> None:
    with open_store(None, root=tmp_path) as store:
        store.record({"": cov("a", {1: 1})}, repository="r", commit=SHA_A)
    assert DEFAULT_STORE.endswith(".covgap/history.db")
    assert sqlite3.connect(tmp_path / ".covgap/history.db").execute(
        "SELECT count(*) FROM runs"
    ).fetchone() == (1,)


def test_interrupted_record_leaves_no_half_run(tmp_path: Path) -> None:
    class Boom(Exception):
        pass

    def explode(suite: str) -> bool:
        raise Boom  # raised inside the transaction, after the upload row was written

    url = f"sqlite:///{tmp_path}/h.db"
    with open_store(url) as store:
        store.record({"unit": cov("a", {1: 1}, "unit")}, repository="r", commit=SHA_A)
        with pytest.raises(Boom):
            store.record(
                {"e2e": cov("a", {1: 1}, "e2e")},
                repository="r",
                commit=SHA_B,
                ancestors=[SHA_A],
                carry=explode,
            )
        runs = store.runs()
        assert [r.commit for r in runs] == [SHA_A]
    con = sqlite3.connect(tmp_path / "h.db")
    assert con.execute("SELECT count(*) FROM uploads").fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM runs").fetchone() == (1,)
    con.close()


# -- the codec: what is stored is what was recorded -----------------------------------

lines_st = st.dictionaries(st.integers(1, 5000), st.integers(0, 2**40), min_size=0, max_size=30)


@st.composite
def file_coverage(draw: st.DrawFn, path: str) -> FileCoverage:
    b = FileCoverageBuilder(path)
    for line, n in draw(lines_st).items():
        b.add_line(line, n)
    for line, block, branch, taken in draw(
        st.lists(
            st.tuples(
                st.integers(1, 5000),
                st.integers(-3, 3),
                st.integers(0, 3),
                st.none() | st.integers(0, 2**40),
            ),
            max_size=10,
        )
    ):
        b.add_branch(line, block, branch, taken)
    for name, start, end, n in draw(
        st.lists(
            st.tuples(
                st.text(max_size=8),
                st.integers(1, 500),
                st.none() | st.integers(1, 900),
                st.integers(0, 9),
            ),
            max_size=5,
        )
    ):
        b.add_function(name, start, n, end)
    fc = b.build()
    flags = draw(st.lists(st.sampled_from(["unit", "e2e", "x.y"]), max_size=2, unique=True))
    covered = fc.covered_lines()
    return FileCoverage(
        path,
        fc.lines,
        fc.hits,
        br_line=fc.br_line,
        br_block=fc.br_block,
        br_branch=fc.br_branch,
        br_taken=fc.br_taken,
        functions=fc.functions,
        # usually a flag is what its suite covered; merged sets hold other line lists
        flags={
            f: array("i", covered)
            if draw(st.booleans())
            else array("i", sorted(draw(st.sets(st.integers(1, 5000), max_size=5))))
            for f in flags
        },
    )


@st.composite
def coverage_sets(draw: st.DrawFn) -> CoverageSet:
    paths = draw(st.lists(st.text(min_size=1, max_size=12), max_size=4, unique=True))
    return CoverageSet({p: draw(file_coverage(p)) for p in paths})


@given(st.dictionaries(st.sampled_from(["", "unit", "e2e"]), coverage_sets(), max_size=3))
@settings(max_examples=60, deadline=None)
def test_codec_round_trip(suites: dict[str, CoverageSet]) -> None:
    detail = RunDetail(suites, {p: "0" * 40 for cs in suites.values() for p in cs.files}, {})
    back = decode(encode(detail))
    assert back.suites == detail.suites
    assert back.blobs == detail.blobs
    for name, cs in suites.items():
        for path, fc in cs.files.items():
            assert back.suites[name].files[path].functions == fc.functions
            assert back.suites[name].files[path].flags == fc.flags


@given(
    suites=st.dictionaries(st.sampled_from(["", "unit"]), coverage_sets(), min_size=1, max_size=2)
)
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_store_round_trip_equals_coverage_set(
    tmp_path: Path, suites: dict[str, CoverageSet]
) -> None:
    """What the store gives back for a run is the CoverageSet that was recorded."""
    import uuid

    with open_store(f"sqlite:///{tmp_path}/h-{uuid.uuid4().hex}.db") as store:
        result = store.record(suites, repository="r", commit=SHA_A)
        back = store.run_coverage(result.run.id)
        expected = CoverageSet.merge_all(list(suites.values()))
        assert back.coverage() == expected
        assert result.run.totals == expected.totals()


def test_functions_survive(tmp_path: Path) -> None:
    fc = FileCoverage.from_columns(
        "a.c", array("i", [1]), array("q", [1]), functions=(Function("main", 1, 9, 1),)
    )
    with open_store(f"sqlite:///{tmp_path}/h.db") as store:
        r = store.record({"": CoverageSet({"a.c": fc})}, repository="r", commit=SHA_A)
        assert store.run_coverage(r.run.id).coverage().files["a.c"].functions == fc.functions


def test_damaged_detail_is_a_store_error(tmp_path: Path) -> None:
    from covgap.history.codec import DetailError

    with pytest.raises(DetailError, match="unknown detail format"):
        decode(b"\x09abc")
    with pytest.raises(DetailError, match="damaged detail"):
        decode(b"\x01not zlib")
    url = f"sqlite:///{tmp_path}/h.db"
    with open_store(url) as store:
        r = store.record({"": cov("a", {1: 1})}, repository="r", commit=SHA_A)
    con = sqlite3.connect(tmp_path / "h.db")
    con.execute("UPDATE uploads SET detail = x'01deadbeef'")
    con.commit()
    con.close()
    with open_store(url) as store:
        with pytest.raises(StoreError, match=r"store sqlite:///.*: run 1: damaged detail"):
            store.run_coverage(r.run.id)
        with pytest.raises(StoreError, match="no run 99"):
            store.run_coverage(99)
        with pytest.raises(StoreError, match="no upload 99"):
            store.upload_detail(99)
        assert store.run(99) is None
