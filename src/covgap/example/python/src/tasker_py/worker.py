"""The worker loop: take step requests, run their handler, report results."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tasker_py.errors import HandlerNotFound, ProtocolError, TaskerError
from tasker_py.events import EventLog
from tasker_py.handler import StepContext
from tasker_py.registry import HandlerRegistry
from tasker_py.retry import RetryPolicy
from tasker_py.serialization import decode_request, encode_result

log = logging.getLogger(__name__)


@dataclass
class WorkerStats:
    succeeded: int = 0
    failed: int = 0
    retried: int = 0
    rejected: int = 0
    errors: list[str] = field(default_factory=list)


class Worker:
    """Runs step requests against a registry and sends results through ``send``."""

    def __init__(
        self,
        registry: HandlerRegistry,
        send: Callable[[str], None],
        policy: RetryPolicy | None = None,
        events: EventLog | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.send = send
        self.policy = policy or RetryPolicy()
        self.events = events or EventLog()
        self.clock = clock
        self.stats = WorkerStats()

    def process(self, line: str) -> bool:
        """Handle one request line; returns whether the step succeeded."""
        try:
            request = decode_request(line)
        except ProtocolError as exc:
            self.stats.rejected += 1
            self.stats.errors.append(str(exc))
            log.warning("rejected request: %s", exc)
            return False
        context = StepContext(
            task_id=request["task_id"],
            step_id=request["step_id"],
            step_name=request["handler"],
            attempt=request["attempt"],
            inputs=request["inputs"],
            dependency_results=request["dependency_results"],
        )
        started = self.clock()
        try:
            handler = self.registry.resolve(request["handler"], request.get("version"))
            result = handler.run(context)
        except HandlerNotFound as exc:
            self._fail(context, exc, started)
            return False
        except TaskerError as exc:
            self._fail(context, exc, started)
            return False
        except Exception as exc:  # a handler bug: report it, keep the worker alive
            log.exception("handler %s crashed", request["handler"])
            self._fail(context, exc, started)
            return False
        elapsed = int((self.clock() - started) * 1000)
        self.send(
            encode_result(
                context.task_id, context.step_id, context.attempt, result, duration_ms=elapsed
            )
        )
        self.stats.succeeded += 1
        self.events.emit("step.completed", step=context.step_name, ms=elapsed)
        return True

    def _fail(self, context: StepContext, error: BaseException, started: float) -> None:
        elapsed = int((self.clock() - started) * 1000)
        retry = self.policy.should_retry(error, context.attempt)
        if retry:
            self.stats.retried += 1
        else:
            self.stats.failed += 1
        self.stats.errors.append(f"{context.step_name}: {error}")
        self.send(
            encode_result(
                context.task_id, context.step_id, context.attempt, error=error, duration_ms=elapsed
            )
        )
        self.events.emit("step.failed", step=context.step_name, retry=retry)

    def run(self, lines: Iterable[str]) -> WorkerStats:
        for line in lines:
            if line.strip():
                self.process(line)
        return self.stats
