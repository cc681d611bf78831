"""A commit's full report on the server: the static HTML report itself.

``covgap report --html`` writes a site with :func:`covgap.report.html.write_html`:
``index.html`` (dashboard, treemap, sortable and filterable tables), ``files/<slug>.html``
(one page per file: hits, branches, suites, functions) and its scripts, stylesheet and
data files. The server serves *that site*: on a commit's first view it calls the same
``write_html`` on the commit's stored merged coverage, into a cache directory, and then
serves the directory's files under ``/NAME/commit/SHA/`` (the site's relative links
work unchanged). Whatever the static report consists of, the server serves: nothing is
re-implemented here.

The cache is keyed by the store, the repository, the commit and its *data version* (its
history run, upload count and update time) together with covgap's version and the
report's own code (:func:`covgap.report.html.inputs_key`), so a newer upload or a newer
covgap never shows an old page. A site is written into a temporary sibling and renamed
into place, so processes sharing the directory (several ``serve`` processes on one
machine) see a whole site or none; two building the same site at once both succeed and
one rename wins. Older versions of a commit's site are removed when a new one is in
place, and at most :data:`MAX_SITES` sites are kept per store. The directory can be
deleted at any time.

Sources: the server has no checkout. The site is written against a temporary one that
holds only the source texts uploaded with ``covgap upload --sources`` for the blob ids
recorded with the commit's files (:mod:`covgap.server.sources`): those file pages show
the highlighted source exactly as the static report does; the others are the report's
no-source pages (line numbers with their hits, branch outcomes, suites and functions;
"Source not shown" instead of the text). The dashboard has no risk tiers (the gap
analysis needs the whole checkout) and no components (detected from the checkout's
manifests). The cache key includes the repository's stored
sources (:func:`covgap.server.sources.sources_version`), so a site built before the
sources arrived is rebuilt. Links back to the server and a note saying so are added
to the pages as they are served.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import escape
from sqlalchemy import Engine

from covgap.analysis.summary import summarize
from covgap.history.store import Store
from covgap.model import CoverageSet
from covgap.report.html import inputs_key, write_html
from covgap.server.sources import load_sources, materialise, sources_version
from covgap.server.worker import commit_coverage
from covgap.workspace import Workspace

MAX_SITES = 200
"""Sites kept per store in the cache; the least recently built go first."""
COMPLETE = ".covgap-site-complete"
"""Written last into a site before it is renamed into place."""
NOTE = (
    "File pages show the source text when it was uploaded "
    "(<code>covgap upload --sources</code>); otherwise line numbers with their hits, "
    "branches, suites and functions (the annotated source is "
    "<code>covgap report --html</code> in a checkout). No risk tiers or components: "
    "they need the checkout."
)


def default_cache_dir() -> Path:
    """``covgap-server-<uid>`` in the system's temporary directory."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return Path(tempfile.gettempdir()) / f"covgap-server-{uid}"


@dataclass(frozen=True)
class Site:
    """A commit's rendered report in the cache."""

    root: Path

    def file(self, name: str, folder: str = "") -> Path | None:
        """The site's file ``folder/name``, only if the site lists it.

        ``name`` is looked up in the directory's own listing, never joined blindly, so
        no request path can reach outside the site; the build marker is not served.
        """
        base = self.root / folder if folder else self.root
        if name == COMPLETE or name.startswith("."):
            return None
        try:
            listed = name in os.listdir(base)
        except OSError:
            return None
        path = base / name
        return path if listed and path.is_file() else None


