"""Retry policy: exponential backoff with jitter, and which errors deserve a retry."""

from __future__ import annotations

import random
from dataclasses import dataclass

from tasker_py.errors import PermanentError, RetryableError


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    base_delay: float = 0.25
    max_delay: float = 30.0
    jitter: float = 0.1

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_delay < 0 or self.max_delay < self.base_delay:
            raise ValueError("need 0 <= base_delay <= max_delay")

    def should_retry(self, error: BaseException, attempt: int) -> bool:
        if attempt >= self.max_attempts:
            return False
        if isinstance(error, PermanentError):
            return False
        if isinstance(error, RetryableError):
            return True
        # Unknown exceptions: retry network-ish failures only.
        return isinstance(error, (TimeoutError, ConnectionError))

    def delay(
        self, attempt: int, error: BaseException | None = None, rng: random.Random | None = None
    ) -> float:
        if isinstance(error, RetryableError) and error.retry_after is not None:
            return min(error.retry_after, self.max_delay)
        delay = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        if self.jitter:
            rng = rng or random.Random()
            delay *= 1 + rng.uniform(-self.jitter, self.jitter)
        return max(0.0, delay)
