"""Flapping lines: covered in one whole run, not in another, over identical source.

Only whole runs are compared (a run's shards merged), never shards of one run with each
other, and only per suite: a line the unit tests cover and the e2e tests do not is not
flaky. "Identical source" is the same git blob id, so re-runs of one commit and commits
that did not touch the file both count, and an edit to the file starts afresh.

A line's ``flips`` is how often its covered state changed from one run to the next, in
the order the runs were recorded; ``runs`` is how many runs measured it.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from covgap.history.store import Store
from covgap.model import CoverageSet, FileCoverage


@dataclass(frozen=True)
class FlakyLine:
    path: str
    line: int
    suite: str
    flips: int
    runs: int
    blob: str

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "suite": self.suite,
            "flips": self.flips,
            "runs": self.runs,
            "blob": self.blob,
        }


class _Seen:
    """One file's lines over its runs with identical source (one suite, one blob id).

    Most runs measure a file exactly as the run before did: those are only counted
    (two C-level array comparisons), and the per-line states are built only once a
    file's lines or hits change. A file that never changed cannot have flipped.
    """

    __slots__ = ("hits", "lines", "repeats", "states")

    def __init__(self, lines: array[int], hits: array[int]) -> None:
        self.lines, self.hits, self.repeats = lines, hits, 1
        self.states: dict[int, list[int]] | None = None
        """line -> [observations, flips, last state], once anything changed."""

    def observe(self, lines: array[int], hits: array[int]) -> None:
        if hits == self.hits and lines == self.lines:
            self.repeats += 1
            return
        self._apply()
        self.lines, self.hits, self.repeats = lines, hits, 1

    def _apply(self) -> None:
        """Count the pending ``repeats`` identical observations into ``states``."""
        states = self.states if self.states is not None else {}
        self.states = states
        n = self.repeats
        for line, hits in zip(self.lines, self.hits, strict=True):
            state = 1 if hits > 0 else 0
            entry = states.get(line)
            if entry is None:
                states[line] = [n, 0, state]
            else:
                entry[0] += n
                if entry[2] != state:
                    entry[1] += 1
                    entry[2] = state
        self.repeats = 0

    def flipped(self) -> dict[int, tuple[int, int]]:
        """``line -> (observations, flips)`` of the lines that flipped at least once."""
        if self.states is None:
            return {}
        self._apply()
        return {line: (e[0], e[1]) for line, e in self.states.items() if e[1] > 0}


def flaky_lines(
    store: Store,
    repository: str,
    *,
    branch: str | None = None,
    since: float | None = None,
    max_runs: int = 50,
) -> list[FlakyLine]:
    """Lines that flipped between the newest ``max_runs`` runs, most flips first."""
    runs = store.runs(
        repository=repository, branch=branch, since=since, limit=max_runs, newest_first=True
    )
    runs.reverse()
    # (suite, path, blob) -> what was seen of that file's lines over identical source
    seen: dict[tuple[str, str, str], _Seen] = {}
    for run in runs:
        columns = store.run_lines(run.id)
        for suite, files in columns.suites.items():
            for path, lines, hits in files:
                blob = columns.blobs.get(path)
                if blob is None:
                    continue
                key = (suite, path, blob)
                entry = seen.get(key)
                if entry is None:
                    seen[key] = _Seen(lines, hits)
                else:
                    entry.observe(lines, hits)
    found = [
        FlakyLine(path, line, suite, flips, observed, blob)
        for (suite, path, blob), entry in seen.items()
        for line, (observed, flips) in entry.flipped().items()
    ]
    found.sort(key=lambda f: (-f.flips, f.path, f.line, f.suite))
    return found


def by_path(lines: Iterable[FlakyLine]) -> dict[str, set[int]]:
    out: dict[str, set[int]] = {}
    for item in lines:
        out.setdefault(item.path, set()).add(item.line)
    return out


def without_lines(coverage: CoverageSet, drop: Mapping[str, set[int]]) -> CoverageSet:
    """``coverage`` with the given lines (and their branches) no longer counted."""
    if not drop:
        return coverage
    files = dict(coverage.files)
    for path, lines in drop.items():
        fc = files.get(path)
        if fc is None:
            continue
        keep = [i for i, ln in enumerate(fc.lines) if ln not in lines]
        bkeep = [i for i, ln in enumerate(fc.br_line) if ln not in lines]
        files[path] = FileCoverage(
            path,
            array("i", (fc.lines[i] for i in keep)),
            array("q", (fc.hits[i] for i in keep)),
            br_line=array("i", (fc.br_line[i] for i in bkeep)),
            br_block=array("i", (fc.br_block[i] for i in bkeep)),
            br_branch=array("i", (fc.br_branch[i] for i in bkeep)),
            br_taken=array("q", (fc.br_taken[i] for i in bkeep)),
            functions=fc.functions,
            flags={
                flag: array("i", (ln for ln in covered if ln not in lines))
                for flag, covered in fc.flags.items()
            },
        )
    return CoverageSet(files, coverage.inputs, coverage.source_roots, coverage.notes)


__all__ = ["FlakyLine", "by_path", "flaky_lines", "without_lines"]
