"""Exceptions raised by step handlers and the worker."""

from __future__ import annotations


class TaskerError(Exception):
    """Base class of every tasker error."""

    code = "tasker_error"


class RetryableError(TaskerError):
    """The step may succeed if retried later (timeouts, unavailable services)."""

    code = "retryable_error"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(TaskerError):
    """The step can never succeed with this input."""

    code = "permanent_error"


class HandlerNotFound(TaskerError):
    """No handler is registered under the requested name."""

    code = "handler_not_found"


class ProtocolError(TaskerError):
    """A message from the orchestrator could not be understood."""

    code = "protocol_error"
