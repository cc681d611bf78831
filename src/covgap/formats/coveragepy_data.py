"""coverage.py's data file (``.coverage``, SQLite), analysed the way ``coverage report`` does.

A ``.coverage`` file records only what *ran* (line numbers or arcs, per context).
What *could* have run — the statements, the possible branches, what ``# pragma: no
cover`` excludes — comes from analysing the source files, so this reader needs the
sources, and it needs coverage.py itself (an ordinary dependency of covgap):
re-implementing coverage.py's analysis would
drift from the tool users compare against. Checked against coverage.py 7.17
(``tests/data/coveragepy-data/make.sh``: line and branch data, relative and absolute
paths, per-test contexts).

How it works:

1. open the data with :class:`coverage.CoverageData` and find each measured file's
   source where ``coverage combine``/``coverage report`` users expect it
   (:func:`locate_sources`), in this order: covgap's ``[paths] fixes`` (relative to
   ``--repo``); coverage.py's own ``[paths]`` remapping, from the configuration
   beside the data file and the repository's (``.coveragerc``,
   ``.coveragerc.toml``, ``setup.cfg``/``tox.ini`` ``[coverage:paths]``,
   ``pyproject.toml`` ``[tool.coverage.paths]``); the recorded path when it exists;
   then the recorded path, and each shorter tail of it, under the data file's
   directory, ``--repo`` and the working directory, the longest tail winning (a
   data file made on a CI runner and downloaded as an artifact into another
   folder). A file whose source cannot be found is an error naming it and the
   places tried: an analysis without it would be a silently partial number;
2. copy the data with the found paths (:meth:`CoverageData.update`) and let
   :meth:`coverage.Coverage.json_report` analyse it, with the configuration found
   beside the data file, else the repository's (``.coveragerc``,
   ``.coveragerc.toml``, or ``pyproject.toml`` with ``[tool.coverage]``), never the
   current directory's, and its relative ``omit``/``include`` patterns anchored
   where that configuration is;
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
import re
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any, BinaryIO

from covgap.errors import FormatError, InputError
from covgap.formats import SQLITE_MAGIC, FormatSpec, ReadContext, coveragepy_json
from covgap.model import CoverageSet

if TYPE_CHECKING:
    from coverage import CoverageData

MISSING_COVERAGE = (
    "reading coverage.py data files needs coverage.py, which covgap depends on but "
    "this environment lacks: pip install coverage (or read a `coverage json` report)"
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


@dataclass(frozen=True)
class _Alias:
    """One coverage.py ``[paths]`` rule: a recorded prefix (glob) and its local root."""

    pattern: str
    regex: re.Pattern[str]
    result: Path


@dataclass
class SourceSearch:
    """Where :func:`locate_sources` looks, in order, and how to say so when it fails."""

    bases: list[Path]
    """Directories the recorded path (and its tails) may be under: data file, repo, cwd."""
    fixes: list[tuple[str, Path]] = field(default_factory=list)
    """covgap's ``[paths] fixes``: a recorded prefix and the local directory it means."""
    aliases: list[_Alias] = field(default_factory=list)
    alias_sources: list[str] = field(default_factory=list)
    """The configuration files the ``[paths]`` aliases came from (for the message)."""

    def places(self) -> str:
        """The places tried, for an error message."""
        where = ["as recorded"]
        if self.fixes:
            where.append(f"through covgap's [paths] fixes ({len(self.fixes)})")
        if self.alias_sources:
            where.append(f"through coverage.py's [paths] in {', '.join(self.alias_sources)}")
        unique = list(dict.fromkeys(str(b) for b in self.bases))
        where.append("under " + ", ".join(unique) + " (the recorded path and each shorter tail)")
        return "; ".join(where)


def _slashed(path: str) -> str:
    return path.replace("\\", "/")


def _through_rules(name: str, search: SourceSearch) -> Path | None:
    """covgap's fixes, then coverage.py's ``[paths]``: the first rewrite that exists."""
    norm = _slashed(name)
    for prefix, target in search.fixes:
        if norm.startswith(prefix):
            candidate = target / norm[len(prefix) :].lstrip("/")
            if candidate.is_file():
                return candidate.resolve()
    for alias in search.aliases:
        m = alias.regex.match(name)
        if m is None:
            continue
        rest = _slashed(name[m.end() :]).lstrip("/")
        candidate = alias.result / rest
        if candidate.is_file():
            return candidate.resolve()
    return None


def locate_sources(
    recorded: list[str], base: Path, search: SourceSearch | None = None
) -> tuple[dict[str, Path], list[str]]:
    """Find each recorded file's source; return ``{recorded: found}`` and the missing.

    Order of tries (module docstring): the rewrite rules of ``search``; the recorded
    path if absolute and present; then the recorded path and each shorter tail of it
    (``/ci/app/src/a.py`` → ``app/src/a.py``, ``src/a.py``, ``a.py``) under each of
    ``search.bases`` (``base`` alone when no search is given), the longest tail
    found winning and, for one length, the first base.
    """
    bases = search.bases if search is not None else [base]
    found: dict[str, Path] = {}
    missing: list[str] = []
    for name in recorded:
        ruled = _through_rules(name, search) if search is not None else None
        if ruled is not None:
            found[name] = ruled
            continue
        direct = Path(name)
        if direct.is_absolute() and direct.is_file():
            found[name] = direct
            continue
        parts = [p for p in _split(name) if p not in ("/", "\\") and not p.endswith(":\\")]
        hit = next(
            (
                candidate
                for i in range(len(parts))
                for root in bases
                if (candidate := root.joinpath(*parts[i:])).is_file()
            ),
            None,
        )
        if hit is not None:
            found[name] = hit.resolve()
        else:
            missing.append(name)
    return found, missing


