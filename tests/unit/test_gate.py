"""Gate rules: each passes and fails for the right reason, and "not measured" is neither."""

from __future__ import annotations

import tomllib
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from covgap.analysis.diffcov import Baseline
from covgap.config import Target
from covgap.errors import ConfigError
from covgap.gate import (
    GateInputs,
    GateResult,
    Status,
    Verdict,
    config_key_line,
    evaluate,
    exact,
    format_value,
    ratchet,
    ratchet_targets,
)
from covgap.gitinfo import Diff, FileDiff, Hunk
from covgap.model import CoverageSet, FileCoverage, FileCoverageBuilder
from covgap.source.records import SourceFile, SourceIndex
from covgap.workspace import Component, Workspace


def fc(path: str, hits: dict[int, int], branches=(), functions=()) -> FileCoverage:  # type: ignore[no-untyped-def]
    b = FileCoverageBuilder(path)
    for line, h in hits.items():
        b.add_line(line, h)
    for line, block, br, taken in branches:
        b.add_branch(line, block, br, taken)
    for name, start, h in functions:
        b.add_function(name, start, h)
    return b.build()


def cov(*files: FileCoverage) -> CoverageSet:
    return CoverageSet({f.path: f for f in files})


def ws(tmp_path: Path, components: list[Component] | None = None) -> Workspace:
    return Workspace(tmp_path, [], components or [])


def run(tmp_path: Path, cs: CoverageSet, gates: dict, **kw) -> GateResult:  # type: ignore[no-untyped-def,type-arg]
    comps = kw.pop("components", None)
    return evaluate(GateInputs(cs, ws(tmp_path, comps), gates, **kw))


def only(result: GateResult, rule: str) -> Verdict:
    (v,) = [v for v in result.verdicts if v.rule == rule]
    return v


def lines(covered: int, total: int, path: str = "a.py", start: int = 1) -> FileCoverage:
    return fc(path, {start + i: (1 if i < covered else 0) for i in range(total)})


# -- exact thresholds and display -------------------------------------------------------


def test_threshold_is_exact_not_float() -> None:
    assert exact(79.999) == Fraction(79999, 1000)
    assert exact("0.1") == Fraction(1, 10)
    assert exact(80) == 80
    with pytest.raises(TypeError):
        exact(True)


def test_79_999_percent_fails_a_limit_of_80_and_is_not_shown_as_80(tmp_path: Path) -> None:
    # 79999 of 100000 lines = 79.999 %.
    cs = cov(lines(79_999, 100_000))
    v = only(run(tmp_path, cs, {"line": 80}), "line")
    assert v.status is Status.FAIL
    assert v.measured == Fraction(79999, 1000)
    assert v.measured_text() == "79.99"
    # Exactly at the limit passes.
    assert only(run(tmp_path, cs, {"line": 79.999}), "line").status is Status.PASS
    assert only(run(tmp_path, cs, {"line": 79.9991}), "line").status is Status.FAIL


@pytest.mark.parametrize(
    ("value", "limit", "hib", "text"),
    [
        (Fraction(799996, 10000), Fraction(80), True, "79.99"),
        (Fraction(80), Fraction(80), True, "80.00"),
        (Fraction(800051, 10000), Fraction(80005, 1000), True, "80.0051"),
        (Fraction(1, 1000), None, True, "0.001"),
        (Fraction(99999, 1000), None, True, "99.99"),
        (Fraction(20001, 10000), Fraction(2), False, "2.01"),
        (Fraction(2), Fraction(2), False, "2.00"),
        (None, Fraction(2), False, "n/a"),
    ],
)
def test_format_value_never_crosses_the_limit(
    value: Fraction | None, limit: Fraction | None, hib: bool, text: str
) -> None:
    assert format_value(value, limit, higher_is_better=hib) == text


@given(
    st.fractions(min_value=0, max_value=100, max_denominator=10**7),
    st.decimals(min_value=0, max_value=100, places=3),
    st.booleans(),
)
def test_displayed_value_is_on_the_same_side_of_the_limit(
    value: Fraction, limit_dec: object, hib: bool
) -> None:
    limit = exact(str(limit_dec))
    shown = Fraction(format_value(value, limit, higher_is_better=hib))
    assert (shown >= limit) == (value >= limit)
    assert (shown <= limit) == (value <= limit)


# -- overall, component, file rules -----------------------------------------------------


