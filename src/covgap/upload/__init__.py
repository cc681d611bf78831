"""``covgap upload``: send reports to a covgap server from CI, with the standard library.

This package needs nothing beyond a plain ``pip install covgap`` (HTTP is
:mod:`urllib`), so every CI job can upload without the server extra.

What is sent, as one gzip-compressed JSON document (``version`` 1)::

    {"version": 1, "commit": SHA, "branch": NAME|null, "pr": N|null, "base": SHA|null,
     "repository": NAME|null,
     "files": [every file of the repository, as `git ls-files` lists it],
     "diff": {"base": SHA, "files": [{"path", "old_path", "status", "hunks": [[...4]]}]}|null,
     "blobs": {path: git blob id},
     "reports": [{"name": "coverage/lcov.info", "flag": "unit"|null,
                  "format": "lcov"|null, "data": BASE64}],
     "sources": [{"blob": git blob id, "path": PATH, "text": UTF8_TEXT}]}  # --sources

With ``--sources`` (:func:`collect_sources`) the text of every file the reports cover
that is in the checkout is sent too, once per distinct blob id, so the server's file
pages show the source (the server verifies each text against its blob id and stores
it: :mod:`covgap.server.sources`). At most :data:`MAX_SOURCE_FILE` bytes per file and
:data:`MAX_SOURCES_TOTAL` in all; larger files, files that are not UTF-8 text and files
whose bytes in the checkout differ from git's blob (a checkout filter such as
``core.autocrlf``) are skipped with a note; texts the server already has are not sent
again (:func:`drop_stored_sources` asks it first).

The file list lets the server map report paths onto the repository exactly as
``covgap report`` does on a checkout; the diff against the merge-base of the PR's
target lets it compute patch coverage and the differential categories without a
clone. Commit, branch, PR number and base are taken from the options, else from the
usual CI variables (GitHub Actions, GitLab CI, CircleCI, Buildkite, Jenkins, Azure),
else from git.
"""

from __future__ import annotations

import base64
import gzip
import os
import re
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from covgap import gitinfo
from covgap.errors import CovgapError, GitError, InputError
from covgap.pipeline import InputSpec

UPLOAD_VERSION = 1
MAX_SOURCE_FILE = 2 << 20
"""Largest source file sent by ``--sources`` (the server's limit too)."""
MAX_SOURCES_TOTAL = 50 << 20
"""Most source text one upload sends (uncompressed); files past it are skipped."""


class UploadError(CovgapError):
    """The server refused the upload or could not be reached."""


_COMMIT_VARS = (
    "COVGAP_COMMIT",
    "GITHUB_PR_HEAD_SHA",
    "CI_COMMIT_SHA",
    "CIRCLE_SHA1",
    "BUILDKITE_COMMIT",
    "GIT_COMMIT",
    "BUILD_SOURCEVERSION",
    "GITHUB_SHA",
)
_BRANCH_VARS = (
    "COVGAP_BRANCH",
    "GITHUB_HEAD_REF",
    "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME",
    "CI_COMMIT_BRANCH",
    "CIRCLE_BRANCH",
    "BUILDKITE_BRANCH",
    "BRANCH_NAME",
    "GIT_BRANCH",
    "BUILD_SOURCEBRANCHNAME",
    "GITHUB_REF_NAME",
)
_PR_VARS = (
    "COVGAP_PR",
    "CI_MERGE_REQUEST_IID",
    "CIRCLE_PR_NUMBER",
    "BUILDKITE_PULL_REQUEST",
    "CHANGE_ID",
    "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER",
)


def _first(env: Mapping[str, str], names: Sequence[str]) -> tuple[str, str] | None:
    for name in names:
        value = env.get(name, "").strip()
        if value and value.lower() != "false":
            return value, name
    return None


def ci_pr_number(env: Mapping[str, str]) -> int | None:
    """The PR/MR number CI announces, if any (``refs/pull/N/merge`` on GitHub)."""
    found = _first(env, _PR_VARS)
    if found and found[0].isdigit():
        return int(found[0])
    match = re.match(r"^refs/pull/(\d+)/", env.get("GITHUB_REF", ""))
    return int(match.group(1)) if match else None


@dataclass
class UploadPlan:
    """Everything one upload will send, before it is encoded."""

    commit: str
    branch: str | None
    pr: int | None
    base: str | None
    files: list[str]
    reports: list[tuple[InputSpec, str | None]]
    diff: dict[str, Any] | None
    repository: str | None = None
    notes: list[str] = field(default_factory=list)
    blobs: dict[str, str] = field(default_factory=dict)
    """Git blob id per file: the server's flapping-line detection compares lines only
    over identical file content."""
    sources: list[dict[str, str]] = field(default_factory=list)
    """``--sources``: ``{"blob", "path", "text"}`` per distinct covered file's content."""


