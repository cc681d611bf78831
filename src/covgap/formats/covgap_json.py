"""covgap's own JSON: the machine-readable report and a lossless interchange format.

The schema is documented in ``docs/json-schema.md``; this module is its reference
implementation. One document serves two readers:

* a *summary* reader (:func:`read_summary`) for baselines and dashboards, which needs
  only the per-file and total counts every covgap JSON carries;
* a *coverage* reader (:func:`read`), which rebuilds the exact model and therefore
  needs the per-line detail (``covgap report --format json --detail`` or
  ``covgap merge --to json`` write it).

Shape (keys in this order; ``…`` marks optional detail)::

    {"format": "covgap", "schema_version": 1, "covgap_version": "0.1.0",
     "summary": {<six counts>, "line_percent", "branch_percent", "function_percent"},
     "components": [...], "flags": [...],          # written by `report`; ignored here
     "files": [{"path", "component"?, "language"?, <six counts>, <three percents>,
                "uncovered_ranges": [[first, last], ...],
                "lines": [[line, hits], ...],                       # …
                "branches": [[line, block, branch, taken|null], ...], # …
                "functions": [{"name", "start_line", "end_line", "hits"}], # …
                "flags": {"unit": [covered lines...]},              # …
                "contexts": [[line, ["test name", ...]], ...]}],    # … where recorded
     "inputs": [{"path", "format", "flag"}]}

Percentages are raw floats (``100 * covered / total``) or ``null`` when the total is
0: never rounded, so a reader can apply its own exact thresholds. Files are sorted by
path and keys come in a fixed order, so the same coverage always gives the same bytes.
"""

from __future__ import annotations

import gzip
import itertools
import re
from array import array
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, BinaryIO, TypeGuard

import msgspec
import orjson
from msgspec import UNSET, UnsetType

from covgap import __version__
from covgap.errors import FormatError, InputError, OutputError
from covgap.formats import GZIP_MAGIC, FormatSpec
from covgap.formats._json import FastPathMiss, decode_json, fast_or_exact, loads
from covgap.model import (
    COUNT_KEYS,
    NEVER_EVALUATED,
    Counts,
    CoverageSet,
    FileCoverage,
    FileCoverageBuilder,
    InputInfo,
)
from covgap.types import MAX_COUNT, MAX_LINE

FORMAT_NAME = "covgap"

SCHEMA_VERSION = 1
"""The version :func:`write` produces.

Changelog of the schema (bump on any change a strict consumer could notice; adding an
optional key is a minor change that keeps the number only if old readers ignore it):

* 1 (covgap 0.1.0): first version — summary, components, flags, files with counts,
  percentages, uncovered ranges and optional detail (lines, branches, functions,
  per-flag covered lines), inputs.
"""

MIN_SCHEMA_VERSION = 1
"""The oldest schema version the readers accept."""

MAX_SCHEMA_VERSION = 1
"""The newest schema version the readers accept; newer documents are refused by name."""

_INT32_MIN = -(2**31)


_SNIFF_RE = re.compile(rb'^\s*\{\s*"format"\s*:\s*"covgap"')

DETAIL_HINT = "write it with `covgap report --format json --detail` or `covgap merge --to json`"


# -- writing -------------------------------------------------------------------------


def summary_to_json(counts: Counts) -> dict[str, Any]:
    """Return the six counts and the three raw percentages (``None`` when unmeasured)."""
    doc: dict[str, Any] = counts.as_dict()
    doc["line_percent"] = counts.line_percent
    doc["branch_percent"] = counts.branch_percent
    doc["function_percent"] = counts.function_percent
    return doc


