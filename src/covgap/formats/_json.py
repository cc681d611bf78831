"""Shared plumbing for the JSON coverage readers: decoding and typed access.

Every JSON reader needs the same two things, and getting either wrong gives the
user a traceback or a silently wrong number:

* **Decoding** with orjson (several times faster than :mod:`json` on the
  multi-megabyte reports llvm-cov and Istanbul write). A syntax error becomes a
  :class:`~covgap.errors.FormatError` with the 1-based line and column of the
  offending character; invalid UTF-8 is located by its byte offset, which orjson
  itself does not report.
* **Typed access**. A report that parses but has a string where a count belongs
  must fail with the JSON path of the bad value, written the way a person would
  type it into ``jq``: ``files["a.py"].executed_lines[3]: expected a line number
  (integer >= 1), got string``. Paths are kept as tuples and only formatted when an
  error is raised, so the happy path pays nothing for them.

Numbers are checked against covgap's limits (:data:`~covgap.types.MAX_COUNT`,
:data:`~covgap.types.MAX_LINE`): a negative count or a line number in the billions
is a corrupt report, not data. JSON booleans are rejected where integers are
expected (Python's ``bool`` is an ``int``; ``true`` is not a hit count). Integers
too large even for a double reach us as floats from orjson and are rejected as
"not an integer".

**Two paths, one answer** (issue 14). Decoding a whole report into dicts and lists of
Python objects costs 7-15x the file in memory (6.8 GB for a 470 MB Istanbul file). So
each big-file reader first tries a *typed fast path*: the document is split into its
per-file members with :class:`msgspec.Raw` (views into the bytes already read, no
copy), and each member is decoded by msgspec straight into small typed structs that
keep only the fields covgap uses, with covgap's limits (:data:`Line`,
:data:`Count`) checked by the decoder. One file's objects live at a time, so the peak
is about the file plus the finished model. The typed path is *at least as strict* as
the validating reader: whenever it meets anything it does not decide (a syntax error,
a type or range mismatch, a duplicate, a missing key) it raises one of
:data:`FAST_PATH_MISSES` and :func:`fast_or_exact` re-reads the document with the
reader's exact, path-naming code, which either raises the precise error or, if the
input was merely unusual, returns the result. Valid input therefore gives the same
coverage either way (``tests/unit/test_json_fast_paths.py`` checks every fixture
through both), and bad input the same one-line error. One known difference: a
number beyond a double's range (``1e999``) inside a member the typed path skips
(coverage.py's ``summary``, say) is accepted there, where orjson rejects the file.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Annotated, BinaryIO, TypeVar

import msgspec
import orjson

from covgap.errors import FormatError
from covgap.types import MAX_COUNT, MAX_LINE

__all__ = [
    "FAST_PATH_MISSES",
    "Count",
    "FastPathMiss",
    "JsonPath",
    "JsonReader",
    "Line",
    "check_utf8",
    "decode_json",
    "describe",
    "elements",
    "fast_or_exact",
    "format_path",
    "load_json",
    "loads",
    "members",
    "sniff_json_object",
    "strip_bom",
]

JsonPath = tuple[str | int, ...]
"""A location inside a JSON document: object keys (str) and array indexes (int)."""

_UTF8_BOM = b"\xef\xbb\xbf"

_Check = Callable[[object, JsonPath], int]
_T = TypeVar("_T")

Line = Annotated[int, msgspec.Meta(ge=1, le=MAX_LINE)]
"""A line number as the typed decoders accept it (what :meth:`JsonReader.line` accepts)."""
Count = Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]
"""A hit count as the typed decoders accept it (what :meth:`JsonReader.count` accepts)."""


class FastPathMiss(Exception):
    """The typed fast path met input it does not decide; the exact reader decides."""


FAST_PATH_MISSES: tuple[type[Exception], ...] = (
    msgspec.DecodeError,
    orjson.JSONDecodeError,
    RecursionError,
    FastPathMiss,
)
"""What a fast path raises to hand the document to the exact reader.