def test_overall_line_rule_pass_fail_and_offenders(tmp_path: Path) -> None:
    cs = cov(lines(8, 10, "a.py"), lines(1, 4, "b.py"))
    r = run(tmp_path, cs, {"line": 64})
    v = only(r, "line")
    assert v.status is Status.PASS and v.measured == Fraction(900, 14)
    r = run(tmp_path, cs, {"line": 65})
    v = only(r, "line")
    assert v.status is Status.FAIL and not r.ok
    # Worst first: b.py misses 3 lines, a.py 2; with the uncovered lines.
    assert [(o.path, o.ranges) for o in v.offenders] == [("b.py", ((2, 4),)), ("a.py", ((9, 10),))]
    assert any("1 more of the lines" in e for e in v.explain)


def test_empty_denominators_are_not_measured(tmp_path: Path) -> None:
    r = run(tmp_path, cov(lines(3, 3)), {"line": 90, "branch": 50, "function": 50})
    assert only(r, "line").status is Status.PASS
    for rule in ("branch", "function"):
        v = only(r, rule)
        assert v.status is Status.NOT_MEASURED and v.passed is None
        assert v.measured is None and v.measured_text() == "n/a"
    assert r.ok  # not measured does not fail


def test_branch_and_function_rules_blame_the_right_lines(tmp_path: Path) -> None:
    f = fc(
        "m.c",
        {1: 1, 2: 1, 5: 0},
        branches=[(2, 0, 0, 1), (2, 0, 1, 0), (5, 0, 0, None), (5, 0, 1, None)],
        functions=[("used", 1, 3), ("unused", 5, 0)],
    )
    r = run(tmp_path, cov(f), {"branch": 25, "function": 60})
    b = only(r, "branch")
    assert b.status is Status.PASS and b.measured == 25
    fn = only(r, "function")
    assert fn.status is Status.FAIL and fn.measured == 50
    assert fn.offenders[0].ranges == ((5, 5),) and "unused" in fn.offenders[0].note
    b = only(run(tmp_path, cov(f), {"branch": 26}), "branch")
    assert b.status is Status.FAIL
    assert b.offenders[0].ranges == ((2, 2), (5, 5))


def test_component_targets(tmp_path: Path) -> None:
    comps = [
        Component("core", ("src/core/**",), target=Target(line=75, branch=None)),
        Component("cli", ("src/cli/**",), target=Target(line=10, function=50)),
        Component("docs", ("docs/**",)),
    ]
    cs = cov(
        lines(3, 4, "src/core/a.py"), lines(1, 2, "src/core/b.py"), lines(1, 10, "src/cli/c.py")
    )
    r = run(tmp_path, cs, {}, components=comps)
    core = only(r, "component:core:line")
    assert core.status is Status.FAIL and core.measured == Fraction(400, 6)
    assert {o.path for o in core.offenders} == {"src/core/a.py", "src/core/b.py"}
    assert only(r, "component:cli:line").status is Status.PASS
    fn = only(r, "component:cli:function")
    assert fn.status is Status.NOT_MEASURED
    assert not [v for v in r.verdicts if "docs" in v.rule]


def test_file_line_minimum(tmp_path: Path) -> None:
    cs = cov(lines(9, 10, "a.py"), lines(1, 2, "b.py"), fc("empty.py", {}))
    v = only(run(tmp_path, cs, {"file_line": 50}), "file_line")
    assert v.status is Status.PASS and v.measured == 50
    v = only(run(tmp_path, cs, {"file_line": 60}), "file_line")
    assert v.status is Status.FAIL
    assert [o.path for o in v.offenders] == ["b.py"]
    assert "1 without are not measured" in v.explain[0]
    v = only(run(tmp_path, cov(fc("empty.py", {})), {"file_line": 60}), "file_line")
    assert v.status is Status.NOT_MEASURED


# -- patch --------------------------------------------------------------------------------


def diff_of(*files: FileDiff) -> Diff:
    return Diff({(f.path or f.old_path or ""): f for f in files}, base="b" * 40, head="h" * 40)


