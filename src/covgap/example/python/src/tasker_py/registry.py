"""Register step handlers by name and version and resolve them for the worker."""

from __future__ import annotations

import re
from collections.abc import Callable

from tasker_py.errors import HandlerNotFound, TaskerError
from tasker_py.handler import StepHandler

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


def _version_key(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        raise TaskerError(f"invalid version {version!r}") from None


class HandlerRegistry:
    """Handlers by name; several versions of a name may coexist."""

    def __init__(self) -> None:
        self._handlers: dict[str, dict[str, type[StepHandler]]] = {}

    def register(self, handler: type[StepHandler]) -> type[StepHandler]:
        name = handler.name
        if not _NAME.match(name):
            raise TaskerError(f"invalid handler name {name!r}")
        versions = self._handlers.setdefault(name, {})
        _version_key(handler.version)
        if handler.version in versions and versions[handler.version] is not handler:
            raise TaskerError(f"handler {name} {handler.version} registered twice")
        versions[handler.version] = handler
        return handler

    def handler(self) -> Callable[[type[StepHandler]], type[StepHandler]]:
        """Decorator form of :meth:`register`."""
        return self.register

    def resolve(self, name: str, version: str | None = None) -> StepHandler:
        versions = self._handlers.get(name)
        if not versions:
            raise HandlerNotFound(f"no handler named {name!r}")
        if version is None:
            version = max(versions, key=_version_key)
        elif version not in versions:
            known = ", ".join(sorted(versions, key=_version_key))
            raise HandlerNotFound(f"{name} has no version {version} (known: {known})")
        return versions[version]()

    def names(self) -> list[str]:
        return sorted(self._handlers)

    def __len__(self) -> int:
        return sum(len(v) for v in self._handlers.values())
