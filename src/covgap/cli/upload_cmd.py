"""``covgap upload``: send coverage reports to a covgap server from CI.

Needs only the plain install (the HTTP client is the standard library's). Exits 0
when the server accepted the upload (processing happens after), 2 when it refused it
or could not be reached.
"""

from __future__ import annotations

from pathlib import Path

import click

from covgap.cli import main
from covgap.pipeline import InputSpec


@main.command("upload")
@click.argument("inputs", nargs=-1, required=True, metavar="[FLAG=]REPORT...")
@click.option("--url", required=True, envvar="COVGAP_URL", show_envvar=True,
              help="The covgap server, e.g. https://coverage.example.com.")  # fmt: skip
@click.option("--token", required=True, envvar="COVGAP_TOKEN", show_envvar=True,
              help="The repository's upload token (keep it in a CI secret).")  # fmt: skip
@click.option("--repo", "repo_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True,
              help="The repository checkout (file list, commit, branch, diff).")  # fmt: skip
@click.option("--commit", help="Commit SHA (default: CI variables, else git HEAD).")
@click.option("--branch", help="Branch name (default: CI variables, else git).")
@click.option("--pr", type=click.IntRange(1), help="Pull/merge request number (default: CI).")
@click.option("--base", "base_sha", metavar="SHA",
              help="Base commit to compare with (default: merge-base with target).")  # fmt: skip
@click.option("--flag", help="Suite name for reports given without FLAG=.")
@click.option("--format", "format_name", help="Force the reports' format (default: detect).")
@click.option(
    "--name", "repository", help="Repository name on the server (checked against the token)."
)
@click.option(
    "--sources",
    is_flag=True,
    help="Also send the text of the covered files (UTF-8, at most 2 MB each, 50 MB in "
    "all), so the server's file pages show the source. The server stores it.",
)
def upload_command(
    inputs: tuple[str, ...],
    url: str,
    token: str,
    repo_dir: Path,
    commit: str | None,
    branch: str | None,
    pr: int | None,
    base_sha: str | None,
    flag: str | None,
    format_name: str | None,
    repository: str | None,
    sources: bool,
) -> None:
    """Upload coverage reports (any format covgap reads) to a covgap server.

    Sends the reports gzipped with the repository's file list, so the server maps
    paths exactly as `covgap report` would here, and the diff against the PR's base.
    With --sources, also the covered files' text (stored on the server).
    Prints where the result will appear.
    """
    from covgap.upload import drop_stored_sources, encode, plan_upload, send

    plan = plan_upload(
        [InputSpec.parse(arg) for arg in inputs],
        repo_dir,
        commit=commit,
        branch=branch,
        pr=pr,
        base=base_sha,
        flag=flag,
        format_name=format_name,
        repository=repository,
        sources=sources,
    )
    if sources:
        drop_stored_sources(plan, url, token)
    for note in plan.notes:
        click.echo(f"covgap upload: note: {note}", err=True)
    result = send(encode(plan), url, token)
    click.echo(f"accepted upload {result.id} for {result.repository} @ {result.commit[:12]}")
    click.echo(f"status: {result.status_url}")
    click.echo(f"report: {result.url}")