``msgspec.ValidationError`` (wrong type, out of range, missing key) is a subclass of
``msgspec.DecodeError`` (malformed JSON, invalid UTF-8); orjson decodes small members
(``meta``) with the exact reader's semantics; msgspec raises RecursionError on
absurdly deep nesting, which orjson reports with its place."""

_TO_EXACT: tuple[type[Exception], ...] = (*FAST_PATH_MISSES, FormatError)
_UTF8_CHUNK = 1 << 22


def check_utf8(data: bytes) -> None:
    """Raise FastPathMiss unless all of ``data`` is UTF-8.

    msgspec skips the members a typed struct does not name without decoding their
    strings, where orjson (the exact reader) rejects invalid UTF-8 anywhere. An ASCII
    document (the usual case) is recognised at memory speed; otherwise it is decoded
    in 4 MB pieces so no copy of the whole document is made.
    """
    if data.isascii():
        return
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for i in range(0, len(data), _UTF8_CHUNK):
            decoder.decode(view[i : i + _UTF8_CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise FastPathMiss from None


def strip_bom(data: bytes) -> bytes:
    """Drop a UTF-8 byte order mark (Windows tools write one; the decoders refuse it)."""
    return data[len(_UTF8_BOM) :] if data.startswith(_UTF8_BOM) else data


def fast_or_exact(
    stream: BinaryIO,
    origin: str,
    fast: Callable[[bytes, str], _T],
    exact: Callable[[BinaryIO, str], _T],
) -> _T:
    """Read with ``fast(data, origin)``; on a fast-path miss, with ``exact`` instead.

    ``exact`` gets the same bytes again as a stream, so it sees exactly what the fast
    path saw. A :class:`~covgap.errors.FormatError` from the fast path (raised by a
    shared per-member check) also goes to ``exact``: which error the user sees, and
    for which place, is always the exact reader's decision.
    """
    data = stream.read()
    try:
        body = strip_bom(data)
        check_utf8(body)
        return fast(body, origin)
    except _TO_EXACT:
        return exact(io.BytesIO(data), origin)


_MEMBERS = msgspec.json.Decoder(dict[str, msgspec.Raw])
_ELEMENTS = msgspec.json.Decoder(list[msgspec.Raw])


def members(raw: bytes | msgspec.Raw) -> dict[str, msgspec.Raw]:
    """One level of a JSON object: its members, each left undecoded (no copy)."""
    return _MEMBERS.decode(raw)


def elements(raw: bytes | msgspec.Raw) -> list[msgspec.Raw]:
    """One level of a JSON array: its elements, each left undecoded (no copy)."""
    return _ELEMENTS.decode(raw)


def loads(raw: msgspec.Raw) -> object:
    """Decode one member into plain Python values, as the exact reader sees them."""
    return orjson.loads(bytes(raw))


def format_path(path: JsonPath) -> str:
    """Write ``("files", "a.py", "executed_lines", 3)`` as ``files["a.py"].executed_lines[3]``.

    Keys that are plain identifiers use dot notation, others (paths, numbers as
    strings) are quoted, so the result can be pasted into ``jq`` after a leading dot.
    """
    out: list[str] = []
    for part in path:
        if isinstance(part, int):
            out.append(f"[{part}]")
        elif part.isidentifier():
            out.append(f".{part}" if out else part)
        else:
            out.append("[" + orjson.dumps(part).decode() + "]")
    return "".join(out) if out else "(top level)"


def describe(value: object) -> str:
    """Name a JSON value's type the way the JSON spec does, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value!r}"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__  # pragma: no cover - orjson yields only the above


def _line_col(data: bytes, byte_offset: int) -> tuple[int, int]:
    """Return the 1-based line and column (in characters) of a byte offset."""
    line_start = data.rfind(b"\n", 0, byte_offset) + 1
    line = data.count(b"\n", 0, byte_offset) + 1
    column = len(data[line_start:byte_offset].decode("utf-8", "replace")) + 1
    return line, column


def load_json(stream: BinaryIO, origin: str) -> object:
    """Decode a whole JSON document, turning every decode failure into a FormatError.

    The whole document is read at once: orjson has no incremental parser, and the
    JSON coverage formats are per-file objects that a reader needs entire anyway.
    """
    return decode_json(stream.read(), origin)


def decode_json(data: bytes, origin: str) -> object:
    """Decode a document already in memory; the errors of :func:`load_json`."""
    if data.startswith(_UTF8_BOM):  # Windows tools write one; orjson refuses it.
        data = data[len(_UTF8_BOM) :]
    if not data.strip():
        raise FormatError(origin, "empty file, expected a JSON document", offset=0)
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as uerr:
            line, column = _line_col(data, uerr.start)
            raise FormatError(
                origin,
                f"invalid JSON: not UTF-8 (byte 0x{data[uerr.start]:02x})",
                line=line,
                column=column,
            ) from None
        msg = exc.msg
        if "end of data" in msg or "EOF" in msg:
            msg += " (the file looks truncated)"
        raise FormatError(
            origin, f"invalid JSON: {msg}", line=exc.lineno, column=exc.colno
        ) from None


