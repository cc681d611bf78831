"""A plain install is the whole tool (issue 10): no extra is needed to count tests.

On a plain ``pip install .`` without tree-sitter, ``covgap tests`` once reported 0 tests
in every file. These tests pin that every grammar covgap registers is an ordinary
dependency, that the empty ``source``/``coverage`` extras add nothing, and (slow) that a
real install into a fresh virtualenv counts the tests of a Rust/Python/Ruby repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib.metadata import requires
from pathlib import Path

import pytest
from click.testing import CliRunner

from covgap.cli import main
from covgap.source import _ts

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "data" / "source" / "repo"
LANGUAGES = ("Rust", "Python", "Ruby")


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match is not None, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _needed() -> set[str]:
    """Every distribution the source analysis imports: tree-sitter and each grammar wheel."""
    return {"tree-sitter", "coverage"} | {_ts.grammar_distribution(g) for g in _ts.GRAMMARS}


def test_every_grammar_is_an_ordinary_dependency_of_the_installed_covgap() -> None:
    declared = requires("covgap") or []
    plain = {_name(r) for r in declared if "extra ==" not in r}
    assert _needed() <= plain, sorted(_needed() - plain)
    # the old extras are empty aliases: nothing is only in them
    extras = {_name(r) for r in declared if re.search(r"extra == ['\"](source|coverage)", r)}
    assert extras == set()


def test_every_grammar_is_an_ordinary_dependency_in_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert _needed() <= {_name(r) for r in project["dependencies"]}
    assert project["optional-dependencies"]["source"] == []
    assert project["optional-dependencies"]["coverage"] == []


def test_every_registered_grammar_loads_here() -> None:
    for grammar in _ts.GRAMMARS:
        assert _ts.analyser_identity(grammar).startswith("tree-sitter "), grammar


def check_inventory(doc: dict[str, object]) -> None:
    rows = {row["name"]: row for row in doc["languages"]}  # type: ignore[attr-defined]
    for language in LANGUAGES:
        assert rows[language]["tests"] > 0, language
    assert doc["notes"] == []
    assert {f["analyser"] for f in doc["files"]} == {"tree-sitter"}  # type: ignore[attr-defined]


def test_covgap_tests_counts_every_language(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    result = CliRunner().invoke(
        main, ["tests", "--repo", str(repo), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0 and result.stderr == ""
    check_inventory(json.loads(result.stdout))


@pytest.mark.slow
def test_plain_pip_install_counts_tests(tmp_path: Path) -> None:
    """Build the wheel, ``pip install`` it (no extras) into a fresh venv, count tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}

    def step(*cmd: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [str(c) for c in cmd],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if proc.returncode != 0:
            message = f"{' '.join(map(str, cmd))} failed:\n{proc.stderr[-3000:]}"
            if "pip" in str(cmd[1:3]) and not os.environ.get("COVGAP_REQUIRE_TOOLS"):
                pytest.skip(f"cannot install packages here: {message}")
            pytest.fail(message)
        return proc

    # build from a copy of the sources, so the checkout gets no build/ or egg-info
    source = tmp_path / "source"
    shutil.copytree(
        ROOT / "src",
        source / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.egg-info"),
    )
    for name in ("pyproject.toml", "setup.py", "README.md", "LICENSE", "MANIFEST.in"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, source / name)
    step(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", source, "-w", tmp_path / "dist")
    wheel = next((tmp_path / "dist").glob("covgap-*.whl"))
    step(sys.executable, "-m", "venv", tmp_path / "venv")
    bindir = tmp_path / "venv" / "bin"
    step(bindir / "python", "-m", "pip", "install", "-q", wheel)
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURE, repo)
    proc = step(bindir / "covgap", "tests", "--repo", repo, "--format", "json", "-j", "1")
    assert proc.stderr == ""
    check_inventory(json.loads(proc.stdout))
