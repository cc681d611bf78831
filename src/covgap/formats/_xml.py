"""Hardened XML reading shared by covgap's XML readers (Cobertura, JaCoCo, Clover).

Coverage reports arrive from CI artefacts, pull requests and uploads, so an XML reader
must assume hostile input. Everything here exists to keep three promises:

* **No entity tricks.** A DOCTYPE whose internal subset declares entities (the
  "billion laughs" expansion, ``<!ENTITY x SYSTEM "file:///etc/passwd">`` external
  entities, parameter entities) is rejected before lxml sees a byte of it. The check
  runs on the raw prolog, because libxml2 expands internal entities inside the root
  element's *attributes* even with ``resolve_entities=False`` — by the time lxml
  reports the root element, the expansion has already happened. A plain
  ``<!DOCTYPE coverage SYSTEM "...coverage-04.dtd">`` (what Cobertura itself writes)
  is accepted; the external DTD is never loaded (``load_dtd=False``, ``no_network``).
* **No network, no huge trees.** Parsers are built with ``no_network=True``,
  ``resolve_entities=False`` and ``huge_tree=False``.
* **One-line errors.** lxml's syntax errors become :class:`FormatError` with the
  file, line and column; numbers that do not fit covgap's model (negative, beyond
  :data:`~covgap.types.MAX_COUNT`) are errors naming the element's line too.

The JaCoCo and Clover readers' optional C scanners are fed from here
(:func:`scan_pieces`); they accept only a strict subset (no DOCTYPE internal subset,
no entities beyond XML's five) and step aside for everything else, so every document
they do not know still goes through the checks above.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from covgap.errors import FormatError
from covgap.types import MAX_COUNT

if TYPE_CHECKING:
    from lxml import etree

    from covgap._xml_speedups import Scanner
    from covgap.model import CoverageSet

__all__ = [
    "EXACT_LINE_LIMIT",
    "FAST_PATH_ENV",
    "PROLOG_LIMIT",
    "SCAN_PIECE",
    "OutcomeBudget",
    "ScanDeclined",
    "approximate_lines",
    "check_prolog",
    "iterparse",
    "parse_count",
    "parse_document",
    "prolog_stream",
    "read_scanned_or_lxml",
    "safe_parser",
    "scan_pieces",
    "syntax_error",
]

PROLOG_LIMIT = 1 << 20
"""How far into a document the root element must start; a longer prolog is refused.

Real reports have a declaration, maybe a comment and a one-line DOCTYPE before the
root: a megabyte of prolog is either an attack or not a coverage report.
"""

EXACT_LINE_LIMIT = 65535
"""libxml2 keeps an element's line exactly only below this; past it ``sourceline`` is
the next text node's line (one too many in a one-element-per-line report)."""

_PARSER_OPTIONS: dict[str, Any] = {
    "resolve_entities": False,
    "no_network": True,
    "huge_tree": False,
    "load_dtd": False,
    "dtd_validation": False,
}

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def check_prolog(head: bytes, origin: str, *, complete: bool = False) -> int:
    """Validate everything before the root element; return the root's byte offset.

    Walks the prolog item by item (XML declaration, processing instructions,
    comments, the DOCTYPE) the way the XML grammar allows them, and refuses a
    DOCTYPE whose internal subset declares any entity. Returns -1 when ``head`` ends
    before the root element starts and ``complete`` is false (the caller reads more).
    """
    i = 0
    n = len(head)
    if head.startswith(b"\xef\xbb\xbf"):
        i = 3
    while True:
        while i < n and head[i] in b" \t\r\n":
            i += 1
        if i >= n:
            break
        if (
            not complete
            and n - i < 9
            and any(p.startswith(head[i:]) for p in (b"<!DOCTYPE", b"<!doctype", b"<!--", b"<?"))
        ):
            break  # a construct may be cut at the chunk's end: read more first
        if head[i] != 0x3C:  # '<'
            raise FormatError(
                origin, "not XML: text before the root element", line=_line_of(head, i)
            )
        if head.startswith(b"<?", i):
            end = head.find(b"?>", i + 2)
            if end < 0:
                break
            i = end + 2
        elif head.startswith(b"<!--", i):
            end = head.find(b"-->", i + 4)
            if end < 0:
                break
            i = end + 3
        elif head.startswith(b"<!DOCTYPE", i) or head.startswith(b"<!doctype", i):
            end = _doctype_end(head, i)
            if end < 0:
                break
            if _ENTITY_DECL.search(head, i, end):
                raise FormatError(
                    origin,
                    "DOCTYPE declares entities; refused (entity expansion and external "
                    "entities are not allowed in coverage reports)",
                    line=_line_of(head, i),
                )
            i = end
        elif head.startswith(b"<!", i):
            raise FormatError(
                origin, "not XML: unexpected markup before the root element", line=_line_of(head, i)
            )
        else:
            return i
    if complete:
        if i >= n and not head[:i].strip():
            raise FormatError(origin, "empty document, expected XML", offset=0)
        raise FormatError(origin, "truncated XML: no root element", line=_line_of(head, min(i, n)))
    return -1