def file_to_json(
    fc: FileCoverage,
    *,
    detail: bool,
    component: str | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """Serialise one file; ``detail`` adds what :func:`read` needs to rebuild it.

    ``component`` and ``language`` are what the report command knows from the
    workspace; they are written only when given, and the readers ignore them.
    """
    doc: dict[str, Any] = {"path": fc.path}
    if component is not None:
        doc["component"] = component
    if language is not None:
        doc["language"] = language
    doc.update(summary_to_json(fc.counts()))
    # orjson writes tuples as arrays; not kept on fc: a writer needs them once
    doc["uncovered_ranges"] = fc.uncovered_ranges(keep=False)
    if detail:
        doc["lines"] = [[ln, h] for ln, h in zip(fc.lines, fc.hits, strict=True)]
        doc["branches"] = [
            [ln, blk, br, None if t == NEVER_EVALUATED else t]
            for ln, blk, br, t in zip(
                fc.br_line, fc.br_block, fc.br_branch, fc.br_taken, strict=True
            )
        ]
        doc["functions"] = [
            {"name": f.name, "start_line": f.start_line, "end_line": f.end_line, "hits": f.hits}
            for f in fc.functions
        ]
        doc["flags"] = {
            flag: list(fc.flags[flag]) for flag in sorted(fc.flags) if len(fc.flags[flag])
        }
        if fc.contexts:
            doc["contexts"] = contexts_to_json(fc)
    return doc


def contexts_to_json(fc: FileCoverage) -> list[list[Any]]:
    """Per line, the tests that ran it: ``[[line, [name, ...]], ...]`` sorted by line.

    Written per line (not per test, as the model keeps it) because "which tests ran
    line 12?" is the question readers ask; an optional key that old readers ignore.
    """
    by_line: dict[int, list[str]] = {}
    for name in sorted(fc.contexts):
        for ln in fc.contexts[name]:
            by_line.setdefault(ln, []).append(name)
    return [[ln, by_line[ln]] for ln in sorted(by_line)]


def inputs_to_json(inputs: Iterable[InputInfo]) -> list[dict[str, Any]]:
    return [{"path": i.path, "format": i.format, "flag": i.flag} for i in inputs]


def document(
    cs: CoverageSet,
    *,
    detail: bool,
    components: list[dict[str, Any]] | None = None,
    flags: list[dict[str, Any]] | None = None,
    file_extra: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """Build the whole document; the report command passes components, flags and extras.

    ``file_extra`` maps a path to ``{"component": ..., "language": ...}``.
    """
    doc: dict[str, Any] = {
        "format": FORMAT_NAME,
        "schema_version": SCHEMA_VERSION,
        "covgap_version": __version__,
        "summary": summary_to_json(cs.totals()),
    }
    if components is not None:
        doc["components"] = components
    if flags is not None:
        doc["flags"] = flags
    extra = file_extra or {}
    doc["files"] = [
        file_to_json(
            cs.files[path],
            detail=detail,
            component=extra.get(path, {}).get("component"),
            language=extra.get(path, {}).get("language"),
        )
        for path in sorted(cs.files)
    ]
    doc["inputs"] = inputs_to_json(cs.inputs)
    return doc


def dumps(doc: Mapping[str, Any]) -> bytes:
    """Encode a document deterministically: one top-level key per line, one file per line.

    Indenting every ``[line, hits]`` pair (``OPT_INDENT_2``) makes a large report
    four times bigger; one line per file keeps diffs readable and files compact.
    """
    try:
        return _dumps(doc)
    except orjson.JSONEncodeError as exc:
        # A path or name that is not valid Unicode (LCOV's undecodable bytes).
        raise OutputError(f"cannot write covgap JSON: {exc}") from None


def _dumps(doc: Mapping[str, Any]) -> bytes:
    parts = [b"{\n"]
    items = list(doc.items())
    for i, (key, value) in enumerate(items):
        parts.append(b"  " + orjson.dumps(key) + b": ")
        if key == "files" and isinstance(value, list) and value:
            parts.append(b"[\n")
            parts.append(b",\n".join(b"    " + orjson.dumps(f) for f in value))
            parts.append(b"\n  ]")
        else:
            parts.append(orjson.dumps(value))
        parts.append(b",\n" if i + 1 < len(items) else b"\n")
    parts.append(b"}\n")
    return b"".join(parts)


def write(cs: CoverageSet, stream: BinaryIO) -> None:
    """Write the full-detail document, which :func:`read` turns back into ``cs`` exactly."""
    stream.write(dumps(document(cs, detail=True)))


# -- reading -------------------------------------------------------------------------


def sniff(head: bytes, name: str) -> bool:
    """A covgap document opens with ``{"format": "covgap"`` (the writer's fixed order)."""
    return _SNIFF_RE.match(head) is not None


def _load(data: bytes, origin: str) -> dict[str, Any]:
    try:
        doc = decode_json(data, origin)  # locates a non-UTF-8 byte, a BOM is fine
    except FormatError as exc:
        # This reader's messages name the line without a column (its tests pin them).
        raise FormatError(origin, exc.reason, line=exc.line, offset=exc.offset) from None
    if not isinstance(doc, dict):
        raise FormatError(origin, "not a covgap JSON document (top level is not an object)")
    if doc.get("format") != FORMAT_NAME:
        raise FormatError(origin, f'not a covgap JSON document ("format" is {doc.get("format")!r})')
    version = doc.get("schema_version")
    if not _is_int(version):
        raise FormatError(origin, f'"schema_version" must be an integer, got {version!r}')
    if not MIN_SCHEMA_VERSION <= version <= MAX_SCHEMA_VERSION:
        raise FormatError(
            origin,
            f"schema_version {version} is not supported by this covgap "
            f"(reads {MIN_SCHEMA_VERSION}..{MAX_SCHEMA_VERSION}); upgrade covgap",
        )
    files = doc.get("files")
    if not isinstance(files, list):
        raise FormatError(origin, '"files" must be an array')
    return doc


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_int32(value: object) -> TypeGuard[int]:
    return _is_int(value) and _INT32_MIN <= value <= MAX_LINE


class _Where:
    """Names the place inside the document for error messages (``files[3] (a.py)``)."""

    def __init__(self, origin: str, index: int | None, path: object = None) -> None:
        self.origin = origin
        if index is None:
            self.prefix = "summary"
        else:
            self.prefix = f"files[{index}]" + (f" ({path})" if isinstance(path, str) else "")

    def error(self, message: str) -> FormatError:
        return FormatError(self.origin, f"{self.prefix}: {message}")


def _line(where: _Where, value: object, what: str, lowest: int = 1) -> int:
    """A line number; ``lowest=0`` for a function's start (gcovr's merge-use-line-0)."""
    if not _is_int(value) or not lowest <= value <= MAX_LINE:
        raise where.error(f"{what}: {value!r} is not a line number")
    return value


def _count(where: _Where, value: object, what: str) -> int:
    if not _is_int(value) or not 0 <= value <= MAX_COUNT:
        raise where.error(f"{what}: {value!r} is not a hit count")
    return value


def _file_counts(where: _Where, entry: Mapping[str, Any]) -> Counts:
    values: list[int] = []
    for key in COUNT_KEYS:
        value = entry.get(key)
        if not _is_int(value) or value < 0:
            raise where.error(f'"{key}" must be a non-negative integer, got {value!r}')
        values.append(value)
    counts = Counts(*values)
    for kind in ("lines", "branches", "functions"):
        t = getattr(counts, f"{kind}_total")
        c = getattr(counts, f"{kind}_covered")
        if c > t:
            raise where.error(f'"{kind}_covered" ({c}) exceeds "{kind}_total" ({t})')
    return counts


def _line_columns(where: _Where, raw: object) -> tuple[array[int], array[int]]:
    """Return the ``[[line, hits], ...]`` detail as sorted columns.

    The writer emits sorted, valid pairs, so one bulk check usually suffices (a
    4-million-line report is normal); anything else takes the pair-by-pair path,
    which accepts any order and names the first bad pair.
    """
    if not isinstance(raw, list):
        raise where.error('"lines" must be an array of [line, hits]')
    if all(type(p) is list and len(p) == 2 for p in raw):
        lines = [p[0] for p in raw]
        hits = [p[1] for p in raw]
        if (
            all(type(x) is int for x in lines)
            and all(type(h) is int for h in hits)
            and (not lines or (lines[0] >= 1 and lines[-1] <= MAX_LINE))
            and (not hits or (min(hits) >= 0 and max(hits) <= MAX_COUNT))
            and all(a < b for a, b in itertools.pairwise(lines))
        ):
            return array("i", lines), array("q", hits)
    by_line: dict[int, int] = {}
    for i, pair in enumerate(raw):
        if not isinstance(pair, list) or len(pair) != 2:
            raise where.error(f"lines[{i}]: expected [line, hits], got {pair!r}")
        ln = _line(where, pair[0], f"lines[{i}]")
        if ln in by_line:
            raise where.error(f"lines[{i}]: line {ln} listed twice")
        by_line[ln] = _count(where, pair[1], f"lines[{i}]")
    keys = sorted(by_line)
    return array("i", keys), array("q", [by_line[k] for k in keys])


def _contexts_from_json(where: _Where, raw: object) -> dict[str, array[int]]:
    """``[[line, [name, ...]], ...]`` back to the model's name → sorted lines."""
    if not isinstance(raw, list):
        raise where.error('"contexts" must be an array of [line, [test names]]')
    per_name: dict[str, set[int]] = {}
    for i, pair in enumerate(raw):
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[1], list)):
            raise where.error(f"contexts[{i}]: expected [line, [test names]]")
        ln = _line(where, pair[0], f"contexts[{i}]")
        for name in pair[1]:
            if not isinstance(name, str):
                raise where.error(f"contexts[{i}]: test names must be strings")
            per_name.setdefault(name, set()).add(ln)
    return {name: array("i", sorted(lines)) for name, lines in per_name.items()}