def test_patch_counts_only_executable_changed_lines(tmp_path: Path) -> None:
    # Lines 3..6 changed; 4 is a comment (not in the coverage), 7 unchanged and uncovered.
    cs = cov(fc("a.py", {1: 1, 3: 1, 5: 0, 6: 1, 7: 0}), lines(0, 3, "other.py"))
    d = diff_of(
        FileDiff("a.py", "a.py", "M", [Hunk(3, 4, 3, 4)]),
        FileDiff("new.md", None, "A", [Hunk(0, 0, 1, 9)]),
    )
    r = run(tmp_path, cs, {"patch": 66.67}, diff=d)
    v = only(r, "patch")
    assert v.measured == Fraction(200, 3)
    assert v.status is Status.FAIL  # 66.666… < 66.67
    assert v.measured_text() == "66.66"
    assert v.offenders[0].path == "a.py" and v.offenders[0].ranges == ((5, 5),)
    assert any("new.md" in e and "not measured" in e for e in v.explain)
    assert only(run(tmp_path, cs, {"patch": 66.66}, diff=d), "patch").status is Status.PASS
    # Annotations get the uncovered new lines whether or not the rule failed.
    assert [(o.path, o.ranges) for o in r.uncovered_new_lines()] == [("a.py", ((5, 5),))]


def test_patch_without_diff_or_without_executable_changes(tmp_path: Path) -> None:
    cs = cov(lines(1, 2))
    v = only(run(tmp_path, cs, {"patch": 80}, diff_problem="shallow clone"), "patch")
    assert v.status is Status.NOT_MEASURED and v.reason == "shallow clone"
    d = diff_of(FileDiff("README.md", "README.md", "M", [Hunk(1, 1, 1, 1)]))
    v = only(run(tmp_path, cs, {"patch": 80}, diff=d), "patch")
    assert v.status is Status.NOT_MEASURED
    assert "no changed line is executable" in v.reason


# -- baseline rules --------------------------------------------------------------------------


def baseline_of(cs: CoverageSet, detail: bool = True) -> Baseline:
    return Baseline(
        "base.json",
        cs.totals(),
        {p: f.counts() for p, f in cs.files.items()},
        cs if detail else None,
    )


def test_max_drop_boundaries(tmp_path: Path) -> None:
    before = cov(lines(80, 100, "a.py"))
    exactly_two = cov(lines(78, 100, "a.py"))
    more = cov(lines(779, 1000, "a.py"))
    assert (
        only(
            run(tmp_path, exactly_two, {"max_drop": 2}, baseline=baseline_of(before)), "max_drop"
        ).status
        is Status.PASS
    )
    v = only(run(tmp_path, more, {"max_drop": 2.0}, baseline=baseline_of(before)), "max_drop")
    assert v.status is Status.FAIL
    assert v.measured == Fraction(21, 10)
    assert v.measured_text() == "2.10" and v.unit == "points"
    assert v.offenders and v.offenders[0].path == "a.py"
    gain = only(run(tmp_path, before, {"max_drop": 0}, baseline=baseline_of(more)), "max_drop")
    assert gain.status is Status.PASS and gain.measured is not None and gain.measured < 0
    none = only(run(tmp_path, more, {"max_drop": 2}), "max_drop")
    assert none.status is Status.NOT_MEASURED and "no --baseline given" in none.reason


def test_max_drop_offenders_use_line_detail_when_present(tmp_path: Path) -> None:
    before = cov(fc("a.py", {1: 1, 2: 1, 3: 1, 4: 1}), fc("b.py", {1: 1}))
    now = cov(fc("a.py", {1: 1, 2: 0, 3: 1, 4: 0, 5: 0}), fc("b.py", {1: 1}))
    d = diff_of(FileDiff("a.py", "a.py", "M", [Hunk(4, 0, 5, 1)]))
    r = run(tmp_path, now, {"max_drop": 1}, baseline=baseline_of(before), diff=d)
    v = only(r, "max_drop")
    assert v.status is Status.FAIL
    (o,) = v.offenders
    assert o.path == "a.py" and o.ranges == ((2, 2), (4, 5))
    assert "2 lines lost coverage, 1 new lines uncovered" in o.note
    assert r.diffcov is not None and r.diffcov.totals()["LBC"] == 2
    unknown = run(
        tmp_path, now, {"max_drop": 1}, baseline=baseline_of(before), diff_problem="no git"
    )
    assert unknown.diffcov is None and any("changed lines are unknown" in n for n in unknown.notes)
    totals_only = run(
        tmp_path, now, {"max_drop": 1}, baseline=baseline_of(before, detail=False), diff=d
    )
    assert only(totals_only, "max_drop").status is Status.FAIL
    assert totals_only.diffcov is None
    assert any("totals only" in n for n in totals_only.notes)


