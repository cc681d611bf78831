"""``covgap who-covers FILE:LINE``: which suites and which tests ran a line."""

from __future__ import annotations

import re

import click
import orjson

from covgap.cli import main
from covgap.cli._common import CoverageInputs, coverage_inputs, format_option, write_output
from covgap.errors import InputError
from covgap.model import CoverageSet, FileCoverage

_WHERE = re.compile(r"^(.+):([0-9]+)$")


def find_file(coverage: CoverageSet, wanted: str) -> FileCoverage:
    """The file ``wanted`` names: its exact path, else the one path ending with it."""
    wanted = wanted.replace("\\", "/").removeprefix("./")
    if wanted in coverage.files:
        return coverage.files[wanted]
    tail = "/" + wanted.lstrip("/")
    matches = [p for p in coverage.files if p.endswith(tail) or tail.endswith("/" + p)]
    if len(matches) == 1:
        return coverage.files[matches[0]]
    if not matches:
        raise InputError(f"{wanted}: no coverage data for this file")
    raise InputError(f"{wanted}: ambiguous, it could be {', '.join(sorted(matches)[:5])}")


def who_covers(coverage: CoverageSet, path: str, line: int) -> dict[str, object]:
    """What the data says about one line: hits, suites and tests (as JSON-able data)."""
    fc = find_file(coverage, path)
    hits = fc.hits_by_line().get(line)
    return {
        "path": fc.path,
        "line": line,
        "executable": hits is not None,
        "hits": hits,
        "suites": sorted(fc.flags_for_line(line)),
        "tests": list(fc.contexts_for_line(line)),
        "tests_recorded": bool(fc.contexts),
    }


@main.command("who-covers")
@click.argument("where")
@coverage_inputs
@format_option("terminal", "json")
def who_covers_command(where: str, source: CoverageInputs, fmt: str) -> None:
    """Which suites and which tests ran FILE:LINE.

    Tests come from per-test contexts (coverage.py's dynamic contexts, which
    `covgap run` turns on; a .coverage or `coverage json --show-contexts` report
    recorded with them works too). With no INPUTS, the reports of the latest
    `covgap run` are used, else the usual report files.
    """
    match = _WHERE.match(where)
    if match is None:
        raise click.BadParameter("expected FILE:LINE, e.g. src/app.py:42", param_hint="WHERE")
    if not source.inputs:
        from covgap.run import latest_run_reports

        root = source.repo.resolve()
        latest = latest_run_reports(root)
        if latest:
            source = CoverageInputs(
                tuple(f"{suite}={path}" for path, suite in latest),
                source.repo,
                source.config_path,
                source.skip_invalid,
                source.input_format,
                source.no_path_mapping,
            )
    loaded = source.load(show_progress=False)
    answer = who_covers(loaded.coverage, match.group(1), int(match.group(2)))
    if fmt == "json":
        write_output(None, orjson.dumps(answer, option=orjson.OPT_INDENT_2) + b"\n")
        return
    lines = [f"{answer['path']}:{answer['line']}"]
    if not answer["executable"]:
        lines.append("  not an executable line in this coverage data")
    else:
        lines.append(f"  hits:   {answer['hits']}")
        suites = answer["suites"]
        lines.append(
            f"  suites: {', '.join(suites) if isinstance(suites, list) and suites else '-'}"
        )
        tests = answer["tests"]
        if not answer["tests_recorded"]:
            lines.append("  tests:  not recorded for this file (no per-test contexts)")
        elif isinstance(tests, list) and tests:
            lines.append("  tests:")
            lines.extend(f"    {t}" for t in tests)
        else:
            lines.append("  tests:  none")
    write_output(None, "\n".join(lines) + "\n")


__all__ = ["find_file", "who_covers"]
