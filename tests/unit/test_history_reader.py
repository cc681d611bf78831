"""The trend's direct read path answers exactly as the full store, without SQLAlchemy."""

from __future__ import annotations

import sqlite3
from array import array
from pathlib import Path

import pytest

from conftest import cli_modules
from covgap.errors import StoreError
from covgap.history import open_store
from covgap.history.reader import SCHEMA_REVISION, Reader, open_reader
from covgap.history.schema import SCHEMA_REVISION as DECLARED
from covgap.history.trend import trend
from covgap.model import CoverageSet, FileCoverage


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/history.db"
    url: str = request.getfixturevalue("pg_url")
    return url


def fill(url: str) -> None:
    with open_store(url) as store:
        for i in range(4):
            fc = FileCoverage("a.py", array("i", [1, 2, 3]), array("q", [1, i % 2, 0]))
            store.record(
                {"unit": CoverageSet({"a.py": fc})},
                repository="r",
                commit=f"{i % 3:040x}",  # commit 0 has two runs: merged from detail
                branch="main" if i else "dev",
                components={"a.py": "core"},
                tests=i or None,
                now=100.0 + i,
            )


def test_reader_equals_the_full_store(store_url: str) -> None:
    assert SCHEMA_REVISION == DECLARED
    fill(store_url)
    with open_reader(store_url) as reader, open_store(store_url) as store:
        assert isinstance(reader, Reader)
        assert reader.runs(repository="r") == store.runs(repository="r")
        assert reader.runs(repository="r", branch="main", since=102.0) == store.runs(
            repository="r", branch="main", since=102.0
        )
        ids = [r.id for r in store.runs()]
        assert reader.run_totals(ids) == store.run_totals(ids)
        assert reader.repositories() == store.repositories() == ["r"]
        for branch in (None, "main"):
            assert trend(reader, "r", branch=branch) == trend(store, "r", branch=branch)


def test_anything_else_goes_to_the_full_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    with pytest.raises(StoreError, match="no such store"):
        open_reader(url)
    assert not (tmp_path / "h.db").exists()
    fill(url)
    con = sqlite3.connect(tmp_path / "h.db")
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    with pytest.raises(StoreError, match="newer covgap"):  # the full store's refusal
        open_reader(url)
    con.execute("UPDATE alembic_version SET version_num = ?", (SCHEMA_REVISION,))
    con.commit()
    con.close()
    with open_reader(url) as reader:
        assert isinstance(reader, Reader)
    # a relative SQLite path is under the repository, as for every command
    with open_reader("sqlite:///h.db", root=tmp_path) as reader:
        assert isinstance(reader, Reader) and len(reader.runs()) == 4


def test_read_errors_name_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    fill(url)
    with open_reader(url) as reader:
        assert isinstance(reader, Reader)
        with pytest.raises(StoreError, match=r"store sqlite:///.*h\.db: cannot read: "):
            reader._query("SELECT nothing FROM nowhere")


def test_trend_command_does_not_import_sqlalchemy(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    fill(url)
    stdout, loaded = cli_modules(
        ["trend", "--repo", str(tmp_path), "--store", url,
         "--repository", "r", "--branch", "main", "--format", "json"],
        ("sqlalchemy", "alembic"),
    )  # fmt: skip
    assert loaded == [False, False]
    assert '"points"' in stdout
