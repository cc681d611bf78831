"""Encode step results into the orchestrator's wire format and decode step requests."""

from __future__ import annotations

import json
from typing import Any

from tasker_py.errors import PermanentError, ProtocolError, RetryableError

MAX_PAYLOAD_BYTES = 64 * 1024


def encode_result(
    task_id: int,
    step_id: int,
    attempt: int,
    result: Any = None,
    error: BaseException | None = None,
    duration_ms: int = 0,
) -> str:
    """One wire line, as ``message_handler.rs`` parses it."""
    fields = [f"task={task_id}", f"step={step_id}", f"attempt={attempt}"]
    if error is None:
        fields.append("status=success")
        if result is not None:
            payload = json.dumps(result, separators=(",", ":"), sort_keys=True)
            if ";" in payload:
                raise PermanentError("payloads may not contain ';'")
            if len(payload.encode()) > MAX_PAYLOAD_BYTES:
                raise PermanentError(f"payload of {len(payload)} bytes is too large")
            fields.append(f"payload={payload}")
    elif isinstance(error, RetryableError):
        fields += ["status=retryable_error", f"error={_clean(error)}"]
    else:
        fields += ["status=permanent_error", f"error={_clean(error)}"]
    if duration_ms:
        fields.append(f"duration_ms={duration_ms}")
    return ";".join(fields)


def _clean(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text.replace(";", ",").replace("\n", " ")


def decode_request(line: str) -> dict[str, Any]:
    """Decode a step request (JSON) sent by the orchestrator."""
    try:
        message = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ProtocolError(f"not JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(message, dict):
        raise ProtocolError("a step request must be an object")
    missing = [k for k in ("task_id", "step_id", "handler") if k not in message]
    if missing:
        raise ProtocolError(f"missing fields: {', '.join(missing)}")
    message.setdefault("attempt", 1)
    message.setdefault("inputs", {})
    message.setdefault("dependency_results", {})
    return message
