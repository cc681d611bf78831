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

One run, several formats. Tools often write the same run twice in one directory
(c8's ``coverage/lcov.info`` beside ``coverage/coverage-final.json``; coverage.py's
``coverage.xml`` beside ``coverage.json``). Merging both would double every hit count
and, where the two formats define lines differently, the totals too. So when one
directory holds reports of different formats that cover the same set of source file
names, only one is used: the one whose format is earliest in :data:`PREFERENCE` (the
richer format). Reports of different runs that happen to share a directory (a Python
``coverage.xml`` and a JavaScript ``lcov.info`` at the root) cover different files and
are all used.

The result is sorted by path relative to the root, so the same tree always gives the
same list in the same order.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections import defaultdict
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
    "coveragepy",
    "istanbul",
    "simplecov",
    "jacoco",
    "gcov",
    "go",
    "clover",
    "cobertura",
    "lcov",
)
"""Which of several formats of one run to keep: earliest first, by substring of the
format name. Richer formats come first (llvm-cov JSON has regions and branches where its
LCOV export has lines; coverage.py JSON keeps contexts its Cobertura loses)."""


def _rank(spec: FormatSpec) -> int:
    for i, word in enumerate(PREFERENCE):
        if word in spec.name:
            return i
    return len(PREFERENCE) // 2  # a format not listed sits between the rich and the lossy


def _globs(formats: Sequence[FormatSpec]) -> list[str]:
    globs = list(WELL_KNOWN)
    for spec in formats:
        globs.extend(g for g in spec.discover if g not in globs)
    return globs


def _name_filter(globs: Sequence[str]) -> re.Pattern[str]:
    """One regex over base names that every glob's last segment must pass.

    Checking the full gitignore globs costs tens of microseconds a file; this cheap
    test first keeps discovery on a 100,000-file tree well under a second.
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


def _source_names(path: Path) -> frozenset[str] | None:
    """The base names of the files a report covers, or None when it cannot be read."""
    try:
        cs = read_report(path)
    except CovgapError:
        return None
    return frozenset(p.replace("\\", "/").rpartition("/")[2] for p in cs.files)


def _one_per_run(root: Path, found: list[tuple[str, FormatSpec]]) -> list[str]:
    """Drop reports that repeat another format's report of the same run (module doc)."""
    by_dir: dict[str, list[tuple[str, FormatSpec]]] = defaultdict(list)
    for rel, spec in found:
        by_dir[rel.rpartition("/")[0]].append((rel, spec))
    kept: list[str] = []
    for entries in by_dir.values():
        if len({spec.name for _, spec in entries}) < 2:
            kept.extend(rel for rel, _ in entries)
            continue
        entries.sort(key=lambda item: (_rank(item[1]), item[0]))
        chosen: list[tuple[str, FormatSpec, frozenset[str] | None]] = []
        for rel, spec in entries:
            names = _source_names(root / rel)
            duplicate = names is not None and any(
                other is not None and other == names and spec.name != other_spec.name
                for _, other_spec, other in chosen
            )
            if not duplicate:
                chosen.append((rel, spec, names))
        kept.extend(rel for rel, _, _ in chosen)
    return kept


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