def _doctype_end(head: bytes, start: int) -> int:
    """Return the offset just past ``<!DOCTYPE ...>``, or -1 when it is not complete.

    Quoted system/public ids and the bracketed internal subset may contain ``>``;
    everything else may not, so a small state machine is enough.
    """
    i = start + len(b"<!DOCTYPE")
    n = len(head)
    quote = 0
    depth = 0
    while i < n:
        c = head[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth -= 1
        elif c == 0x3E and depth <= 0:  # >
            return i + 1
        i += 1
    return -1


class _Prepended(io.RawIOBase):
    """A raw stream that yields ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head = memoryview(head)
        self._pos = 0
        self._stream = stream
        self.name = getattr(stream, "name", "")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = len(self._head) - self._pos
        if left > 0:
            n = min(left, len(buffer))
            buffer[:n] = self._head[self._pos : self._pos + n]
            self._pos += n
            return n
        data = self._stream.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        return n


def prolog_stream(stream: IO[bytes], origin: str) -> tuple[bytes, IO[bytes]]:
    """Check the prolog of ``stream``; return its first bytes and an equivalent stream.

    Reads up to :data:`PROLOG_LIMIT` bytes, only as far as the root element's start,
    and hands back a stream that replays them, so callers keep streaming.
    """
    head = b""
    chunk = 64 * 1024
    while True:
        more = stream.read(chunk)
        head += more
        if check_prolog(head, origin, complete=not more) >= 0:
            break
        if len(head) >= PROLOG_LIMIT:
            raise FormatError(origin, "XML prolog longer than 1 MiB; refused", offset=len(head))
    return head, io.BufferedReader(_Prepended(head, stream), 1 << 16)


def approximate_lines(exc: FormatError) -> FormatError:
    """Say so when an element's error line is past what libxml2 counts exactly.

    Readers raise errors about an element's content with ``elem.sourceline``; beyond
    :data:`EXACT_LINE_LIMIT` that number is approximate, and a user looking for the
    bad record should know to look around it. Syntax errors (they carry a column)
    come from the parser's own position and are exact.
    """
    if exc.line is None or exc.column is not None or exc.line < EXACT_LINE_LIMIT:
        return exc
    return FormatError(
        exc.path,
        f"{exc.reason} (near this line: XML element lines past {EXACT_LINE_LIMIT} are approximate)",
        line=exc.line,
    )


def safe_parser(**overrides: Any) -> etree.XMLParser:
    """Return an lxml parser with entities, DTD loading and network access off."""
    from lxml import etree  # lazily: lxml loads only when an XML report is read

    options = dict(_PARSER_OPTIONS)
    options.update(overrides)
    for key in ("resolve_entities", "no_network", "huge_tree", "load_dtd"):
        if key in overrides and overrides[key] != _PARSER_OPTIONS[key]:
            raise ValueError(f"safe_parser: {key} cannot be changed")
    return etree.XMLParser(**options)


def syntax_error(exc: Exception, origin: str) -> FormatError:
    """Turn an lxml error into a one-line :class:`FormatError` with line and column."""
    msg = str(getattr(exc, "msg", "") or exc)
    # lxml appends ", line N, column M" to its messages; the FormatError says it once.
    msg = re.sub(r",? line \d+, column \d+\s*(\(.*\))?$", "", msg).strip() or "malformed XML"
    position = getattr(exc, "position", None)
    line: int | None = None
    column: int | None = None
    if isinstance(position, tuple) and len(position) == 2:
        line, column = position
    line = line or getattr(exc, "lineno", None) or None
    if line is None:
        return FormatError(origin, f"malformed XML: {msg}", offset=0)
    return FormatError(origin, f"malformed XML: {msg}", line=line, column=column or None)


def _reject_entities(root: etree._Element, origin: str) -> None:
    """Refuse a document whose DTD declares entities (defence in depth after the prolog)."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(iter(dtd.iterentities()), None) is not None:
        raise FormatError(origin, "DOCTYPE declares entities; refused", line=1)


def iterparse(
    stream: IO[bytes],
    origin: str,
    *,
    events: Iterable[str] = ("end",),
    tag: str | Iterable[str] | None = None,
    root: str | None = None,
) -> Iterator[tuple[str, etree._Element]]:
    """Stream ``(event, element)`` pairs from a hardened ``lxml.etree.iterparse``.

    The prolog is checked first (see :func:`check_prolog`); ``root`` names the only
    root element accepted (``FormatError`` otherwise, before any data is yielded).
    Syntax errors anywhere, including truncation, become :class:`FormatError`.
    """
    from lxml import etree  # lazily: lxml loads only when an XML report is read

    _, replay = prolog_stream(stream, origin)
    tags: list[str] | None = [tag] if isinstance(tag, str) else (list(tag) if tag else None)
    # Tag filtering happens inside lxml: Python never sees the elements it skips.
    context = etree.iterparse(replay, events=tuple(events), tag=tags, **_PARSER_OPTIONS)
    first = True
    try:
        for event, elem in context:
            if first:
                first = False
                _check_root(elem.getroottree().getroot(), origin, root)
            yield event, elem
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, origin) from None
    if first:
        top = context.root
        if top is None:  # pragma: no cover - lxml raises a syntax error first
            raise FormatError(origin, "no XML element found", offset=0)
        _check_root(top, origin, root)


