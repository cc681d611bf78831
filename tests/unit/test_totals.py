"""The one note every reader gives when a report's own totals differ from covgap's count."""

from __future__ import annotations

import pytest

from covgap.formats._totals import MAX_EXAMPLES, TotalsCheck


def test_agreement_gives_no_note() -> None:
    check = TotalsCheck("r.xml", "its counters", "why")
    assert check.compare("lines", (10, 4), (10, 4), where="a.c")
    assert not check.disagrees()
    assert check.note() is None
    assert check.notes() == []


def test_one_note_per_input_with_both_figures_summed_over_every_place() -> None:
    check = TotalsCheck("r.xml", "its counters", "covgap counts lines")
    check.compare("lines", (10, 4), (10, 4), where="agrees.c")
    for i in range(MAX_EXAMPLES + 2):
        check.compare("lines", (3, 1), (2, 1), where=f"f{i}.c")
    check.compare("branches", (4, 2), (4, 1), as_written="BRF:4 BRH:2", where="b.c", why="W")
    (note,) = check.notes()
    assert note.startswith("r.xml: the report's own figures (its counters) differ")
    # Both figures over every compared place, agreeing ones included.
    assert "lines 9/25 in the report, 9/20 counted by covgap" in note
    assert f"({MAX_EXAMPLES + 2} place(s), e.g. f0.c: 1/3 lines vs 1/2" in note
    assert f"f{MAX_EXAMPLES}.c" not in note  # examples are capped, the count is not
    assert "b.c: BRF:4 BRH:2 vs 1/4) [W]" in note
    assert note.endswith("; covgap counts lines")


def test_unknown_kind_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        TotalsCheck("r", "s", "w").compare("statements", (1, 1), (1, 1))
