"""A commit's full report on the server: the static HTML report's own pages.

``covgap report --html`` writes a site (:mod:`covgap.report.html`): ``index.html``
(dashboard, treemap, sortable and filterable tables), ``files/<slug>.html`` (one page
per file: hits, branches, suites, functions) and its scripts and stylesheet. The server
serves *the same* pages for a commit, rendered on request by the same functions
(:func:`~covgap.report.html.render_index`, :func:`~covgap.report.html.file_jobs`,
:func:`~covgap.report.html.render_file_page`) from the commit's stored merged coverage,
under ``/NAME/commit/SHA/`` so the pages' relative links (``files/...``,
``../covgap.css``) work unchanged.

Sources: the server stores coverage, not source text, so the file pages are in the
report's no-source mode (like genhtml's ``--no-source``): line numbers with their hits,
branch outcomes, suites and functions, and a line saying why the text is missing. The
gap analysis needs the sources too, so the dashboard has no risk tiers; components are
not detected either (the server has no manifests). Both are stated on the page.

Rendering is stateless; each process keeps the last few commits' prepared pages in
memory (:class:`ReportCache`), keyed by the commit's data version (its run, upload count
and update time), so a newer upload is never answered with an older page.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape
from sqlalchemy import Engine

from covgap.analysis.summary import Summary, summarize
from covgap.model import CoverageSet
from covgap.report.html import (
    ASSETS,
    FilePageJob,
    environment,
    file_jobs,
    gap_details,
    render_file_page,
    render_index,
)
from covgap.server.worker import commit_coverage
from covgap.workspace import Workspace

NO_SOURCE = (
    "the covgap server stores coverage, not source text; "
    "run covgap report --html in a checkout for the annotated source"
)
"""What each file page says in place of the source."""
ANCHOR = "<main>"
CACHE_SIZE = 4
"""Commits whose prepared pages a process keeps (a 10,000-file commit is ~100 MB)."""


@dataclass(frozen=True)
class CommitReport:
    """One commit's report, ready to render any of its pages."""

    title: str
    summary: Summary
    coverage: CoverageSet
    pages: dict[str, FilePageJob]
    """``files/<page>`` name -> what renders it."""

    def index_html(self, nav: str) -> str:
        """The dashboard, with ``nav`` (already-escaped HTML) inserted after ``<main>``."""
        page = render_index(environment(), self.summary, self.coverage, None, self.title)
        at = page.find(ANCHOR)
        if at < 0:  # pragma: no cover - the report's template always has <main>
            return page
        at += len(ANCHOR)
        return page[:at] + "\n" + nav + page[at:]

    def file_page(self, name: str) -> bytes | None:
        """``files/<name>``, or None when this commit has no such page."""
        job = self.pages.get(name)
        return None if job is None else render_file_page(job)


def build(coverage: CoverageSet, title: str) -> CommitReport:
    """Prepare a report of ``coverage`` with the static report's code, without sources."""
    workspace = Workspace(root=Path("/nonexistent-covgap-server-checkout"), files=[])
    summary = summarize(coverage, workspace)
    jobs = file_jobs(summary, coverage, None, title=title, no_source=NO_SOURCE)
    return CommitReport(title, summary, coverage, {job.page: job for job in jobs})


def asset(name: str) -> str | None:
    """One of the report's static files (``covgap.css``, ``covgap.js``, ``file.js``)."""
    if name not in ASSETS:
        return None
    env = environment()
    text: str = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
    return text


def gaps_script() -> bytes:
    """``gaps.js`` with no gaps: the server has no sources to analyse."""
    return gap_details(None)


def nav_html(repo: str, commit: dict[str, Any]) -> str:
    """The server's links above the dashboard: repository, comparison, commit facts."""
    name = str(escape(repo))
    quoted = _quote(repo)
    sha = str(escape(commit["sha"]))
    parts = [
        f'<nav class="server-nav" aria-label="covgap server"><p class="crumbs">'
        f'<a href="/">covgap server</a> / <a href="/{quoted}">{name}</a> / '
        f"<code>{sha[:12]}</code>"
    ]
    if commit.get("branch"):
        parts.append(f" on <b>{escape(commit['branch'])}</b>")
    if commit.get("pr"):
        parts.append(f" · PR #{escape(str(commit['pr']))}")
    parts.append(f" · {int(commit['uploads'])} upload(s)")
    if commit.get("base"):
        parts.append(
            f' · <a id="compare-link" href="/{quoted}/commit/{sha}/compare">compare with base</a>'
        )
    parts.append(
        '</p><p class="note">Source text is not stored on the server: file pages show '
        "line numbers, hits, branches, suites and functions. No risk tiers or components "
        "(they need the checkout).</p></nav>"
    )
    return "".join(parts)


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


class ReportCache:
    """The last :data:`CACHE_SIZE` commits' reports of this process, by data version."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: OrderedDict[tuple[Any, ...], CommitReport] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, engine: Engine, row: Any, title: str) -> CommitReport:
        """The report of the commit ``row`` (a ``server_commits`` row)."""
        key = (row.repo_id, row.sha, row.run_id, row.uploads, row.updated_at, title)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        report = build(commit_coverage(engine, row.run_id), title)
        with self._lock:
            self._items[key] = report
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return report


__all__ = ["NO_SOURCE", "CommitReport", "ReportCache", "asset", "build", "gaps_script", "nav_html"]
