"""Which runs ``covgap history prune`` deletes: all but the newest N per branch.

Runs of protected branches (``[history] protected_branches``, default ``main`` and
``master``) are all kept: they are the baselines other branches compare with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from covgap.history.store import RunInfo

DEFAULT_PROTECTED = ("main", "master")


def runs_to_prune(
    runs: Sequence[RunInfo], keep: int, protected: Iterable[str] = DEFAULT_PROTECTED
) -> list[RunInfo]:
    """The runs beyond the newest ``keep`` of each unprotected branch (oldest first)."""
    if keep < 0:
        raise ValueError("keep must be at least 0")
    safe = set(protected)
    by_branch: dict[str | None, list[RunInfo]] = {}
    for run in sorted(runs, key=lambda r: (r.created_at, r.id), reverse=True):
        by_branch.setdefault(run.branch, []).append(run)
    doomed = [
        run for branch, group in by_branch.items() if branch not in safe for run in group[keep:]
    ]
    return sorted(doomed, key=lambda r: (r.created_at, r.id))


__all__ = ["DEFAULT_PROTECTED", "runs_to_prune"]