def _check_root(top: etree._Element, origin: str, root: str | None) -> None:
    _reject_entities(top, origin)
    if root is not None and top.tag != root:
        raise FormatError(
            origin, f"root element is <{top.tag}>, expected <{root}>", line=top.sourceline
        )


def parse_document(stream: IO[bytes], origin: str, *, root: str | None = None) -> etree._Element:
    """Parse a whole (small) document safely and return its root element."""
    from lxml import etree  # lazily: lxml loads only when an XML report is read

    _, replay = prolog_stream(stream, origin)
    try:
        tree = etree.parse(replay, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise syntax_error(exc, origin) from None
    element = tree.getroot()
    _reject_entities(element, origin)
    if root is not None and element.tag != root:
        raise FormatError(
            origin, f"root element is <{element.tag}>, expected <{root}>", line=element.sourceline
        )
    return element


_DIGITS = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")


def parse_count(
    value: str | None,
    origin: str,
    line: int | None,
    what: str,
    *,
    limit: int = MAX_COUNT,
    allow_float: bool = False,
) -> int:
    """Parse a non-negative integer attribute, refusing anything covgap cannot store.

    ``allow_float`` accepts ``"3.0"`` (some producers write hit counts as floats) but
    only when the value is integral.
    """
    if value is None:
        raise FormatError(origin, f"missing {what}", line=line)
    if len(value) < 19 and value.isdigit() and value.isascii():
        quick = int(value)  # the common case, checked cheaply: 18 digits always fit
        if quick <= limit:
            return quick
    text = value.strip()
    if _DIGITS.fullmatch(text):
        significant = text.lstrip("0") or "0"
        if len(significant) > 19 or int(significant) > limit:
            raise FormatError(origin, f"{what} {text[:40]} is too large (limit {limit})", line=line)
        return int(significant)
    if text.startswith("-") and _DIGITS.fullmatch(text[1:]):
        raise FormatError(origin, f"{what} {text[:40]} is negative", line=line)
    if allow_float and _DECIMAL.fullmatch(text):
        number = float(text)
        if number < 0:
            raise FormatError(origin, f"{what} {text[:40]} is negative", line=line)
        if number > limit:
            raise FormatError(origin, f"{what} {text[:40]} is too large (limit {limit})", line=line)
        if number.is_integer():
            return int(number)
    raise FormatError(origin, f"{what} {text[:40]!r} is not a whole number", line=line)


class OutcomeBudget:
    """The branch outcomes a report may still claim, spent before they are built.

    XML formats state outcomes as numbers (``condition-coverage="0% (0/65536)"``,
    ``mb="65535"``, ``truecount="32768"``) and each becomes a model entry, so a few
    KB of hostile elements could claim gigabytes and minutes. Each reader sizes its
    limit by what real reports hold and by what one outcome costs it to build.
    """

    __slots__ = ("left", "limit", "origin")

    def __init__(self, origin: str, limit: int) -> None:
        self.origin = origin
        self.limit = limit
        self.left = limit

    def spend(self, n: int, *, line: int | None = None, where: str = "") -> None:
        """Take ``n`` outcomes; past the limit, a FormatError at ``where``/``line``."""
        self.left -= n
        if self.left < 0:
            prefix = f"{where}: " if where else ""
            raise FormatError(
                self.origin,
                f"{prefix}the report claims more than {self.limit:,} branch outcomes; refused",
                line=line,
            )


# -- the C scanners' feeding (JaCoCo, Clover) ------------------------------------------

FAST_PATH_ENV = "COVGAP_NO_SPEEDUPS"
"""Set to ``1`` to force the lxml readers of Cobertura, JaCoCo and Clover instead of
their C scanners; tests compare both paths with it."""

SCAN_PIECE = 1 << 20
"""Bytes a C scanner (``covgap._xml_speedups``) is handed at a time (tests make it
tiny, to cut every token at a piece's end somewhere)."""


class ScanDeclined(Exception):
    """The C scanner met something it does not handle: the lxml path reads the report."""


def read_scanned_or_lxml(
    stream: BinaryIO,
    origin: str,
    read_fast: Callable[[BinaryIO, str], CoverageSet | None] | None,
    read_lxml: Callable[[BinaryIO, str], CoverageSet],
) -> CoverageSet:
    """A reader's ``read``: its C scanner path (``read_fast``; None when the scanner is
    not built) unless :data:`FAST_PATH_ENV` forbids it, else or when it declines (None)
    the lxml path, which reads the stream again from where it started. A stream that
    cannot seek back is read by the lxml path alone, as it decides every error anyway.
    """
    if read_fast is not None and os.environ.get(FAST_PATH_ENV) != "1":
        try:
            start = stream.tell() if stream.seekable() else -1
        except (OSError, AttributeError, ValueError):
            start = -1
        if start >= 0:
            cs = read_fast(stream, origin)
            if cs is not None:
                return cs
            stream.seek(start)
    return read_lxml(stream, origin)


def scan_pieces(stream: IO[bytes], scanner: Scanner) -> Iterator[tuple[Any, ...]]:
    """Feed ``stream`` to a C scanner piece by piece; yield its records in document order.

    One buffer of :data:`SCAN_PIECE` bytes is reused: each piece starts with what the
    previous call left unconsumed (a token cut at the piece's end), moved to the front.
    The buffer grows only for a token longer than itself (the scanner declines tokens
    over a few MB). Raises :class:`ScanDeclined` when the scanner declines.
    """
    buffer = bytearray(SCAN_PIECE)
    filled = 0
    while True:
        filled, final = _fill(stream, buffer, filled)
        with memoryview(buffer) as view, view[:filled] as piece:
            result = scanner.feed(piece, final)
        if result is None:
            raise ScanDeclined
        consumed, records = result
        yield from records
        if final:
            return
        rest = filled - consumed
        buffer[:rest] = buffer[consumed:filled]
        filled = rest
        if filled == len(buffer):
            buffer.extend(bytes(len(buffer)))


def _fill(stream: IO[bytes], buffer: bytearray, filled: int) -> tuple[int, bool]:
    """Read into ``buffer`` from ``filled`` on; return how full it is and whether the
    stream ended (streams may return fewer bytes than asked before their end)."""
    while filled < len(buffer):
        data = stream.read(len(buffer) - filled)
        if not data:
            return filled, True
        buffer[filled : filled + len(data)] = data
        filled += len(data)
    return filled, False
