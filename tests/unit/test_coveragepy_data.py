"""coverage.py .coverage data files: analysed like `coverage report`, sources found or named."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from covgap.errors import FormatError, InputError
from covgap.formats import coveragepy_data, detect, read_report
from covgap.model import CoverageSet

HERE = Path(__file__).resolve().parents[1] / "data" / "coveragepy-data"
RUNS = ("lines", "branch", "abs")


def _native(run: str, folder: Path = HERE) -> dict[str, dict[str, str]]:
    native = json.loads((folder / "native.json").read_text())
    rows: dict[str, dict[str, str]] = native[run]["report"]
    return rows


def _partial_lines(cs: CoverageSet, path: str) -> int:
    """coverage.py's BrPart: executed lines with at least one missing branch."""
    return len({b.line for b in cs.files[path].branches() if b.taken == 0})


@pytest.mark.parametrize("run", RUNS)
def test_totals_equal_coverage_report(run: str) -> None:
    _assert_totals_equal_coverage_report(run, HERE)


def _assert_totals_equal_coverage_report(run: str, folder: Path) -> None:
    path = folder / f"{run}.coverage"
    assert detect(path).name == "coveragepy-data"
    cs = read_report(path)
    for name, row in _native(run, folder).items():
        c = cs.totals() if name == "TOTAL" else cs.files[name].counts()
        assert c.lines_total == int(row["Stmts"]), name
        assert c.lines_missed == int(row["Miss"]), name
        if "Branch" in row:
            assert c.branches_total == int(row["Branch"]), name
            if name != "TOTAL":
                assert _partial_lines(cs, name) == int(row["BrPart"]), name
    total = cs.totals()
    covered = total.lines_covered + total.branches_covered
    pct = 100.0 * covered / (total.lines_total + total.branches_total)
    report_total = json.loads((folder / "native.json").read_text())[run]["report_total_percent"]
    assert f"{pct:.0f}" == report_total


@pytest.mark.parametrize("run", RUNS)
def test_same_model_as_coverage_json_of_the_same_run(run: str) -> None:
    assert read_report(HERE / f"{run}.coverage") == read_report(HERE / f"{run}.json")


def test_absolute_paths_of_another_machine_are_found_under_the_data_dir() -> None:
    cs = read_report(HERE / "abs.coverage")
    assert sorted(cs.files) == ["src/shop/__init__.py", "src/shop/cart.py"]
    assert cs.notes == ()


def test_contexts_are_kept_per_line_and_readable() -> None:
    cs = read_report(HERE / "branch.coverage")
    assert cs.notes == ()
    assert cs.flags == ()
    assert cs.files["src/shop/cart.py"].contexts_for_line(9) == (
        "unit|test_cart.test_add_and_total",
        "unit|test_cart.test_discount",
    )
    contexts = coveragepy_data.read_contexts(HERE / "branch.coverage")
    cart = contexts["src/shop/cart.py"]
    # Cart.add's body (line 9) ran in two tests.
    assert cart[9] == ("unit|test_cart.test_add_and_total", "unit|test_cart.test_discount")


def test_moved_checkout_with_its_own_config(tmp_path: Path) -> None:
    """Sources beside the data file count; so does the config there, not the cwd's."""
    shutil.copytree(HERE / "src", tmp_path / "src")
    shutil.copy(HERE / "branch.coverage", tmp_path / ".coverage")
    (tmp_path / ".coveragerc").write_text("[report]\nomit = src/shop/__init__.py\n")
    cs = read_report(tmp_path / ".coverage")
    assert sorted(cs.files) == ["src/shop/cart.py"]
    assert (
        cs.files["src/shop/cart.py"]
        == read_report(HERE / "branch.coverage").files["src/shop/cart.py"]
    )


def test_missing_sources_are_an_error_naming_one(tmp_path: Path) -> None:
    shutil.copy(HERE / "lines.coverage", tmp_path / ".coverage")
    with pytest.raises(InputError) as info:
        read_report(tmp_path / ".coverage")
    msg = str(info.value)
    assert "the source of 2 measured file(s) is not here (first: src/shop/__init__.py)" in msg
    assert "\n" not in msg


