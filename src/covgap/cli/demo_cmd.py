"""``covgap demo``: run covgap on the polyglot example shipped inside the package.

The example (``covgap/example/``) is a small Rust + Python + Ruby + TypeScript
monorepo whose coverage reports were produced by the real tools
(``scripts/make-example.sh``). The demo copies it to a working directory — the
installed package stays read-only — and writes every report there.
"""

from __future__ import annotations

import shutil
import sys
from importlib import resources
from pathlib import Path

import click

from covgap.cli import main
from covgap.cli._common import load_inputs, render_terminal_text, write_atomic
from covgap.cli.report_cmd import render_report, write_html_report
from covgap.errors import InputError, OutputError
from covgap.pipeline import Loaded

MARKER = ".covgap-demo"
"""A file marking a directory as the demo's own, so re-running may replace it."""

MANIFEST = "coverage/inputs.txt"
"""The example's list of coverage inputs, one ``FLAG=PATH`` per line, paths relative."""


def example_root() -> Path:
    root = Path(str(resources.files("covgap") / "example"))
    if not (root / MANIFEST).is_file():
        raise InputError(f"the bundled example is incomplete: {root / MANIFEST} is missing")
    return root


BASELINE_MANIFEST = "coverage/baseline/inputs.txt"
"""The example's earlier CI run (fewer Rust tests): the first point of the demo's trend."""


def read_manifest(root: Path, manifest: str = MANIFEST) -> list[str]:
    """The example's inputs as command-line arguments (``FLAG=abs/path``)."""
    args = []
    for raw in (root / manifest).read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        flag, sep, rel = line.partition("=")
        args.append(f"{flag}={root / rel}" if sep else str(root / flag))
    return args


def prepare_workdir(out: Path) -> Path:
    """Copy the example into ``out/example``; refuse to touch a directory that isn't ours."""
    if out.exists() and any(out.iterdir()) and not (out / MARKER).exists():
        raise OutputError(
            f"{out} exists and was not made by `covgap demo`; choose another --out directory"
        )
    target = out / "example"
    if target.exists():
        shutil.rmtree(target)
    out.mkdir(parents=True, exist_ok=True)
    (out / MARKER).write_text("made by `covgap demo`; safe to delete\n", encoding="utf-8")
    shutil.copytree(example_root(), target)
    return target


@main.command("demo")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default="covgap-demo",
    show_default=True,
    help="Working directory for the example copy and the reports.",
)
def demo_command(out: Path) -> None:
    """Run covgap on the polyglot example shipped inside the package.

    Copies the example monorepo (Rust, Python, Ruby, TypeScript; coverage produced by
    cargo/llvm-cov, coverage.py, SimpleCov and c8) into --out, prints the coverage
    report and writes beside it the Markdown and JSON reports, the gap-analysis
    document (GAPS.md) and the HTML report (html/index.html).
    """
    repo = prepare_workdir(out)
    inputs = tuple(read_manifest(repo))
    loaded = load_inputs(inputs, repo, None)
    color = sys.stdout.isatty()
    sys.stdout.buffer.write(render_report(loaded, "terminal", color=color))
    written = []
    for name, fmt, detail in (("COVERAGE.md", "markdown", False), ("coverage.json", "json", True)):
        path = out / name
        write_atomic(path, render_report(loaded, fmt, detail=detail))
        written.append(path)
    from covgap.analysis.gap_analysis import analyze_loaded
    from covgap.cli.gaps_cmd import header, render_gaps

    analysis = analyze_loaded(loaded)
    tests = analysis.inventory.tests if analysis.inventory else None
    trend_md = record_example_history(repo, loaded, tests)
    trend_path = out / "TREND.md"
    write_atomic(trend_path, trend_md.encode())
    written.append(trend_path)
    from covgap.cli._history import history_view, trend_markdown_section

    gaps_path = out / "GAPS.md"
    gaps_doc = render_gaps(analysis, "markdown", header=header(loaded))
    view = history_view(loaded, with_coverage=False)
    write_atomic(gaps_path, gaps_doc + ("\n" + trend_markdown_section(view, loaded)).encode())
    written.append(gaps_path)
    written.append(write_html_report(loaded, out / "html", title="tasker example: coverage"))
    click.echo("")
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"open {(out / 'html' / 'index.html').resolve().as_uri()} in a browser")


def record_example_history(repo: Path, loaded: Loaded, tests: int | None) -> str:
    """Record the example's baseline run and today's run in its history store.

    The example ships no git history, so each run is keyed by the git blob id of the
    manifest that lists its reports (stable across demo runs, and honest: it names
    the inputs, not a commit). Today's run carries the test count ``tests``; the
    baseline's was not kept, so it has none. Prints the trend, returns it as Markdown.
    """
    from covgap.cli._history import repository
    from covgap.cli.record_cmd import split_suites
    from covgap.history import open_store
    from covgap.history.context import git_blob_id
    from covgap.history.render import trend_markdown, trend_terminal
    from covgap.history.trend import trend
    from covgap.pipeline import InputSpec, load

    base_specs = [InputSpec.parse(a) for a in read_manifest(repo, BASELINE_MANIFEST)]
    baseline = load(base_specs, loaded.workspace, loaded.config)
    name = repository(None, loaded.config, repo)
    runs = (
        (BASELINE_MANIFEST, baseline, "baseline", None),
        (MANIFEST, loaded, "current", tests),
    )
    with open_store(None, root=repo) as store:
        for manifest, data, label, count in runs:
            store.record(
                split_suites(data),
                repository=name,
                commit=git_blob_id((repo / manifest).read_bytes()),
                branch="main",
                run_key=f"demo-{label}",
                inputs=[str(s) for s in data.inputs],
                tests=count,
            )
        points = trend(store, name)
    title = f"Coverage trend of the example ({len(points)} recorded runs: baseline, current)"
    click.echo("")
    sys.stdout.buffer.write(
        render_terminal_text(trend_terminal(points, title), color=sys.stdout.isatty()).encode()
    )
    return trend_markdown(points, title)
