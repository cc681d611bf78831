"""Differential coverage categories on hand-checked cases, and their invariants."""

from __future__ import annotations

import difflib
import gzip
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.analysis.diffcov import (
    CATEGORIES,
    CURRENT_TOTAL,
    DELETED,
    classify,
    load_baseline,
    patch_coverage,
)
from covgap.errors import FormatError, InputError
from covgap.formats import covgap_json
from covgap.gitinfo import Diff, FileDiff, Hunk
from covgap.model import CoverageSet, FileCoverage, FileCoverageBuilder


def fc(
    path: str,
    hits: dict[int, int],
    branches: dict[tuple[int, int, int], int | None] | None = None,
) -> FileCoverage:
    b = FileCoverageBuilder(path)
    for line, h in hits.items():
        b.add_line(line, h)
    for (line, block, branch), taken in (branches or {}).items():
        b.add_branch(line, block, branch, taken)
    return b.build()


def cov(*files: FileCoverage) -> CoverageSet:
    return CoverageSet({f.path: f for f in files})


def diff(*files: FileDiff) -> Diff:
    return Diff({(f.path or f.old_path or ""): f for f in files})


def test_every_category_on_a_hand_checked_file() -> None:
    # Base a.py: lines 1..10 executable.       Edit: old 3-4 → new 3; insert new 8-9 after old 8.
    base = fc("a.py", {1: 1, 2: 0, 3: 1, 4: 1, 5: 0, 6: 1, 7: 0, 8: 1, 9: 0, 10: 1})
    # Now (new numbering): old 5→4, 6→5, 7→6, 8→7, 9→10, 10→11, 11→12, 12→13.
    now = fc("a.py", {1: 1, 2: 1, 3: 0, 4: 0, 5: 0, 8: 1, 10: 1, 11: 1, 12: 1, 13: 0})
    d = diff(FileDiff("a.py", "a.py", "M", [Hunk(3, 2, 3, 1), Hunk(8, 0, 8, 2)]))
    result = classify(cov(now), cov(base), d)
    got = result.files["a.py"].lines
    assert got == {
        "CBC": [1, 11],  # covered before and now
        "GBC": [2, 10],  # uncovered before (old 2, old 9), covered now
        "UNC": [3],  # replaced line, not run
        "UBC": [4],  # old 5: uncovered before and now
        "LBC": [5],  # old 6: covered before, not now
        "EUB": [6],  # old 7 (uncovered) is no longer executable
        "ECB": [7],  # old 8 (covered) is no longer executable
        "GNC": [8],  # inserted, run (9 inserted but not executable: no category)
        "GIC": [12],  # old 11 was not executable in the baseline; covered now
        "UIC": [13],  # old 12 likewise, uncovered now
        "DCB": [3, 4],  # old lines 3 and 4 (covered) were replaced: baseline numbers
    }
    assert result.totals()["DUB"] == 0


def test_branch_outcomes_keep_their_identity_across_the_diff() -> None:
    # Base: a decision on line 2 (two outcomes) and on line 5; line 4 is replaced by
    # new line 4 and a line is inserted, so old 5 is new 6.
    base = fc(
        "b.c",
        {2: 1, 4: 1, 5: 1},
        {(2, 0, 0): 1, (2, 0, 1): 0, (4, 0, 0): 3, (5, 0, 0): 2, (5, 0, 1): None},
    )
    now = fc(
        "b.c",
        {2: 1, 4: 1, 5: 1, 6: 1},
        {(2, 0, 0): 0, (2, 0, 1): 1, (4, 0, 0): 0, (6, 0, 0): 2, (6, 0, 2): 1},
    )
    d = diff(FileDiff("b.c", "b.c", "M", [Hunk(4, 1, 4, 2)]))
    got = classify(cov(now), cov(base), d).files["b.c"].branches
    assert got == {
        "LBC": [(2, 0, 0)],  # taken before, not now
        "GBC": [(2, 0, 1)],  # not taken before, taken now
        "UNC": [(4, 0, 0)],  # on a replaced line, not taken
        "DCB": [(4, 0, 0)],  # the old line 4's outcome, baseline numbering
        "CBC": [(6, 0, 0)],  # old (5, 0, 0), moved down a line
        "GIC": [(6, 0, 2)],  # an outcome the baseline did not have
        "EUB": [(6, 0, 1)],  # old (5, 0, 1), never evaluated, gone now
    }


def test_files_added_deleted_renamed_and_unmeasured() -> None:
    base = cov(
        fc("old_name.py", {1: 1, 2: 0, 3: 1}),
        fc("gone.py", {1: 1, 2: 0}),
        fc("dropped_from_report.py", {1: 1, 2: 0}),
    )
    now = cov(
        fc("new_name.py", {1: 0, 2: 0, 3: 1}),
        fc("brand_new.py", {1: 1, 2: 0}),
        fc("first_measured.py", {1: 1, 2: 0}),
    )
    d = diff(
        FileDiff("new_name.py", "old_name.py", "R", [Hunk(2, 1, 2, 1)]),
        FileDiff(None, "gone.py", "D", [Hunk(1, 2, 0, 0)]),
        FileDiff("brand_new.py", None, "A", [Hunk(0, 0, 1, 2)]),
    )
    r = classify(now, base, d)
    assert r.files["new_name.py"].old_path == "old_name.py"
    assert r.files["new_name.py"].lines == {"LBC": [1], "UNC": [2], "CBC": [3], "DUB": [2]}
    assert r.files["gone.py"].lines == {"DCB": [1], "DUB": [2]}
    assert r.files["gone.py"].status == "D"
    assert r.files["brand_new.py"].lines == {"GNC": [1], "UNC": [2]}
    # Measured now but not in the baseline (and not changed): included code.
    assert r.files["first_measured.py"].lines == {"GIC": [1], "UIC": [2]}
    # In the baseline, still in the tree, not in the current report: excluded.
    assert r.files["dropped_from_report.py"].lines == {"ECB": [1], "EUB": [2]}
    totals = r.totals()
    assert (totals["UNC"], totals["GNC"], totals["LBC"], totals["DCB"], totals["DUB"]) == (
        2,
        1,
        1,
        1,
        2,
    )
    assert [f.path for f in r.changed_files()] == sorted(r.files)


