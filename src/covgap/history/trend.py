"""Totals over time: one point per commit, oldest first.

A commit's point is the merge of its runs (usually one). The totals stored on each run
row answer the common case without decoding any per-line detail, which is what keeps
the trend over a thousand runs well under a second; only a commit recorded by several
runs is merged from its detail, since coverage does not add across runs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from covgap.history.records import RunInfo
from covgap.model import Counts, CoverageSet

if TYPE_CHECKING:
    from covgap.history.reader import Reader
    from covgap.history.store import Store

SPARKS = "▁▂▃▄▅▆▇█"


@dataclass
class TrendPoint:
    """One commit's coverage in the trend."""

    commit: str
    branch: str | None
    time: float
    runs: list[RunInfo]
    totals: Counts
    suites: dict[str, Counts] = field(default_factory=dict)
    carried: list[str] = field(default_factory=list)
    components: dict[str, Counts] = field(default_factory=dict)
    tests: int | None = None
    """The repository's test count (``record --tests``), None when not counted."""

    def as_dict(self) -> dict[str, Any]:
        import datetime as dt

        return {
            "commit": self.commit,
            "branch": self.branch,
            "time": dt.datetime.fromtimestamp(self.time, dt.UTC).isoformat(timespec="seconds"),
            "runs": [r.id for r in self.runs],
            "uploads": sum(r.uploads for r in self.runs),
            "tests": self.tests,
            "totals": self.totals.as_dict(),
            "percent": {
                "lines": _round(self.totals.line_percent),
                "branches": _round(self.totals.branch_percent),
                "functions": _round(self.totals.function_percent),
            },
            "suites": {name: c.as_dict() for name, c in sorted(self.suites.items())},
            "carried": list(self.carried),
            "carried_from": {c.suite: c.from_commit for r in self.runs for c in r.carried},
            "components": {name: c.as_dict() for name, c in sorted(self.components.items())},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _merged_point(
    store: Store | Reader, runs: list[RunInfo]
) -> tuple[Counts, dict[str, Counts], dict[str, Counts]]:
    """Totals of several runs of one commit, merged from their detail."""
    every: list[CoverageSet] = []
    by_suite: dict[str, list[CoverageSet]] = defaultdict(list)
    components: dict[str, str] = {}
    for run in runs:
        rc = store.run_coverage(run.id)
        for part in (rc.detail, rc.carried):
            for name, cs in part.suites.items():
                every.append(cs)
                by_suite[name].append(cs)
            components.update(part.components)
    merged = CoverageSet.merge_all(every)
    comps: dict[str, Counts] = {}
    for path, fc in merged.files.items():
        comp = components.get(path)
        if comp is not None:
            comps[comp] = comps.get(comp, Counts()) + fc.counts()
    suites = {name: CoverageSet.merge_all(sets).totals() for name, sets in by_suite.items()}
    return merged.totals(), suites, comps


def trend(
    store: Store | Reader,
    repository: str | None,
    *,
    branch: str | None = None,
    since: float | None = None,
    component: str | None = None,
    limit: int | None = None,
) -> list[TrendPoint]:
    """The trend of ``repository`` (on ``branch``), one point per commit, oldest first.

    With ``component`` each point's ``totals`` are that component's. ``limit`` keeps
    the newest ``limit`` commits.
    """
    runs = store.runs(repository=repository, branch=branch, since=since)
    by_commit: dict[str, list[RunInfo]] = {}
    for run in runs:
        by_commit.setdefault(run.commit, []).append(run)
    commits = list(by_commit)
    if limit is not None:
        commits = commits[-limit:] if limit > 0 else []
    single = [by_commit[c][0].id for c in commits if len(by_commit[c]) == 1]
    stored = store.run_totals(single)
    points: list[TrendPoint] = []
    for commit in commits:
        group = by_commit[commit]
        carried = sorted(
            {c.suite for r in group for c in r.carried} - {s for r in group for s in r.suites}
        )
        if len(group) == 1:
            parts = stored[group[0].id]
            totals = group[0].totals
            suites = {
                name: counts for (kind, name), (_c, counts) in parts.items() if kind == "suite"
            }
            comps = {
                name: counts for (kind, name), (_c, counts) in parts.items() if kind == "component"
            }
        else:
            totals, suites, comps = _merged_point(store, group)
        if component is not None:
            totals = comps.get(component, Counts())
        points.append(
            TrendPoint(
                commit=commit,
                branch=group[0].branch,
                time=group[0].created_at,
                runs=group,
                totals=totals,
                suites=suites,
                carried=carried,
                components=comps,
                tests=next((r.tests for r in reversed(group) if r.tests is not None), None),
            )
        )
    return points


def sparkline(values: list[float | None]) -> str:
    """``▁▃█``-style bars scaled between the smallest and largest value (blank: no data)."""
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    low, high = min(known), max(known)
    span = high - low
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif span == 0:
            out.append(SPARKS[-1])
        else:
            out.append(
                SPARKS[min(len(SPARKS) - 1, int((v - low) / span * (len(SPARKS) - 1) + 0.5))]
            )
    return "".join(out)


__all__ = ["SPARKS", "TrendPoint", "sparkline", "trend"]
