"""Types of the optional C scanner behind covgap.formats.cobertura (see its .c file)."""

from array import array

_Header = tuple[str | None, str | None, str | None, str | None, str | None]
_Class = tuple[
    str,
    array[int],
    array[int],
    bool,
    array[int],
    array[int],
    array[int],
    array[int],
    list[tuple[str, str, int, int]],
    int,
    dict[int, str],
]

def scan(data: bytes | bytearray) -> tuple[_Header, list[str], list[_Class]] | None: ...
def expand(
    br_line: array[int], br_hits: array[int], br_covered: array[int], br_total: array[int]
) -> tuple[array[int], array[int], array[int], array[int]]: ...
