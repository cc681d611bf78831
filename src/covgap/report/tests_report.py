"""Render the tests inventory (``covgap tests``) as terminal text, Markdown or JSON.

Every renderer returns a string or bytes and does no I/O, so the CLI decides where the
output goes. The JSON document is versioned (``schema_version``); changes:

* 1 — first version: ``summary``, ``languages``, ``components``, ``untested_largest``,
  ``files`` (path, language, component, kind, test_kind, lines, code_lines,
  functions, inline_tests, tested_by, tests, skipped_tests, property_tests,
  description, parse_error) and ``skipped``.
* 2 — issue 10: ``kind`` may be ``tooling`` (with ``tooling_rule``); ``doctests``
  (``{total, ignored, no_run, files}``) and ``tooling_files`` in ``summary``; per file
  ``doctests``, ``doctests_ignored``, ``doctests_no_run``, ``analyser`` (``tree-sitter``
  or ``regex``) and ``tooling_rule``; ``doctests`` and ``tooling_files`` per language and
  component; ``notes``: what the analysis could not do, one entry per language
  (``language``, ``kind`` = ``fallback``/``syntax_errors``, ``analyser``, ``reason``,
  ``files``, ``found``, ``missing``, ``message``). ``inline_tests`` no longer counts
  doctests.
"""

from __future__ import annotations

import io
from typing import Any

import orjson

from covgap import __version__
from covgap.languages import find_language
from covgap.report._format import percent
from covgap.source.inventory import NO_COMPONENT, DoctestCount, GroupRow, Inventory
from covgap.source.notes import analysis_notes
from covgap.source.records import SourceFile

SCHEMA_VERSION = 2


def language_name(key: str | None) -> str:
    """The display name (``TypeScript``) for a language key, as every covgap report shows it."""
    lang = find_language(key) if key else None
    return lang.name if lang is not None else (key or "unknown")


def _kinds(inv: Inventory) -> str:
    parts = [f"{inv.test_files_by_kind.get(k, 0):,} {k}" for k in ("unit", "integration", "e2e")]
    return ", ".join(parts)


def _by_kind(inv: Inventory) -> str:
    """``38 test, 2 bench, 3 doctest`` (plain tests first), or nothing if all are tests."""
    kinds = sorted(inv.tests_by_kind.items(), key=lambda kv: (kv[0] != "test", kv[0]))
    if [k for k, _ in kinds] in ([], ["test"]):
        return ""
    return " (" + ", ".join(f"{n:,} {k}" for k, n in kinds) + ")"


def summary_rows(inv: Inventory) -> list[tuple[str, str]]:
    """The headline numbers as (label, value) pairs, shared by terminal and Markdown."""
    tested = f"{inv.tested_source_files:,}/{inv.source_files:,}"
    return [
        (
            "Source files with tests",
            f"{tested} ({percent(inv.tested_source_files, inv.source_files)})",
        ),
        (
            "Inline tests",
            f"{inv.inline_tests:,} in {inv.files_with_inline_tests:,} source files",
        ),
        ("Doctests", doctest_summary(inv.doctests)),
        ("Test files", f"{inv.test_files:,} ({_kinds(inv)})"),
        ("Integration test files", f"{inv.test_files_by_kind.get('integration', 0):,}"),
        ("E2E test files", f"{inv.test_files_by_kind.get('e2e', 0):,}"),
        ("Tests", f"{inv.tests:,}{_by_kind(inv)}"),
        ("Skipped or ignored tests", f"{inv.skipped_tests:,}"),
        ("Property-based tests", f"{inv.property_tests:,}"),
        ("Tooling files (not source, not tests)", f"{len(inv.tooling):,}"),
    ]


def doctest_summary(count: DoctestCount) -> str:
    """``5 in 2 files (1 ignored, 1 no_run)``: doctests, apart from inline tests."""
    text = f"{count.total:,} in {count.files:,} file{'s' if count.files != 1 else ''}"
    extra = [f"{count.ignored:,} ignored"] if count.ignored else []
    extra += [f"{count.no_run:,} no_run"] if count.no_run else []
    return text + (f" ({', '.join(extra)})" if extra else "")


_GROUP_HEADER = (
    "Source files",
    "With tests",
    "%",
    "Test files",
    "Tests",
    "Skipped",
    "Property",
    "Inline",
    "Doctests",
)


def _group_cells(row: GroupRow) -> list[str]:
    return [
        f"{row.source_files:,}",
        f"{row.tested_source_files:,}",
        percent(row.tested_source_files, row.source_files),
        f"{row.test_files:,}",
        f"{row.tests:,}",
        f"{row.skipped_tests:,}",
        f"{row.property_tests:,}",
        f"{row.inline_tests:,}",
        f"{row.doctests:,}",
    ]


def _test_count(sf: SourceFile) -> str:
    skipped = sum(t.skipped for t in sf.tests)
    return f"{len(sf.tests):,}" + (f" ({skipped:,} skipped)" if skipped else "")


