"""Types of the optional C scanners behind covgap.formats.jacoco and .clover (see the .c)."""

from array import array
from typing import Any

class Scanner:
    def __init__(self, kind: int, max_per_line: int = 0, max_outcomes: int = 0) -> None: ...
    def feed(
        self, data: bytes | bytearray | memoryview, final: bool
    ) -> tuple[int, list[tuple[Any, ...]]] | None: ...

def expand_clover(
    line: array[int], ran: array[int], true: array[int], false: array[int], istanbul: bool
) -> tuple[array[int], array[int], array[int], array[int]]: ...
