"""coverage.py's Cobertura XML merged with other branch data: arm identities (s3).

The truth is coverage.py's own: two suites over one module, one written as XML and
one as JSON with the real ``coverage`` CLI, then ``coverage combine`` of their data
and its report. covgap's merged branch figure must equal it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from covgap.cli import main
from covgap.formats import ReadContext, cobertura
from covgap.formats._coveragepy_arcs import parse_missing
from covgap.pipeline import InputSpec, read_inputs

MODULE = """\
def sign(x):
    if x > 0:
        return 1
    return -1


def loop(items):
    for item in items:
        if item:
            print(item)


def walk(n):
    while n:
        n -= 1
"""

SUITE_A = "import mod\nmod.sign(1)\nmod.loop([0])\nmod.walk(0)\n"
SUITE_B = "import mod\nmod.sign(2)\nmod.loop([1])\nmod.walk(0)\n"
"""Both take ``if x > 0`` → ``return 1`` only: the same arm, which must count once.
``loop``'s ``if item`` takes a different arm in each suite: that must count twice."""


def _coverage(cwd: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "coverage", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, "COVERAGE_RCFILE": str(cwd / "none.rc")},
    )


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[int, int]]:
    """Measure both suites; write a.xml, a.json, b.xml, b.json and coverage.py's truth."""
    d = tmp_path_factory.mktemp("cobarcs")
    (d / "none.rc").write_text("[run]\nbranch = true\n")
    (d / "mod.py").write_text(MODULE)
    (d / "suite_a.py").write_text(SUITE_A)
    (d / "suite_b.py").write_text(SUITE_B)
    for name in ("a", "b"):
        data = f"--data-file=.cov_{name}"
        _coverage(d, "run", "--branch", data, f"suite_{name}.py")
        _coverage(d, "xml", data, "--include=mod.py", "-o", f"{name}.xml")
        _coverage(d, "json", data, "--include=mod.py", "-o", f"{name}.json")
    _coverage(d, "combine", "--keep", "--data-file=.cov_all", ".cov_a", ".cov_b")
    _coverage(d, "json", "--data-file=.cov_all", "--include=mod.py", "-o", "all.json")
    totals = json.loads((d / "all.json").read_text())["totals"]
    return d, (totals["covered_branches"], totals["num_branches"])


def _merged(paths: list[Path], repo: Path | None) -> tuple[tuple[int, int], tuple[str, ...]]:
    specs = [InputSpec(p, f"s{i}") for i, p in enumerate(paths)]
    result = read_inputs(specs, context=ReadContext(repo))
    t = result.coverage.totals()
    return (t.branches_covered, t.branches_total), result.coverage.notes


def test_the_example_takes_a_partly_covered_line(runs: tuple[Path, tuple[int, int]]) -> None:
    d, _ = runs
    text = (d / "a.xml").read_text()
    assert 'missing-branches="' in text  # the case under test is in the data
    assert "50% (1/2)" in text


