"""Client of the orchestrator's HTTP API, over a pluggable transport."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tasker_py.errors import PermanentError, RetryableError, TaskerError

Transport = Callable[[str, str, bytes | None], tuple[int, bytes]]


class OrchestratorClient:
    def __init__(self, transport: Transport, base_url: str = "http://localhost:8080") -> None:
        self.transport = transport
        self.base_url = base_url.rstrip("/")

    def _request(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        try:
            status, raw = self.transport(method, self.base_url + path, data)
        except (TimeoutError, ConnectionError) as exc:
            raise RetryableError(f"{method} {path}: {exc}") from exc
        if status == 404:
            raise PermanentError(f"{method} {path}: not found")
        if status == 429 or status >= 500:
            raise RetryableError(f"{method} {path}: HTTP {status}")
        if status >= 400:
            raise PermanentError(f"{method} {path}: HTTP {status}: {raw[:200]!r}")
        try:
            return json.loads(raw) if raw else None
        except ValueError as exc:
            raise TaskerError(f"{method} {path}: invalid JSON response") from exc

    def create_task(self, namespace: str, name: str, context: dict[str, Any]) -> int:
        reply = self._request(
            "POST", "/v1/tasks", {"namespace": namespace, "name": name, "context": context}
        )
        return int(reply["task_id"])

    def task_status(self, task_id: int) -> str:
        return str(self._request("GET", f"/v1/tasks/{task_id}")["state"])

    def cancel_task(self, task_id: int) -> None:
        self._request("DELETE", f"/v1/tasks/{task_id}")
