"""A small in-memory event log the worker writes lifecycle events to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]


class EventLog:
    def __init__(self, capacity: int = 1000) -> None:
        if capacity <= 0:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self.entries: list[tuple[str, dict[str, Any]]] = []
        self.counts: Counter[str] = Counter()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, name: str, **data: Any) -> None:
        self.counts[name] += 1
        self.entries.append((name, data))
        if len(self.entries) > self.capacity:
            del self.entries[: len(self.entries) - self.capacity]
        for listener in list(self._listeners):
            try:
                listener(name, data)
            except Exception:  # a broken listener must not break the worker
                self.counts["listener.error"] += 1

    def last(self, name: str) -> dict[str, Any] | None:
        for entry_name, data in reversed(self.entries):
            if entry_name == name:
                return data
        return None
