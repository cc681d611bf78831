"""The one registry of coverage formats: sniffing, reading and writing.

Each format lives in its own module of this package and declares one ``FORMAT``
(a :class:`FormatSpec`). The CLI, auto-detection, discovery and config validation all
loop over :func:`all_formats`; nothing else keeps a list of formats.

A reader is pure: ``read(stream, origin) -> CoverageSet``. It gets a binary stream
(already decompressed when the file was gzip) and the name to use in error messages;
it does no globbing, path mapping or filtering — those are pipeline stages
(``covgap.paths``, ``covgap.pipeline``). A reader raises :class:`FormatError` naming
the line or byte offset for malformed input and never returns a partial result.
"""

from __future__ import annotations

import gzip
import importlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from covgap.errors import CovgapError, FormatError, InputError
from covgap.model import CoverageSet, InputInfo

SNIFF_BYTES = 64 * 1024
"""How much of the start of a file :func:`detect` shows each format's ``sniff``."""

# One module per line, in sniffing order: the most specific signatures first.
FORMAT_MODULES: tuple[str, ...] = (
    "lcov",
    "covgap_json",
    "cobertura",
    "jacoco",
    "gocover",
    "coveragepy_data",
    "gcov_json",
    "gcovr_json",
    "clover",
    "coveragepy_json",
    "istanbul",
    "llvm_json",
    "simplecov",
)


@dataclass(frozen=True)
class FormatSpec:
    """Everything covgap knows about one coverage format.

    ``sniff(head, name)`` answers from the first :data:`SNIFF_BYTES` of the content
    (decompressed) and the file's base name, which is only a hint.
    """

    name: str
    title: str
    sniff: Callable[[bytes, str], bool]
    read: Callable[[BinaryIO, str], CoverageSet]
    write: Callable[[CoverageSet, BinaryIO], None] | None = None
    discover: tuple[str, ...] = ()
    """Glob patterns (relative to the repository) under which discovery looks for it."""
    needs_path: bool = False
    """The reader needs a real file (``stream.name``), e.g. SQLite; no gzip, no stdin."""
    read_in: Callable[[BinaryIO, str, ReadContext], CoverageSet] | None = None
    """A reader that also looks outside the report (``.coverage`` needs the sources):
    given the :class:`ReadContext`, used instead of ``read`` when there is one."""
    loses: str = ""
    """What the writer can never hold, in words (``convert`` says it when it applies)."""
    not_report: Callable[[bytes], str | None] | None = None
    """Recognise the tool's files that are not per-line reports (a summary of totals)
    from the same head ``sniff`` sees: the one-line reason, naming the file to pass
    instead, or None. Asked only when no format's ``sniff`` matched: :func:`detect`
    refuses the file with it, and discovery passes over it like any non-report."""


@dataclass(frozen=True)
class ReadContext:
    """Where a reader that needs more than the report may look, and the user's rewrites.

    coverage.py's data file uses it: its measured sources are found relative to
    ``repo`` and the working directory, and through ``path_fixes`` (``[paths] fixes``
    as ``(from, to)`` pairs, ``to`` relative to ``repo``). Cobertura uses the same
    search for coverage.py's sources, to identify branch arms (``_coveragepy_arcs``).
    """

    repo: Path | None = None
    path_fixes: tuple[tuple[str, str], ...] = ()


_registry: list[FormatSpec] | None = None


def all_formats() -> list[FormatSpec]:
    """Every registered format, in sniffing order."""
    global _registry
    if _registry is None:
        specs = []
        for mod_name in FORMAT_MODULES:
            module = importlib.import_module(f"covgap.formats.{mod_name}")
            specs.append(module.FORMAT)
        _registry = specs
    return list(_registry)


def get_format(name: str) -> FormatSpec:
    for spec in all_formats():
        if spec.name == name:
            return spec
    names = ", ".join(s.name for s in all_formats())
    raise InputError(f"unknown format {name!r}; known formats: {names}")