_CONFIG_NAMES = (".coveragerc", ".coveragerc.toml", "setup.cfg", "tox.ini", "pyproject.toml")


def _config_file(base: Path) -> str | bool:
    """coverage.py's configuration in ``base``, or none (never the cwd's)."""
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


def _paths_config(coverage: Any, folder: Path) -> tuple[str, list[_Alias]] | None:
    """coverage.py's ``[paths]`` rules from the configuration in ``folder``, if any.

    As ``coverage combine`` reads them: in each entry the first path is where the
    files are here and the others are patterns for where they were recorded; a
    relative pattern or result is anchored at ``folder`` (where ``combine`` runs).
    """
    from coverage.files import globs_to_regex

    for name in _CONFIG_NAMES:
        config = folder / name
        if not config.is_file():
            continue
        try:
            cov = coverage.Coverage(config_file=str(config), data_file=None, messages=False)
            paths = cov.get_option("paths")
        except coverage.exceptions.CoverageException as exc:
            raise InputError(
                f"{config}: coverage.py cannot read its configuration ({exc})"
            ) from None
        if not paths:
            continue
        aliases: list[_Alias] = []
        for entry in paths.values():
            if len(entry) < 2:
                continue
            result = Path(entry[0]) if os.path.isabs(entry[0]) else folder / entry[0]
            for pattern in entry[1:]:
                glob = pattern.rstrip("/\\") if len(pattern) > 1 else pattern
                if not glob.startswith("*") and not _is_abs_anywhere(glob):
                    glob = str(folder / glob)
                sep = "\\" if "\\" in glob and "/" not in glob else "/"
                regex = globs_to_regex([glob + sep], case_insensitive=True, partial=True)
                aliases.append(_Alias(pattern, regex, result))
        return str(config), aliases
    return None


def _is_abs_anywhere(path: str) -> bool:
    return path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":")


def _search(coverage: Any, data_dir: Path, context: ReadContext) -> SourceSearch:
    """The places to look for a data file's sources, from the data file and the context."""
    repo = context.repo.resolve() if context.repo is not None else None
    bases = [data_dir] + ([repo] if repo is not None else []) + [Path.cwd().resolve()]
    search = SourceSearch(list(dict.fromkeys(bases)))
    anchor = repo if repo is not None else Path.cwd()
    for prefix, to in context.path_fixes:
        if prefix:
            search.fixes.append((_slashed(prefix), anchor / to))
    for folder in dict.fromkeys([data_dir] + ([repo] if repo is not None else [])):
        got = _paths_config(coverage, folder)
        if got is not None:
            search.alias_sources.append(got[0])
            search.aliases.extend(got[1])
    return search


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
    return read_in(stream, origin, ReadContext())


def read_in(stream: BinaryIO, origin: str, context: ReadContext) -> CoverageSet:
    """:func:`read`, also looking for the sources under ``context.repo`` and its rules."""
    name = getattr(stream, "name", None)
    if not isinstance(name, str):
        raise InputError(f"{origin}: a coverage.py data file must be read from a file")
    path = Path(name)
    coverage = _coverage_module()
    data = _open_data(path, origin)
    base = path.resolve().parent
    recorded = sorted(data.measured_files())
    search = _search(coverage, base, context)
    found, missing = locate_sources(recorded, base, search)
    if missing:
        raise InputError(
            f"{origin}: the source of {len(missing)} measured file(s) is not here "
            f"(first: {missing[0]}); looked {search.places()}. covgap analyses "
            "coverage.py data against the sources as `coverage report` does: give "
            "--repo the checkout, add a [paths] rule, or read `coverage json`"
        )
    config_dir = base
    config_file = _config_file(base)
    if config_file is False and context.repo is not None:
        config_dir = context.repo.resolve()
        config_file = _config_file(config_dir)
    back = {str(p): _model_path(p, base) for p in found.values()}
    with tempfile.TemporaryDirectory(prefix="covgap-coverage-") as tmp:
        copy = coverage.CoverageData(basename=os.path.join(tmp, "data"))
        try:
            copy.update(data, map_path=_mapper(found))
            cov = coverage.Coverage(
                data_file=os.path.join(tmp, "data"),
                config_file=config_file,
                messages=False,
            )
            _anchor_patterns(cov, config_dir)
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


def read_contexts(path: Path, context: ReadContext | None = None) -> Contexts:
    """Return which contexts ran each line, per file (paths as :func:`read` gives them).

    Arc data is reported per source line of the arc, as ``coverage json
    --show-contexts`` does. ``context`` finds moved sources as :func:`read_in` does.
    """
    origin = str(path)
    data = _open_data(path, origin)
    base = path.resolve().parent
    search = _search(_coverage_module(), base, context or ReadContext())
    found, _missing = locate_sources(sorted(data.measured_files()), base, search)
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
    read_in=read_in,
)

__all__ = [
    "FORMAT",
    "MISSING_COVERAGE",
    "SourceSearch",
    "locate_sources",
    "read",
    "read_contexts",
    "read_in",
    "sniff",
]
