"""gcovr's JaCoCo and Clover XML (gcovr 8.4+): read as gcovr counts them, or said why not.

``tests/data/gcovr-xml/make.sh`` builds a C++ program whose template is instantiated
twice (one instance never runs) and has the real gcovr write JaCoCo, Clover, JSON and
its own totals (``native.json``). gcovr writes such a template line once per function
instance, and its JaCoCo ``<line>`` elements carry branch counts only (issue #10).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
from covgap.formats import detect, read_report

FOLDER = Path(__file__).resolve().parents[1] / "data" / "gcovr-xml"


def _check(folder: Path) -> None:
    native = json.loads((folder / "native.json").read_text())
    per_line = read_report(folder / "templates.gcovr.json").totals()

    jacoco_path = folder / "templates.jacoco.xml"
    assert detect(jacoco_path).name == "jacoco"
    jacoco = read_report(jacoco_path)
    c = jacoco.totals()
    # Branches: what gcovr counts, each function instance's outcomes on their own.
    assert (c.branches_total, c.branches_covered) == (
        native["branch_total"],
        native["branch_covered"],
    )
    assert c.branches_total > 0
    # Lines: the file carries none per line; the note says so with the counter's figure.
    assert c.lines_total == 0
    notes = "\n".join(jacoco.notes)
    assert "1 file(s) have no per-line line coverage" in notes
    assert f"say {native['line_covered']} of {native['line_total']} lines covered" in notes
    assert "<line> element(s) repeat a line number" in notes

    clover_path = folder / "templates.clover.xml"
    assert detect(clover_path).name == "clover"
    clover = read_report(clover_path)
    k = clover.totals()
    # One source line per line number, as covgap reads gcovr's JSON of the same run.
    assert (k.lines_total, k.lines_covered) == (per_line.lines_total, per_line.lines_covered)
    assert k.lines_total < native["line_total"]  # gcovr counts the instances
    notes = "\n".join(clover.notes)
    gcovr_lines = f"{native['line_covered']}/{native['line_total']}"
    assert f"lines {gcovr_lines} in the report, {k.lines_covered}/{k.lines_total} counted" in notes


def test_gcovr_jacoco_and_clover_are_read() -> None:
    _check(FOLDER)


@pytest.mark.realtool
def test_fresh_gcovr_xml_run(tmp_path: Path) -> None:
    """Re-run make.sh (g++ --coverage, the real gcovr) into tmp_path and check again."""
    require_tool("g++", "gcov")
    env = dict(os.environ, OUT=str(tmp_path))
    subprocess.run(["sh", str(FOLDER / "make.sh")], check=True, env=env, timeout=120)
    _check(tmp_path)
