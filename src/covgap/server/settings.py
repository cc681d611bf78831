"""The server's settings: one dataclass, every field an option and a ``COVGAP_*`` variable.

``covgap serve --help`` lists them all; :data:`ENV` is the one table saying which
environment variable sets which field, so the CLI and the docs cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from covgap.server.limits import Limits
from covgap.server.worker import DEFAULT_LEASE


@dataclass(frozen=True)
class Settings:
    store: str
    host: str = "127.0.0.1"
    port: int = 8080
    limits: Limits = field(default_factory=Limits)
    rate_limit: int = 600
    """Uploads a minute per token (0: no limit)."""
    lease: float = DEFAULT_LEASE
    process_threads: int = 1
    """Worker threads inside each ``serve`` process (0: leave processing to workers)."""
    notify_url: str | None = None
    """Where to POST a commit's status when no repository-specific URL is set."""
    public_url: str | None = None
    """The address users reach the server at, for links in notifications and output."""
    pool_size: int = 5
    cache_dir: str | None = None
    """Where commits' HTML reports are rendered on first view (None: a ``covgap-server``
    folder in the temporary directory); rebuilt on demand, so safe to delete."""


ENV: dict[str, str] = {
    "store": "COVGAP_STORE",
    "host": "COVGAP_HOST",
    "port": "COVGAP_PORT",
    "max_body": "COVGAP_MAX_BODY",
    "max_inflated": "COVGAP_MAX_INFLATED",
    "max_ratio": "COVGAP_MAX_RATIO",
    "rate_limit": "COVGAP_RATE_LIMIT",
    "lease": "COVGAP_LEASE",
    "process_threads": "COVGAP_PROCESS_THREADS",
    "notify_url": "COVGAP_NOTIFY_URL",
    "public_url": "COVGAP_PUBLIC_URL",
    "pool_size": "COVGAP_POOL_SIZE",
    "cache_dir": "COVGAP_CACHE_DIR",
}

__all__ = ["ENV", "Settings"]