def plan_upload(
    inputs: Sequence[InputSpec],
    repo: Path,
    *,
    commit: str | None = None,
    branch: str | None = None,
    pr: int | None = None,
    base: str | None = None,
    flag: str | None = None,
    format_name: str | None = None,
    repository: str | None = None,
    env: Mapping[str, str] | None = None,
    sources: bool = False,
    max_source_file: int = MAX_SOURCE_FILE,
    max_sources_total: int = MAX_SOURCES_TOTAL,
) -> UploadPlan:
    """Work out what to send: explicit values, else CI variables, else git.

    ``sources``: also the covered files' text (:func:`collect_sources`).
    """
    from covgap.workspace import git_files, walk_files

    env = os.environ if env is None else env
    notes: list[str] = []
    if not inputs:
        raise InputError("covgap upload: name at least one report file")
    for spec in inputs:
        if not spec.path.is_file():
            raise InputError(f"{spec.path}: no such file")
    in_git = True
    try:
        gitinfo.toplevel(repo)
    except GitError:
        in_git = False
    if commit is None:
        found = _first(env, _COMMIT_VARS)
        if found:
            commit = found[0]
        elif in_git:
            commit = gitinfo.current_commit(repo)
        else:
            raise InputError("covgap upload: no --commit given and not inside a git repository")
    if branch is None:
        found = _first(env, _BRANCH_VARS)
        branch = found[0].removeprefix("refs/heads/") if found else None
        if branch is None and in_git:
            branch = gitinfo.branch(repo)
    if pr is None:
        pr = ci_pr_number(env)
    files = (git_files(repo) if in_git else None) or walk_files(repo)
    diff: dict[str, Any] | None = None
    if base is None and in_git and (pr is not None or env.get("GITHUB_BASE_REF")):
        ref = gitinfo.default_base(repo, env)
        if ref is not None:
            info = gitinfo.resolve_base(repo, ref[0])
            if info.problem:
                notes.append(f"no PR comparison: {info.problem}")
            else:
                base = info.merge_base
    if base is not None and in_git:
        try:
            d = gitinfo.diff(repo, base)
        except GitError as exc:
            notes.append(f"no diff against {base[:12]}: {exc}")
        else:
            diff = {
                "base": base,
                "files": [
                    {
                        "path": fd.path,
                        "old_path": fd.old_path,
                        "status": fd.status,
                        "hunks": [
                            [h.old_start, h.old_count, h.new_start, h.new_count] for h in fd.hunks
                        ],
                    }
                    for fd in d.files.values()
                    if not fd.binary
                ],
            }
    reports = [(InputSpec(s.path, s.flag or flag), format_name) for s in inputs]
    blobs: dict[str, str] = {}
    if in_git:
        from covgap.history.context import blob_ids

        blobs = blob_ids(repo, files)
    plan = UploadPlan(commit, branch, pr, base, files, reports, diff, repository, notes, blobs)
    if sources:
        plan.sources = collect_sources(
            repo,
            covered_files(plan, repo),
            plan.blobs,
            notes,
            max_file=max_source_file,
            max_total=max_sources_total,
        )
    return plan


def covered_files(plan: UploadPlan, repo: Path) -> list[str]:
    """The repository files the plan's reports cover, mapped as the server maps them.

    The reports are read here with covgap's readers and mapped onto the same file
    list (:func:`covgap.paths.map_paths`), so the files chosen are the server's.
    """
    from covgap.config import Config
    from covgap.formats import read_report
    from covgap.paths import map_paths
    from covgap.workspace import Workspace

    workspace = Workspace(repo, sorted(set(plan.files)))
    covered: set[str] = set()
    for spec, fmt in plan.reports:
        cs = read_report(spec.path, format_name=fmt, flag=spec.flag)
        covered.update(map_paths(cs, workspace, Config().path_fixes).coverage.files)
    return sorted(covered & set(plan.files))


def collect_sources(
    repo: Path,
    paths: Sequence[str],
    blobs: Mapping[str, str],
    notes: list[str],
    *,
    max_file: int = MAX_SOURCE_FILE,
    max_total: int = MAX_SOURCES_TOTAL,
) -> list[dict[str, str]]:
    """The text of ``paths`` that can be sent, once per blob id; skips go to ``notes``.

    Only files with a blob id (the server records text by it) whose bytes hash to that
    id, are UTF-8 and fit the caps: the first files in path order fill the total cap.
    """
    from covgap.history.context import git_blob_id

    out: list[dict[str, str]] = []
    sent: set[str] = set()
    total = 0
    skipped: dict[str, list[str]] = {}
    for path in paths:
        blob = blobs.get(path)
        if blob is None or blob in sent:
            continue
        full = repo / path
        try:
            size = full.stat().st_size
            if size > max_file:
                skipped.setdefault(f"over the {max_file}-byte per-file cap", []).append(path)
                continue
            if total + size > max_total:
                skipped.setdefault(f"past the {max_total}-byte total cap", []).append(path)
                continue
            data = full.read_bytes()
        except OSError:
            skipped.setdefault("unreadable", []).append(path)
            continue
        if git_blob_id(data) != blob:
            skipped.setdefault("checkout differs from git's blob (a checkout filter)", []).append(
                path
            )
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            skipped.setdefault("not UTF-8 text", []).append(path)
            continue
        sent.add(blob)
        total += len(data)
        out.append({"blob": blob, "path": path, "text": text})
    for why, names in skipped.items():
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        notes.append(
            f"--sources: {len(names)} file(s) sent without source ({why}): {shown}; "
            "their pages on the server show no source"
        )
    return out