def _tested_sources(inv: Inventory) -> dict[str, list[str]]:
    """Test file -> the source files it is linked to (the reverse of ``tested_by``)."""
    out: dict[str, list[str]] = {}
    for sf in inv.index.files.values():
        for test in sf.tested_by:
            out.setdefault(test, []).append(sf.path)
    return out


# -- Markdown ---------------------------------------------------------------------------


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def _md_table(
    header: list[str], rows: list[list[str]], text_columns: tuple[int, ...] = (0,)
) -> list[str]:
    """A GitHub table: ``text_columns`` left-aligned, numbers right-aligned."""
    align = ["---" if i in text_columns else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(_md_escape(c) for c in row) + " |" for row in rows]
    return lines


def render_markdown(inv: Inventory) -> str:
    """The inventory as GitHub-flavoured Markdown, for a PR comment or COVERAGE.md."""
    out = ["# Tests inventory", ""]
    notes = analysis_notes(inv.index)
    if notes:
        out += [f"> **Note**: {_md_escape(n.message)}  " for n in notes]
        out.append("")
    out += _md_table(["Metric", "Value"], [[k, v] for k, v in summary_rows(inv)], (0, 1))
    out += ["", "## Tests per language", ""]
    out += _md_table(
        ["Language", *_GROUP_HEADER],
        [[language_name(r.name), *_group_cells(r)] for r in inv.languages],
    )
    out += ["", "## Tests per component", ""]
    out += _md_table(
        ["Component", *_GROUP_HEADER], [[r.name, *_group_cells(r)] for r in inv.components]
    )
    links = _tested_sources(inv)
    for title, files in (
        ("Integration test files", inv.integration_files),
        ("E2E test files", inv.e2e_files),
    ):
        out += ["", f"## {title}", ""]
        if files:
            rows = [
                [f"`{f.path}`", _test_count(f), f"{len(links.get(f.path, [])):,}"] for f in files
            ]
            out += _md_table(["File", "Tests", "Source files linked"], rows)
        else:
            out.append("None.")
    out += ["", "## Inline tests", ""]
    if inv.inline:
        rows = [[f"`{f.path}`", f"{f.inline_tests:,}", f"{f.lines:,}"] for f in inv.inline]
        out += _md_table(["File", "Inline tests", "Lines"], rows)
    else:
        out.append("No source file defines tests of its own.")
    out += ["", "## Largest source files with no tests", ""]
    if inv.untested_largest:
        rows = [
            [
                f"`{f.path}`",
                f"{f.lines:,}",
                f"{len(f.functions):,}",
                f.component or NO_COMPONENT,
            ]
            for f in inv.untested_largest
        ]
        out += _md_table(["File", "Lines", "Functions", "Component"], rows, (0, 3))
    else:
        out.append("Every source file has tests.")
    out += ["", "## Tooling files", ""]
    if inv.tooling:
        rows = [[f"`{f.path}`", f.tooling_rule or "tooling", f"{f.lines:,}"] for f in inv.tooling]
        out += _md_table(["File", "Class", "Lines"], rows, (0, 1))
    else:
        out.append("None.")
    if inv.index.skipped:
        out += ["", "## Not fully analysed", ""]
        rows = [[f"`{p}`", why] for p, why in inv.index.skipped]
        out += _md_table(["File", "Why"], rows, (0, 1))
    return "\n".join(out) + "\n"


# -- JSON -------------------------------------------------------------------------------


def _group_json(row: GroupRow, *, language: bool = False) -> dict[str, Any]:
    return {
        "name": language_name(row.name) if language else row.name,
        "source_files": row.source_files,
        "tested_source_files": row.tested_source_files,
        "test_files": row.test_files,
        "tests": row.tests,
        "skipped_tests": row.skipped_tests,
        "property_tests": row.property_tests,
        "inline_tests": row.inline_tests,
        "doctests": row.doctests,
        "tooling_files": row.tooling_files,
    }


def _json_percent(part: int, total: int) -> float | None:
    """Two decimals, never rounded up to 100 nor down to 0 (coverage.py's rule)."""
    if total == 0:
        return None
    value = round(100.0 * part / total, 2)
    if value == 100.0 and part < total:
        return 99.99
    if value == 0.0 and part > 0:
        return 0.01
    return value


