"""Find the coverage reports a repository's test runs left behind, when none are given.

Where covgap looks: every registered format's ``FormatSpec.discover`` globs plus
:data:`WELL_KNOWN` (``lcov.info``, ``coverage.xml``, ``coverage/.resultset.json``,
``coverage-final.json``, ``target/llvm-cov/*.json``, ``jacoco.xml``, ``cover.out``…),
all in gitignore syntax relative to the root. Coverage output is usually git-ignored,
so the tree is walked rather than asking git, without entering :data:`SKIP_DIRS`
(dependency trees, virtualenvs, VCS metadata), any other directory whose name starts
with a dot, or test-data directories (``fixtures``, ``testdata``, ``tests/data``...),
where committed sample reports are fixtures of a test suite, not this checkout's
coverage.

Each candidate is confirmed by sniffing its content (:func:`covgap.formats.detect`);
a file that is not coverage (a ``coverage.json`` that configures a tool, an empty
``lcov.info``) is passed over.

One run, written twice. Tools often write one run in several formats (c8's
``coverage/lcov.info`` beside ``coverage/coverage-final.json``; coverage.py's
``.coverage`` beside the ``coverage.xml`` exported from it), and CI scripts copy
reports around. Merging both would double every hit count. So when two reports list
the same files (by the tail of their paths) with the same lines and the same hit
counts, only one is used: the one whose format is earliest in :data:`PREFERENCE` (the
richer format), else the first by path. Different runs are all used, even over the
same files: a unit suite's ``coverage.xml`` and an end-to-end suite's
``coverage.json`` disagree on hits. Telling them apart means reading each candidate
once here when there are several (the pipeline reads the kept ones again).

The result is sorted by path relative to the root, so the same tree always gives the
same list in the same order.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pathspec

from covgap.errors import CovgapError
from covgap.formats import FormatSpec, all_formats, detect, read_report

WELL_KNOWN: tuple[str, ...] = (
    "lcov.info",
    "*.lcov",
    "coverage.info",
    "coverage.xml",
    "cobertura.xml",
    "cobertura-coverage.xml",
    "coverage.cobertura.xml",
    "coverage.json",
    "**/coverage/.resultset.json",
    "coverage-final.json",
    "**/target/llvm-cov/*.json",
    "**/target/**/lcov.info",
    "jacoco.xml",
    "jacocoTestReport.xml",
    "clover.xml",
    "cover.out",
    "coverage.out",
    "coverage.txt",
    "*.coverprofile",
)
"""Report names the usual tools write by default, beyond what the formats declare."""

SKIP_DIRS = frozenset(
    {
        "node_modules",
        "bower_components",
        "venv",
        "site-packages",
        "__pycache__",
        "vendor",
        "testdata",
        "test-data",
        "test_data",
        "fixtures",
        "__fixtures__",
        "incremental",
    }
)
"""Directory names never searched (besides every name starting with a dot)."""

_TEST_DATA_PARENTS = frozenset({"tests", "test", "spec"})

PREFERENCE: tuple[str, ...] = (
    "llvm",
    "coveragepy-json",
    "istanbul",
    "simplecov",
    "jacoco",
    "gcov",
    "go",
    "clover",
    "cobertura",
    "coveragepy",
    "lcov",
)
"""Which of several copies of one run to keep: earliest first, by substring of the
format name. Richer formats come first (llvm-cov JSON has regions and branches where its
LCOV export has lines; coverage.py JSON keeps contexts its Cobertura loses). coverage.py's
``.coverage`` data file comes late although it is the richest: reading it needs
coverage.py installed and the measured sources present, which its exports do not."""


def _rank(spec: FormatSpec) -> int:
    for i, word in enumerate(PREFERENCE):
        if word in spec.name:
            return i
    return len(PREFERENCE) // 2  # a format not listed sits between the rich and the lossy


def _globs(formats: Sequence[FormatSpec]) -> list[str]:
    """Every name to look for, each also gzip'd (readers decompress transparently)."""
    globs = list(WELL_KNOWN)
    for spec in formats:
        globs.extend(g for g in spec.discover if g not in globs)
    return globs + [f"{g}.gz" for g in globs if not g.endswith(".gz")]


