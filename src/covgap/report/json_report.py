"""The JSON coverage report: covgap's documented, versioned schema (docs/json-schema.md).

The per-file entries are exactly what ``covgap.formats.covgap_json`` writes, so a
report written with ``--detail`` is also a lossless covgap JSON input (a baseline for
``covgap check`` and ``covgap diff``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import orjson

from covgap import __version__
from covgap.analysis.summary import Summary
from covgap.formats.covgap_json import SCHEMA_VERSION, file_to_json, summary_to_json
from covgap.model import CoverageSet, InputInfo


def _inputs(inputs: Sequence[InputInfo]) -> list[dict[str, Any]]:
    return [{"path": i.path, "format": i.format, "flag": i.flag} for i in inputs]


def build_json(
    summary: Summary,
    coverage: CoverageSet,
    *,
    detail: bool = False,
    unmapped: Sequence[dict[str, Any]] = (),
    skipped: Sequence[tuple[str, str]] = (),
    with_files: bool = True,
) -> dict[str, Any]:
    """Assemble the report document as plain data (``files`` empty unless ``with_files``)."""
    files = list(_file_entries(summary, coverage, detail)) if with_files else []
    components = []
    for c in summary.components:
        comp: dict[str, Any] = {
            "name": c.name,
            "language": c.language,
            "origin": c.origin,
            "files": c.files,
        }
        comp.update(summary_to_json(c.counts))
        comp["critical"] = c.critical
        comp["targets"] = [
            {"metric": k.metric, "minimum": k.minimum, "measured": k.measured, "passed": k.passed}
            for k in c.checks
        ]
        comp["passed"] = c.passed
        components.append(comp)
    flags = []
    for f in summary.flags:
        flag: dict[str, Any] = {"name": f.name, "only_covered_lines": f.only_covered_lines}
        flag.update(summary_to_json(f.counts))
        flags.append(flag)
    return {
        "format": "covgap",
        "schema_version": SCHEMA_VERSION,
        "covgap_version": __version__,
        "summary": summary_to_json(summary.totals),
        "components": components,
        "flags": flags,
        "files": files,
        "inputs": _inputs(coverage.inputs),
        "unmapped": list(unmapped),
        "skipped": [{"path": p, "reason": why} for p, why in skipped],
        "notes": list(coverage.notes),
    }


def _file_entries(
    summary: Summary, coverage: CoverageSet, detail: bool
) -> Iterator[dict[str, Any]]:
    rows = {r.path: r for r in summary.files}
    for path in sorted(coverage.files):
        entry = file_to_json(coverage.files[path], detail=detail)
        row = rows.get(path)
        if row is not None:
            entry["component"] = row.component
            entry["language"] = row.language
            entry["mapped"] = row.mapped
        yield entry


_EMPTY_FILES = b'\n  "files": [],\n'


def render_report_json(
    summary: Summary,
    coverage: CoverageSet,
    *,
    detail: bool = False,
    unmapped: Sequence[dict[str, Any]] = (),
    skipped: Sequence[tuple[str, str]] = (),
) -> bytes:
    """``render_json(build_json(...))``, byte for byte, one file entry at a time.

    Why: the whole document as Python objects (a dict per file, a tuple per uncovered
    range) cost a fifth of the peak memory of ``covgap report`` on a 10,000-file
    repository (issue 14). Each entry is serialised as it is built and indented to its
    depth (JSON strings hold no raw newline, so re-indenting is a plain replace); only
    the output bytes accumulate.
    """
    doc = build_json(
        summary, coverage, detail=detail, unmapped=unmapped, skipped=skipped, with_files=False
    )
    head = render_json(doc)
    if not coverage.files:
        return head
    cut = head.index(_EMPTY_FILES)
    parts = [head[:cut], b'\n  "files": [\n']
    option = orjson.OPT_INDENT_2
    for i, entry in enumerate(_file_entries(summary, coverage, detail)):
        if i:
            parts.append(b",\n")
        parts.append(b"    " + orjson.dumps(entry, option=option).replace(b"\n", b"\n    "))
    parts.append(b"\n  ],\n")
    parts.append(head[cut + len(_EMPTY_FILES) :])
    return b"".join(parts)


def render_json(document: dict[str, Any], *, indent: bool = True) -> bytes:
    option = orjson.OPT_INDENT_2 if indent else 0
    return orjson.dumps(document, option=option | orjson.OPT_APPEND_NEWLINE)
