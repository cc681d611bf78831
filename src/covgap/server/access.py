"""Tokens: random, shown once, stored hashed, compared in constant time.

A token is ``cg<kind>_`` followed by 43 URL-safe characters (32 random bytes from
:mod:`secrets`). The database keeps only its SHA-256: with 256 bits of entropy a
plain hash cannot be reversed or brute-forced, so no salt or slow KDF is needed, and
the hash can be an indexed lookup key. The looked-up row's hash is still compared with
:func:`hmac.compare_digest`. Logs and pages only ever show ``prefix`` (the first 10
characters), never a whole token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from covgap.server import db

KINDS = {"upload": "u", "read": "r", "admin": "a"}


@dataclass(frozen=True)
class Token:
    """A token's row: what it may do and for which repository (None for admin)."""

    id: int
    kind: str
    repo_id: int | None
    prefix: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token(conn: Connection, kind: str, repo_id: int | None) -> str:
    """Create a token, store its hash, and return the token itself (the only time)."""
    token = f"cg{KINDS[kind]}_{secrets.token_urlsafe(32)}"
    conn.execute(
        insert(db.tokens).values(
            repo_id=repo_id,
            kind=kind,
            token_hash=hash_token(token),
            prefix=token[:10],
            created_at=time.time(),
            revoked=False,
        )
    )
    return token


def authenticate(conn: Connection, token: str | None) -> Token | None:
    """The live token row ``token`` names, or None."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    row = conn.execute(
        select(db.tokens).where(db.tokens.c.token_hash == digest, db.tokens.c.revoked.is_(False))
    ).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return Token(row.id, row.kind, row.repo_id, row.prefix)


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer TOKEN`` (or ``token TOKEN``) header."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() not in {"bearer", "token"} or not value.strip():
        return None
    return value.strip()


__all__ = ["KINDS", "Token", "authenticate", "bearer", "hash_token", "new_token"]
