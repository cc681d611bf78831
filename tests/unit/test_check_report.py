"""Check and diff renderers: golden outputs for a fixed set of verdicts and categories."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from fractions import Fraction

from rich.console import Console

from covgap.analysis.diffcov import DiffCoverage, FileDiffCoverage, PatchFile
from covgap.gate import GateResult, Offender, Status, Verdict
from covgap.report.check_report import (
    check_json,
    check_markdown,
    check_terminal,
    diff_json,
    diff_markdown,
    diff_terminal,
)
from covgap.source.notes import AnalysisNote

Golden = Callable[[str, str], None]


def plain(renderable: object) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=110, color_system=None, no_color=True).print(renderable)
    return buffer.getvalue()


def sample() -> GateResult:
    dc = DiffCoverage(
        {
            "src/a.py": FileDiffCoverage(
                "src/a.py",
                "src/old_a.py",
                "R",
                {"UNC": [7], "GNC": [3], "CBC": [1, 2], "DCB": [4]},
                {"LBC": [(2, 0, 1)], "CBC": [(2, 0, 0)]},
            ),
            "src/quiet.py": FileDiffCoverage("src/quiet.py", "src/quiet.py", "M", {"CBC": [1]}),
        }
    )
    return GateResult(
        [
            Verdict(
                "line",
                "overall line coverage",
                Status.FAIL,
                Fraction(799996, 10000),
                Fraction(80),
                config_key="gates.line",
                reason="line coverage 79.99 % is below 80 %",
                explain=["39,999 of 50,000 lines"],
                offenders=[Offender("src/a|b.py", ((3, 5), (9, 9)), "4 uncovered of 10 lines")],
                more_offenders=2,
            ),
            Verdict(
                "patch",
                "coverage of new and changed lines",
                Status.PASS,
                Fraction(200, 3),
                Fraction(60),
                config_key="gates.patch",
                explain=["2 of 3 changed executable lines covered"],
            ),
            Verdict(
                "max_drop",
                "overall line coverage drop versus the baseline",
                Status.NOT_MEASURED,
                None,
                Fraction(2),
                unit="points",
                higher_is_better=False,
                config_key="gates.max_drop",
                reason="no --baseline given",
            ),
            Verdict(
                "new_files_need_tests",
                "new source files have tests",
                Status.PASS,
                Fraction(2),
                Fraction(2),
                unit="files",
            ),
        ],
        patch=[PatchFile("src/a.py", 4, (3, 5), (7,), True)],
        diffcov=dc,
        notes=["baseline has totals only"],
        source_notes=[
            AnalysisNote(
                "python",
                "fallback",
                "tree_sitter_python is not installed",
                3,
                ("tests", "functions (complexity estimated)"),
                ("error paths", "imports"),
            )
        ],
    )


def test_check_terminal(golden: Golden) -> None:
    golden(
        "check/verdicts.txt", plain(check_terminal(sample(), explain=True, header=["base: main"]))
    )


def test_check_markdown(golden: Golden) -> None:
    text = check_markdown(sample(), explain=True, header=["base: main"])
    golden("check/verdicts.md", text)
    # A failing 79.9996 % is never shown as the limit.
    assert "| 79.99 % | ≥ 80 % |" in text
    assert "src/a\\|b.py" not in text.split("###")[0]  # offenders are listed below the table
    assert "> source analysis: Python: 3 files analysed without tree-sitter" in text


def test_check_json_is_exact_and_deterministic(golden: Golden) -> None:
    data = check_json(sample(), context={"base": "main"})
    assert data == check_json(sample(), context={"base": "main"})
    doc = json.loads(data)
    assert doc["verdicts"][0]["measured_exact"] == "199999/2500"
    assert doc["diff"]["UNC"] == 1 and doc["ok"] is False
    # Issue 10: the source analysis' fallback is in the JSON, as covgap tests writes it.
    [note] = doc["source_notes"]
    assert (note["language"], note["analyser"], note["files"]) == ("Python", "regex", 3)
    assert note["message"].startswith("Python: 3 files analysed without tree-sitter")
    golden("check/verdicts.json", data.decode())


def test_no_gates_configured() -> None:
    assert "no gates configured" in plain(check_terminal(GateResult([])))
    assert "No gates configured: nothing fails." in check_markdown(GateResult([]))


def test_diff_renderers(golden: Golden) -> None:
    dc = sample().diffcov
    assert dc is not None
    golden("check/diff.txt", plain(diff_terminal(dc, header=["baseline: b.json"])))
    md = diff_markdown(dc, header=["baseline: b.json"])
    golden("check/diff.md", md)
    assert "quiet.py" not in md  # only changed files unless asked
    assert "quiet.py" in diff_markdown(dc, all_files=True)
    doc = json.loads(diff_json(dc))
    assert doc["files"][0]["lines"]["DCB"] == [4] and "DCB" in doc["baseline_line_numbers"]
    assert doc["files"][0]["branches"]["LBC"] == [[2, 0, 1]]
    assert doc["branch_totals"]["CBC"] == 1