def _file_from_json(origin: str, index: int, entry: object) -> FileCoverage:
    if not isinstance(entry, dict):
        raise FormatError(origin, f"files[{index}]: expected an object")
    path = entry.get("path")
    where = _Where(origin, index, path)
    if not isinstance(path, str) or not path:
        raise where.error('"path" must be a non-empty string')
    if "lines" not in entry:
        raise where.error(
            "has no per-line detail; covgap can read back only a report written with "
            f"detail ({DETAIL_HINT})"
        )
    lines, hits = _line_columns(where, entry["lines"])
    b = FileCoverageBuilder(path)
    raw_branches = entry.get("branches", [])
    if not isinstance(raw_branches, list):
        raise where.error('"branches" must be an array of [line, block, branch, taken]')
    seen_br: set[tuple[int, int, int]] = set()
    for i, quad in enumerate(raw_branches):
        if not isinstance(quad, list) or len(quad) != 4:
            raise where.error(f"branches[{i}]: expected [line, block, branch, taken]")
        ln = _line(where, quad[0], f"branches[{i}]")
        blk, br = quad[1], quad[2]
        # Negative blocks are real (LCOV exception blocks, e<n>); branch indexes are not.
        if not (_is_int32(blk) and _is_int32(br)):
            raise where.error(f"branches[{i}]: block and branch must be 32-bit integers")
        if br < 0:
            # The model holds non-negative branch indexes only (every writer can hold them).
            raise where.error(f"branches[{i}]: branch index {br} is negative")
        if (ln, blk, br) in seen_br:
            raise where.error(f"branches[{i}]: branch ({ln}, {blk}, {br}) listed twice")
        seen_br.add((ln, blk, br))
        taken = None if quad[3] is None else _count(where, quad[3], f"branches[{i}]")
        b.add_branch(ln, blk, br, taken)
    raw_functions = entry.get("functions", [])
    if not isinstance(raw_functions, list):
        raise where.error('"functions" must be an array of objects')
    seen_fn: set[tuple[str, int]] = set()
    for i, fn in enumerate(raw_functions):
        if not isinstance(fn, dict) or not isinstance(fn.get("name"), str):
            raise where.error(f"functions[{i}]: expected an object with a string name")
        start = _line(where, fn.get("start_line"), f"functions[{i}].start_line", lowest=0)
        end_raw = fn.get("end_line")
        end = None if end_raw is None else _line(where, end_raw, f"functions[{i}].end_line")
        if (fn["name"], start) in seen_fn:
            raise where.error(f"functions[{i}]: {fn['name']!r} at line {start} listed twice")
        seen_fn.add((fn["name"], start))
        b.add_function(fn["name"], start, _count(where, fn.get("hits"), f"functions[{i}]"), end)
    br = b.build_branches()
    raw_flags = entry.get("flags", {})
    if not isinstance(raw_flags, dict):
        raise where.error('"flags" must map a flag name to its covered lines')
    flags: dict[str, array[int]] = {}
    for flag, covered in raw_flags.items():
        if not isinstance(covered, list):
            raise where.error(f"flags[{flag!r}] must be an array of line numbers")
        flag_lines = sorted({_line(where, ln, f"flags[{flag!r}]") for ln in covered})
        if flag_lines:
            flags[flag] = array("i", flag_lines)
    contexts = _contexts_from_json(where, entry.get("contexts", []))
    fc = FileCoverage(
        path,
        lines,
        hits,
        branches=br,
        functions=b.build_functions(),
        flags=flags,
        contexts=contexts,
    )
    declared = _file_counts(where, entry)
    if declared != fc.counts():
        raise where.error(
            f"its counts {declared.as_dict()} disagree with its own detail "
            f"{fc.counts().as_dict()}; the file was edited or truncated"
        )
    return fc


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Rebuild the exact coverage a full-detail covgap JSON document holds.

    The per-file counts must agree with the detail: a disagreement means the document
    was edited by hand or cut short, and trusting either half would give a wrong number.

    :func:`_read_fast` decodes the ``files`` one entry at a time (issue 14: the peak
    stays near the file's size) with the same per-entry check, :func:`_file_from_json`;
    anything unusual is decided by :func:`_read_exact`, which names the place.
    """
    return fast_or_exact(stream, origin, _read_fast, _read_exact)


class _Document(msgspec.Struct):
    format: str
    schema_version: int
    files: list[msgspec.Raw]
    inputs: msgspec.Raw | UnsetType = UNSET


_DOCUMENT = msgspec.json.Decoder(_Document)


_LineNo = Annotated[int, msgspec.Meta(ge=1, le=MAX_LINE)]
_Start = Annotated[int, msgspec.Meta(ge=0, le=MAX_LINE)]
_Hits = Annotated[int, msgspec.Meta(ge=0, le=MAX_COUNT)]
_Block = Annotated[int, msgspec.Meta(ge=_INT32_MIN, le=MAX_LINE)]
_BranchIndex = Annotated[int, msgspec.Meta(ge=0, le=MAX_LINE)]
_Total = Annotated[int, msgspec.Meta(ge=0)]


class _TypedFunction(msgspec.Struct):
    name: str
    start_line: _Start
    hits: _Hits
    end_line: _LineNo | None = None


class _TypedFile(msgspec.Struct):
    """One ``files`` entry as the writer emits it, every type and range checked in C.

    The same checks :func:`_file_from_json` makes value by value in Python (the
    pair-by-pair checks were most of the time of reading a covgap JSON report).
    """

    path: str
    lines: list[tuple[_LineNo, _Hits]]
    lines_total: _Total
    lines_covered: _Total
    branches_total: _Total
    branches_covered: _Total
    functions_total: _Total
    functions_covered: _Total
    branches: list[tuple[_LineNo, _Block, _BranchIndex, _Hits | None]] = []
    functions: list[_TypedFunction] = []
    flags: dict[str, list[_LineNo]] = {}
    contexts: msgspec.Raw | UnsetType = UNSET


_TYPED_FILE = msgspec.json.Decoder(_TypedFile)


def _file_typed(origin: str, index: int, raw: bytes | msgspec.Raw) -> FileCoverage | None:
    """:func:`_file_from_json` for an entry exactly as the writer emits it, or None.

    None (anything unusual: a type or range the typed decoder refuses, unsorted lines,
    a duplicate, counts that disagree) sends the entry to :func:`_file_from_json`,
    which accepts what is valid and names what is not: this is only a faster road to
    the same result.
    """
    try:
        entry = _TYPED_FILE.decode(raw)
    except msgspec.ValidationError:
        return None
    pairs = entry.lines
    lines = [p[0] for p in pairs]
    if not entry.path or lines != sorted(set(lines)):  # strictly increasing, checked in C
        return None
    b = FileCoverageBuilder(entry.path)
    seen_br: set[tuple[int, int, int]] = set()
    for ln, blk, br, taken in entry.branches:
        if (ln, blk, br) in seen_br:
            return None
        seen_br.add((ln, blk, br))
        b.add_branch(ln, blk, br, taken)
    seen_fn: set[tuple[str, int]] = set()
    for fn in entry.functions:
        if (fn.name, fn.start_line) in seen_fn:
            return None
        seen_fn.add((fn.name, fn.start_line))
        b.add_function(fn.name, fn.start_line, fn.hits, fn.end_line)
    flags = {flag: array("i", sorted(set(v))) for flag, v in entry.flags.items() if v}
    contexts = (
        {}
        if entry.contexts is UNSET
        else _contexts_from_json(_Where(origin, index, entry.path), loads(entry.contexts))
    )
    fc = FileCoverage(
        entry.path,
        array("i", lines),
        array("q", [p[1] for p in pairs]),
        branches=b.build_branches(),
        functions=b.build_functions(),
        flags=flags,
        contexts=contexts,
    )
    declared = Counts(*(getattr(entry, key) for key in COUNT_KEYS))
    return fc if declared == fc.counts() else None


def _read_fast(data: bytes, origin: str) -> CoverageSet:
    """:func:`_read_exact`, one ``files`` entry in memory at a time.

    Each entry goes through the typed decoder (:func:`_file_typed`) and, if that
    declines it, through the exact per-entry check :func:`_file_from_json`.
    """
    doc = _DOCUMENT.decode(data)
    if doc.format != FORMAT_NAME or not (
        MIN_SCHEMA_VERSION <= doc.schema_version <= MAX_SCHEMA_VERSION
    ):
        raise FastPathMiss
    cs = CoverageSet()
    for index, raw in enumerate(doc.files):
        fc = _file_typed(origin, index, raw)
        if fc is None:
            fc = _file_from_json(origin, index, loads(raw))
        if fc.path in cs.files:
            raise FastPathMiss
        cs.files[fc.path] = fc
    if doc.inputs is not UNSET:
        cs.inputs = tuple(_inputs_from_json(loads(doc.inputs)))
    return cs


def _read_exact(stream: BinaryIO, origin: str) -> CoverageSet:
    """The validating reader: the whole document, every error named by its place."""
    doc = _load(stream.read(), origin)
    cs = CoverageSet()
    seen: set[str] = set()
    for index, entry in enumerate(doc["files"]):
        fc = _file_from_json(origin, index, entry)
        if fc.path in seen:
            raise FormatError(origin, f"files[{index}] ({fc.path}): path listed twice")
        seen.add(fc.path)
        cs.files[fc.path] = fc
    cs.inputs = tuple(_inputs_from_json(doc.get("inputs", [])))
    return cs


def _inputs_from_json(raw: object) -> Iterable[InputInfo]:
    if not isinstance(raw, list):
        return
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("path"), str):
            fmt = item.get("format")
            flag = item.get("flag")
            yield InputInfo(
                item["path"],
                fmt if isinstance(fmt, str) else "",
                flag if isinstance(flag, str) else None,
            )


def read_summary(path: Path) -> dict[str, Any]:
    """Read only the totals of a covgap JSON document, with or without detail.

    Baselines and trend files need per-file totals, not lines, so this accepts any
    covgap JSON (gzip or not). Returns ``{"schema_version": int, "covgap_version":
    str | None, "summary": Counts, "files": {path: Counts}, "components": list}``;
    ``components`` is the document's own list, passed through unchanged.
    """
    origin = str(path)
    try:
        with path.open("rb") as raw:
            data = raw.read()
        if data.startswith(GZIP_MAGIC):
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:  # what read_report says of a bad gzip
                raise FormatError(origin, f"corrupt gzip data ({exc})", offset=0) from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read ({exc})") from None
    doc = _load(data, origin)
    files: dict[str, Counts] = {}
    for index, entry in enumerate(doc["files"]):
        if not isinstance(entry, dict):
            raise FormatError(origin, f"files[{index}]: expected an object")
        where = _Where(origin, index, entry.get("path"))
        if not isinstance(entry.get("path"), str) or not entry["path"]:
            raise where.error('"path" must be a non-empty string')
        if entry["path"] in files:
            raise where.error("path listed twice")
        files[entry["path"]] = _file_counts(where, entry)
    summary = doc.get("summary")
    if not isinstance(summary, dict):
        raise FormatError(origin, '"summary" must be an object')
    total = _file_counts(_Where(origin, None), summary)
    components = doc.get("components", [])
    version = doc.get("covgap_version")
    return {
        "schema_version": doc["schema_version"],
        "covgap_version": version if isinstance(version, str) else None,
        "summary": total,
        "files": files,
        "components": components if isinstance(components, list) else [],
    }


FORMAT = FormatSpec(
    name=FORMAT_NAME,
    title="covgap JSON",
    sniff=sniff,
    read=read,
    write=write,
    discover=(),
)

__all__ = [
    "FORMAT",
    "MAX_SCHEMA_VERSION",
    "MIN_SCHEMA_VERSION",
    "SCHEMA_VERSION",
    "document",
    "dumps",
    "file_to_json",
    "read",
    "read_summary",
    "summary_to_json",
    "write",
]