def encode(plan: UploadPlan) -> bytes:
    """The gzip-compressed JSON document the server accepts (see the module doc)."""
    reports = []
    for spec, fmt in plan.reports:
        try:
            data = spec.path.read_bytes()
        except OSError as exc:
            raise InputError(f"{spec.path}: cannot read ({exc.strerror})") from None
        reports.append(
            {
                "name": spec.path.name if spec.path.is_absolute() else spec.path.as_posix(),
                "flag": spec.flag,
                "format": fmt,
                "data": base64.b64encode(data).decode("ascii"),
            }
        )
    doc = {
        "version": UPLOAD_VERSION,
        "commit": plan.commit,
        "branch": plan.branch,
        "pr": plan.pr,
        "base": plan.base,
        "repository": plan.repository,
        "files": plan.files,
        "diff": plan.diff,
        "blobs": plan.blobs,
        "reports": reports,
    }
    if plan.sources:
        doc["sources"] = plan.sources
    return gzip.compress(orjson.dumps(doc), compresslevel=6)


def drop_stored_sources(plan: UploadPlan, url: str, token: str, *, timeout: float = 30.0) -> None:
    """Leave out of ``plan.sources`` the texts the server already has (by blob id).

    One small request (``POST URL/api/v1/sources/missing``) saves re-sending every
    unchanged file on every CI run. If the server cannot answer, everything is sent
    and a note says so.
    """
    if not plan.sources or not url.startswith(("http://", "https://")):
        return  # nothing to ask, or a URL send() refuses
    endpoint = url.rstrip("/") + "/api/v1/sources/missing"
    request = urllib.request.Request(
        endpoint,
        data=orjson.dumps({"blobs": [s["blob"] for s in plan.sources]}),
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "User-Agent": "covgap-upload",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            wanted = set(orjson.loads(response.read())["missing"])
    except urllib.error.HTTPError as exc:
        plan.notes.append(
            f"--sources: the server did not say which texts it has ({exc.code}: "
            f"{_error_detail(exc)}); sending all {len(plan.sources)}"
        )
        return
    except (urllib.error.URLError, OSError, orjson.JSONDecodeError, KeyError, TypeError) as exc:
        plan.notes.append(
            f"--sources: could not ask the server which texts it has ({exc}); "
            f"sending all {len(plan.sources)}"
        )
        return
    kept = [s for s in plan.sources if s["blob"] in wanted]
    if len(kept) < len(plan.sources):
        plan.notes.append(
            f"--sources: {len(plan.sources) - len(kept)} of {len(plan.sources)} texts are "
            "already on the server; not sent again"
        )
    plan.sources = kept


@dataclass(frozen=True)
class UploadResult:
    id: str
    repository: str
    commit: str
    url: str
    status_url: str


def send(
    body: bytes,
    url: str,
    token: str,
    *,
    timeout: float = 60.0,
    retries: int = 3,
) -> UploadResult:
    """POST the document to ``URL/api/v1/uploads``; retry only what may pass next time.

    A refusal (4xx) is final and its reason is reported; a server error (5xx) or a
    connection failure is retried with a growing pause.
    """
    if not url.startswith(("http://", "https://")):
        raise InputError(f"--url {url!r}: expected http:// or https://")
    endpoint = url.rstrip("/") + "/api/v1/uploads"
    request = urllib.request.Request(
        endpoint,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
            "User-Agent": "covgap-upload",
        },
    )
    last = ""
    for attempt in range(retries):
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                doc = orjson.loads(response.read())
                return UploadResult(
                    doc["id"], doc["repository"], doc["commit"], doc["url"], doc["status_url"]
                )
        except urllib.error.HTTPError as exc:
            detail = _error_detail(exc)
            if exc.code < 500:
                raise UploadError(f"{endpoint}: refused ({exc.code}): {detail}") from None
            last = f"server error ({exc.code}): {detail}"
        except (urllib.error.URLError, OSError) as exc:
            last = f"cannot reach the server ({getattr(exc, 'reason', exc)})"
        if attempt + 1 < retries:
            time.sleep(2**attempt)
    raise UploadError(f"{endpoint}: {last}")


def _error_detail(exc: urllib.error.HTTPError) -> str:
    try:
        doc = orjson.loads(exc.read())
        return str(doc.get("error", doc))
    except (orjson.JSONDecodeError, OSError, AttributeError):
        return exc.reason if isinstance(exc.reason, str) else "no detail"


__all__ = [
    "MAX_SOURCES_TOTAL",
    "MAX_SOURCE_FILE",
    "UploadError",
    "UploadPlan",
    "UploadResult",
    "ci_pr_number",
    "collect_sources",
    "covered_files",
    "drop_stored_sources",
    "encode",
    "plan_upload",
    "send",
]
