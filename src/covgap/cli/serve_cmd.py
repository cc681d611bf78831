"""``covgap serve`` and ``covgap server ...``: run and administer the covgap server.

``serve`` needs the ``server`` extra (starlette, uvicorn), imported only here and only
when it runs; without it the command says which extra to install. The ``server``
subcommands (``init``, ``create-repo``, ``create-token``, ``worker``) need only the
plain install: they talk to the database directly.

Every option can also be set from the environment (``COVGAP_*``, shown in ``--help``),
so a container or a process manager configures N identical processes the same way.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import click

from covgap.cli import main
from covgap.errors import InputError
from covgap.server.limits import (
    DEFAULT_MAX_BODY,
    DEFAULT_MAX_INFLATED,
    DEFAULT_MAX_RATIO,
    Limits,
    Refused,
)
from covgap.server.settings import ENV, Settings
from covgap.server.worker import DEFAULT_LEASE, DEFAULT_NICE

F = TypeVar("F", bound=Callable[..., Any])

EXTRA_HINT = "covgap serve needs the server extra: pip install 'covgap[server]'"


def _opt(name: str, *decls: str, **kwargs: Any) -> Callable[[F], F]:
    return click.option(*decls, envvar=ENV[name], show_envvar=True, **kwargs)


def store_option(func: Any) -> Any:
    return _opt(
        "store",
        "--store",
        required=True,
        metavar="URL",
        help="Database URL: sqlite:///PATH for a one-machine trial, postgresql://USER@HOST/DB.",
    )(func)


def limit_options(func: Any) -> Any:
    for name, default, text in reversed(
        (
            ("max_body", DEFAULT_MAX_BODY, "Largest compressed upload in bytes (413 above)."),
            ("max_inflated", DEFAULT_MAX_INFLATED, "Largest decompressed upload in bytes."),
            ("max_ratio", DEFAULT_MAX_RATIO, "Largest decompression ratio (gzip bombs: 413)."),
        )
    ):
        func = _opt(
            name, f"--{name.replace('_', '-')}", type=click.IntRange(1), default=default,
            show_default=True, help=text,
        )(func)  # fmt: skip
    func = _opt(
        "lease", "--lease", type=click.FloatRange(0.5), default=DEFAULT_LEASE, show_default=True,
        help="Seconds a claimed job is kept without a heartbeat before another worker retries it.",
    )(func)  # fmt: skip
    func = _opt(
        "notify_url", "--notify-url", metavar="URL", default=None,
        help="POST a commit-status JSON here when a commit's result is ready "
        "(a repository's own URL wins).",
    )(func)  # fmt: skip
    return _opt(
        "public_url", "--public-url", metavar="URL", default=None,
        help="The address users reach the server at, for links in notifications.",
    )(func)  # fmt: skip


def _engine(store: str) -> Any:
    from covgap.server.db import create_schema, open_engine

    engine = open_engine(store)
    create_schema(engine)
    return engine


def _refused(exc: Refused) -> InputError:
    return InputError(exc.message)


@main.command("serve")
@store_option
@_opt("host", "--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@_opt("port", "--port", type=click.IntRange(0, 65535), default=8080, show_default=True,
      help="Port to listen on.")  # fmt: skip
@limit_options
@_opt("rate_limit", "--rate-limit", type=click.IntRange(0), default=600, show_default=True,
      help="Uploads a minute per token, counted in the database (0: no limit).")  # fmt: skip
@_opt("process_threads", "--process-threads", type=click.IntRange(0), default=1,
      show_default=True,
      help="Worker threads in this process processing uploads (0: leave it to "
      "`covgap server worker`).")  # fmt: skip
@_opt("pool_size", "--pool-size", type=click.IntRange(1), default=5, show_default=True,
      help="Database connections kept open by this process.")  # fmt: skip
@_opt("cache_dir", "--cache-dir", metavar="DIR",
      help="Where commits' HTML reports are rendered, on first view (default: a "
      "covgap-server folder in the system's temporary directory; safe to delete).")  # fmt: skip
def serve_command(
    store: str,
    host: str,
    port: int,
    max_body: int,
    max_inflated: int,
    max_ratio: int,
    lease: float,
    notify_url: str | None,
    public_url: str | None,
    rate_limit: int,
    process_threads: int,
    pool_size: int,
    cache_dir: str | None,
) -> None:
    """Serve the web views and the upload API, and process uploads.

    Any number of `serve` processes (and `covgap server worker` processes) may share
    one PostgreSQL database: they keep no state of their own. The database's tables
    are created or upgraded on start.
    """
    try:
        import uvicorn

        from covgap.server.app import create_app
    except ImportError as exc:
        raise InputError(f"{EXTRA_HINT} ({exc.name} is not installed)") from None
    _engine(store).dispose()
    settings = Settings(
        store=store,
        host=host,
        port=port,
        limits=Limits(max_body, max_inflated, max_ratio),
        rate_limit=rate_limit,
        lease=lease,
        process_threads=process_threads,
        notify_url=notify_url,
        public_url=public_url,
        pool_size=pool_size,
        cache_dir=cache_dir,
    )
    app = create_app(settings, process=process_threads > 0)
    click.echo(f"covgap server on http://{host}:{port}/", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)


@main.group("server")
def server_group() -> None:
    """Administer a covgap server's database: tables, repositories, tokens, workers."""