def build_json(inv: Inventory) -> dict[str, Any]:
    """The inventory as plain data (schema: this module's docstring)."""
    files = []
    for sf in inv.index.files.values():
        files.append(
            {
                "path": sf.path,
                "language": language_name(sf.language),
                "component": sf.component,
                "kind": sf.kind,
                "test_kind": sf.test_kind,
                "lines": sf.lines,
                "code_lines": sf.code_lines,
                "functions": len(sf.functions),
                "tooling_rule": sf.tooling_rule,
                "inline_tests": sf.inline_tests,
                "doctests": len(sf.doctests),
                "doctests_ignored": sum(t.skipped for t in sf.doctests),
                "doctests_no_run": sum(t.compile_only for t in sf.doctests),
                "tested_by": list(sf.tested_by),
                "tests": len(sf.tests),
                "skipped_tests": sum(t.skipped for t in sf.tests),
                "property_tests": sum(t.kind == "property" for t in sf.tests),
                "description": sf.description,
                "parse_error": sf.parse_error,
                "analyser": sf.analyser,
            }
        )
    return {
        "format": "covgap-tests",
        "schema_version": SCHEMA_VERSION,
        "covgap_version": __version__,
        "summary": {
            "source_files": inv.source_files,
            "tested_source_files": inv.tested_source_files,
            "tested_percent": _json_percent(inv.tested_source_files, inv.source_files),
            "inline_tests": inv.inline_tests,
            "files_with_inline_tests": inv.files_with_inline_tests,
            "test_files": inv.test_files,
            "test_files_by_kind": inv.test_files_by_kind,
            "tests": inv.tests,
            "skipped_tests": inv.skipped_tests,
            "property_tests": inv.property_tests,
            "tests_by_kind": inv.tests_by_kind,
            "doctests": {
                "total": inv.doctests.total,
                "ignored": inv.doctests.ignored,
                "no_run": inv.doctests.no_run,
                "files": inv.doctests.files,
            },
            "tooling_files": len(inv.tooling),
        },
        "notes": [n.as_dict() for n in analysis_notes(inv.index)],
        "languages": [_group_json(r, language=True) for r in inv.languages],
        "components": [_group_json(r) for r in inv.components],
        "untested_largest": [
            {"path": f.path, "lines": f.lines, "functions": len(f.functions)}
            for f in inv.untested_largest
        ],
        "files": files,
        "skipped": [{"path": p, "reason": why} for p, why in inv.index.skipped],
    }


def render_json(inv: Inventory) -> bytes:
    return orjson.dumps(build_json(inv), option=orjson.OPT_INDENT_2) + b"\n"


# -- terminal ---------------------------------------------------------------------------


def render_terminal(inv: Inventory, *, color: bool = False, width: int = 120) -> str:
    """The inventory as rich tables, rendered to a string (with ANSI colour if asked)."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system="auto" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
    )
    table = Table(title="Tests inventory", title_justify="left", show_header=False, show_edge=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    for label, value in summary_rows(inv):
        table.add_row(label, value)
    console.print(table)
    for title, rows, is_language in (
        ("Tests per language", inv.languages, True),
        ("Tests per component", inv.components, False),
    ):
        group = Table(title=title, title_justify="left", show_edge=False)
        group.add_column(title.rsplit(" ", 1)[-1].capitalize())
        for name in _GROUP_HEADER:
            group.add_column(name, justify="right")
        for row in rows:
            label = language_name(row.name) if is_language else row.name
            group.add_row(label, *_group_cells(row))
        console.print()
        console.print(group)
    links = _tested_sources(inv)
    for title, files in (
        ("Integration test files", inv.integration_files),
        ("E2E test files", inv.e2e_files),
    ):
        if not files:
            continue
        listing = Table(title=title, title_justify="left", show_edge=False)
        listing.add_column("file")
        listing.add_column("tests", justify="right")
        listing.add_column("linked", justify="right")
        for f in files:
            listing.add_row(f.path, _test_count(f), f"{len(links.get(f.path, [])):,}")
        console.print()
        console.print(listing)
    if inv.inline:
        inline = Table(title="Inline tests", title_justify="left", show_edge=False)
        inline.add_column("file")
        inline.add_column("inline tests", justify="right")
        inline.add_column("lines", justify="right")
        for f in inv.inline:
            inline.add_row(f.path, f"{f.inline_tests:,}", f"{f.lines:,}")
        console.print()
        console.print(inline)
    if inv.untested_largest:
        untested = Table(
            title="Largest source files with no tests", title_justify="left", show_edge=False
        )
        untested.add_column("file")
        untested.add_column("lines", justify="right")
        untested.add_column("functions", justify="right")
        untested.add_column("component")
        for f in inv.untested_largest:
            untested.add_row(
                f.path, f"{f.lines:,}", f"{len(f.functions):,}", f.component or NO_COMPONENT
            )
        console.print()
        console.print(untested)
    if inv.tooling:
        tooling = Table(
            title="Tooling files (not source, not tests)", title_justify="left", show_edge=False
        )
        tooling.add_column("file")
        tooling.add_column("class")
        tooling.add_column("lines", justify="right")
        for f in inv.tooling:
            tooling.add_row(f.path, f.tooling_rule or "tooling", f"{f.lines:,}")
        console.print()
        console.print(tooling)
    if inv.index.skipped:
        console.print()
        console.print(f"Not fully analysed: {len(inv.index.skipped):,} files")
        for path, why in inv.index.skipped[:20]:
            console.print(f"  {path}: {why}", markup=False)
    return buffer.getvalue()
