"""The step handler base class and the context handlers receive."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tasker_py.errors import PermanentError


@dataclass
class StepContext:
    """What a handler knows about the step it runs."""

    task_id: int
    step_id: int
    step_name: str
    attempt: int = 1
    inputs: dict[str, Any] = field(default_factory=dict)
    dependency_results: dict[str, Any] = field(default_factory=dict)

    def require(self, key: str) -> Any:
        """Return input ``key`` or fail the step permanently."""
        try:
            return self.inputs[key]
        except KeyError:
            raise PermanentError(f"step {self.step_name}: missing input {key!r}") from None

    def result_of(self, step_name: str) -> Any:
        """The result of a dependency step."""
        if step_name not in self.dependency_results:
            raise PermanentError(f"step {self.step_name} has no dependency {step_name!r}")
        return self.dependency_results[step_name]


class StepHandler:
    """Subclass and implement :meth:`call`; register with a :class:`HandlerRegistry`."""

    name: str = ""
    version: str = "1.0.0"
    timeout_seconds: float = 30.0

    def call(self, context: StepContext) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.call")

    def validate(self, context: StepContext) -> None:
        """Check inputs before :meth:`call`; the default accepts anything."""

    def run(self, context: StepContext) -> Any:
        self.validate(context)
        return self.call(context)
