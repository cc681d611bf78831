"""Options and helpers shared by the commands that read coverage."""

from __future__ import annotations

import functools
import io
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click

from covgap.config import Config, load_config
from covgap.errors import OutputError
from covgap.pipeline import InputSpec, Loaded, load
from covgap.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])


def repo_options(func: F) -> F:
    """``--repo`` and ``--config``: where the repository and its configuration are."""
    func = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Configuration file (default: covgap.toml, else [tool.covgap] in pyproject.toml).",
    )(func)
    return click.option(
        "--repo",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help="Repository root that report paths are mapped onto.",
    )(func)


def format_option(*choices: str, help: str | None = None) -> Callable[[F], F]:
    """``--format`` (stored as ``fmt``): one of ``choices``, ``terminal`` by default.

    Every command spells the option the same way, so its help and default cannot drift.
    """
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default="terminal",
        show_default=True,
        help=help,
    )


def input_options(func: F) -> F:
    """The coverage inputs and how to read them."""
    func = click.option(
        "--include-external",
        is_flag=True,
        help="Count files outside the repository that no path rule maps (system headers, "
        "dependencies); by default they are left out and named in a note.",
    )(func)
    func = click.option(
        "--no-path-mapping",
        is_flag=True,
        help="Keep report paths exactly as written instead of mapping them onto the repo.",
    )(func)
    func = click.option(
        "--input-format",
        help="Read every input as this format instead of detecting it from the content.",
    )(func)
    func = click.option(
        "--skip-invalid",
        is_flag=True,
        help="Report the readable inputs and list the unreadable ones instead of failing.",
    )(func)
    return click.argument("inputs", nargs=-1)(func)


@dataclass(frozen=True)
class CoverageInputs:
    """A command's coverage inputs and how to read them, as given on the command line."""

    inputs: tuple[str, ...]
    repo: Path
    config_path: Path | None
    skip_invalid: bool = False
    input_format: str | None = None
    no_path_mapping: bool = False
    include_external: bool = False

    def load(
        self,
        *,
        show_progress: bool = True,
        on_workspace: Callable[[Workspace], None] | None = None,
    ) -> Loaded:
        return load_inputs(
            self.inputs,
            self.repo,
            self.config_path,
            on_workspace=on_workspace,
            skip_invalid=self.skip_invalid,
            input_format=self.input_format,
            no_path_mapping=self.no_path_mapping,
            show_progress=show_progress,
            include_external=self.include_external,
        )


def coverage_inputs(func: F) -> F:
    """``input_options`` and ``repo_options``, handed to the command as one ``source``.

    Every command that reads coverage takes the same seven options; they travel together
    as a :class:`CoverageInputs` instead of six parameters repeated in each signature.
    """

    @functools.wraps(func)
    def wrapper(
        *args: Any,
        inputs: tuple[str, ...],
        repo: Path,
        config_path: Path | None,
        skip_invalid: bool,
        input_format: str | None,
        no_path_mapping: bool,
        include_external: bool,
        **kwargs: Any,
    ) -> Any:
        source = CoverageInputs(
            inputs,
            repo,
            config_path,
            skip_invalid,
            input_format,
            no_path_mapping,
            include_external,
        )
        return func(*args, source=source, **kwargs)

    return input_options(repo_options(wrapper))  # type: ignore[return-value]


def load_repo(repo: Path, config_path: Path | None) -> tuple[Workspace, Config]:
    repo = repo.resolve()
    config = load_config(repo, config_path)
    return Workspace.load(repo, config), config


@contextmanager
def progress_bar(paths: list[Path], enabled: bool) -> Iterator[Callable[[int], None] | None]:
    """A rich progress bar over the input bytes, on stderr, only for big inputs on a tty."""
    total = sum(p.stat().st_size for p in paths if p.is_file())
    if not enabled or total < 16 << 20 or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as progress:
        task = progress.add_task("reading coverage", total=total)
        yield lambda n: progress.advance(task, n)


