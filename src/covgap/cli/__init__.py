"""covgap's command line: the only place that prints and exits.

Each command lives in its own module of this package and registers itself on
:data:`main` when imported; :data:`COMMAND_MODULES` is the list. Library errors
(:class:`covgap.errors.CovgapError`) become one line on stderr and exit status 2;
failed gates exit 1; success exits 0.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any

import click

from covgap import __version__
from covgap.errors import CovgapError

COMMANDS: dict[str, str] = {
    "report": "report_cmd",
    "merge": "merge_cmd",
    "convert": "merge_cmd",
    "demo": "demo_cmd",
    "gaps": "gaps_cmd",
    "plan": "gaps_cmd",
    "check": "check_cmd",
    "diff": "check_cmd",
    "tests": "tests_cmd",
    "record": "record_cmd",
    "trend": "trend_cmd",
    "flaky": "flaky_cmd",
    "history": "history_cmd",
    "serve": "serve_cmd",
    "server": "serve_cmd",
    "upload": "upload_cmd",
    "run": "run_cmd",
    "who-covers": "whocovers_cmd",
}
"""Each command's name and the module of this package that defines it.

Modules are imported only when their command runs (or for ``--help``), so
``covgap report`` does not pay for tree-sitter, git or the gate machinery.
"""

COMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(COMMANDS.values()))


class CovgapGroup(click.Group):
    """A click group that loads commands lazily and turns covgap's errors into one line."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module = COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"covgap.cli.{module}")
        return super().get_command(ctx, cmd_name)

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
    # A run allocates millions of small objects (a report's line ranges, JSON rows) and
    # keeps them; the default collector thresholds make Python rescan that growing heap
    # over and over for cycles it does not have. Collect far less often instead.
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
