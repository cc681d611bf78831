"""The history store's edges: URLs and masking, failing reads and writes, no baseline."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import git, git_init
from covgap.cli import main
from covgap.cli._history import (
    add_trend_to_html,
    history_view,
    stored_baseline,
    trend_markdown_section,
)
from covgap.config import load_config
from covgap.errors import InputError, StoreError
from covgap.history import open_store
from covgap.history.baseline import find_baseline
from covgap.history.url import mask, parse
from covgap.model import CoverageSet, FileCoverageBuilder
from covgap.pipeline import InputSpec, load
from covgap.workspace import Workspace


@pytest.fixture(autouse=True)
def _no_store_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("COVGAP_STORE", "GITHUB_ACTIONS", "GITLAB_CI", "GITHUB_BASE_REF"):
        monkeypatch.delenv(var, raising=False)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://me:pw@host:abc/db", "postgresql://me:***@host:abc/db"),
        ("postgresql://me:p@w@h/db", "postgresql://me:***@h/db"),
        ("postgresql://me@h/db", "postgresql://me@h/db"),
        ("postgresql://h/db?user=a&password=zz&x=1", "postgresql://h/db?user=a&password=***&x=1"),
        ("sqlite:////a/b@c.db", "sqlite:////a/b@c.db"),
    ],
)
def test_mask(url: str, shown: str) -> None:
    assert mask(url) == shown


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql://me:pw@host:abc/db", "not a store URL"),
        ("sqlite+aiosqlite:///x.db", "unsupported SQLite driver"),
        ("postgresql+asyncpg://h/db", "unsupported PostgreSQL driver"),
        ("sqlite:///:memory:", "needs a file path"),
    ],
)
def test_parse_refuses(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message) as err:
        parse(url)
    assert "pw" not in str(err.value)


def test_parse_forms(tmp_path: Path) -> None:
    assert parse("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert parse("sqlite:///rel.db", tmp_path).database == str(tmp_path / "rel.db")


def test_unusable_sqlite_paths(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        open_store(f"sqlite:///{tmp_path}")
    (tmp_path / "file").write_text("x")
    with pytest.raises(StoreError, match="cannot create"):
        open_store(f"sqlite:///{tmp_path}/file/sub/h.db")


def one(path: str = "a.py") -> CoverageSet:
    b = FileCoverageBuilder(path)
    b.add_line(1, 1)
    return CoverageSet({path: b.build()})


def test_failed_reads_and_writes_name_the_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    with open_store(url) as store:
        store.record({"": one()}, repository="r", commit="a" * 40, branch="main")
        assert [r.commit for r in store.runs(commit="aaaa")] == ["a" * 40]
        assert store.runs(commit="b") == []
    con = sqlite3.connect(tmp_path / "h.db")
    con.execute("DROP TABLE run_totals")
    con.commit()
    con.close()
    with open_store(url) as store:
        with pytest.raises(StoreError, match=r"^store sqlite:///.*: cannot write: .*run_totals"):
            store.record({"": one()}, repository="r", commit="b" * 40)
        with pytest.raises(StoreError, match=r"^store sqlite:///.*: cannot read: .*run_totals"):
            store.run_totals([1])
        assert len(store.runs()) == 1  # the failed record left nothing behind


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git_init(root)
    (root / "a.py").write_text("x = 1\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one")
    (root / "l.info").write_text("SF:a.py\nDA:1,1\nend_of_record\n")
    return root


def loaded_of(root: Path):  # type: ignore[no-untyped-def]
    config = load_config(root)
    return load([InputSpec(root / "l.info")], Workspace.load(root, config), config)


def test_no_baseline_found(repo: Path) -> None:
    url = f"sqlite:///{repo}/.covgap/history.db"
    with open_store(url) as store:
        found, why = find_baseline(store, "repo", repo, "nope")
        assert found is None and "does not name a commit" in (why or "")
        found, why = find_baseline(store, "repo", repo, "main")
        assert found is None and "no run of repo recorded at" in (why or "")
    loaded = loaded_of(repo)
    # the default store exists now, so the store is in use; main has no run
    assert stored_baseline(loaded, "main", None) is None
    with pytest.raises(InputError, match="no stored baseline"):
        stored_baseline(loaded, "main", None, required=True)
    # no base named and nothing to guess from (HEAD is main itself)
    assert stored_baseline(loaded, None, None) is None
    with pytest.raises(InputError, match="no base ref"):
        stored_baseline(loaded, None, None, required=True)
    view = history_view(loaded)
    assert view is not None and view.points == [] and view.baseline_point() is None
    assert "No runs recorded" in trend_markdown_section(view, loaded)
    assert trend_markdown_section(None, loaded) == ""


def test_no_store_in_use(repo: Path) -> None:
    loaded = loaded_of(repo)
    assert stored_baseline(loaded, "main", None) is None
    with pytest.raises(InputError, match="pass --baseline FILE"):
        stored_baseline(loaded, "main", None, required=True)
    assert history_view(loaded) is None
    page = repo / "index.html"
    page.write_text("<main></main>")
    add_trend_to_html(page, loaded)
    assert page.read_text() == "<main></main>"


def test_broken_store_leaves_the_trend_out(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".covgap").mkdir()
    (repo / ".covgap/history.db").write_bytes(b"junk" * 100)
    loaded = loaded_of(repo)
    assert history_view(loaded) is None
    assert "the trend is left out" in capsys.readouterr().err


def test_html_without_main(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(None, root=repo) as store:
        store.record({"": one()}, repository="repo", commit=git(repo, "rev-parse", "HEAD").strip())
    page = repo / "index.html"
    page.write_text("<body></body>")
    add_trend_to_html(page, loaded_of(repo))
    assert "no <main> to put the trend in" in capsys.readouterr().err


def test_trend_of_an_unknown_repository(repo: Path) -> None:
    with open_store(None, root=repo) as store:
        store.record({"": one()}, repository="other/repo", commit="a" * 40)
    result = CliRunner().invoke(
        main, ["trend", "--repo", str(repo), "--component", "core", "--format", "markdown"]
    )
    assert result.exit_code == 0, result.output
    assert "no runs of repo in" in result.stderr and "other/repo" in result.stderr
    assert "component core" in result.stdout and "No recorded runs" in result.stdout


def test_split_suites_merge_back_to_the_loaded_coverage(repo: Path) -> None:
    from covgap.cli.record_cmd import split_suites

    (repo / "e2e.info").write_text("SF:./a.py\nDA:1,0\nDA:2,0\nend_of_record\n")
    (repo / "unit2.info").write_text("SF:a.py\nDA:1,3\nend_of_record\n")
    config = load_config(repo)
    specs = [
        InputSpec.parse(f"unit={repo / 'l.info'}"),
        InputSpec.parse(f"e2e={repo / 'e2e.info'}"),
    ]
    specs.append(InputSpec.parse(f"unit={repo / 'unit2.info'}"))
    loaded = load(specs, Workspace.load(repo, config), config)
    suites = split_suites(loaded)
    assert loaded.mapping is not None, loaded
    assert sorted(loaded.coverage.files) == ["a.py"], (loaded.mapping.mapping, loaded.unmapped)
    assert sorted(suites) == ["e2e", "unit"]
    assert sorted(suites["e2e"].files) == ["a.py"]  # mapped like the merged load
    assert CoverageSet.merge_all(list(suites.values())) == loaded.coverage
    assert suites["unit"].files["a.py"].hits.tolist() == [4]
