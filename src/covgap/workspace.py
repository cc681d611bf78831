"""The repository: its files, their languages, and its components (packages).

INTERFACE DRAFT — being completed (git ls-files, component detection from Cargo,
pyproject, package.json, go.mod and gemspecs). The signatures below are the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from covgap.config import Config, Target


@dataclass(frozen=True)
class Component:
    """A package of the repository that coverage is reported for."""

    name: str
    paths: tuple[str, ...]
    language: str | None = None
    target: Target | None = None
    origin: str = "config"
    critical: bool = False


@dataclass
class Workspace:
    root: Path
    files: list[str] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    config: Config = field(default_factory=Config)

    @classmethod
    def load(cls, root: Path, config: Config) -> Workspace:
        files = sorted(
            p.relative_to(root).as_posix()
            for p in root.rglob("*")
            if p.is_file() and ".git" not in p.parts
        )
        return cls(root, files, [], config)

    def component_of(self, path: str) -> Component | None:
        return None

    def language_of(self, path: str) -> str | None:
        return None

    def is_ignored(self, path: str) -> bool:
        return False