class ReportCache:
    """The commits' rendered sites under one cache directory, shared by processes."""

    def __init__(self, root: Path | None, store: str) -> None:
        digest = hashlib.blake2b(store.encode(), digest_size=8).hexdigest()
        self.dir = (root or default_cache_dir()) / digest
        self.store = store

    def site(self, engine: Engine, row: Any, title: str) -> Site:
        """The site of the commit ``row`` (a ``server_commits`` row), built if needed."""
        prefix = f"{row.repo_id}-{row.sha}-"
        data = [str(row.run_id), str(row.uploads), repr(row.updated_at)]
        version = inputs_key(
            Path(os.sep),
            [],
            parts=[self.store, *data, commit_sources_version(engine, row.repo_id), title],
        )[:20]
        final = self.dir / f"{prefix}{version}"
        if (final / COMPLETE).is_file():
            return Site(final)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=self.dir))
        try:
            coverage, blobs, texts = commit_inputs(engine, row)
            _write_site(tmp, coverage, title, blobs, texts)
            (tmp / COMPLETE).write_text("made by covgap serve; safe to delete\n")
            try:
                tmp.rename(final)
            except OSError:
                if not (final / COMPLETE).is_file():  # not another process's win
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._prune(prefix, final)
        return Site(final)

    def _prune(self, prefix: str, keep: Path) -> None:
        """Remove the commit's older versions, then the oldest sites past the cap."""
        try:
            entries = [e for e in os.scandir(self.dir) if not e.name.startswith(".")]
        except OSError:
            return
        live = []
        for entry in entries:
            if entry.name.startswith(prefix) and entry.path != str(keep):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                live.append(entry)
        if len(live) > MAX_SITES:
            live.sort(key=lambda e: e.stat().st_mtime)
            for entry in live[: len(live) - MAX_SITES]:
                if entry.path != str(keep):
                    shutil.rmtree(entry.path, ignore_errors=True)


def commit_sources_version(engine: Engine, repo_id: int) -> str:
    """:func:`covgap.server.sources.sources_version` in its own read."""
    with engine.connect() as conn:
        return str(sources_version(conn, repo_id))


def commit_inputs(engine: Engine, row: Any) -> tuple[CoverageSet, dict[str, str], dict[str, bytes]]:
    """The commit's merged coverage, its files' blob ids and the stored texts of those."""
    if row.run_id is None:
        return commit_coverage(engine, None), {}, {}
    run = Store(engine, engine.url.render_as_string(hide_password=True)).run_coverage(row.run_id)
    blobs = {**run.carried.blobs, **run.detail.blobs}
    with engine.connect() as conn:
        texts = load_sources(conn, row.repo_id, blobs.values())
    return run.coverage(), blobs, texts


def _write_site(
    out: Path,
    coverage: CoverageSet,
    title: str,
    blobs: Mapping[str, str] | None = None,
    texts: Mapping[str, bytes] | None = None,
) -> None:
    """``write_html`` on the commit's coverage against a checkout of the stored sources.

    The checkout holds only the files whose text the server has (none without
    ``covgap upload --sources``); it is deleted once the site is written.
    """
    checkout = out / ".checkout"
    checkout.mkdir()
    try:
        files = materialise(checkout, blobs or {}, texts or {})
        summary = summarize(coverage, Workspace(root=checkout, files=files))
        write_html(out, summary, coverage, checkout, title=title, jobs=1)
    finally:
        shutil.rmtree(checkout, ignore_errors=True)


def nav_html(repo: str, commit: dict[str, Any], *, depth: int = 0) -> str:
    """The server's links and note, inserted into the site's pages as they are served.

    ``commit`` is :func:`covgap.server.queries.commit_brief`; ``depth`` is how many
    folders below the site's root the page is (file pages: 1). Everything is escaped.
    """
    name = str(escape(repo))
    quoted = quote(repo, safe="")
    sha = str(escape(commit["sha"]))
    up = "../" * depth
    parts = [
        '<nav class="server-nav" aria-label="covgap server"><p class="crumbs">'
        f'<a href="/">covgap server</a> / <a href="/{quoted}">{name}</a> / '
        f'<a href="{up}index.html"><code>{sha[:12]}</code></a>'
    ]
    if commit.get("branch"):
        parts.append(f" on <b>{escape(commit['branch'])}</b>")
    if commit.get("pr"):
        parts.append(f" · PR #{int(commit['pr'])}")
    parts.append(f" · {int(commit['uploads'])} upload(s)")
    if commit.get("base"):
        parts.append(
            f' · <a id="compare-link" href="/{quoted}/commit/{sha}/compare">compare with base</a>'
        )
    parts.append(f'</p><p class="note">{NOTE}</p></nav>')
    return "".join(parts)


def with_nav(page: bytes, nav: str, anchor: bytes) -> bytes:
    """``page`` with ``nav`` inserted after the first ``anchor`` (unchanged without one)."""
    at = page.find(anchor)
    if at < 0:
        return page
    at += len(anchor)
    return page[:at] + b"\n" + nav.encode() + page[at:]


__all__ = ["NOTE", "ReportCache", "Site", "default_cache_dir", "nav_html", "with_nav"]
