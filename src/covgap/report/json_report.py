"""The JSON coverage report: covgap's documented, versioned schema (docs/json-schema.md).

The per-file entries are exactly what ``covgap.formats.covgap_json`` writes, so a
report written with ``--detail`` is also a lossless covgap JSON input (a baseline for
``covgap check`` and ``covgap diff``).
"""

from __future__ import annotations

from collections.abc import Sequence
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
) -> dict[str, Any]:
    """Assemble the report document as plain data."""
    rows = {r.path: r for r in summary.files}
    files = []
    for path in sorted(coverage.files):
        entry = file_to_json(coverage.files[path], detail=detail)
        row = rows.get(path)
        if row is not None:
            entry["component"] = row.component
            entry["language"] = row.language
            entry["mapped"] = row.mapped
        files.append(entry)
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


def render_json(document: dict[str, Any], *, indent: bool = True) -> bytes:
    option = orjson.OPT_INDENT_2 if indent else 0
    return orjson.dumps(document, option=option | orjson.OPT_APPEND_NEWLINE)
