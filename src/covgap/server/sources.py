"""Source text on the server: sent by ``covgap upload --sources``, shown in file pages.

The server has no checkout, so without this a commit's file pages are the HTML
report's no-source pages. An upload may carry the text of the files its reports
cover (:mod:`covgap.upload` decides which, within its caps), as::

    "sources": [{"blob": GIT_BLOB_ID, "path": PATH, "text": UTF8_TEXT}, ...]

Checked when the upload is accepted, before anything is stored
(:func:`parse_sources`): the path is a repository-relative path without ``..``
(:func:`covgap.server.limits.check_path`) that the upload's ``blobs`` map to the same
blob id, and the blob id is **recomputed** from the text (git's ``blob <size>\\0``
SHA-1): a text that does not hash to its id refuses the whole upload (400). So a
stored source is exactly the content git names by that id, and a client cannot
plant text under another file's id.

Stored content-addressed per repository (``server_sources``: repository, blob id,
zlib-compressed text), in the same transaction as the upload (:func:`store_sources`);
a blob already stored is not stored again, whichever commit sent it. The size limits
of the upload body (compressed, decompressed, ratio: :mod:`covgap.server.limits`)
cover the sources, which travel inside the same gzipped document, and one text may
not exceed :data:`MAX_SOURCE_BYTES`.

When a commit's report is rendered (:mod:`covgap.server.report`), the sources stored
for the blob ids recorded with the commit's files are written into the render's
temporary checkout (:func:`materialise`), so those file pages show highlighted
source exactly like the static report; files without a stored source keep the
no-source page.
"""

from __future__ import annotations

import os
import re
import time
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Connection, select, update

from covgap.history.context import git_blob_id
from covgap.server import db
from covgap.server.limits import Refused, check_path

MAX_SOURCE_BYTES = 2 << 20
"""Largest single source text accepted (UTF-8 bytes); ``covgap upload`` skips larger
files with a note (its default per-file cap is the same)."""
_BLOB = re.compile(r"^[0-9a-f]{40}$")
_CHUNK = 500
"""Blob ids per ``IN (...)`` query when loading sources."""


def parse_sources(value: Any, blobs: Mapping[str, str]) -> dict[str, bytes]:
    """The upload's ``sources`` member checked and verified: blob id -> UTF-8 bytes.

    Raises :class:`Refused` (400) for anything malformed, a hostile path, a path the
    upload's ``blobs`` do not give this blob id, a text over the size limit, or a text
    whose git blob hash is not its id.
    """
    if value is None:
        return {}
    if not isinstance(value, list):
        raise Refused(400, "upload: 'sources' must be a list of {blob, path, text}")
    out: dict[str, bytes] = {}
    for i, entry in enumerate(value):
        if not isinstance(entry, dict):
            raise Refused(400, f"upload: sources[{i}] must be an object")
        path, blob, text = entry.get("path"), entry.get("blob"), entry.get("text")
        if not isinstance(path, str) or not isinstance(blob, str) or not isinstance(text, str):
            raise Refused(400, f"upload: sources[{i}] needs string 'path', 'blob' and 'text'")
        check_path(path, "source path")
        if not _BLOB.match(blob):
            raise Refused(400, f"upload: source {path!r}: {blob!r} is not a git blob id")
        if blobs.get(path) != blob:
            raise Refused(
                400, f"upload: source {path!r}: its blob id is not the one 'blobs' gives the path"
            )
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError:
            raise Refused(400, f"upload: source {path!r} is not valid Unicode text") from None
        if len(data) > MAX_SOURCE_BYTES:
            raise Refused(
                413, f"upload: source {path!r} is {len(data)} bytes; limit {MAX_SOURCE_BYTES}"
            )
        actual = git_blob_id(data)
        if actual != blob:
            raise Refused(
                400,
                f"upload: source {path!r}: the text's git blob id is {actual}, not {blob}: refused",
            )
        out[blob] = data
    return out