def writable_formats() -> list[FormatSpec]:
    return [s for s in all_formats() if s.write is not None]


GZIP_MAGIC = b"\x1f\x8b"
SQLITE_MAGIC = b"SQLite format 3\x00"
LFS_POINTER = b"version https://git-lfs.github.com/spec/v1\n"
"""How a Git LFS pointer file starts: a checkout without LFS leaves these in place of
large committed reports."""
UTF8_BOM = b"\xef\xbb\xbf"
"""A UTF-8 byte order mark: Windows tools (PowerShell's ``Out-File -Encoding utf8``,
Notepad) put one before text reports. It is skipped before sniffing and reading, so a
report reads the same with or without it."""


def _head(path: Path) -> tuple[bytes, bool]:
    """Return the first bytes of the (decompressed) content and whether it is gzip."""
    with path.open("rb") as raw:
        start = raw.read(SNIFF_BYTES)
    if start.startswith(GZIP_MAGIC):
        try:
            with gzip.open(path, "rb") as gz:
                return gz.read(SNIFF_BYTES).removeprefix(UTF8_BOM), True
        except EOFError:
            raise _truncated_gzip(path) from None
        except OSError as exc:
            raise FormatError(str(path), f"corrupt gzip data ({exc})", offset=0) from None
    return start.removeprefix(UTF8_BOM), False


def _truncated_gzip(path: Path) -> FormatError:
    """A gzip stream cut short (a copy or upload that stopped): the place is its end."""
    size = path.stat().st_size
    return FormatError(
        str(path),
        "truncated gzip data: the compressed stream ends before its end marker",
        offset=size,
    )


_RAW_DATA: tuple[tuple[bytes, str], ...] = (
    (
        b"adcg",
        "gcov's raw counters (.gcda), not a report; run `gcov --json-format` on it "
        "(or lcov, gcovr) and pass what it writes",
    ),
    (
        b"oncg",
        "gcov's notes file (.gcno), not a report; run `gcov --json-format` on the "
        ".gcda beside it (or lcov, gcovr) and pass what it writes",
    ),
    (
        b"\xfflprofi\x81",
        "an indexed LLVM profile (.profdata), not a report; export it: "
        "`llvm-cov export -format=text -instr-profile=FILE BINARY > coverage.json`",
    ),
    (
        b"\x81rforpl\xff",
        "a raw LLVM profile (.profraw), not a report; `llvm-profdata merge` "
        "it, then `llvm-cov export -format=text`",
    ),
    (
        b"\xfflprofr\x81",
        "a raw LLVM profile (.profraw), not a report; `llvm-profdata merge` "
        "it, then `llvm-cov export -format=text`",
    ),
    (
        b"\x01\xc0\xc0",
        "a JaCoCo execution data file (.exec), not a report; turn it into "
        "jacoco.xml with JaCoCo's report task (`jacoco:report`, `jacocoTestReport`, or "
        "`java -jar jacococli.jar report FILE --classfiles ... --xml jacoco.xml`)",
    ),
)
"""Raw coverage data that tools turn into reports: what it is and how to get the report."""


def detect(path: Path, head: bytes | None = None) -> FormatSpec:
    """Pick the format of ``path`` from its content; the file name only breaks ties."""
    if head is None:
        head, _ = _head(path)
    name = path.name
    if not head.strip():
        raise FormatError(str(path), "file is empty, not a coverage report", offset=0)
    for spec in all_formats():
        if spec.sniff(head, name):
            return spec
    if head.startswith(LFS_POINTER):
        raise InputError(
            f"{path}: a Git LFS pointer, not the report itself; fetch the file with "
            "`git lfs pull` (or check out with LFS) and read it again"
        )
    for spec in all_formats():
        why = spec.not_report(head) if spec.not_report is not None else None
        if why is not None:
            raise InputError(f"{path}: {why}")
    for magic, what in _RAW_DATA:
        if head.startswith(magic):
            raise InputError(f"{path}: {what}")
    if b"\x00" in head[:4096] and not head.startswith(SQLITE_MAGIC):
        raise InputError(f"{path}: binary data, not a coverage report covgap knows")
    names = ", ".join(s.name for s in all_formats())
    raise InputError(
        f"{path}: not a coverage format covgap recognises (known: {names}); "
        "pass --input-format to force one"
    )


