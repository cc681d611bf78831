"""GitHub workflow commands: format, escaping and the annotation cap."""

from __future__ import annotations

from fractions import Fraction

from covgap.analysis.diffcov import PatchFile
from covgap.gate import GateResult, Offender, Status, Verdict
from covgap.report.github import escape_data, escape_property, render_annotations


def test_escaping_blocks_command_injection() -> None:
    assert escape_property("a,b:c%d\ne") == "a%2Cb%3Ac%25d%0Ae"
    assert escape_data("50% done\r\n::error::x") == "50%25 done%0D%0A::error::x"


def test_uncovered_new_lines_are_warnings_with_ranges() -> None:
    result = GateResult(
        [Verdict("patch", "patch", Status.PASS, Fraction(75), Fraction(60))],
        patch=[
            PatchFile("src/a,b.py", 6, (1, 2, 6), (3, 4, 9), True),
            PatchFile("src/ok.py", 1, (1,), (), True),
        ],
    )
    out = render_annotations(result).splitlines()
    assert out == [
        "::warning file=src/a%2Cb.py,line=3,endLine=4,title=Uncovered new code::"
        "New or changed 2 lines are not covered by any test",
        "::warning file=src/a%2Cb.py,line=9,endLine=9,title=Uncovered new code::"
        "New or changed line is not covered by any test",
    ]


def test_failures_come_first_and_the_cap_is_announced() -> None:
    failing = Verdict(
        "line",
        "overall line coverage",
        Status.FAIL,
        Fraction(50),
        Fraction(80),
        reason="too low",
        offenders=[Offender("a.py", ((1, 1),), "n"), Offender("b.py", (), "whole file")],
    )
    patch = Verdict("patch", "patch", Status.FAIL, Fraction(0), Fraction(60), reason="none covered")
    result = GateResult(
        [failing, patch], patch=[PatchFile("c.py", 9, (), tuple(range(1, 20, 2)), True)]
    )
    out = render_annotations(result, limit=5).splitlines()
    assert out[0].startswith(
        "::error file=a.py,line=1,endLine=1,title=covgap%3A line%3A overall line coverage::"
    )
    assert (
        out[1]
        == "::error file=b.py,title=covgap%3A line%3A overall line coverage::too low: whole file"
    )
    assert out[2].startswith(
        "::error title=covgap%3A patch%3A patch::none covered (measured 0.00 %25"
    )
    assert len(out) == 5
    assert out[-1] == "::notice::9 more covgap annotations not shown"


def test_paths_from_the_top_of_the_checkout() -> None:
    result = GateResult([], patch=[PatchFile("a.py", 1, (), (2,), True)])
    out = render_annotations(result, path_prefix="services/api/")
    assert out.startswith("::warning file=services/api/a.py,line=2,endLine=2,")


def test_titles_name_the_config_key_and_the_option() -> None:
    """Issue 10: a rule is named by its config key as well as in words, as in the terminal."""
    target = Verdict(
        "component:core:branch",
        "core branch coverage",
        Status.FAIL,
        Fraction(50),
        Fraction(80),
        config_key="components.core.target",
        reason="too low",
    )
    line = Verdict(
        "line",
        "overall line coverage",
        Status.FAIL,
        Fraction(50),
        Fraction(80),
        config_key="gates.line",
        reason="too low",
        option="--fail-under-lines",
    )
    out = render_annotations(GateResult([target, line])).splitlines()
    assert out[0].startswith(
        "::error title=covgap%3A components.core.target%3A core branch coverage::too low"
    )
    assert out[1].startswith(
        "::error title=covgap%3A line (--fail-under-lines)%3A overall line coverage::too low"
    )