@server_group.command("init")
@store_option
def init_command(store: str) -> None:
    """Create (or upgrade) the tables; print a new admin token if there was none.

    The admin token is shown once, on the last line, and stored only as a hash.
    """
    from covgap.server.service import init_store

    engine = _engine(store)
    try:
        token = init_store(engine)
    finally:
        engine.dispose()
    click.echo("covgap server: tables ready")
    if token is not None:
        click.echo("admin token (shown once; keep it secret):")
        click.echo(token)


@server_group.command("create-repo")
@click.argument("name")
@store_option
@click.option("--private", is_flag=True, help="Reading needs a token of this repository.")
@click.option("--notify-url", metavar="URL", help="POST commit statuses of this repository here.")
def create_repo_command(name: str, store: str, private: bool, notify_url: str | None) -> None:
    """Create a repository; its upload token is the last line printed (shown once)."""
    from covgap.server.service import create_repo

    engine = _engine(store)
    try:
        repo, token = create_repo(engine, name, public=not private, notify_url=notify_url)
    except Refused as exc:
        raise _refused(exc) from None
    finally:
        engine.dispose()
    click.echo(f"created repository {repo.name} ({'public' if repo.public else 'private'})")
    click.echo("upload token (shown once; store it as a CI secret):")
    click.echo(token)


@server_group.command("create-token")
@click.argument("name")
@store_option
@click.option("--kind", type=click.Choice(["upload", "read"]), default="upload", show_default=True)
def create_token_command(name: str, store: str, kind: str) -> None:
    """Create another token for repository NAME; the token is the last line printed."""
    from covgap.server.service import create_token

    engine = _engine(store)
    try:
        token = create_token(engine, name, kind)
    except Refused as exc:
        raise _refused(exc) from None
    finally:
        engine.dispose()
    click.echo(f"{kind} token for {name} (shown once):")
    click.echo(token)


@server_group.command("worker")
@store_option
@limit_options
@click.option("--threads", type=click.IntRange(1), default=1, show_default=True,
              help="Jobs processed at once by this process.")  # fmt: skip
@click.option("--batch", type=click.IntRange(1), default=8, show_default=True,
              help="Queued uploads of one commit claimed and recorded together.")  # fmt: skip
@click.option("--nice", type=click.IntRange(0, 19), default=DEFAULT_NICE, show_default=True,
              help="Lower this process's CPU priority by this much (POSIX `nice`), so that "
              "`covgap serve` processes on the same machine answer uploads first; 0 keeps "
              "the normal priority.")  # fmt: skip
def worker_command(
    store: str,
    max_body: int,
    max_inflated: int,
    max_ratio: int,
    lease: float,
    notify_url: str | None,
    public_url: str | None,
    threads: int,
    batch: int,
    nice: int,
) -> None:
    """Process uploads until stopped (SIGTERM/Ctrl-C finish the current job first).

    Processing is background work and accepting is not: a worker runs at a lower CPU
    priority (``--nice``), so on a machine it shares with ``covgap serve`` an upload
    is answered at once however much is queued, and the queue drains on the CPU
    left over (every core, once the burst of uploads is over).
    """
    from covgap.server.notify import notify_ready
    from covgap.server.worker import Processed, run_worker

    logging.basicConfig(level=logging.WARNING, format="covgap worker: %(message)s")
    if nice:
        if hasattr(os, "nice"):
            os.nice(nice)
        else:
            click.echo(
                "covgap worker: this platform has no `nice`; running at normal priority",
                err=True,
            )
    engine = _engine(store)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    limits = Limits(max_body, max_inflated, max_ratio)

    def ready(processed: Processed) -> None:
        notify_ready(engine, processed, notify_url, public_url)

    workers = [
        threading.Thread(
            target=run_worker,
            args=(engine,),
            kwargs={
                "limits": limits,
                "lease": lease,
                "stop": stop,
                "on_ready": ready,
                "batch": batch,
            },
            daemon=True,
        )
        for _ in range(threads)
    ]
    for w in workers:
        w.start()
    click.echo(f"covgap worker: processing uploads with {threads} thread(s)", err=True)
    try:
        while any(w.is_alive() for w in workers):
            stop.wait(0.5)
            if stop.is_set():
                break
    except KeyboardInterrupt:
        stop.set()
    for w in workers:
        w.join(timeout=60)
    signal.signal(signal.SIGTERM, previous)
    engine.dispose()
