"""The server's operations over the database, with no HTTP in sight.

The web application (:mod:`covgap.server.app`), the workers
(:mod:`covgap.server.worker`) and the ``covgap server`` commands all call these
functions, so what an upload means is decided in one place. Each write is one
transaction.

Accepting an upload (:func:`accept_upload`) checks everything that can be checked
without reading the reports — token, repository, size, gzip ratio, names, commit
ids — and then stores the still-compressed body and its queued job in one row.
Reading the reports happens later, in a worker (:func:`process_upload`).
"""

from __future__ import annotations

import binascii
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec
import orjson
from sqlalchemy import Connection, Engine, func, insert, select, update

from covgap.server import db
from covgap.server.access import Token, authenticate, new_token
from covgap.server.limits import (
    Limits,
    Refused,
    check_flag,
    check_path,
    check_paths,
    check_repo_name,
    check_sha,
    inflate,
)
from covgap.server.sources import parse_sources, store_sources

UPLOAD_VERSION = 1
_HEX = re.compile(r"^[0-9a-f]{40,64}$")
"""The version of the upload document :mod:`covgap.upload` sends."""


@dataclass(frozen=True)
class Repository:
    id: int
    name: str
    public: bool
    notify_url: str | None


def _repo(row: Any) -> Repository:
    return Repository(row.id, row.name, bool(row.public), row.notify_url)


def init_store(engine: Engine) -> str | None:
    """Create the tables; return a new admin token if the store had none, else None."""
    db.create_schema(engine)
    with db.write(engine) as conn:
        has_admin = conn.execute(
            select(db.tokens.c.id).where(
                db.tokens.c.kind == "admin", db.tokens.c.revoked.is_(False)
            )
        ).first()
        if has_admin is not None:
            return None
        return new_token(conn, "admin", None)


def create_repo(
    engine: Engine, name: str, *, public: bool = True, notify_url: str | None = None
) -> tuple[Repository, str]:
    """Create a repository and its first upload token; return both (the token only here)."""
    check_repo_name(name)
    if notify_url is not None and not notify_url.startswith(("http://", "https://")):
        raise Refused(400, f"notify URL {notify_url!r} must be http:// or https://")
    with db.write(engine) as conn:
        if conn.execute(select(db.repositories.c.id).where(db.repositories.c.name == name)).first():
            raise Refused(409, f"repository {name!r} already exists")
        rid = conn.execute(
            insert(db.repositories)
            .values(name=name, public=public, notify_url=notify_url, created_at=time.time())
            .returning(db.repositories.c.id)
        ).scalar_one()
        token = new_token(conn, "upload", rid)
    return Repository(rid, name, public, notify_url), token


def create_token(engine: Engine, repo_name: str, kind: str) -> str:
    """Another upload or read token for a repository."""
    with db.write(engine) as conn:
        repo = find_repo(conn, repo_name)
        if repo is None:
            raise Refused(404, f"no repository {repo_name!r}")
        return new_token(conn, kind, repo.id)


def find_repo(conn: Connection, name: str) -> Repository | None:
    row = conn.execute(select(db.repositories).where(db.repositories.c.name == name)).first()
    return None if row is None else _repo(row)


def list_repos(conn: Connection) -> list[Repository]:
    rows = conn.execute(select(db.repositories).order_by(db.repositories.c.name)).all()
    return [_repo(r) for r in rows]


def can_read(conn: Connection, repo: Repository, token: str | None) -> bool:
    """Public repositories are readable by anyone; private ones with its read/upload
    token or an admin token."""
    if repo.public:
        return True
    tok = authenticate(conn, token)
    return tok is not None and (tok.kind == "admin" or tok.repo_id == repo.id)


