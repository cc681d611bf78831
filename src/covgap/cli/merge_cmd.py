"""``covgap merge`` and ``covgap convert``: write coverage back out in another format.

Both read like ``report`` (any mix of formats, ``FLAG=PATH`` labels, path mapping onto
the repository, ``[paths]`` fixes and ignores) and hand the merged model to a format's
writer. The output is rendered in memory and then written to a temporary file that
is renamed over the target, so a failure — a reader error, a writer that cannot
represent the data, a full disk — never leaves a half-written file where the user's
previous output was.

The writable formats are whatever :func:`covgap.formats.writable_formats` lists;
``json`` is accepted as the name of covgap's own JSON (format ``covgap``).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import click

from covgap.cli import main
from covgap.cli._common import (
    CoverageInputs,
    coverage_inputs,
    write_output,
)
from covgap.errors import OutputError
from covgap.formats import FormatSpec, conversion, get_format, writable_formats
from covgap.pipeline import Loaded

ALIASES = {"json": "covgap"}
"""Friendlier ``--to`` names for registered formats."""

EXTENSIONS = {".info": "lcov", ".lcov": "lcov", ".xml": "cobertura", ".json": "covgap"}
"""The output extensions that imply a format when ``--to`` is not given."""


class FormatChoice(click.Choice):  # type: ignore[type-arg]
    """``click.Choice`` over the writable formats, looked up only when first needed.

    Listing the formats imports every format module; doing it lazily keeps
    ``covgap --help`` and unrelated commands from paying for it.
    """

    def __init__(self) -> None:
        super().__init__([], case_sensitive=False)

    @property  # type: ignore[override]
    def choices(self) -> list[str]:
        names = [spec.name for spec in writable_formats()]
        names += [alias for alias, target in ALIASES.items() if target in names]
        return sorted(names)

    @choices.setter
    def choices(self, value: Any) -> None:
        """click.Choice.__init__ assigns the list; the property computes it instead."""


def resolve_format(to: str | None, output: Path | None) -> FormatSpec:
    """Pick the writer from ``--to``, else from the output's extension."""
    if to is not None:
        return get_format(ALIASES.get(to.lower(), to.lower()))
    if output is None:
        raise click.UsageError("writing to stdout (-o -) needs --to FORMAT")
    name = EXTENSIONS.get(output.suffix.lower())
    if name is None or name not in {s.name for s in writable_formats()}:
        choices = ", ".join(FormatChoice().choices)
        raise click.UsageError(
            f"cannot tell the format from the extension of {output.name!r} "
            f"(.info/.lcov: lcov, .xml: cobertura, .json: json); pass --to ({choices})"
        )
    return get_format(name)


def render(loaded: Loaded, spec: FormatSpec) -> bytes:
    """Serialise the loaded coverage with ``spec``'s writer, entirely in memory.

    covgap's JSON also carries each file's component and language, as ``report``
    writes them (its reader ignores both).
    """
    buffer = io.BytesIO()
    if spec.name == "covgap":
        from covgap.formats import covgap_json

        ws = loaded.workspace
        extra: dict[str, dict[str, str]] = {}
        for path in loaded.coverage.files:
            entry: dict[str, str] = {}
            component = ws.component_of(path)
            if component is not None:
                entry["component"] = component.name
            language = ws.language_of(path)
            if language is not None:
                entry["language"] = language
            if entry:
                extra[path] = entry
        doc = covgap_json.document(loaded.coverage, detail=True, file_extra=extra)
        return covgap_json.dumps(doc)
    if spec.write is None:  # pragma: no cover - resolve_format only returns writable specs
        raise OutputError(f"covgap cannot write {spec.title}")
    spec.write(loaded.coverage, buffer)
    return buffer.getvalue()


def _output_path(output: str) -> Path | None:
    return None if output == "-" else Path(output)


def _run(
    source: CoverageInputs,
    output: str,
    to: str | None,
) -> None:
    out_path = _output_path(output)
    spec = resolve_format(to, out_path)
    if spec.write is None:
        raise click.UsageError(f"covgap cannot write {spec.name}")
    loaded = source.load()
    flags = loaded.coverage.flags
    if flags and spec.name != "covgap":
        click.echo(
            f"covgap: note: {spec.name} cannot hold suite flags ({', '.join(flags)}); "
            "they are dropped (--to json keeps them)",
            err=True,
        )
    data = render(loaded, spec)
    write_output(out_path, data)
    where = "stdout" if out_path is None else str(out_path)
    # The figures are those of the written file as its format's reader reads it
    # (see covgap.formats.conversion.written: LCOV's are computed, exactly).
    written = conversion.written(spec, loaded.coverage, data, where)
    t = written.totals
    click.echo(
        f"covgap: wrote {where} ({spec.name}): {written.files} file(s), "
        f"{t.lines_covered}/{t.lines_total} lines, "
        f"{t.branches_covered}/{t.branches_total} branches, "
        f"{t.functions_covered}/{t.functions_total} functions",
        err=True,
    )
    for line in conversion.losses(loaded.coverage, written, spec):
        click.echo(f"covgap: note: {line}", err=True)


def _write_options(func: Any) -> Any:
    func = click.option(
        "--to",
        type=FormatChoice(),
        help="Output format (default: from OUT's extension: .info/.lcov, .xml, .json).",
    )(func)
    return click.option(
        "-o",
        "--output",
        required=True,
        metavar="OUT",
        help="The file to write (replaced atomically); - for stdout.",
    )(func)


@main.command("merge")
@coverage_inputs
@_write_options
def merge_command(
    source: CoverageInputs,
    output: str,
    to: str | None,
) -> None:
    """Merge coverage reports of any formats into one file.

    INPUTS are reports in any supported format, each optionally labelled with its
    suite as FLAG=PATH. Hits are summed line by line (the true union); paths are
    mapped onto the repository as `report` maps them. covgap's JSON (--to json)
    keeps everything, flags included; LCOV and Cobertura keep what they can hold.
    """
    if not source.inputs:
        raise click.UsageError("merge needs at least one input report")
    _run(source, output, to)


@main.command("convert")
@coverage_inputs
@_write_options
def convert_command(
    source: CoverageInputs,
    output: str,
    to: str | None,
) -> None:
    """Convert one coverage report to another format.

    IN is a report in any supported format (FLAG=PATH labels it). Paths are mapped
    onto the repository as `report` maps them; pass --no-path-mapping to keep them
    exactly as written.
    """
    if len(source.inputs) != 1:
        raise click.UsageError(
            f"convert takes exactly one input, got {len(source.inputs)} (use merge for several)"
        )
    _run(source, output, to)


__all__ = ["ALIASES", "EXTENSIONS", "convert_command", "merge_command", "resolve_format"]