@pytest.mark.parametrize(
    "names", [("a.xml", "b.json"), ("a.json", "b.xml"), ("a.xml", "b.xml")], ids=str
)
@pytest.mark.parametrize("speedups", ["0", "1"])
def test_merged_branches_equal_coverage_combine(
    runs: tuple[Path, tuple[int, int]],
    names: tuple[str, str],
    speedups: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    d, truth = runs
    monkeypatch.setenv(cobertura.FAST_PATH_ENV, speedups)
    figure, notes = _merged([d / n for n in names], d)
    assert figure == truth
    assert not [n for n in notes if "arm" in n]


def test_report_found_from_another_folder_with_repo(
    runs: tuple[Path, tuple[int, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reports copied elsewhere; the checkout given as --repo (the pipeline's context)."""
    d, truth = runs
    for name in ("a.xml", "b.json"):
        shutil.copy(d / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    figure, _ = _merged([tmp_path / "a.xml", tmp_path / "b.json"], d)
    assert figure == truth


def test_without_the_source_the_count_stays_and_the_merge_is_noted(
    runs: tuple[Path, tuple[int, int]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    d, truth = runs
    # As if measured on a CI runner whose checkout is not here.
    (tmp_path / "a.xml").write_text((d / "a.xml").read_text().replace(str(d), "/ci/gone"))
    shutil.copy(d / "b.json", tmp_path / "b.json")
    monkeypatch.chdir(tmp_path)
    alone = cobertura.read(io.BytesIO((tmp_path / "a.xml").read_bytes()), str(tmp_path / "a.xml"))
    native = json.loads((d / "a.json").read_text())["totals"]
    t = alone.totals()
    assert (t.branches_covered, t.branches_total) == (
        native["covered_branches"],
        native["num_branches"],
    )
    assert alone.unresolved_branches == {"mod.py": frozenset({2, 9, 14})}
    figure, notes = _merged([tmp_path / "a.xml", tmp_path / "b.json"], tmp_path)
    assert figure[0] > truth[0]  # the over-count the note warns about
    (note,) = [n for n in notes if "arm" in n]
    assert "mod.py:2" in note and "a.xml" in note

    code = CliRunner().invoke(
        main,
        [
            "report",
            "--repo",
            str(tmp_path),
            "--format",
            "json",
            str(tmp_path / "a.xml"),
            str(tmp_path / "b.json"),
        ],
        catch_exceptions=False,
    )
    assert code.exit_code == 0
    assert "mod.py:2" in code.stderr
    assert any("mod.py:2" in n for n in json.loads(code.stdout)["notes"])


def test_a_source_that_disagrees_is_noted(
    runs: tuple[Path, tuple[int, int]], tmp_path: Path
) -> None:
    d, _ = runs
    (tmp_path / "a.xml").write_text((d / "a.xml").read_text().replace(str(d), "/ci/gone"))
    (tmp_path / "mod.py").write_text("def sign(x):\n    return 1\n")
    cs = cobertura.read_in(
        io.BytesIO((tmp_path / "a.xml").read_bytes()),
        str(tmp_path / "a.xml"),
        ReadContext(tmp_path),
    )
    (note,) = [n for n in cs.notes if "disagree" in n]
    assert "mod.py:2 condition-coverage 1/2" in note and "source 0 arc(s)" in note
    assert cs.unresolved_branches == {"mod.py": frozenset({2, 9, 14})}


# -- missing-branches parsing: the C scanner and lxml agree -------------------------

_ITEM = st.one_of(st.just("exit"), st.integers(1, 10**6).map(str))


def _doc(missing: str) -> bytes:
    value = missing.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return (
        '<?xml version="1.0" ?>\n<coverage lines-valid="1" lines-covered="1" '
        'branches-valid="3" branches-covered="1"><sources/><packages><package name="p">'
        '<classes><class name="m" filename="nowhere/m.py"><methods/><lines>'
        f'<line number="4" hits="1" branch="true" condition-coverage="33% (1/3)" '
        f'missing-branches="{value}"/></lines></class></classes></package></packages>'
        "</coverage>\n"
    ).encode()


def _read_both(doc: bytes, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    out: list[object] = []
    for fast in ("0", "1"):
        monkeypatch.setenv(cobertura.FAST_PATH_ENV, "1" if fast == "0" else "0")
        try:
            cs = cobertura.read(io.BytesIO(doc), "r.xml")
        except Exception as exc:  # the error itself is compared
            out.append(str(exc))
        else:
            out.append((cs.unresolved_branches, list(cs.files["nowhere/m.py"].branches())))
    return out


@given(st.lists(_ITEM, min_size=1, max_size=4))
def test_parse_missing_reads_what_coveragepy_writes(items: list[str]) -> None:
    value = ",".join(items)
    lines = sorted(int(i) for i in items if i != "exit")
    if len(set(lines)) != len(lines):
        with pytest.raises(ValueError):
            parse_missing(value)
    else:
        assert parse_missing(value) == (tuple(lines), items.count("exit"))


@given(st.text(max_size=12))
def test_c_and_lxml_agree_on_missing_branches(value: str) -> None:
    with pytest.MonkeyPatch.context() as mp:
        c_result, lxml_result = _read_both(_doc(value), mp)
    assert c_result == lxml_result


@pytest.mark.parametrize("value", ["x", "", "1,,2", "0", "-3", "exit;1", "3,3"])
def test_bad_missing_branches_is_a_format_error_naming_the_line(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    c_result, lxml_result = _read_both(_doc(value), monkeypatch)
    assert c_result == lxml_result
    assert (
        isinstance(c_result, str)
        and "missing-branches" in c_result
        and c_result.startswith("r.xml:2: ")
    )


def test_missing_branches_is_kept_by_both_paths(monkeypatch: pytest.MonkeyPatch) -> None:
    c_result, lxml_result = _read_both(_doc("7, exit"), monkeypatch)
    assert c_result == lxml_result
    assert c_result[0] == {"nowhere/m.py": frozenset({4})}  # type: ignore[index]


def test_the_merge_note_matches_a_path_recorded_under_another_root(
    runs: tuple[Path, tuple[int, int]], tmp_path: Path
) -> None:
    """XML says ``mod.py``, the JSON ``app/mod.py``: path mapping would merge them."""
    d, _ = runs
    (tmp_path / "a.xml").write_text((d / "a.xml").read_text().replace(str(d), "/ci/gone"))
    doc = json.loads((d / "b.json").read_text())
    doc["files"] = {"app/mod.py": doc["files"]["mod.py"]}
    (tmp_path / "b.json").write_text(json.dumps(doc))
    _, notes = _merged([tmp_path / "a.xml", tmp_path / "b.json"], tmp_path)
    (note,) = [n for n in notes if "arm" in n]
    assert "3 partly covered branch line(s) (mod.py:2, mod.py:9, mod.py:14)" in note


def test_arms_follow_the_json_readers_order() -> None:
    """Lines ascending, then exits; an ``exit`` stands for every exit of the line, and
    one of two exits missing cannot be placed (left unresolved)."""
    from covgap.formats._coveragepy_arcs import _destinations, _taken

    text = "def f(x):\n    if x:\n        return 1\n    return 2\n\nfor i in []:\n    pass\n"
    dests = _destinations(text, "m.py", None)
    assert dests is not None
    assert dests[2] == [3, 4]
    assert dests[6] == [7, -1]  # the loop's exit from the module: after the lines
    assert _taken(dests[6], parse_missing("exit")) == [1, 0]
    assert _taken(dests[2], parse_missing("3")) == [0, 1]
    assert _taken([5, -1, -3], parse_missing("exit")) is None
    assert _taken([5, -1, -3], parse_missing("exit,exit")) == [1, 0, 0]


def test_source_that_is_not_python_leaves_the_file_unresolved(
    runs: tuple[Path, tuple[int, int]], tmp_path: Path
) -> None:
    d, _ = runs
    (tmp_path / "a.xml").write_text((d / "a.xml").read_text().replace(str(d), "/ci/gone"))
    (tmp_path / "mod.py").write_text("def (:\n")
    cs = cobertura.read_in(
        io.BytesIO((tmp_path / "a.xml").read_bytes()), str(tmp_path / "a.xml"), ReadContext()
    )
    assert cs.unresolved_branches == {"mod.py": frozenset({2, 9, 14})}
    assert not [n for n in cs.notes if "disagree" in n]


@pytest.mark.parametrize(
    ("rc", "disagrees"),
    [
        ("[report]\nexclude_lines =\n    return -1\n", True),  # arc 2->4 excluded: 1 arc
        ("[report\n", False),  # unreadable: said, and the lines left as the XML counts
    ],
)
def test_the_exclusions_beside_the_report_are_coveragepys(
    runs: tuple[Path, tuple[int, int]], tmp_path: Path, rc: str, disagrees: bool
) -> None:
    d, _ = runs
    (tmp_path / "a.xml").write_text((d / "a.xml").read_text().replace(str(d), "/ci/gone"))
    (tmp_path / "mod.py").write_text(MODULE)
    (tmp_path / ".coveragerc").write_text(rc)
    cs = cobertura.read_in(
        io.BytesIO((tmp_path / "a.xml").read_bytes()), str(tmp_path / "a.xml"), ReadContext()
    )
    notes = [n for n in cs.notes if "disagree" in n]
    assert bool(notes) is disagrees
    if disagrees:
        assert "mod.py:2 condition-coverage 1/2" in notes[0]
        assert cs.unresolved_branches == {"mod.py": frozenset({2})}
    else:
        (note,) = [n for n in cs.notes if "not identified" in n]
        assert ".coveragerc" in note
        assert cs.unresolved_branches == {"mod.py": frozenset({2, 9, 14})}
