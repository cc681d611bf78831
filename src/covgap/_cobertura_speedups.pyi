"""Types of the optional C scanner behind covgap.formats.cobertura (see its .c file)."""

from array import array

_Header = tuple[str | None, str | None, str | None, str | None, str | None]
_Class = tuple[
    str,
    int,
    array[int],
    array[int],
    bool,
    array[int],
    array[int],
    array[int],
    array[int],
    list[tuple[str, str, int, int]],
    int,
]

def scan(data: bytes) -> tuple[_Header, list[str], list[_Class]] | None: ...