def check_rate(conn: Connection, tok: Token, per_minute: int, now: float | None = None) -> None:
    """Count one request against ``tok``'s current minute; refuse past ``per_minute``.

    The count is one upsert in the database, so the limit holds however many server
    processes share the load. Old windows are deleted as new ones start.
    """
    if per_minute <= 0:
        return
    window = int((now if now is not None else time.time()) // 60)
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    stmt = (
        upsert(db.rate)
        .values(token_id=tok.id, window=window, count=1)
        .on_conflict_do_update(
            index_elements=[db.rate.c.token_id, db.rate.c.window],
            set_={"count": db.rate.c.count + 1},
        )
        .returning(db.rate.c.count)
    )
    count = conn.execute(stmt).scalar_one()
    if count == 1:
        conn.execute(
            db.rate.delete().where(db.rate.c.token_id == tok.id, db.rate.c.window < window)
        )
    if count > per_minute:
        raise Refused(429, f"rate limit: more than {per_minute} uploads a minute with this token")


# -- accepting an upload ----------------------------------------------------------------


@dataclass
class UploadDoc:
    """A validated upload document (see :mod:`covgap.upload` for how it is built)."""

    commit: str
    branch: str | None
    pr: int | None
    base: str | None
    repository: str | None
    files: list[str]
    reports: list[dict[str, Any]]
    diff: dict[str, Any] | None = None
    blobs: dict[str, str] = field(default_factory=dict)
    sources: dict[str, bytes] = field(default_factory=dict)
    """Verified source texts by git blob id (``covgap upload --sources``)."""


def _opt_str(doc: dict[str, Any], key: str, limit: int = 255) -> str | None:
    value = doc.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise Refused(400, f"upload: {key!r} must be a string of at most {limit} characters")
    if any(ord(ch) < 32 for ch in value):
        raise Refused(400, f"upload: {key!r} contains control characters")
    return value


_MEMBERS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_REPORTS = msgspec.json.Decoder(list[dict[str, msgspec.Raw]])
_decode = msgspec.json.Decoder().decode


def _load_document(raw: bytes, *, with_sources: bool = True) -> dict[str, Any]:
    """The upload document, every member decoded except the reports' ``data``.

    A report's ``data`` (base64, most of the document's bytes) stays the raw JSON
    string it was sent as (:class:`msgspec.Raw`, a view, no copy): accepting never
    needs it, and the worker decodes it straight from those bytes
    (:func:`report_data`), skipping a copy into a Python string and back.
    """
    try:
        top = _MEMBERS.decode(raw)
        doc: dict[str, Any] = {}
        for key, value in top.items():
            if key == "sources" and not with_sources:
                continue  # up to 50 MB of text the worker does not need
            if key != "reports":
                doc[key] = _decode(value)
                continue
            try:
                reports = _REPORTS.decode(value)
            except msgspec.ValidationError:  # not a list of objects: parse_upload says so
                doc[key] = _decode(value)
                continue
            doc[key] = [
                {k: v if k == "data" else _decode(v) for k, v in rep.items()} for rep in reports
            ]
    except msgspec.ValidationError:
        raise Refused(400, "upload: expected a JSON object") from None
    except msgspec.DecodeError as exc:
        raise Refused(400, f"upload: not JSON ({exc})") from None
    return doc


def report_data(doc: UploadDoc, index: int) -> bytes:
    """The bytes of ``doc.reports[index]``, decoded from base64 (strictly).

    Decoding is left to the worker (it is the one that needs the bytes, and a 1.6 MB
    report costs milliseconds to decode): a report that is not base64 fails its upload
    there, with this message stored as the upload's error. The data is the raw JSON
    string (see :func:`_load_document`); base64 needs no JSON escapes, so its bytes
    between the quotes are decoded directly, and only a string that does use escapes
    is unescaped first.
    """
    data = doc.reports[index]["data"]
    try:
        return binascii.a2b_base64(memoryview(data)[1:-1], strict_mode=True)
    except (binascii.Error, ValueError):
        pass
    try:
        if b"\\" in bytes(data):
            return binascii.a2b_base64(msgspec.json.decode(data, type=str), strict_mode=True)
    except (binascii.Error, ValueError, msgspec.DecodeError):
        pass
    raise Refused(400, f"upload: reports[{index}].data is not base64")


def parse_upload(raw: bytes, *, with_sources: bool = True) -> UploadDoc:
    """Validate a decompressed upload document; every name in it is checked.

    Everything here is cheap next to reading the reports (one JSON parse in C, then
    checks on the names and ids): it runs when an upload is accepted, so a malformed
    document or a hostile name is refused before anything is stored. What needs the
    reports themselves — base64 data (:func:`report_data`), the formats, the
    coverage — is checked by the worker.

    ``with_sources=False`` (the worker) leaves the ``sources`` out: they were verified
    and stored when the upload was accepted.
    """
    doc = _load_document(raw, with_sources=with_sources)
    if doc.get("version") != UPLOAD_VERSION:
        raise Refused(400, f"upload: unsupported version {doc.get('version')!r}")
    commit = doc.get("commit")
    if not isinstance(commit, str):
        raise Refused(400, "upload: 'commit' is required")
    check_sha(commit.lower())
    base = _opt_str(doc, "base", 64)
    if base is not None:
        check_sha(base.lower(), "base")
    branch = _opt_str(doc, "branch")
    repository = _opt_str(doc, "repository", 100)
    pr = doc.get("pr")
    if pr is not None and (not isinstance(pr, int) or isinstance(pr, bool) or not 0 < pr < 2**31):
        raise Refused(400, "upload: 'pr' must be a positive integer")
    files = doc.get("files", [])
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise Refused(400, "upload: 'files' must be a list of paths")
    check_paths(files, "file list entry")
    reports = doc.get("reports")
    if not isinstance(reports, list) or not reports:
        raise Refused(400, "upload: 'reports' must be a non-empty list")
    for i, rep in enumerate(reports):
        if not isinstance(rep, dict) or not isinstance(rep.get("name"), str):
            raise Refused(400, f"upload: reports[{i}] needs a 'name'")
        check_path(rep["name"], "report name")
        if rep.get("flag") is not None:
            if not isinstance(rep["flag"], str):
                raise Refused(400, f"upload: reports[{i}].flag must be a string")
            check_flag(rep["flag"])
        if rep.get("format") is not None and not isinstance(rep["format"], str):
            raise Refused(400, f"upload: reports[{i}].format must be a string")
        data = rep.get("data")
        if not isinstance(data, msgspec.Raw) or bytes(memoryview(data)[:1]) != b'"':
            raise Refused(400, f"upload: reports[{i}] has no data")
    diff = doc.get("diff")
    if diff is not None:
        _check_diff(diff)
    blobs = doc.get("blobs") or {}
    if not isinstance(blobs, dict) or not all(
        isinstance(v, str) and _HEX.match(v) for v in blobs.values()
    ):
        raise Refused(400, "upload: 'blobs' must map paths to git blob ids")
    check_paths(blobs, "blob path")
    sources = parse_sources(doc.get("sources"), blobs) if with_sources else {}
    return UploadDoc(
        commit.lower(),
        branch,
        pr,
        base.lower() if base else None,
        repository,
        files,
        reports,
        diff,
        blobs,
        sources,
    )


def _check_diff(diff: Any) -> None:
    if not isinstance(diff, dict) or not isinstance(diff.get("files"), list):
        raise Refused(400, "upload: 'diff' must be an object with a 'files' list")
    for entry in diff["files"]:
        if not isinstance(entry, dict):
            raise Refused(400, "upload: diff.files entries must be objects")
        for key in ("path", "old_path"):
            if entry.get(key) is not None:
                if not isinstance(entry[key], str):
                    raise Refused(400, f"upload: diff {key} must be a string")
                check_path(entry[key], f"diff {key}")
        if entry.get("status") not in {"A", "D", "M", "R"}:
            raise Refused(400, "upload: diff status must be A, D, M or R")
        hunks = entry.get("hunks", [])
        if not isinstance(hunks, list) or not all(
            isinstance(h, list)
            and len(h) == 4
            and all(type(x) is int and 0 <= x < 2**31 for x in h)
            for h in hunks
        ):
            raise Refused(
                400, "upload: diff hunks must be [old_start, old_count, new_start, new_count]"
            )


@dataclass(frozen=True)
class Accepted:
    id: str
    repository: str
    commit: str


def accept_upload(
    engine: Engine,
    body: bytes,
    token: str | None,
    limits: Limits,
    *,
    repo_name: str | None = None,
    rate_per_minute: int = 0,
) -> Accepted:
    """Check an upload and queue it, or raise :class:`Refused` having stored nothing.

    The repository is the upload token's; naming another one (in the URL or the
    document) is refused with 403, whatever that repository's tokens are.

    The minimum per request, in this order: the token and its repository (two
    indexed lookups, plus the rate-limit upsert when a limit is set), so an unknown
    client costs no inflating; then the bomb-checked inflate and the cheap document
    checks (:func:`parse_upload`) outside any transaction; then one INSERT of the
    still-compressed body with its queued job (and the verified source texts not
    stored yet, :mod:`covgap.server.sources`). The token is looked up on every
    request (no cache), so a revoked token is refused from the next request on.
    """
    # One pooled connection for both short transactions (one checkout, one liveness
    # ping), none open while inflating; "covgap_write" makes a transaction that writes
    # BEGIN IMMEDIATE on SQLite, like every server write (db.write).
    with engine.connect() as conn:
        with conn.execution_options(covgap_write=rate_per_minute > 0).begin():
            repo = _upload_repository(conn, token, rate_per_minute)
        if repo_name is not None and repo_name != repo.name:
            raise Refused(
                403, f"upload: this token belongs to another repository, not {repo_name!r}"
            )
        doc = parse_upload(inflate(body, limits))
        if doc.repository is not None and doc.repository != repo.name:
            raise Refused(
                403, f"upload: this token belongs to another repository, not {doc.repository!r}"
            )
        upload_id = uuid.uuid4().hex
        with conn.execution_options(covgap_write=True).begin():
            _insert_upload(conn, upload_id, repo, doc, body)
    return Accepted(upload_id, repo.name, doc.commit)


def _insert_upload(
    conn: Connection, upload_id: str, repo: Repository, doc: UploadDoc, body: bytes
) -> None:
    """The one row that is both the accepted upload and its queued job, and its sources.

    The sources are stored with it, in the same transaction: an upload refused or
    rolled back stores none.
    """
    store_sources(conn, repo.id, doc.sources)
    conn.execute(
        insert(db.uploads).values(
            id=upload_id,
            repo_id=repo.id,
            commit_sha=doc.commit,
            branch=doc.branch,
            pr=doc.pr,
            base_sha=doc.base,
            state="queued",
            attempts=0,
            received_at=time.time(),
            body=body,
            body_size=len(body),
        )
    )


def missing_sources(engine: Engine, raw: bytes, token: str | None) -> list[str]:
    """The blob ids of ``raw`` (``{"blobs": [...]}``) the token's repository has no text of.

    Only an upload token may ask (the answer says which file contents the server
    holds); answers :class:`Refused` like an upload would.
    """
    from covgap.server.sources import missing

    with engine.connect() as conn:
        repo = _upload_repository(conn, token, 0)
        return missing(conn, repo.id, raw)


def _upload_repository(conn: Connection, token: str | None, rate_per_minute: int) -> Repository:
    """The repository an upload token may write, or :class:`Refused` (401/403/429)."""
    tok = authenticate(conn, token)
    if tok is None:
        raise Refused(401, "upload: missing or unknown token")
    if tok.kind != "upload" or tok.repo_id is None:
        raise Refused(403, "upload: this token cannot upload")
    check_rate(conn, tok, rate_per_minute)
    row = conn.execute(select(db.repositories).where(db.repositories.c.id == tok.repo_id)).one()
    return _repo(row)


def upload_status(conn: Connection, upload_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            db.uploads.c.id,
            db.uploads.c.state,
            db.uploads.c.commit_sha,
            db.uploads.c.attempts,
            db.uploads.c.error,
            db.uploads.c.result,
            db.uploads.c.received_at,
            db.uploads.c.processed_at,
            db.repositories.c.name,
        )
        .join(db.repositories, db.repositories.c.id == db.uploads.c.repo_id)
        .where(db.uploads.c.id == upload_id)
    ).first()
    if row is None:
        return None
    return {
        "id": row.id,
        "repository": row.name,
        "commit": row.commit_sha,
        "state": row.state,
        "attempts": row.attempts,
        "error": row.error,
        "result": orjson.loads(row.result) if row.result else None,
        "received_at": row.received_at,
        "processed_at": row.processed_at,
    }


def pending_count(conn: Connection, repo_id: int, sha: str) -> int:
    """Uploads of a commit not yet processed (queued or being processed)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(db.uploads)
            .where(
                db.uploads.c.repo_id == repo_id,
                db.uploads.c.commit_sha == sha,
                db.uploads.c.state.in_(("queued", "processing")),
            )
        ).scalar_one()
    )


def has_accepted(conn: Connection, repo_id: int, sha: str) -> bool:
    return (
        conn.execute(
            select(db.uploads.c.id)
            .where(db.uploads.c.repo_id == repo_id, db.uploads.c.commit_sha == sha)
            .limit(1)
        ).first()
        is not None
    )


def mark(conn: Connection, upload_id: str, **values: Any) -> None:
    conn.execute(update(db.uploads).where(db.uploads.c.id == upload_id).values(**values))


__all__ = [
    "UPLOAD_VERSION",
    "Accepted",
    "Repository",
    "UploadDoc",
    "accept_upload",
    "can_read",
    "check_rate",
    "create_repo",
    "create_token",
    "find_repo",
    "has_accepted",
    "init_store",
    "list_repos",
    "missing_sources",
    "parse_upload",
    "pending_count",
    "report_data",
    "upload_status",
]