def test_no_diff_means_same_sources() -> None:
    base = cov(fc("a.py", {1: 1, 2: 0, 3: 1}))
    now = cov(fc("a.py", {1: 1, 2: 1, 3: 0}))
    r = classify(now, base, None)
    assert r.files["a.py"].lines == {"CBC": [1], "GBC": [2], "LBC": [3]}


@st.composite
def scenario(draw: st.DrawFn) -> tuple[FileCoverage, FileCoverage, FileDiff]:
    n_old = draw(st.integers(0, 30))
    old = [f"o{i}" for i in range(n_old)]
    new = list(old)
    for _ in range(draw(st.integers(0, 5))):
        if new and draw(st.booleans()):
            del new[draw(st.integers(0, len(new) - 1))]
        else:
            new.insert(draw(st.integers(0, len(new))), f"n{draw(st.integers())}")
    hunks = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag != "equal":
            hunks.append(
                Hunk(i1 + 1 if i2 > i1 else i1, i2 - i1, j1 + 1 if j2 > j1 else j1, j2 - j1)
            )
    hit = st.one_of(st.none(), st.integers(0, 3))
    base = {i + 1: h for i in range(len(old)) if (h := draw(hit)) is not None}
    now = {i + 1: h for i in range(len(new)) if (h := draw(hit)) is not None}
    taken = st.one_of(st.none(), st.integers(0, 2))
    base_br = {(ln, 0, k): draw(taken) for ln in base for k in range(draw(st.integers(0, 2)))}
    now_br = {(ln, 0, k): draw(taken) for ln in now for k in range(draw(st.integers(0, 2)))}
    return fc("f", base, base_br), fc("f", now, now_br), FileDiff("f", "f", "M", hunks)


@settings(max_examples=80, deadline=None)
@given(scenario())
def test_categories_partition_both_sides(case: tuple[FileCoverage, FileCoverage, FileDiff]) -> None:
    base, now, fd = case
    r = classify(cov(now), cov(base), diff(fd))
    counts = r.totals()
    assert sum(counts[c] for c in CURRENT_TOTAL) == len(now.lines)
    baseline_side = ("UBC", "LBC", "GBC", "CBC", "EUB", "ECB", *sorted(DELETED))
    assert sum(counts[c] for c in baseline_side) == len(base.lines)
    covered_now = sum(counts[c] for c in ("GNC", "GIC", "GBC", "CBC"))
    assert covered_now == now.counts().lines_covered
    assert set(counts) == set(CATEGORIES)
    br = r.branch_totals()
    assert sum(br[c] for c in CURRENT_TOTAL) == now.counts().branches_total
    assert sum(br[c] for c in baseline_side) == base.counts().branches_total
    assert sum(br[c] for c in ("GNC", "GIC", "GBC", "CBC")) == now.counts().branches_covered


def test_patch_coverage_splits_changed_lines() -> None:
    now = cov(fc("a.py", {1: 1, 2: 0, 4: 3}))
    out = patch_coverage(now, {"a.py": [1, 2, 3, 4], "b.md": [1], "empty.py": []})
    assert [(p.path, p.covered, p.uncovered, p.changed, p.measured) for p in out] == [
        ("a.py", (1, 4), (2,), 4, True),
        ("b.md", (), (), 1, False),
    ]


def write_report(path: Path, cs: CoverageSet, *, detail: bool, gz: bool = False) -> Path:
    data = covgap_json.dumps(covgap_json.document(cs, detail=detail))
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_load_baseline_with_and_without_detail(tmp_path: Path) -> None:
    cs = cov(fc("a.py", {1: 1, 2: 0}), fc("b.py", {3: 2}))
    full = load_baseline(write_report(tmp_path / "full.json.gz", cs, detail=True, gz=True))
    assert full.has_detail and full.coverage == cs
    assert full.summary == cs.totals() and full.files["a.py"] == cs.files["a.py"].counts()
    totals = load_baseline(write_report(tmp_path / "totals.json", cs, detail=False))
    assert not totals.has_detail and totals.summary == cs.totals()


def test_load_baseline_rejects_mixed_detail_and_other_formats(tmp_path: Path) -> None:
    import orjson

    doc = covgap_json.document(cov(fc("a.py", {1: 1}), fc("b.py", {1: 0})), detail=True)
    del doc["files"][1]["lines"]
    mixed = tmp_path / "mixed.json"
    mixed.write_bytes(orjson.dumps(doc))
    with pytest.raises(InputError, match="some files carry per-line detail"):
        load_baseline(mixed)
    lcov = tmp_path / "lcov.info"
    lcov.write_text("SF:a.py\nDA:1,1\nend_of_record\n")
    with pytest.raises(FormatError):
        load_baseline(lcov)


def test_category_names_are_genhtmls() -> None:
    """genhtml(1) names GIC and GNC "Gained Included Coverage" and "Gained New Coverage"."""
    from covgap.analysis.diffcov import DESCRIPTIONS

    assert DESCRIPTIONS["GIC"].startswith("Gained Included Coverage:")
    assert DESCRIPTIONS["GNC"].startswith("Gained New Coverage:")
    assert DESCRIPTIONS["LBC"].startswith("Lost Baseline Coverage:")
