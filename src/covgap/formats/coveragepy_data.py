"""coverage.py's data file (``.coverage``, SQLite), analysed the way ``coverage report`` does.

A ``.coverage`` file records only what *ran* (line numbers or arcs, per context).
What *could* have run — the statements, the possible branches, what ``# pragma: no
cover`` excludes — comes from analysing the source files, so this reader needs the
sources, and it needs coverage.py itself (the optional dependency
``pip install 'covgap[coverage]'``): re-implementing coverage.py's analysis would
drift from the tool users compare against. Checked against coverage.py 7.17
(``tests/data/coveragepy-data/make.sh``: line and branch data, relative and absolute
paths, per-test contexts).

How it works:

1. open the data with :class:`coverage.CoverageData` and find each measured file's
   source: the recorded path when it exists; a relative path (``relative_files =
   True``) against the data file's directory; otherwise the longest tail of the
   recorded path that exists under the data file's directory (a data file made on
   a CI runner, read in a checkout). A file whose source cannot be found is an
   error naming it: an analysis without it would be a silently partial number;
2. copy the data with the found paths (:meth:`CoverageData.update`) and let
   :meth:`coverage.Coverage.json_report` analyse it, with the configuration found
   beside the data file (``.coveragerc``, ``.coveragerc.toml``, or
   ``pyproject.toml`` with ``[tool.coverage]``), never the current directory's, and
   its relative ``omit``/``include`` patterns anchored there too;
3. read that report with :mod:`covgap.formats.coveragepy_json`, so a ``.coverage``
   file and the ``coverage json`` of the same run give the same model: lines are
   statements (hits 1 or 0: the data has no counts), branches are arcs, functions
   are coverage.py's code regions.

Paths in the result are relative to the data file's directory when the source lies
under it (as ``coverage report`` shows them from there), absolute otherwise.
Contexts (which test or suite ran a line) are not covgap flags: they are kept per
line in ``FileCoverage.contexts`` (``covgap who-covers``); :func:`read_contexts`
returns them as recorded.
"""

from __future__ import annotations

import io
import os
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, BinaryIO

from covgap.errors import FormatError, InputError
from covgap.formats import SQLITE_MAGIC, FormatSpec, coveragepy_json
from covgap.model import CoverageSet

if TYPE_CHECKING:
    from coverage import CoverageData

MISSING_COVERAGE = (
    "reading coverage.py data files needs coverage.py, an optional dependency: "
    "pip install 'covgap[coverage]' (or read a `coverage json` report instead)"
)

Contexts = dict[str, dict[int, tuple[str, ...]]]
"""Per file, per line: the coverage.py contexts that ran it (``""`` is the default)."""


def sniff(head: bytes, name: str) -> bool:
    """An SQLite database whose schema (on its first page) has coverage.py's tables."""
    return head.startswith(SQLITE_MAGIC) and b"coverage_schema" in head


def _coverage_module() -> Any:
    try:
        import coverage
    except ImportError:
        raise InputError(MISSING_COVERAGE) from None
    return coverage


def _check_schema(path: Path, origin: str) -> None:
    """Refuse an SQLite file without coverage.py's schema before coverage.py opens it.

    coverage.py versions without ``read_only`` would otherwise *add* their schema
    to any SQLite database it is given: reading must never write to the user's file.
    """
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("select version from coverage_schema").fetchone()
            # A damaged page past the schema would otherwise surface inside
            # coverage.py's analysis, naming its temporary copy instead of this file.
            check = conn.execute("pragma quick_check(1)").fetchone()
            if check is None or check[0] != "ok":
                problem = "no answer" if check is None else str(check[0])
                # "*** in database main ***\nPage 13: ..." -> "Page 13: ..." (one line)
                problem = " ".join(problem.replace("*** in database main ***", "").split())
                raise sqlite3.DatabaseError(f"database disk image is malformed: {problem}")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise FormatError(origin, f"not a readable coverage.py data file ({exc})") from None


def _open_data(path: Path, origin: str) -> CoverageData:
    coverage = _coverage_module()
    _check_schema(path, origin)
    try:
        try:
            data = coverage.CoverageData(basename=str(path), read_only=True)
        except TypeError:  # coverage.py before read_only existed
            data = coverage.CoverageData(basename=str(path))
        data.read()
        data.measured_files()  # forces the schema check of a lazily opened file
    except coverage.exceptions.CoverageException as exc:
        raise FormatError(origin, f"not a readable coverage.py data file ({exc})") from None
    return data  # type: ignore[no-any-return]


def _split(recorded: str) -> tuple[str, ...]:
    """The parts of a recorded path, whichever OS wrote it."""
    if "\\" in recorded or (len(recorded) > 1 and recorded[1] == ":"):
        return PureWindowsPath(recorded).parts
    return PurePosixPath(recorded).parts


