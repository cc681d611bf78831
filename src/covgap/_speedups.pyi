"""Types of the optional C accelerator built from ``_speedups.c`` (see that file)."""

from array import array

from covgap.model import Function

class ParseError(ValueError):
    """``args`` is ``(line number, message)``: a malformed LCOV line."""

_Record = tuple[
    str,
    int,
    array[int],
    array[int],
    array[int],
    array[int],
    array[int],
    array[int],
    list[Function],
    tuple[int, int, int, int, int, int],
    tuple[int, int, int],
]

def parse_lcov(
    data: bytes, first_lineno: int, final: bool, function_type: type[Function], /
) -> tuple[list[_Record], int, int, bool]: ...
def merge_counts(
    lines_a: array[int], hits_a: array[int], lines_b: array[int], hits_b: array[int], /
) -> tuple[array[int], array[int]]: ...
def uncovered_ranges(lines: array[int], hits: array[int], /) -> list[tuple[int, int]]: ...
def count_positive(column: array[int], /) -> int: ...
def shuffle_column(column: array[int], delta: bool, /) -> bytes: ...
def unshuffle_column(typecode: str, data: bytes, delta: bool, /) -> array[int]: ...
def parse_gocover(
    data: bytes | bytearray, max_spanned: int, /
) -> tuple[str, list[tuple[str, array[int], array[int]]], int, int] | None: ...