def store_sources(conn: Connection, repo_id: int, sources: Mapping[str, bytes]) -> int:
    """Store the texts not stored yet for the repository; return how many were new.

    Content-addressed: an existing (repository, blob) row is left alone (its text is
    the same by construction), also when another upload stores it concurrently.
    """
    if not sources:
        return 0
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    have = set(_existing(conn, repo_id, sources))
    rows = [
        {
            "repo_id": repo_id,
            "blob": blob,
            "size": len(data),
            "data": zlib.compress(data, 6),
            "created_at": time.time(),
        }
        for blob, data in sources.items()
        if blob not in have
    ]
    if rows:
        conn.execute(upsert(db.sources).on_conflict_do_nothing(), rows)
        r = db.repositories
        conn.execute(
            update(r).where(r.c.id == repo_id).values(sources_version=r.c.sources_version + 1)
        )
    return len(rows)


MAX_ASKED = 100_000
"""Most blob ids one :func:`missing` question may name."""


def missing(conn: Connection, repo_id: int, raw: bytes) -> list[str]:
    """Of the blob ids in the JSON ``{"blobs": [...]}``, those the repository lacks.

    What ``covgap upload --sources`` asks first, so unchanged files are not sent again.
    """
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise Refused(400, f"sources/missing: not JSON ({exc})") from None
    blobs = doc.get("blobs") if isinstance(doc, dict) else None
    if (
        not isinstance(blobs, list)
        or len(blobs) > MAX_ASKED
        or not all(isinstance(b, str) and _BLOB.match(b) for b in blobs)
    ):
        raise Refused(
            400, f'sources/missing: expected {{"blobs": [git blob ids]}}, at most {MAX_ASKED}'
        )
    have = set(_existing(conn, repo_id, blobs))
    return sorted(set(blobs) - have)


def _existing(conn: Connection, repo_id: int, blobs: Iterable[str]) -> list[str]:
    s = db.sources
    wanted = sorted(set(blobs))
    found: list[str] = []
    for at in range(0, len(wanted), _CHUNK):
        part = wanted[at : at + _CHUNK]
        found.extend(
            conn.execute(
                select(s.c.blob).where(s.c.repo_id == repo_id, s.c.blob.in_(part))
            ).scalars()
        )
    return found


def load_sources(conn: Connection, repo_id: int, blobs: Iterable[str]) -> dict[str, bytes]:
    """The stored texts of ``blobs`` (those the repository has): blob id -> bytes."""
    s = db.sources
    wanted = sorted(set(blobs))
    out: dict[str, bytes] = {}
    for at in range(0, len(wanted), _CHUNK):
        rows = conn.execute(
            select(s.c.blob, s.c.data).where(
                s.c.repo_id == repo_id, s.c.blob.in_(wanted[at : at + _CHUNK])
            )
        )
        for blob, data in rows:
            out[blob] = zlib.decompress(data)
    return out


def sources_version(conn: Connection, repo_id: int) -> int:
    """Changes whenever a source is stored for the repository (part of the cache key).

    Repository-wide on purpose: a commit's file may get its text from a later upload
    of another commit with the same blob, so a commit's site must be rebuilt then too.
    A counter on the repository's row, bumped by :func:`store_sources` in the same
    transaction: one primary-key read per page view.
    """
    r = db.repositories
    found = conn.execute(select(r.c.sources_version).where(r.c.id == repo_id)).scalar()
    return int(found or 0)


def materialise(root: Path, paths: Mapping[str, str], texts: Mapping[str, bytes]) -> list[str]:
    """Write the text of each ``path -> blob`` that has one under ``root``; return the paths.

    ``root`` is a fresh empty directory (no links in it). Paths were checked when they
    were uploaded and are checked again here (a stored run could predate the checks):
    relative, no ``..`` segment, no backslash, so each file lands inside ``root``.
    """
    base = os.path.realpath(root)
    written: list[str] = []
    for path, blob in sorted(paths.items()):
        data = texts.get(blob)
        if data is None:
            continue
        try:
            check_path(path, "source path")
        except Refused:
            continue
        target = os.path.join(base, path)  # checked: relative, no "..", in a fresh dir
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as fh:
                fh.write(data)
        except OSError:  # e.g. a path that is also another path's folder
            continue
        written.append(path)
    return written


__all__ = [
    "MAX_SOURCE_BYTES",
    "load_sources",
    "materialise",
    "missing",
    "parse_sources",
    "sources_version",
    "store_sources",
]
