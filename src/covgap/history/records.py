"""What the store answers with, apart from how it is read (no SQLAlchemy here).

:class:`RunInfo` and :class:`Carried` are shared by :mod:`covgap.history.store` (the
full store) and :mod:`covgap.history.reader` (the trend's fast read path), so reading
a run's facts does not import the database toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from covgap.model import Counts


@dataclass(frozen=True)
class Carried:
    """A suite a run did not record, carried from the nearest ancestor run that did."""

    suite: str
    from_commit: str
    from_run: int
    files: int
    changed: int
    """Files of that suite left out because their content changed since."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "from_commit": self.from_commit,
            "from_run": self.from_run,
            "files": self.files,
            "changed_files": self.changed,
        }


@dataclass(frozen=True)
class RunInfo:
    """One run as stored: its keys, its suites, what was carried, and its totals."""

    id: int
    repository: str
    run_key: str
    commit: str
    branch: str | None
    pr: str | None
    created_at: float
    updated_at: float
    suites: tuple[str, ...]
    carried: tuple[Carried, ...]
    uploads: int
    totals: Counts
    tests: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "repository": self.repository,
            "run_key": self.run_key,
            "commit": self.commit,
            "branch": self.branch,
            "pr": self.pr,
            "created_at": self.created_at,
            "suites": list(self.suites),
            "carried": [c.as_dict() for c in self.carried],
            "uploads": self.uploads,
            "tests": self.tests,
            "totals": self.totals.as_dict(),
        }


@dataclass(frozen=True)
class RecordResult:
    """What a record stored: the upload, and the run it is now part of."""

    upload_id: int
    run: RunInfo
    size: int


__all__ = ["Carried", "RecordResult", "RunInfo"]