def test_missing_coverage_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "coverage", None)
    with pytest.raises(InputError, match=r"pip install coverage"):
        read_report(HERE / "lines.coverage")


def test_truncated_database_is_a_format_error(tmp_path: Path) -> None:
    bad = tmp_path / ".coverage"
    bad.write_bytes((HERE / "lines.coverage").read_bytes()[:5000])
    with pytest.raises(FormatError, match=r"not a readable coverage\.py data file"):
        read_report(bad)


def test_other_sqlite_databases_are_not_sniffed(tmp_path: Path) -> None:
    db = tmp_path / "other.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table t (x)")
    conn.close()
    with pytest.raises(InputError, match="not a coverage format covgap recognises"):
        detect(db)
    with pytest.raises(FormatError, match=r"not a readable coverage\.py data file"):
        read_report(db, format_name="coveragepy-data")
    with sqlite3.connect(db) as conn:  # reading never wrote coverage.py's schema into it
        tables = [r[0] for r in conn.execute("select name from sqlite_master")]
    conn.close()
    assert tables == ["t"]


def test_locate_sources_tries_shorter_tails(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("x = 1\n")
    found, missing = coveragepy_data.locate_sources(
        ["/ci/build/pkg/a.py", "C:\\ci\\pkg\\a.py", "pkg/a.py", "/ci/gone.py"], tmp_path
    )
    want = (tmp_path / "pkg" / "a.py").resolve()
    assert found == {"/ci/build/pkg/a.py": want, "C:\\ci\\pkg\\a.py": want, "pkg/a.py": want}
    assert missing == ["/ci/gone.py"]


@pytest.mark.realtool
def test_fresh_coverage_run_equals_coverage_report(tmp_path: Path) -> None:
    """Re-run make.sh with the installed coverage.py into tmp_path, beside a copy of src/."""
    shutil.copytree(HERE / "src", tmp_path / "src")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(HERE / "make.sh"), sys.executable], check=True, env=env, timeout=120)
    for run in RUNS:
        _assert_totals_equal_coverage_report(run, tmp_path)
        assert read_report(tmp_path / f"{run}.coverage") == read_report(tmp_path / f"{run}.json")


# -- a data file read where CI puts it (issue #10, item 4) -----------------------------

MODULE = """\
def grade(score):
    if score >= 90:
        return "A"
    if score >= 50:
        return "pass"
    return "fail"


def unused():
    return 0
"""


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """A real ``coverage run --branch`` on one "machine path", with its native totals.

    Returns a stash of the run (``src/pkg/mod.py`` and ``.coverage``) and ``coverage
    json``'s totals for the module, computed there; the machine path itself is gone,
    as on a CI runner.
    """
    base = tmp_path_factory.mktemp("ci")
    root = base / "machine" / "proj"
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text("")
    (root / "src" / "pkg" / "mod.py").write_text(MODULE)
    (root / "main.py").write_text("from pkg.mod import grade\n\ngrade(95)\ngrade(10)\n")
    env = dict(os.environ, PYTHONPATH=str(root / "src"))
    run = [sys.executable, "-m", "coverage"]
    subprocess.run(
        [*run, "run", "--branch", "--source=pkg", "main.py"],
        cwd=root,
        env=env,
        check=True,
        timeout=120,
    )
    subprocess.run([*run, "json", "-o", "native.json"], cwd=root, check=True, timeout=120)
    native = json.loads((root / "native.json").read_text())
    summary = native["files"]["src/pkg/mod.py"]["summary"]
    stash = base / "stash"
    shutil.copytree(root / "src", stash / "src")
    shutil.copy(root / ".coverage", stash / ".coverage")
    (stash / "machine").write_text(str(root.resolve()))
    shutil.rmtree(base / "machine")
    return stash, {"lines": summary["num_statements"], "branches": summary["num_branches"]}


