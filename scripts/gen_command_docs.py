"""Write docs/commands.md from the commands' own --help, so the docs cannot drift.

Run: .venv/bin/python scripts/gen_command_docs.py. tests/cli/test_command_docs.py fails
when the committed page differs from what this produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent


def render() -> str:
    from covgap.cli import main

    ctx = click.Context(
        main,
        info_name="covgap",
        terminal_width=88,
        max_content_width=88,
        help_option_names=["-h", "--help"],
    )
    parts = [
        "# Commands",
        "",
        "Generated from `covgap --help` and each command's `--help` by",
        "`scripts/gen_command_docs.py`; do not edit by hand.",
        "",
        "```text",
        main.get_help(ctx),
        "```",
    ]
    for name in sorted(main.list_commands(ctx)):
        cmd = main.get_command(ctx, name)
        assert cmd is not None
        sub = click.Context(
            cmd, info_name=name, parent=ctx, terminal_width=88, max_content_width=88
        )
        parts += ["", f"## covgap {name}", "", "```text", cmd.get_help(sub), "```"]
        if isinstance(cmd, click.Group):  # `covgap history list|show|prune`
            for sub_name in sorted(cmd.list_commands(sub)):
                child = cmd.get_command(sub, sub_name)
                assert child is not None
                child_ctx = click.Context(
                    child, info_name=sub_name, parent=sub, terminal_width=88, max_content_width=88
                )
                title = f"covgap {name} {sub_name}"
                parts += ["", f"### {title}", "", "```text", child.get_help(child_ctx), "```"]
    return "\n".join(parts) + "\n"


def main_() -> int:
    (ROOT / "docs" / "commands.md").write_text(render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
