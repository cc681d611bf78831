"""Options and helpers shared by the commands over the history store (issue 11)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from covgap.config import Config, load_config

if TYPE_CHECKING:
    from covgap.analysis.diffcov import Baseline
    from covgap.history.baseline import StoredBaseline
    from covgap.history.trend import TrendPoint
    from covgap.pipeline import Loaded

F = TypeVar("F", bound=Callable[..., Any])


def store_option(func: F) -> F:
    """``--store URL``; else ``COVGAP_STORE``; else ``[history] store``; else the default."""
    return click.option(
        "--store",
        "store_url",
        metavar="URL",
        help="History store: sqlite:///path.db or postgresql://user@host/db "
        "(default: $COVGAP_STORE, else [history] store, else sqlite:///.covgap/history.db).",
    )(func)


def repository_option(func: F) -> F:
    return click.option(
        "--repository",
        metavar="NAME",
        help="The repository's name in the store (default: [history] repository, the CI's "
        "repository, else the origin remote, e.g. github.com/acme/app).",
    )(func)


def history_config(config: Config) -> dict[str, Any]:
    return config.section("history")


def resolve_store(explicit: str | None, config: Config) -> str | None:
    """The store to use; None means the default SQLite file in the repository."""
    value = explicit or os.environ.get("COVGAP_STORE") or history_config(config).get("store")
    return value or None


def repository(explicit: str | None, config: Config, root: Path) -> str:
    from covgap.history.context import ci_values, repository_name

    named = explicit or history_config(config).get("repository")
    if named:
        return str(named)
    return ci_values(os.environ).get("repo") or repository_name(root)


def repo_config(repo: Path, config_path: Path | None) -> tuple[Path, Config]:
    root = repo.resolve()
    return root, load_config(root, config_path)


def carry_policy(config: Config) -> Callable[[str], bool]:
    """``[history.carryforward]``: ``suite = false`` stops one suite; ``"*"`` sets the default."""
    table = history_config(config).get("carryforward", {})
    default = bool(table.get("*", True))
    return lambda suite: bool(table.get(suite, default))


def short(sha: str) -> str:
    return sha[:12]


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} %"


def store_in_use(explicit: str | None, config: Config, root: Path) -> str | None:
    """The store a command that can do without one should use, or None.

    A store named anywhere (``--store``, ``COVGAP_STORE``, ``[history] store``) is used;
    the default SQLite file only when it exists, so commands never create it by reading.
    """
    url = resolve_store(explicit, config)
    if url is not None:
        return url
    # No URL parsing (SQLAlchemy's, ~0.2 s to import) for the default's fixed path.
    from covgap.history.url import DEFAULT_STORE, DEFAULT_STORE_FILE

    return DEFAULT_STORE if (root / DEFAULT_STORE_FILE).is_file() else None


def store_state(config: Config, root: Path) -> str:
    """What the HTML site's inputs key needs to know of the store: its trend may change.

    A SQLite file changes size or mtime with every record; any other store (a team's
    PostgreSQL) cannot be fingerprinted without a query, so it is named with the time,
    which makes every run rebuild the index (pages whose bytes are unchanged are still
    linked from the previous site).
    """
    import time

    from covgap.errors import CovgapError
    from covgap.history.url import parse

    url = store_in_use(None, config, root)
    if url is None:
        return "no store"
    try:
        parsed = parse(url, root)
    except CovgapError:
        return f"{url}: {time.time_ns()}"  # the report's trend hook says what is wrong
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        # A record may sit in the write-ahead log until a checkpoint: stat both files.
        stats = []
        for name in (parsed.database, parsed.database + "-wal"):
            try:
                st = Path(name).stat()
            except OSError:
                continue
            stats.append(f"{st.st_size} {st.st_mtime_ns}")
        return f"{url}: {' '.join(stats) or 'missing'}"
    return f"{url}: {time.time_ns()}"


def stored_baseline(
    loaded: Loaded,
    base: str | None,
    explicit_store: str | None,
    *,
    use_merge_base: bool = True,
    required: bool = False,
) -> Baseline | None:
    """The baseline from the store for ``check``/``diff``/``gaps``, when there is one.

    The run recorded at the merge-base of ``base`` and HEAD, or at its nearest recorded
    ancestor. With ``[history] ignore_flaky``, lines the store knows to flap are taken
    out of the current coverage and the baseline alike, and a note says how many.
    Prints what it chose (or why none) on stderr; ``required`` makes "none" an error.
    """
    from covgap import gitinfo
    from covgap.analysis.diffcov import Baseline
    from covgap.errors import InputError
    from covgap.history import open_store
    from covgap.history.baseline import find_baseline
    from covgap.history.flaky import by_path, flaky_lines, without_lines
    from covgap.history.url import mask

    root = loaded.workspace.root
    config = loaded.config
    url = store_in_use(explicit_store, config, root)
    if url is None:
        if required:
            raise InputError("no baseline: pass --baseline FILE, or --store URL with --base REF")
        return None
    if base is None:
        guess = gitinfo.default_base(root)
        if guess is None:
            if required:
                raise InputError("no base ref to find a stored baseline for (pass --base REF)")
            return None
        base = guess[0]
    name = repository(None, config, root)
    settings = history_config(config)
    with open_store(url, root=root, create=False) as store:
        found, why = find_baseline(store, name, root, base, use_merge_base=use_merge_base)
        drop: dict[str, set[int]] = {}
        if settings.get("ignore_flaky"):
            drop = by_path(flaky_lines(store, name, max_runs=int(settings.get("flaky_runs", 50))))
    if drop:
        count = sum(len(v) for v in drop.values())
        click.echo(
            f"covgap: note: ignoring {count} flaky line(s) in {len(drop)} file(s) "
            "([history] ignore_flaky; see `covgap flaky`)",
            err=True,
        )
        loaded.coverage = without_lines(loaded.coverage, drop)
    if found is None:
        message = f"no stored baseline in {mask(url)}: {why}"
        if required:
            raise InputError(message)
        click.echo(
            f"covgap: note: {message}; the rules that compare with one are not measured", err=True
        )
        return None
    coverage = without_lines(found.coverage, drop)
    origin = found.describe()
    click.echo(f"covgap: baseline: {origin}", err=True)
    return Baseline(
        origin,
        coverage.totals(),
        {path: fc.counts() for path, fc in coverage.files.items()},
        coverage,
    )


@dataclass
class HistoryView:
    """What the gap document and the HTML report show from the store."""

    points: list[TrendPoint]
    baseline: StoredBaseline | None
    label: str | None

    def baseline_point(self) -> TrendPoint | None:
        if self.baseline is None:
            return None
        return next((p for p in self.points if p.commit == self.baseline.commit), None)


def history_view(
    loaded: Loaded,
    explicit_store: str | None = None,
    base: str | None = None,
    *,
    with_coverage: bool = True,
) -> HistoryView | None:
    """The trend and stored baseline for this repository, when a store is in use.

    A store that cannot be read does not stop a report: a warning on stderr says the
    trend is left out and why.
    """
    root = loaded.workspace.root
    url = store_in_use(explicit_store, loaded.config, root)
    if url is None:
        return None  # before the imports: the store needs SQLAlchemy (~0.2 s to import)
    from covgap import gitinfo
    from covgap.errors import CovgapError
    from covgap.history import open_store
    from covgap.history.baseline import find_baseline
    from covgap.history.trend import trend

    name = repository(None, loaded.config, root)
    try:
        with open_store(url, root=root, create=False) as store:
            found = None
            ref = base
            if ref is None:
                try:
                    guess = gitinfo.default_base(root)
                except CovgapError:
                    guess = None
                ref = guess[0] if guess else None
            if ref is not None:
                try:
                    found, _why = find_baseline(store, name, root, ref, with_coverage=with_coverage)
                except CovgapError:
                    found = None
            branch = found.runs[0].branch if found else None
            points = trend(store, name, branch=branch, limit=30)
    except CovgapError as exc:
        click.echo(f"covgap: warning: {exc}; the trend is left out", err=True)
        return None
    return HistoryView(points, found, found.describe() if found else None)


def gaps_baseline(view: HistoryView | None) -> dict[str, Any] | None:
    """The stored baseline in the shape ``gaps --baseline FILE`` reads (totals per file)."""
    if view is None or view.baseline is None:
        return None
    cov = view.baseline.coverage
    return {
        "schema_version": None,
        "covgap_version": None,
        "summary": cov.totals(),
        "files": {path: fc.counts() for path, fc in cov.files.items()},
        "components": [],
        "origin": view.baseline.describe(),
    }


def trend_markdown_section(view: HistoryView | None, loaded: Loaded) -> str:
    from covgap.history.render import history_markdown

    if view is None:
        return ""
    label = f"the baseline ({view.label})" if view.label else None
    return history_markdown(
        view.points,
        loaded.coverage.totals(),
        baseline=view.baseline_point(),
        baseline_label=label,
    )


def add_trend_to_html(index: Path, loaded: Loaded) -> None:
    """The one hook in the HTML report: the trend section, when a store is in use."""
    from covgap.history.html import add_trend_section, render_trend_section

    view = history_view(loaded, with_coverage=False)  # the chart needs totals only
    if view is None:
        return
    section = render_trend_section(
        view.points,
        loaded.coverage.totals(),
        baseline=view.baseline_point(),
        baseline_label=view.label,
    )
    if not add_trend_section(index, section):
        click.echo(f"covgap: warning: {index}: no <main> to put the trend in; left out", err=True)
