"""Store URLs: which engine, where, and how to name a store without its password."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from covgap.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

_PASSWORD = re.compile(r"^([A-Za-z][\w+.-]*://[^:/@]*:)[^/]*@")

_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&]*", re.IGNORECASE)

DEFAULT_STORE_FILE = ".covgap/history.db"
"""Where :data:`DEFAULT_STORE` is, relative to the repository (no URL parsing needed)."""

DEFAULT_STORE = "sqlite:///" + DEFAULT_STORE_FILE
"""The store used when none is named: a SQLite file in the repository, nothing to set up."""


def mask(url: str) -> str:
    """``url`` with its password replaced by ``***``, for every message that names a store."""
    # On the text itself, up to the netloc's last "@": a URL that does not even parse,
    # or a password with a raw "@", must not leak either.
    return _QUERY_PASSWORD.sub(r"\1***", _PASSWORD.sub(r"\1***@", url))


def parse(url: str, root: Path | None = None) -> URL:
    """The SQLAlchemy URL for a store URL.

    ``sqlite:///relative/path`` is taken relative to ``root`` (the repository) so the
    default store sits in the repository whatever the working directory;
    ``postgresql://`` and ``postgres://`` use psycopg 3.
    """
    from sqlalchemy.engine import make_url  # here: mask() must not import SQLAlchemy
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise StoreError(
            f"store {mask(url)}: not a store URL "
            "(expected sqlite:///path/to/history.db or postgresql://user@host/db)"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if parsed.drivername not in ("sqlite", "sqlite+pysqlite"):
            raise StoreError(f"store {mask(url)}: unsupported SQLite driver {parsed.drivername}")
        database = parsed.database or ""
        if not database or database == ":memory:":
            raise StoreError(f"store {mask(url)}: a SQLite store needs a file path")
        path = Path(database).expanduser()
        if not path.is_absolute() and root is not None:
            path = root / path
        return parsed.set(drivername="sqlite+pysqlite", database=str(path))
    if backend in ("postgresql", "postgres"):
        if parsed.drivername not in ("postgresql", "postgres", "postgresql+psycopg"):
            raise StoreError(
                f"store {mask(url)}: unsupported PostgreSQL driver {parsed.drivername} "
                "(covgap uses psycopg 3: write postgresql://...)"
            )
        return parsed.set(drivername="postgresql+psycopg")
    raise StoreError(
        f"store {mask(url)}: unsupported database {backend!r} (use sqlite:/// or postgresql://)"
    )


__all__ = ["DEFAULT_STORE", "mask", "parse"]