def locate_sources(recorded: list[str], base: Path) -> tuple[dict[str, Path], list[str]]:
    """Find each recorded file's source; return ``{recorded: found}`` and the missing.

    Order of tries: the recorded path if absolute and present; the path under
    ``base``; each shorter tail of it under ``base`` (``/ci/app/src/a.py`` →
    ``base/app/src/a.py``, ``base/src/a.py``, ``base/a.py``).
    """
    found: dict[str, Path] = {}
    missing: list[str] = []
    for name in recorded:
        direct = Path(name)
        if direct.is_absolute() and direct.is_file():
            found[name] = direct
            continue
        parts = [p for p in _split(name) if p not in ("/", "\\") and not p.endswith(":\\")]
        for i in range(len(parts)):
            candidate = base.joinpath(*parts[i:])
            if candidate.is_file():
                found[name] = candidate.resolve()
                break
        else:
            missing.append(name)
    return found, missing


def _config_file(base: Path) -> str | bool:
    """coverage.py's configuration beside the data file, or none (never the cwd's)."""
    for name in (".coveragerc", ".coveragerc.toml"):
        if (base / name).is_file():
            return str(base / name)
    pyproject = base / "pyproject.toml"
    if pyproject.is_file():
        try:
            if "[tool.coverage" in pyproject.read_text(encoding="utf-8", errors="replace"):
                return str(pyproject)
        except OSError:
            pass
    return False


def _anchor_patterns(cov: Any, base: Path) -> None:
    """Make relative omit/include patterns relative to the data file's directory.

    coverage.py anchors them at the current directory (where ``coverage report``
    runs, beside the data file); covgap may run anywhere, so it anchors them at the
    data file's directory instead, keeping coverage.py's rule that a pattern starting
    with a wildcard is left as written.
    """
    for option in ("run:omit", "run:include", "report:omit", "report:include"):
        patterns = cov.get_option(option)
        if not patterns:
            continue
        anchored = [
            p if p.startswith(("*", "?")) or os.path.isabs(p) else str(base / p) for p in patterns
        ]
        cov.set_option(option, anchored)


def _mapper(found: dict[str, Path]) -> Callable[[str], str]:
    def map_path(recorded: str) -> str:
        return str(found[recorded])

    return map_path


def _model_path(found: Path, base: Path) -> str:
    try:
        return found.relative_to(base.resolve()).as_posix()
    except ValueError:
        return found.as_posix()


def read(stream: BinaryIO, origin: str) -> CoverageSet:
    """Analyse a ``.coverage`` file against its sources; see the module docstring."""
    name = getattr(stream, "name", None)
    if not isinstance(name, str):
        raise InputError(f"{origin}: a coverage.py data file must be read from a file")
    path = Path(name)
    coverage = _coverage_module()
    data = _open_data(path, origin)
    base = path.resolve().parent
    recorded = sorted(data.measured_files())
    found, missing = locate_sources(recorded, base)
    if missing:
        raise InputError(
            f"{origin}: the source of {len(missing)} measured file(s) is not here "
            f"(first: {missing[0]}); covgap analyses coverage.py data against the "
            f"sources as `coverage report` does: run it in the checkout the data was "
            f"measured in, or where {base} holds the sources (or read `coverage json`)"
        )
    back = {str(p): _model_path(p, base) for p in found.values()}
    with tempfile.TemporaryDirectory(prefix="covgap-coverage-") as tmp:
        copy = coverage.CoverageData(basename=os.path.join(tmp, "data"))
        try:
            copy.update(data, map_path=_mapper(found))
            cov = coverage.Coverage(
                data_file=os.path.join(tmp, "data"),
                config_file=_config_file(base),
                messages=False,
            )
            _anchor_patterns(cov, base)
            cov.load()
            out = os.path.join(tmp, "report.json")
            # Per-test contexts ride along into the model (FileCoverage.contexts).
            show = any(c for c in data.measured_contexts())
            cov.json_report(outfile=out, show_contexts=show, ignore_errors=False)
            with open(out, "rb") as fh:
                report = fh.read()
        except coverage.exceptions.NoDataError:
            return CoverageSet()  # nothing was measured: an empty, not a partial, result
        except coverage.exceptions.CoverageException as exc:
            raise FormatError(origin, f"coverage.py could not analyse it: {exc}") from None
    cs = coveragepy_json.read(io.BytesIO(report), origin)
    renamed = {p: back.get(os.path.abspath(p), p) for p in cs.files}
    return cs.renamed(renamed)


def read_contexts(path: Path) -> Contexts:
    """Return which contexts ran each line, per file (paths as :func:`read` gives them).

    Arc data is reported per source line of the arc, as ``coverage json
    --show-contexts`` does.
    """
    origin = str(path)
    data = _open_data(path, origin)
    base = path.resolve().parent
    found, _missing = locate_sources(sorted(data.measured_files()), base)
    out: Contexts = {}
    for recorded in sorted(data.measured_files()):
        by_line = data.contexts_by_lineno(recorded)
        if not by_line:
            continue
        where = found.get(recorded)
        key = _model_path(where, base) if where is not None else recorded
        out[key] = {ln: tuple(sorted(ctx)) for ln, ctx in sorted(by_line.items()) if ln > 0}
    return out


FORMAT = FormatSpec(
    name="coveragepy-data",
    title="coverage.py data file (.coverage)",
    sniff=sniff,
    read=read,
    write=None,
    discover=("**/.coverage",),
    needs_path=True,
)

__all__ = ["FORMAT", "MISSING_COVERAGE", "locate_sources", "read", "read_contexts", "sniff"]