def test_critical_globs_per_glob_with_renames(tmp_path: Path) -> None:
    before = cov(lines(3, 4, "core/a.py"), lines(1, 4, "core/b.py"), lines(4, 4, "util/c.py"))
    # Covered code moved from a.py to b.py, aggregate unchanged: not a drop.
    moved = cov(lines(1, 4, "core/a.py"), lines(3, 4, "core/b.py"), lines(0, 4, "util/c.py"))
    r = run(tmp_path, moved, {"critical": ["core/**"]}, baseline=baseline_of(before))
    v = only(r, "critical:core/**")
    assert v.status is Status.PASS and v.measured == v.limit == 50
    # A real drop fails and names the file that dropped.
    dropped = cov(lines(2, 4, "core/a.py"), lines(1, 4, "core/b.py"))
    v = only(
        run(tmp_path, dropped, {"critical": ["core/**"]}, baseline=baseline_of(before)),
        "critical:core/**",
    )
    assert v.status is Status.FAIL and [o.path for o in v.offenders] == ["core/a.py"]
    # A renamed file is compared with its old name's baseline.
    renamed = cov(lines(3, 4, "core/z.py"), lines(1, 4, "core/b.py"))
    d = diff_of(FileDiff("core/z.py", "core/a.py", "R", []))
    v = only(
        run(tmp_path, renamed, {"critical": ["core/**"]}, baseline=baseline_of(before), diff=d),
        "critical:core/**",
    )
    assert v.status is Status.PASS
    nothing = only(
        run(tmp_path, renamed, {"critical": ["nope/**"]}, baseline=baseline_of(before)),
        "critical:nope/**",
    )
    assert nothing.status is Status.NOT_MEASURED
    no_base = only(run(tmp_path, renamed, {"critical": ["core/**"]}), "critical:core/**")
    assert no_base.status is Status.NOT_MEASURED


def test_critical_ignores_files_deleted_in_the_diff(tmp_path: Path) -> None:
    before = cov(lines(4, 4, "core/well_tested.py"), lines(1, 2, "core/rest.py"))
    now = cov(lines(1, 2, "core/rest.py"))
    base = baseline_of(before)
    without_diff = only(
        run(tmp_path, now, {"critical": ["core/**"]}, baseline=base), "critical:core/**"
    )
    assert without_diff.status is Status.FAIL  # 83.33 % → 50 % if the deletion is unknown
    d = diff_of(FileDiff(None, "core/well_tested.py", "D", [Hunk(1, 4, 0, 0)]))
    v = only(
        run(tmp_path, now, {"critical": ["core/**"]}, baseline=base, diff=d), "critical:core/**"
    )
    assert v.status is Status.PASS and v.limit == v.measured == 50


def test_critical_component(tmp_path: Path) -> None:
    comps = [Component("pay", ("pay/**",), critical=True)]
    before = cov(lines(2, 2, "pay/x.py"))
    now = cov(lines(1, 2, "pay/x.py"))
    r = run(tmp_path, now, {}, baseline=baseline_of(before), components=comps)
    v = only(r, "critical:component:pay")
    assert v.status is Status.FAIL and v.config_key == "components.pay.critical"


# -- new files need tests ------------------------------------------------------------------


def test_new_files_need_tests(tmp_path: Path) -> None:
    index = SourceIndex(
        {
            "src/tested.py": SourceFile("src/tested.py", "python", tested_by=["tests/test_t.py"]),
            "src/inline.rs": SourceFile("src/inline.rs", "rust", inline_tests=2),
            "src/lonely.py": SourceFile("src/lonely.py", "python"),
            "tests/test_t.py": SourceFile("tests/test_t.py", "python", kind="test"),
        }
    )
    d = diff_of(
        *[FileDiff(p, None, "A", [Hunk(0, 0, 1, 3)]) for p in index.files],
        FileDiff("src/old.py", "src/older.py", "R", []),
    )
    cs = cov(lines(1, 1))
    r = run(tmp_path, cs, {"new_files_need_tests": True}, diff=d, source_index=lambda: index)
    v = only(r, "new_files_need_tests")
    assert v.status is Status.FAIL and [o.path for o in v.offenders] == ["src/lonely.py"]
    assert (v.measured, v.limit) == (2, 3)
    index.files["src/lonely.py"].tested_by.append("tests/test_l.py")
    v = only(
        run(tmp_path, cs, {"new_files_need_tests": True}, diff=d, source_index=lambda: index),
        "new_files_need_tests",
    )
    assert v.status is Status.PASS
    v = only(run(tmp_path, cs, {"new_files_need_tests": True}, diff=d), "new_files_need_tests")
    assert v.status is Status.NOT_MEASURED and "source analysis" in v.reason
    assert not run(tmp_path, cs, {"new_files_need_tests": False}, diff=d).verdicts


