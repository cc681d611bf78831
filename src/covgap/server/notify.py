"""Tell the outside world a commit's result is ready: a commit-status POST.

The body is GitHub's commit-status shape (``state``, ``target_url``, ``description``,
``context``; see :func:`covgap.server.queries.status_payload`) so a small relay, or a
GitHub App, can forward it unchanged. It is sent with the standard library, with a
short timeout, after the transaction that completed the commit; a failure is logged
(the URL only, never a token) and does not fail the job.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from typing import Any

import orjson
from sqlalchemy import Engine, select

from covgap.server import db, queries
from covgap.server.service import Repository
from covgap.server.worker import Processed

log = logging.getLogger("covgap.server")


def commit_link(public_url: str | None, repo: str, sha: str) -> str:
    base = (public_url or "").rstrip("/")
    return f"{base}/{repo}/commit/{sha}"


def post_json(url: str, payload: dict[str, Any], timeout: float = 10.0) -> int:
    request = urllib.request.Request(
        url,
        data=orjson.dumps(payload),
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "covgap-server"},
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return int(response.status)


def notify_ready(
    engine: Engine, processed: Processed, default_url: str | None, public_url: str | None
) -> dict[str, Any] | None:
    """POST the commit's status to its repository's URL (else the server's); return it."""
    with engine.connect() as conn:
        repo_row = conn.execute(
            select(db.repositories).where(db.repositories.c.id == processed.repo_id)
        ).one()
        repo = Repository(repo_row.id, repo_row.name, bool(repo_row.public), repo_row.notify_url)
        target = repo.notify_url or default_url
        if not target:
            return None
        head = queries.find_commit(conn, repo, processed.commit)
        verdict = queries.gate(conn, repo, head)
        payload = queries.status_payload(
            repo, head, verdict, commit_link(public_url, repo.name, head.sha)
        )
    try:
        post_json(target, payload)
    except (urllib.error.URLError, OSError) as exc:
        log.warning("notification to %s failed: %s", target, exc)
        return None
    return payload


__all__ = ["commit_link", "notify_ready", "post_json"]
