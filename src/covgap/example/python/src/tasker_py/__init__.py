"""Python step handlers and worker for the tasker orchestration service."""

from tasker_py.errors import PermanentError, RetryableError, TaskerError
from tasker_py.handler import StepContext, StepHandler
from tasker_py.registry import HandlerRegistry

__all__ = [
    "HandlerRegistry",
    "PermanentError",
    "RetryableError",
    "StepContext",
    "StepHandler",
    "TaskerError",
]
__version__ = "0.4.2"