# -- ratchet ---------------------------------------------------------------------------------

PYPROJECT = """\
[project]
name = "x"

[tool.covgap.gates]
line = 80            # overall minimum
branch = 70.5
patch = 60
# function is not set

[[tool.covgap.components]]
name = "core"
paths = ["src/core/**"]
target = { line = 50, branch = 40 }   # keep

[[tool.covgap.components]]
paths = ["src/cli/**"]
name = "cli"
target = 90
"""


def _result(**measured: Fraction) -> GateResult:
    verdicts = []
    for rule, value in measured.items():
        rid = rule.replace("__", ":")
        verdicts.append(Verdict(rid, rid, Status.PASS, value, Fraction(1)))
    return GateResult(verdicts)


def test_ratchet_raises_never_lowers_and_keeps_layout() -> None:
    result = _result(
        line=Fraction(856789, 10000),  # 85.6789 → 85.67
        branch=Fraction(60),  # below 70.5: never lowered
        component__core__line=Fraction(55),
        component__core__branch=Fraction(39),
        component__cli__line=Fraction(95),
        function=Fraction(99),  # not in the file: not added
    )
    targets = ratchet_targets(result)
    assert targets["gates.line"] == Fraction(8567, 100)
    text, changes = ratchet(PYPROJECT, targets, prefix="tool.covgap.")
    assert [(c.key, c.old, c.new) for c in changes] == [
        ("gates.line", 80, Fraction(8567, 100)),
        ("components.core.line", 50, 55),
        ("components.cli.line", 90, 95),
    ]
    assert "line = 85.67            # overall minimum\n" in text
    assert "target = { line = 55, branch = 40 }   # keep\n" in text
    assert "target = 95\n" in text
    assert (
        "branch = 70.5\n" in text
        and "function" not in tomllib.loads(text)["tool"]["covgap"]["gates"]
    )
    assert len(text.splitlines()) == len(PYPROJECT.splitlines())
    # Idempotent: running again changes nothing.
    again, none = ratchet(text, targets, prefix="tool.covgap.")
    assert again == text and none == []


def test_ratchet_covgap_toml_and_refuses_ambiguous_edits() -> None:
    text = "[gates]\nline = 50\n"
    new, changes = ratchet(text, {"gates.line": Fraction(61)})
    assert new == "[gates]\nline = 61\n" and len(changes) == 1
    # A [gates] table in pyproject without the prefix is not ours: untouched.
    assert ratchet(text, {"gates.line": Fraction(61)}, prefix="tool.covgap.")[1] == []
    # A multi-line string that looks like a key must not be edited.
    tricky = '[gates]\nline = 50\n[other]\ns = """\n[gates]\nline = 10\n"""\n'
    with pytest.raises(ConfigError, match="cannot ratchet"):
        ratchet(tricky, {"gates.line": Fraction(61)})


def test_ratchet_refuses_values_it_cannot_edit_in_place() -> None:
    inline = "[tool.covgap]\ngates = { line = 50 }\n"
    with pytest.raises(ConfigError, match=r"cannot ratchet gates\.line in place"):
        ratchet(inline, {"gates.line": Fraction(61)}, prefix="tool.covgap.")
    dotted = "[tool.covgap]\ngates.line = 50\n"
    with pytest.raises(ConfigError, match=r"cannot ratchet gates\.line in place"):
        ratchet(dotted, {"gates.line": Fraction(61)}, prefix="tool.covgap.")
    # Nothing due (today is below the minimum): no error, no change.
    assert ratchet(dotted, {"gates.line": Fraction(40)}, prefix="tool.covgap.") == (dotted, [])


def test_config_key_line() -> None:
    assert config_key_line(PYPROJECT, "gates.patch", "tool.covgap.") == 7
    assert config_key_line(PYPROJECT, "components.cli.target", "tool.covgap.") == 18
    assert config_key_line(PYPROJECT, "components.core.critical", "tool.covgap.") == 10
    assert config_key_line(PYPROJECT, "gates.patch") is None


def test_rule_registry_names_each_family_once_with_keys_and_words() -> None:
    from covgap.gate import RULES

    names = [r.name for r in RULES]
    assert len(names) == len(set(names))
    assert all(r.keys and r.words for r in RULES)
    keys = {k for r in RULES for k in r.keys}
    for key in ("gates.line", "gates.patch", "gates.max_drop", "gates.file_line"):
        assert key in keys
