"""Shared test fixtures: golden files, real-tool requirements, example data paths."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
DATA = TESTS / "data"
GOLDEN = TESTS / "golden"
ACTUAL = TESTS / "actual"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite golden files from the current output (review the diff before committing).",
    )


@pytest.fixture
def golden(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """Compare text with ``tests/golden/NAME``; ``--update-golden`` rewrites it.

    On a mismatch the actual output is written to ``tests/actual/NAME`` and the diff
    is shown, so a reviewer can inspect and, if right, regenerate.
    """
    update = request.config.getoption("--update-golden")

    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            return
        if not path.exists():
            pytest.fail(f"golden file {path} is missing; run pytest --update-golden")
        expected = path.read_text(encoding="utf-8")
        if actual != expected:
            out = ACTUAL / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(actual, encoding="utf-8")
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True),
                    actual.splitlines(keepends=True),
                    f"golden/{name}",
                    f"actual/{name}",
                )
            )
            pytest.fail(f"output differs from golden file {name}:\n{diff[:6000]}")

    return check


def require_tool(*names: str) -> None:
    """Skip when a real tool is missing locally; fail in CI, where make test installs it.

    ``COVGAP_REQUIRE_TOOLS`` is set from ``CI`` by the Makefile, so a green CI run
    cannot hide a missing install step.
    """
    missing = [n for n in names if shutil.which(n) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)} (installed by make test)"
    if os.environ.get("COVGAP_REQUIRE_TOOLS"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def missing_grammars(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Simulate grammar wheels that are not installed: ``missing_grammars("rust", ...)``.

    Replaces the one grammar loader (``covgap.source._ts.load_language``) so the named
    grammars (all when none are named) raise ``GrammarMissing`` as a missing wheel does,
    with fresh parser and analyser caches; ``monkeypatch`` restores everything after.
    """
    from covgap.source import _ts

    real = _ts.load_language

    def simulate(*grammars: str) -> None:
        names = set(grammars) or set(_ts.GRAMMARS)

        def load(grammar: str) -> object:
            if grammar in names:
                raise _ts.GrammarMissing(f"{_ts.GRAMMARS[grammar][0]} is not installed")
            return real(grammar)

        monkeypatch.setattr(_ts, "load_language", load)
        monkeypatch.setattr(_ts, "_PARSERS", {})
        monkeypatch.setattr(_ts, "_IDENTITIES", {})

    return simulate


@pytest.fixture(scope="session")
def pg_cluster():  # type: ignore[no-untyped-def]
    """A real PostgreSQL cluster for the session (see ``tests/pgcluster.py``).

    Skips when the server tools are missing locally; fails under CI
    (``COVGAP_REQUIRE_TOOLS``), where ``make test`` installs Debian's ``postgresql``.
    """
    from pgcluster import start_cluster

    cluster = start_cluster()
    if cluster is None:
        message = "needs PostgreSQL's initdb and pg_ctl (installed by make test)"
        if os.environ.get("COVGAP_REQUIRE_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster) -> str:  # type: ignore[no-untyped-def]
    """The URL of a fresh, empty database on the session's cluster."""
    url: str = pg_cluster.create_database()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A history store's URL, on SQLite and on the session's real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/history.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def server_store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A covgap server's store URL, on SQLite and on the session's real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/server.db"
    url: str = request.getfixturevalue("pg_url")
    return url


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` (the caller's ``GIT_*`` variables left out); its stdout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True,
        timeout=60,
    ).stdout  # fmt: skip


def git_init(repo: Path) -> None:
    """A new git repository on ``main`` with a committer set (for tests that commit)."""
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "t")


def cli_modules(args: list[str], modules: tuple[str, ...]) -> tuple[str, list[bool]]:
    """Run ``covgap ARGS`` in a fresh interpreter; its stdout, and whether each of
    ``modules`` was imported by the end (commands that must not pay for SQLAlchemy or
    Alembic: record, trend, gaps and the HTML report without a store)."""
    import sys

    code = (
        "import sys\n"
        "from covgap.cli import main\n"
        "try:\n"
        "    main(sys.argv[2:])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "print(*(m in sys.modules for m in sys.argv[1].split(',')), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, ",".join(modules), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    loaded = proc.stderr.strip().splitlines()[-1].split()
    return proc.stdout, [word == "True" for word in loaded]
