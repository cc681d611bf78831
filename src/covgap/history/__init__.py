"""Coverage history: every recorded run, kept to answer later questions (issue 11).

A store is addressed by URL: ``sqlite:///path/to/history.db`` (the default,
:data:`DEFAULT_STORE` = ``.covgap/history.db`` in the repository, nothing to set up) or
``postgresql://user@host/db`` for a team (psycopg 3). One schema on both, declared in
:mod:`covgap.history.schema`, versioned with Alembic migrations shipped in
``covgap/history/migrations``; :func:`open_store` upgrades an older store in place and
refuses one written by a newer covgap. Every error is a
:class:`covgap.errors.StoreError` naming the store with its password masked.

The public API::

    from covgap.history import open_store

    with open_store("sqlite:///.covgap/history.db", root=repo) as store:
        result = store.record(
            {"unit": unit_cov, "e2e": e2e_cov},   # suite name ("" = unlabelled) → CoverageSet
            repository="github.com/acme/app",     # one store holds many repositories
            commit=sha, branch="main", pr=None,
            run_key="gha-1234-1",                 # shards of one CI run share it
            blobs={"src/a.py": "<git blob id>"},  # file content ids, for carryforward/flaky
            components={"src/a.py": "core"},
            ancestors=[parent, grandparent, ...], # nearest first; enables carryforward
            carry=lambda suite: True,              # which suites may be carried
        )                                          # → RecordResult(upload_id, run, size)
        store.runs(repository=..., branch=..., since=..., limit=..., newest_first=...)
        store.run(run_id) / store.uploads(run_id) / store.upload_detail(upload_id)
        store.run_coverage(run_id)      # → RunCoverage(run, detail, carried).coverage()
        store.run_totals([run_ids])     # per-suite and per-component totals
        store.commits_with_runs(repository, commits)  # which commits have runs
        store.commit_coverage(repository, sha)        # merge of a commit's runs
        store.repositories(), store.delete_runs(ids), store.size_of_runs()

Higher-level questions live beside it: :mod:`covgap.history.trend` (totals over time),
:mod:`covgap.history.baseline` (the run at the merge-base or nearest ancestor),
:mod:`covgap.history.flaky` (lines that flip between whole runs over identical source),
:mod:`covgap.history.context` (commit, branch, PR, run id and repository from git and
CI variables). :mod:`covgap.history.recorder` holds the record's SQL and
``open_writer(url)``, which records into a store already at this schema through the
database driver alone (what ``covgap record`` uses: no SQLAlchemy import). The
library never prints; ``covgap record``, ``trend``, ``flaky`` and ``history`` are the
CLI over it.

Concurrency: a record is one transaction. Shards of one run (same ``run_key``) are
merged under the run's lock (``BEGIN IMMEDIATE`` on SQLite, ``SELECT … FOR UPDATE`` on
PostgreSQL); every upload is also kept as recorded, so re-runs (another run key) stay
distinguishable from shards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from covgap.history.url import DEFAULT_STORE, mask

if TYPE_CHECKING:
    from covgap.history.codec import RunDetail
    from covgap.history.store import (
        Carried,
        RecordResult,
        RunCoverage,
        RunInfo,
        Store,
        UploadInfo,
        head_revision,
        open_store,
    )

_LAZY = {
    "RunDetail": "covgap.history.codec",
    "Carried": "covgap.history.store",
    "RecordResult": "covgap.history.store",
    "RunCoverage": "covgap.history.store",
    "RunInfo": "covgap.history.store",
    "Store": "covgap.history.store",
    "UploadInfo": "covgap.history.store",
    "head_revision": "covgap.history.store",
    "open_store": "covgap.history.store",
}
"""Imported on first use: the store needs SQLAlchemy (~0.5 s to import), which
``covgap trend``'s read path (:mod:`covgap.history.reader`) does without."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)


__all__ = [
    "DEFAULT_STORE",
    "Carried",
    "RecordResult",
    "RunCoverage",
    "RunDetail",
    "RunInfo",
    "Store",
    "UploadInfo",
    "head_revision",
    "mask",
    "open_store",
]
