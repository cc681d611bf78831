"""Worker configuration from environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from tasker_py.errors import TaskerError


@dataclass(frozen=True)
class WorkerConfig:
    namespace: str = "default"
    concurrency: int = 4
    poll_interval: float = 1.0
    orchestrator_url: str = "http://localhost:8080"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WorkerConfig:
        env = os.environ if env is None else env
        try:
            concurrency = int(env.get("TASKER_CONCURRENCY", "4"))
            poll = float(env.get("TASKER_POLL_INTERVAL", "1.0"))
        except ValueError as exc:
            raise TaskerError(f"invalid worker configuration: {exc}") from exc
        if concurrency < 1:
            raise TaskerError("TASKER_CONCURRENCY must be at least 1")
        url = env.get("TASKER_URL", cls.orchestrator_url)
        if not url.startswith(("http://", "https://")):
            raise TaskerError(f"TASKER_URL must be an http(s) URL, got {url!r}")
        return cls(env.get("TASKER_NAMESPACE", "default"), concurrency, poll, url)