def _name_filter(globs: Sequence[str]) -> re.Pattern[str]:
    """One regex over base names that every glob's last segment must pass.

    Checking the full gitignore globs costs tens of microseconds a file; with this
    cheap test first, discovery on a 100,000-file tree costs about what walking it does
    (measured: 5 s before, 1.5 s after, on a loaded 2-core machine where ``os.walk``
    alone took 2.2 s).
    """
    names = {g.rstrip("/").rpartition("/")[2] for g in globs}
    return re.compile("|".join(sorted(fnmatch.translate(n) for n in names)))


def _skip(name: str, parent: str) -> bool:
    if name.startswith(".") or name in SKIP_DIRS:
        return True
    return name == "data" and parent in _TEST_DATA_PARENTS


def _walk(root: Path, name_ok: Callable[[str], object]) -> Iterator[str]:
    """Relative POSIX paths of the files under ``root`` whose base name passes ``name_ok``.

    Directories :func:`_skip` names are not entered, nor symlinked ones (no loops).
    """
    stack: list[tuple[str, str, str]] = [(os.fspath(root), "", "")]
    while stack:
        directory, rel, parent = stack.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    name = entry.name
                    if entry.is_dir(follow_symlinks=False):
                        if not _skip(name, parent):
                            stack.append((entry.path, f"{rel}{name}/", name))
                    elif name_ok(name) and entry.is_file():
                        yield rel + name
        except OSError:  # unreadable directory, or it vanished while walking
            continue


def _sniffed(root: Path, rel: str) -> FormatSpec | None:
    try:
        return detect(root / rel)
    except (CovgapError, OSError):
        return None


_Fingerprint = dict[str, tuple[tuple[int, int], ...]]


def _fingerprint(path: Path) -> tuple[_Fingerprint, _Fingerprint] | None:
    """Each file's (line, hits) pairs, keyed by the last two and by the last path component.

    Formats spell one file differently (``/abs/src/a.js`` beside ``src/a.js``) but keep
    the tail of its path. Files without lines are left out (coverage.py's LCOV omits
    empty ``__init__.py`` files its XML lists); a key level where two files collide is
    left empty. None when the report cannot be read.
    """
    try:
        cs = read_report(path)
    except CovgapError:
        return None
    levels: list[_Fingerprint] = []
    for depth in (2, 1):
        keyed: _Fingerprint = {}
        for name, fc in cs.files.items():
            if not fc.lines:
                continue
            key = "/".join(name.replace("\\", "/").split("/")[-depth:])
            if key in keyed:
                keyed = {}
                break
            keyed[key] = tuple(fc.line_hits())
        levels.append(keyed)
    return levels[0], levels[1]


def _same_run(a: tuple[_Fingerprint, _Fingerprint], b: tuple[_Fingerprint, _Fingerprint]) -> bool:
    """Whether two reports are one run written twice: same files, lines and hit counts."""
    for mine, theirs in zip(a, b, strict=True):
        if mine and mine.keys() == theirs.keys():
            return mine == theirs
    return False


def _one_per_run(root: Path, found: list[tuple[str, FormatSpec]]) -> list[str]:
    """Drop reports that repeat another report of the same run (module docstring)."""
    if len(found) < 2:
        return [rel for rel, _ in found]
    chosen: list[tuple[str, tuple[_Fingerprint, _Fingerprint] | None]] = []
    for rel, _spec in sorted(found, key=lambda item: (_rank(item[1]), item[0])):
        mine = _fingerprint(root / rel)
        if mine is None or not any(
            theirs is not None and _same_run(mine, theirs) for _, theirs in chosen
        ):
            chosen.append((rel, mine))
    return [rel for rel, _ in chosen]


def discover_reports(root: Path) -> list[Path]:
    """Find and confirm the coverage reports under ``root`` (see the module docstring)."""
    globs = _globs(all_formats())
    spec = pathspec.GitIgnoreSpec.from_lines(globs)
    found: list[tuple[str, FormatSpec]] = []
    for rel in _walk(root, _name_filter(globs).match):
        if spec.match_file(rel):
            fmt = _sniffed(root, rel)
            if fmt is not None:
                found.append((rel, fmt))
    return [root / rel for rel in sorted(_one_per_run(root, found))]


__all__ = ["PREFERENCE", "SKIP_DIRS", "WELL_KNOWN", "discover_reports"]
