"""What the server refuses before anything is stored: size, gzip bombs, hostile names.

Every check raises :class:`Refused` with the HTTP status to answer and one line saying
why; the handler turns it into the response. Nothing is written to the database until
every check has passed.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_MAX_BODY = 32 << 20
"""Largest compressed upload accepted (``COVGAP_MAX_BODY``)."""
DEFAULT_MAX_INFLATED = 512 << 20
"""Largest decompressed upload accepted (``COVGAP_MAX_INFLATED``)."""
DEFAULT_MAX_RATIO = 200
"""Largest decompressed/compressed ratio (``COVGAP_MAX_RATIO``). Coverage reports are
repetitive text and compress 10-50x; a gzip bomb compresses ~1000x."""

_REPO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_FLAG = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
_RESERVED = frozenset({"api", "static", "health", "favicon.ico", "robots.txt"})


class Refused(Exception):
    """A request the server will not accept; ``status`` is the HTTP status to answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Limits:
    """The size limits of one server (every field also an environment variable)."""

    max_body: int = DEFAULT_MAX_BODY
    max_inflated: int = DEFAULT_MAX_INFLATED
    max_ratio: int = DEFAULT_MAX_RATIO


def inflate(data: bytes, limits: Limits) -> bytes:
    """Decompress a gzip body, stopping as soon as it would exceed a limit.

    Decompression is streamed in bounded steps (``max_length``), so a bomb is caught
    after at most one step past the limit, never after inflating it whole. Both an
    absolute size and a ratio are enforced: the ratio catches a small bomb long before
    the absolute limit, the absolute limit catches a large honest-looking body.
    """
    if len(data) > limits.max_body:
        raise Refused(413, f"upload is {len(data)} bytes; the limit is {limits.max_body}")
    cap = min(limits.max_inflated, max(len(data), 1024) * limits.max_ratio)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out: list[bytes] = []
    size = 0
    pending = data
    step = 1 << 20
    try:
        while True:
            chunk = inflater.decompress(pending, step)
            pending = inflater.unconsumed_tail
            size += len(chunk)
            if size > cap:
                why = (
                    "the decompression ratio limit"
                    if cap < limits.max_inflated
                    else "the decompressed size limit"
                )
                raise Refused(413, f"upload inflates past {cap} bytes ({why}): refused")
            out.append(chunk)
            if inflater.eof:
                if inflater.unused_data:
                    raise Refused(400, "upload: trailing data after the gzip stream")
                break
            if not chunk and not pending:
                raise Refused(400, "upload: truncated gzip stream")
    except zlib.error as exc:
        raise Refused(400, f"upload: not valid gzip data ({exc})") from None
    return b"".join(out)


def check_repo_name(name: str) -> str:
    """A repository name: letters, digits, ``.``, ``_``, ``-``; not a reserved route."""
    if not _REPO_NAME.match(name) or name.lower() in _RESERVED or name in {".", ".."}:
        raise Refused(
            400,
            f"repository name {name!r} is not allowed (letters, digits, '.', '_', '-'; "
            "up to 100; not api/static/health)",
        )
    return name


def check_sha(sha: str, what: str = "commit") -> str:
    if not _SHA.match(sha):
        raise Refused(400, f"{what} {sha!r} is not a hexadecimal commit id")
    return sha


def check_flag(flag: str) -> str:
    if not _FLAG.match(flag):
        raise Refused(400, f"suite flag {flag!r} is not allowed")
    return flag


def check_path(name: str, what: str) -> str:
    """Refuse a name that could escape a directory or confuse a terminal or page.

    Repository-relative POSIX paths only: no absolute paths, drive letters or UNC
    names, no ``..`` segment, no backslash, no NUL or other control character.
    """
    if not name or len(name) > 4096:
        raise Refused(400, f"{what}: empty or over-long name")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise Refused(400, f"{what} {name!r}: control characters are not allowed")
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise Refused(400, f"{what} {name!r}: only relative POSIX paths are allowed")
    if any(part == ".." for part in name.split("/")):
        raise Refused(400, f"{what} {name!r}: '..' is not allowed in a path")
    return name


def check_paths(names: Iterable[str], what: str) -> list[str]:
    return [check_path(n, what) for n in names]


__all__ = [
    "Limits",
    "Refused",
    "check_flag",
    "check_path",
    "check_paths",
    "check_repo_name",
    "check_sha",
    "inflate",
]
