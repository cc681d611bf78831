"""The tests inventory against the test runners' own listings of the fixture repository.

``tests/data/source/make.sh`` ran pytest, rspec, minitest, ``go test``, ``cargo test``
and ``node --test`` on ``tests/data/source/repo`` and kept what they listed (and which
tests they skipped) in ``tests/data/source/native/``; here covgap's static inventory
must agree with them, test for test.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from covgap.config import Config
from covgap.source import SourceIndex, analyze_repo
from covgap.workspace import Workspace

DATA = Path(__file__).parents[1] / "data" / "source"
NATIVE = DATA / "native"


@cache
def index() -> SourceIndex:
    return analyze_repo(Workspace.load(DATA / "repo", Config()), cache=False, jobs=1)


def ours(prefix: str) -> dict[tuple[str, str], bool]:
    return {
        (sf.path, t.name): t.skipped
        for sf in index().files.values()
        if sf.path.startswith(prefix)
        for t in sf.tests
    }


def test_pytest_collects_and_skips_the_same_tests() -> None:
    native: dict[tuple[str, str], bool] = {}
    for line in (NATIVE / "pytest.txt").read_text().splitlines():
        node, outcome = line.split(" ", 2)[:2]
        path, _, name = node.partition("::")
        key = ("python/" + path, re.sub(r"\[.*\]$", "", name).replace("::", "."))
        # a parametrised test counts once; it is skipped only if every case is
        native[key] = native.get(key, True) and outcome == "SKIPPED"
    assert ours("python/") == native


def test_rspec_runs_and_marks_pending_the_same_examples() -> None:
    examples = json.loads((NATIVE / "rspec.json").read_text())
    native = {e["line"]: e["status"] == "pending" for e in examples}
    sf = index().files["ruby/spec/widgets/gadget_spec.rb"]
    assert {t.line: t.skipped for t in sf.tests} == native
    named = {e["line"]: e["description"] for e in examples}
    # RSpec names generated descriptions itself (``specify { ... }``); all others agree
    assert {t.line: t.name for t in sf.tests if t.line != 33} == {
        k: v for k, v in named.items() if k != 33
    }


def test_minitest_runs_and_skips_the_same_tests() -> None:
    native = {}
    for line in (NATIVE / "minitest.txt").read_text().splitlines():
        name, status = line.split(" = ")
        native[("ruby/test/test_gadget.rb", name)] = status == "S"
    assert ours("ruby/test/") == native


def test_go_test_lists_runs_and_skips_the_same_functions() -> None:
    listed = set((NATIVE / "go-list.txt").read_text().split())
    results = dict(
        reversed(line.split(": ", 1)) for line in (NATIVE / "go-test.txt").read_text().splitlines()
    )
    mine = {name: skipped for (_, name), skipped in ours("go/").items()}
    kinds = {t.name: t.kind for t in index().files["go/calc_test.go"].tests}
    # go test -list leaves out examples without an output comment: they never run
    assert {n for n, s in mine.items() if not (kinds[n] == "example" and s)} == listed
    # -v reports tests, fuzz seeds and examples (benchmarks need -bench)
    assert {n for n in mine if kinds[n] != "bench" and n in listed} == set(results)
    assert {n for n, s in mine.items() if s and kinds[n] != "example"} == {
        n for n, r in results.items() if r == "--- SKIP"
    }


def _cargo_name(path: str, name: str, kind: str) -> str:
    if kind != "doctest":
        return name
    item = name.removesuffix(" (doctest)")
    return f"{path.removeprefix('rust/')} - {'' if item == 'crate' else item + ' '}"


def test_cargo_test_lists_and_ignores_the_same_tests() -> None:
    def read(name: str) -> set[str]:
        return {ln.rsplit(": ", 1)[0] for ln in (NATIVE / name).read_text().splitlines()}

    mine: dict[str, bool] = {}
    for sf in index().files.values():
        if sf.path.startswith("rust/"):
            for t in sf.tests:
                label = _cargo_name(sf.path, t.name, t.kind)
                if t.kind == "doctest":
                    label = f"{label}(line {t.line})"
                mine[label] = t.skipped
    assert set(mine) == read("cargo-list.txt")
    assert {n for n, s in mine.items() if s} == read("cargo-ignored.txt")


def test_node_test_runs_the_same_tests_and_skips_the_same_group() -> None:
    ran, skipped = set(), set()
    for line in (NATIVE / "node-test.txt").read_text().splitlines():
        name = line.split(" - ", 1)[1]
        if name.endswith(" # SKIP"):
            skipped.add(name.removesuffix(" # SKIP"))
        else:
            ran.add(name)
    tests = index().files["web/test/util.spec.js"].tests
    suites = {t.name.split(" > ")[0] for t in tests}
    assert {t.name.split(" > ")[-1] for t in tests if not t.skipped} == ran - suites
    assert {t.name.split(" > ")[-2] for t in tests if t.skipped} == skipped