class ProgressReader(io.RawIOBase):
    """Pass reads through and report the compressed bytes consumed so far.

    Seekable when the file is: a reader whose fast path steps aside reads the file
    again from the start (JaCoCo, Clover), and the progress goes back with it.
    """

    def __init__(self, raw: BinaryIO, callback: Callable[[int], None]) -> None:
        self._raw = raw
        self._callback = callback
        self.name = getattr(raw, "name", "")

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def tell(self) -> int:
        return self._raw.tell()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        before = self._raw.tell()
        after = self._raw.seek(offset, whence)
        if after != before:
            self._callback(after - before)
        return after

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._raw.close()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        if n:
            self._callback(n)
        return n


def open_report(path: Path, progress: Callable[[int], None] | None = None) -> BinaryIO:
    """Open a report for reading, transparently decompressing gzip and skipping a
    UTF-8 byte order mark."""
    raw: BinaryIO = path.open("rb")
    if progress is not None:
        raw = io.BufferedReader(ProgressReader(raw, progress), 1 << 20)
    magic = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    if magic == GZIP_MAGIC:
        raw = _ClosingGzipFile(raw)  # type: ignore[assignment]
    if hasattr(raw, "peek") and raw.peek(3)[:3] == UTF8_BOM:
        raw.read(3)
    return raw


class _ClosingGzipFile(gzip.GzipFile):
    """A GzipFile that also closes the file under it (``GzipFile(fileobj=...)`` does not).

    Without this, every gzip'd report leaked its file handle (a ResourceWarning, an
    error under the test suite's warnings-as-errors).
    """

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__(fileobj=raw, mode="rb")
        self._covgap_raw = raw

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._covgap_raw.close()


def read_report(
    path: Path,
    *,
    format_name: str | None = None,
    flag: str | None = None,
    progress: Callable[[int], None] | None = None,
    context: ReadContext | None = None,
) -> CoverageSet:
    """Read one report file into a CoverageSet, detecting its format from its content.

    ``context`` tells readers that look beyond the report (``spec.read_in``) where
    the repository is.

    Any failure is a :class:`CovgapError` with a one-line message naming the file;
    unexpected exceptions inside a reader are turned into a :class:`FormatError` too,
    because a traceback is never an acceptable answer to bad input.
    """
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory; name the report file inside it")
    try:
        head, _ = _head(path)
        spec = get_format(format_name) if format_name else detect(path, head)
        origin = str(path)
        if spec.needs_path:
            with path.open("rb") as stream:
                if spec.read_in is not None and context is not None:
                    cs = spec.read_in(stream, origin, context)
                else:
                    cs = spec.read(stream, origin)
        else:
            with open_report(path, progress) as stream:
                if spec.read_in is not None and context is not None:
                    cs = spec.read_in(stream, origin, context)
                else:
                    cs = spec.read(stream, origin)
    except CovgapError:
        raise
    except MemoryError:
        raise InputError(f"{path}: too large to read into memory") from None
    except EOFError as exc:
        with path.open("rb") as raw:
            if raw.read(2) == GZIP_MAGIC:
                raise _truncated_gzip(path) from None
        raise InputError(f"{path}: cannot read ({exc})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    except Exception as exc:  # a reader bug must still not leak a traceback to users
        raise FormatError(str(path), f"unreadable ({type(exc).__name__}: {exc})") from exc
    cs.inputs = (InputInfo(str(path), spec.name, flag),)
    return cs.with_flag(flag) if flag else cs


__all__ = [
    "SNIFF_BYTES",
    "FormatSpec",
    "ReadContext",
    "all_formats",
    "detect",
    "get_format",
    "open_report",
    "read_report",
    "writable_formats",
]
