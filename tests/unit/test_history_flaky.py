"""``flaky``'s counting: only changed files are looked at line by line, same answers."""

from __future__ import annotations

import sqlite3
from array import array
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.errors import StoreError
from covgap.history import open_store
from covgap.history.flaky import _Seen, flaky_lines
from covgap.model import CoverageSet, FileCoverage

observation = st.dictionaries(st.integers(1, 6), st.integers(0, 2), max_size=6).map(
    lambda d: (array("i", sorted(d)), array("q", [d[k] for k in sorted(d)]))
)


def reference(observations: list[tuple[array[int], array[int]]]) -> dict[int, tuple[int, int]]:
    """The per-line loop over every observation (what flaky did before the fast path)."""
    states: dict[int, list[int]] = {}
    for lines, hits in observations:
        for line, n in zip(lines, hits, strict=True):
            state = 1 if n > 0 else 0
            entry = states.get(line)
            if entry is None:
                states[line] = [1, 0, state]
            else:
                entry[0] += 1
                if entry[2] != state:
                    entry[1] += 1
                    entry[2] = state
    return {line: (e[0], e[1]) for line, e in states.items() if e[1] > 0}


@given(st.lists(observation, min_size=1, max_size=12), st.data())
@settings(max_examples=300, deadline=None)
def test_counting_equals_the_per_line_reference(
    distinct: list[tuple[array[int], array[int]]], data: st.DataObject
) -> None:
    # runs repeat observations often (an unchanged file): draw a sequence with repeats
    order = data.draw(st.lists(st.integers(0, len(distinct) - 1), min_size=1, max_size=25))
    observations = [distinct[i] for i in order]
    seen = _Seen(*observations[0])
    for lines, hits in observations[1:]:
        seen.observe(array("i", lines), array("q", hits))
    assert seen.flipped() == reference(observations)


def test_unchanged_files_build_no_line_states() -> None:
    seen = _Seen(array("i", [1, 2]), array("q", [1, 0]))
    for _ in range(5):
        seen.observe(array("i", [1, 2]), array("q", [1, 0]))
    assert seen.states is None and seen.repeats == 6 and seen.flipped() == {}


def run(hits: list[int]) -> dict[str, CoverageSet]:
    fc = FileCoverage("a.py", array("i", range(1, len(hits) + 1)), array("q", hits))
    return {"unit": CoverageSet({"a.py": fc})}


def test_flaky_over_a_store_and_damaged_runs(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/h.db"
    with open_store(url) as store:
        for i, hits in enumerate([[1, 1, 0], [1, 0, 0], [1, 1, 0], [1, 1, 0]]):
            store.record(
                run(hits), repository="r", commit=f"{i:040x}", blobs={"a.py": "1" * 40}, now=i
            )
        # a re-run shard merged into run 4 keeps the run's merged detail in runs.detail
        store.record(
            run([0, 1, 0]),
            repository="r",
            commit=f"{3:040x}",
            run_key="k",
            blobs={"a.py": "1" * 40},
            now=9,
        )
        store.record(
            run([0, 1, 1]),
            repository="r",
            commit=f"{3:040x}",
            run_key="k",
            blobs={"a.py": "1" * 40},
            now=9,
        )
        found = [(f.line, f.flips, f.runs) for f in flaky_lines(store, "r")]
        assert found == [(2, 2, 5), (1, 1, 5), (3, 1, 5)]
        with pytest.raises(StoreError, match="no run 99"):
            store.run_lines(99)
    con = sqlite3.connect(tmp_path / "h.db")
    con.execute("UPDATE uploads SET detail = x'01deadbeef' WHERE id = 1")
    con.commit()
    con.close()
    with open_store(url) as store, pytest.raises(StoreError, match="run 1: damaged detail"):
        flaky_lines(store, "r")