def sniff_json_object(head: bytes) -> bytes:
    """Return the head without BOM and leading whitespace if it starts a JSON object."""
    if head.startswith(_UTF8_BOM):
        head = head[len(_UTF8_BOM) :]
    head = head.lstrip()
    return head if head.startswith(b"{") else b""


class JsonReader:
    """Typed accessors that fail with the JSON path of the offending value.

    One instance per report; it only remembers the origin used in error messages.
    """

    __slots__ = ("origin",)

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def error(self, path: JsonPath, message: str) -> FormatError:
        """Build the error every accessor raises: ``origin: json.path: message``."""
        return FormatError(self.origin, f"{format_path(path)}: {message}")

    # -- containers ------------------------------------------------------------------

    def obj(self, value: object, path: JsonPath) -> dict[str, object]:
        if not isinstance(value, dict):
            raise self.error(path, f"expected an object, got {describe(value)}")
        return value

    def arr(self, value: object, path: JsonPath) -> list[object]:
        if not isinstance(value, list):
            raise self.error(path, f"expected an array, got {describe(value)}")
        return value

    def key(self, obj: dict[str, object], name: str, path: JsonPath) -> object:
        """Return a required member; its absence is an error naming the object."""
        try:
            return obj[name]
        except KeyError:
            raise self.error(path, f'missing required key "{name}"') from None

    def items(self, value: object, path: JsonPath) -> Iterator[tuple[str, object]]:
        return iter(self.obj(value, path).items())

    # -- scalars ---------------------------------------------------------------------

    def string(self, value: object, path: JsonPath) -> str:
        if not isinstance(value, str):
            raise self.error(path, f"expected a string, got {describe(value)}")
        return value

    def integer(self, value: object, path: JsonPath, lo: int, hi: int, what: str) -> int:
        """Return an int within ``[lo, hi]``; ``what`` names it in the error."""
        if type(value) is not int:
            raise self.error(path, f"expected {what}, got {describe(value)}")
        if value < lo or value > hi:
            raise self.error(path, f"{what} out of range: {value}")
        return value

    def count(self, value: object, path: JsonPath) -> int:
        """A hit count: an integer from 0 to MAX_COUNT."""
        if type(value) is int and 0 <= value <= MAX_COUNT:
            return value
        return self.integer(value, path, 0, MAX_COUNT, "a hit count (integer >= 0)")

    def line(self, value: object, path: JsonPath) -> int:
        """A 1-based line number up to MAX_LINE."""
        if type(value) is int and 1 <= value <= MAX_LINE:
            return value
        return self.integer(value, path, 1, MAX_LINE, "a line number (integer >= 1)")

    def line_key(self, key: str, path: JsonPath) -> int:
        """A line number written as an object key (``"12": [...]``)."""
        if key.isdigit() and key.isascii():
            n = int(key)
            if 1 <= n <= MAX_LINE:
                return n
        raise self.error(path, f"expected a line number as key, got {key!r}")

    # -- arrays of scalars (the hot path: validated in one pass, located on failure) ---

    def line_list(self, value: object, path: JsonPath) -> list[int]:
        """An array of line numbers, checked with one fast scan."""
        items = self.arr(value, path)
        if all(type(x) is int and 1 <= x <= MAX_LINE for x in items):
            return items  # type: ignore[return-value]
        self._locate(items, path, self.line)
        return items  # type: ignore[return-value]  # pragma: no cover

    def count_list(self, value: object, path: JsonPath) -> list[int]:
        """An array of hit counts, checked with one fast scan."""
        items = self.arr(value, path)
        if all(type(x) is int and 0 <= x <= MAX_COUNT for x in items):
            return items  # type: ignore[return-value]
        self._locate(items, path, self.count)
        return items  # type: ignore[return-value]  # pragma: no cover

    def _locate(self, items: Sequence[object], path: JsonPath, check: _Check) -> None:
        """Re-check element by element so the error names the first bad index."""
        for i, x in enumerate(items):
            check(x, (*path, i))
