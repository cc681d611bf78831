"""Map report paths onto repository files. INTERFACE DRAFT — being completed."""

from __future__ import annotations

from dataclasses import dataclass, field

from covgap.config import PathFix
from covgap.model import CoverageSet
from covgap.workspace import Workspace


@dataclass
class UnmappedGroup:
    prefix: str
    paths: list[str]
    suggestion: PathFix | None = None

    def describe(self) -> str:
        return f"{len(self.paths)} file(s) under {self.prefix!r} not found in the repository"


@dataclass
class MappingResult:
    coverage: CoverageSet
    unmapped: list[UnmappedGroup] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)


def map_paths(cs: CoverageSet, ws: Workspace, fixes: list[PathFix]) -> MappingResult:
    return MappingResult(cs)
