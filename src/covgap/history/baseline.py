"""The baseline finds itself: the run recorded at the merge-base, or the nearest ancestor.

``check --base REF``, ``diff --base REF`` and ``gaps --baseline`` without a baseline
file ask here. The answer names the commit it used and how far it is from the
merge-base, so a baseline from three commits earlier is never passed off as exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from covgap import gitinfo
from covgap.history.context import ancestors, distance
from covgap.history.store import RunInfo, Store
from covgap.model import CoverageSet


@dataclass(frozen=True)
class StoredBaseline:
    """The stored coverage chosen as the baseline and why."""

    ref: str
    merge_base: str
    commit: str
    distance: int | None
    """Commits between the chosen run's commit and the merge-base (0: the merge-base)."""
    runs: tuple[RunInfo, ...]
    coverage: CoverageSet

    @property
    def carried(self) -> tuple[str, ...]:
        return tuple(sorted({c.suite for r in self.runs for c in r.carried}))

    def describe(self) -> str:
        """``store run 12 at 1a2b3c4d5e6f (the merge-base of main)`` and the like."""
        runs = ", ".join(str(r.id) for r in self.runs)
        label = "run" if len(self.runs) == 1 else "runs"
        if self.distance == 0:
            where = f"the merge-base of {self.ref}"
        else:
            away = "?" if self.distance is None else str(self.distance)
            plural = "" if self.distance == 1 else "s"
            where = (
                f"nearest recorded ancestor, {away} commit{plural} before the merge-base "
                f"{self.merge_base[:12]} of {self.ref}"
            )
        carried = f"; carried: {', '.join(self.carried)}" if self.carried else ""
        return f"store {label} {runs} at {self.commit[:12]} ({where}{carried})"


def find_baseline(
    store: Store,
    repository: str,
    root: Path,
    ref: str,
    *,
    use_merge_base: bool = True,
    depth: int = 1000,
    with_coverage: bool = True,
) -> tuple[StoredBaseline | None, str | None]:
    """The baseline for ``ref``: ``(found, None)`` or ``(None, why not)``.

    ``with_coverage=False`` leaves ``coverage`` empty: finding the commit reads only run
    rows, while the per-line detail of a large repository takes a while to decode.
    """
    info = gitinfo.resolve_base(root, ref, use_merge_base=use_merge_base)
    if info.problem is not None or info.commit is None:
        return None, info.problem or f"{ref} does not name a commit"
    start = info.commit
    chain = [start, *ancestors(root, start, depth)]
    found = store.commits_with_runs(repository, chain)
    for sha in chain:
        runs = found.get(sha)
        if runs:
            coverage = store.commit_coverage(repository, sha)[0] if with_coverage else CoverageSet()
            away = 0 if sha == start else distance(root, sha, start)
            return StoredBaseline(ref, start, sha, away, tuple(runs), coverage), None
    return None, (
        f"no run of {repository} recorded at {start[:12]} ({ref}) or any of its "
        f"{len(chain) - 1} nearest ancestors"
    )


__all__ = ["StoredBaseline", "find_baseline"]