def _move(run_dir: Path, dest: Path, layout: str = "src") -> tuple[Path, Path]:
    """Check the sources out under ``dest/checkout/<layout>`` and the data file apart."""
    checkout = dest / "checkout"
    shutil.copytree(run_dir / "src", checkout / layout)
    artifact = dest / "artifacts" / "coverage-data" / ".coverage"
    artifact.parent.mkdir(parents=True)
    shutil.copy(run_dir / ".coverage", artifact)
    return checkout, artifact


def _assert_native(cs: CoverageSet, path: str, native: dict[str, int]) -> None:
    counts = cs.files[path].counts()
    assert (counts.lines_total, counts.branches_total) == (native["lines"], native["branches"])
    assert counts.lines_missed == 2  # `return "pass"` and unused()'s body


def test_moved_data_file_finds_sources_under_repo(
    ci_run: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    from covgap.formats import ReadContext

    checkout, artifact = _move(ci_run[0], tmp_path)
    cs = read_report(artifact, context=ReadContext(checkout))
    mod = str((checkout / "src/pkg/mod.py").resolve())
    assert mod in cs.files
    _assert_native(cs, mod, ci_run[1])


def test_moved_data_file_finds_sources_under_the_working_directory(
    ci_run: tuple[Path, dict[str, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    checkout, artifact = _move(ci_run[0], tmp_path)
    monkeypatch.chdir(checkout)
    cs = read_report(artifact)
    _assert_native(cs, str((checkout / "src/pkg/mod.py").resolve()), ci_run[1])


def test_moved_data_file_error_names_the_places_tried(
    ci_run: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    from covgap.formats import ReadContext

    checkout, artifact = _move(ci_run[0], tmp_path, layout="code")
    with pytest.raises(InputError) as info:
        read_report(artifact, context=ReadContext(checkout))
    msg = str(info.value)
    assert "the source of 2 measured file(s) is not here" in msg
    assert str(artifact.parent.resolve()) in msg
    assert str(checkout.resolve()) in msg
    assert str(Path.cwd().resolve()) in msg
    assert "\n" not in msg


@pytest.mark.parametrize("where", ["coveragerc", "pyproject", "covgap-fix"])
def test_moved_data_file_through_paths_remapping(
    ci_run: tuple[Path, dict[str, int]], tmp_path: Path, where: str
) -> None:
    """``src/`` became ``code/``: only a [paths] rule (coverage.py's or covgap's) finds it."""
    from covgap.formats import ReadContext

    checkout, artifact = _move(ci_run[0], tmp_path, layout="code")
    fixes: tuple[tuple[str, str], ...] = ()
    if where == "coveragerc":
        (checkout / ".coveragerc").write_text("[paths]\nsource =\n    code/\n    */proj/src/\n")
    elif where == "pyproject":
        (checkout / "pyproject.toml").write_text(
            '[tool.coverage.paths]\nsource = ["code/", "*/machine/proj/src/"]\n'
        )
    else:
        fixes = ((Path((ci_run[0] / "machine").read_text(), "src").as_posix() + "/", "code/"),)
    cs = read_report(artifact, context=ReadContext(checkout, fixes))
    _assert_native(cs, str((checkout / "code/pkg/mod.py").resolve()), ci_run[1])


def test_moved_data_file_from_the_command_line(
    ci_run: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from covgap.cli import main

    checkout, artifact = _move(ci_run[0], tmp_path)
    args = ["report", str(artifact), "--repo", str(checkout), "--format", "json"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    files = {f["path"]: f for f in json.loads(result.stdout)["files"]}
    assert sorted(files) == ["src/pkg/__init__.py", "src/pkg/mod.py"]
    assert files["src/pkg/mod.py"]["lines_total"] == ci_run[1]["lines"]
    assert files["src/pkg/mod.py"]["branches_total"] == ci_run[1]["branches"]
    assert files["src/pkg/mod.py"]["mapped"] is True