def load_inputs(
    inputs: tuple[str, ...],
    repo: Path,
    config_path: Path | None,
    *,
    skip_invalid: bool = False,
    input_format: str | None = None,
    no_path_mapping: bool = False,
    show_progress: bool = True,
    include_external: bool = False,
    on_workspace: Callable[[Workspace], None] | None = None,
) -> Loaded:
    """Load, merge and map the inputs, then tell the user on stderr what was used.

    Every command that reads coverage goes through here, so discovered inputs, skipped
    files, unmapped paths and notes are reported the same way everywhere.
    ``on_workspace`` is called with the workspace before the inputs are read, so a
    command can start work on the repository meanwhile (``gaps`` starts its source
    analysis there).
    """
    workspace, config = load_repo(repo, config_path)
    if on_workspace is not None:
        on_workspace(workspace)
    specs = [InputSpec.parse(a) for a in inputs]
    with progress_bar([s.path for s in specs], show_progress) as progress:
        loaded = load(
            specs,
            workspace,
            config,
            skip_invalid=skip_invalid,
            format_name=input_format,
            progress=progress,
            map_onto_repo=not no_path_mapping,
            include_external=include_external,
        )
    echo_load_notes(loaded)
    return loaded


def echo_load_notes(loaded: Loaded) -> None:
    """Tell the user, on stderr, which inputs were used, skipped or could not be mapped."""
    if loaded.discovered:
        used = ", ".join(str(s) for s in loaded.inputs)
        click.echo(f"covgap: using discovered reports: {used}", err=True)
    for path, why in loaded.skipped:
        click.echo(f"covgap: warning: skipped {path}: {why}", err=True)
    for group in loaded.unmapped:
        click.echo(f"covgap: warning: {group.describe()}", err=True)
    for note in (*loaded.workspace.notes, *loaded.coverage.notes):
        click.echo(f"covgap: note: {note}", err=True)


def echo_source_notes(notes: Iterable[Any]) -> None:
    """Say on stderr, once per language, where source analysis fell back (issue 10)."""
    for note in notes:
        click.echo(f"covgap: note: {note.message}", err=True)


def write_output(path: Path | None, text: str | bytes) -> None:
    """Write to ``path`` atomically (temp file + rename), or to stdout when None.

    A failure never leaves a half-written file where the user's previous output was.
    """
    data = text.encode() if isinstance(text, str) else text
    if path is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_atomic(path, data)


def json_text(doc: Any) -> str:
    """``json.dumps(doc, indent=2)``, byte for byte, at C speed.

    The json module's C encoder is used only without ``indent``; indented output runs
    its pure-Python encoder, which took longer than the query itself for a 1,000-run
    trend (5 MB of JSON). So: encode compactly in C (same escapes, same floats), then
    let msgspec re-indent it (a test compares the two).
    """
    import json

    import msgspec

    return msgspec.json.format(json.dumps(doc).encode(), indent=2).decode()


def write_json(output: Path | None, doc: Any) -> None:
    """``doc`` as indented JSON with a final newline, to ``output`` (stdout when None)."""
    write_output(output, json_text(doc) + "\n")


def write_terminal(output: Path | None, renderable: Any) -> None:
    """A rich ``renderable`` as text to ``output``; coloured only when stdout is a terminal."""
    color = output is None and sys.stdout.isatty()
    write_output(output, render_terminal_text(renderable, color=color))


def mode_for(target: Path, *, directory: bool = False) -> int:
    """The permissions an atomically replaced ``target`` gets: those of the file or
    folder it replaces, else what ``open()``/``mkdir()`` would give a new one (0666 or
    0777 less the umask). ``mkstemp``/``mkdtemp`` make 0600/0700 ones, which turned a
    team's shared ``covgap.toml``, a CI artifact or a served HTML report private."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return (0o777 if directory else 0o666) & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where Linux says it (``os.umask``
    can only be read by setting it, which for a moment gives any other thread's new
    files mode 0666)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o077)  # elsewhere: the briefest, safe way (0o077 while it is read)
    os.umask(mask)
    return mask


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once (temporary file, then rename).

    A target that exists and is not a regular file (``/dev/null``, ``/dev/stdout``, a
    named pipe) is written in place: renaming over it would replace the device or
    pipe itself with a regular file.
    """
    target = path.resolve()
    if target.exists() and not target.is_file():
        try:
            with target.open("wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        return
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = mode_for(target)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                os.fchmod(fh.fileno(), mode)
                fh.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror or exc})") from None


def render_terminal_text(renderable: Any, *, color: bool, width: int | None = None) -> str:
    """Render rich output to text: colored for a terminal, plain for a file or a pipe."""
    from rich.console import Console

    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width or 120,
        color_system="auto" if color else None,
        force_terminal=color,
        no_color=not color,
        highlight=False,
    )
    console.print(renderable)
    return buffer.getvalue()
