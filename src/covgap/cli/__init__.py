"""covgap's command line: the only place that prints and exits.

Each command lives in its own module of this package and registers itself on
:data:`main` when imported; :data:`COMMAND_MODULES` is the list. Library errors
(:class:`covgap.errors.CovgapError`) become one line on stderr and exit status 2;
failed gates exit 1; success exits 0.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from covgap import __version__
from covgap.errors import CovgapError

COMMAND_MODULES: tuple[str, ...] = (
    "report_cmd",
    "merge_cmd",
    "demo_cmd",
    "gaps_cmd",
    "check_cmd",
    "tests_cmd",
)


class CovgapGroup(click.Group):
    """A click group that turns covgap's own errors into a clean one-line message."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CovgapError as exc:
            click.echo(f"covgap: error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("covgap: interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # `covgap report | head`: the reader went away; nothing left to say.
            sys.stderr.close()
            ctx.exit(1)


@click.group(cls=CovgapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="covgap")
def main() -> None:
    """Exact, merged coverage for polyglot repositories, and the gaps that matter.

    covgap reads the coverage reports your test suites already write (LCOV,
    Cobertura, coverage.py, llvm-cov, SimpleCov, Istanbul, ...), maps them onto the
    repository's files and packages, and reports, ranks the gaps, and gates CI.

    Start with `covgap demo`, then `covgap report` in your repository.
    """


for _name in COMMAND_MODULES:
    importlib.import_module(f"covgap.cli.{_name}")
