"""Analyse a whole repository: classify, read, cache, parse in parallel, link tests.

Speed comes from two places. Results are cached by content under
``<repo>/.covgap/cache/source-v1/`` (one small JSON file per distinct content, keyed by
a BLAKE2b hash of covgap's version, :data:`ANALYZER_VERSION`, the grammar, the analyser
that ran with its package versions (tree-sitter and the grammar wheel, or the regex
fallback), whether the file is a test file, and the bytes), so an unchanged file is
never parsed twice, a better analyser is never shadowed by an older result, and the
directory is safe to delete at any time. Cache misses are parsed across processes
in chunks; workers return plain dataclasses because tree-sitter objects do not pickle.

Files that cannot be analysed never stop the run: unreadable files, binary files
(a NUL byte in the first 8 KiB) and files over 2 MB (generated code, bundles) are
listed in ``SourceIndex.skipped`` and left out; files with syntax errors are analysed
as far as tree-sitter's error recovery allows, kept, and also listed in ``skipped``
with the line of the first error.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from covgap import __version__
from covgap.source._ts import analyser_identity
from covgap.source.analyze import (
    ANALYZER_VERSION,
    CODE_LANGUAGES,
    analyze_source,
    grammar_for,
    inline_test_count,
    is_binary,
    is_source_candidate,
    normalize_language,
)
from covgap.source.classify import TestRules
from covgap.source.link import link_tests
from covgap.source.records import SourceFile, SourceIndex, from_dict, to_dict

if TYPE_CHECKING:
    from covgap.workspace import Workspace

CACHE_DIR = ".covgap/cache/source-v1"
MAX_BYTES = 2 * 1024 * 1024
PARALLEL_MIN_FILES = 200
"""Below this many cache misses, starting worker processes costs more than it saves."""
CHUNK = 64
ANALYSIS_FAILED = "analysis failed"

_Job = tuple[str, bytes, str, bool, str]
"""(path, bytes, language, is_test, cache key): one file for a worker to analyse."""


def language_of(ws: Workspace, path: str) -> str | None:
    """The workspace's language key for ``path``, when it is a source-code language."""
    if not is_source_candidate(path):
        return None
    lang = normalize_language(ws.language_of(path))
    return lang if lang in CODE_LANGUAGES else None


def cache_key(text: bytes, language: str, path: str, is_test: bool) -> str:
    """The content key: what the analysis of these bytes depends on, and nothing else.

    That includes what analyses them: covgap's version, :data:`ANALYZER_VERSION`, and
    the analyser with its versions (``tree-sitter 0.25.2 tree-sitter-rust 0.24.0``, or
    ``regex`` for the fallback), so a result of the fallback, or of an older grammar, is
    never served once a better analyser is installed.
    """
    digest = hashlib.blake2b(digest_size=20)
    grammar = grammar_for(language, path)
    analyser = analyser_identity(grammar)
    digest.update(
        f"{__version__}\0{ANALYZER_VERSION}\0{grammar or language}\0{analyser}\0"
        f"{int(is_test)}\0".encode()
    )
    digest.update(text)
    return digest.hexdigest()


class SourceCache:
    """Content-addressed analysis results; every failure to read or write is a miss."""

    def __init__(self, root: Path) -> None:
        self.dir = root / CACHE_DIR
        self._prefix = os.fspath(self.dir) + os.sep

    def _path(self, key: str) -> Path:
        return self.dir / key[:2] / f"{key[2:]}.json"

    def get(self, key: str, path: str) -> SourceFile | None:
        # plain strings, not pathlib: this runs once per file on every warm run
        try:
            with open(f"{self._prefix}{key[:2]}{os.sep}{key[2:]}.json", "rb") as fh:
                return from_dict(path, orjson.loads(fh.read()))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, sf: SourceFile) -> None:
        target = self._path(key)
        try:
            if not self.dir.exists():
                self.dir.mkdir(parents=True, exist_ok=True)
                (self.dir.parent / ".gitignore").write_text("*\n", encoding="utf-8")
            target.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                fh.write(orjson.dumps(to_dict(sf)))
            os.replace(tmp, target)
        except OSError:
            return


def _analyze_one(job: _Job, store: SourceCache | None) -> SourceFile:
    path, text, language, is_test, key = job
    try:
        result = analyze_source(path, text, language, is_test=is_test)
    except Exception as exc:  # an analyser bug must cost one file, not the run
        failed = SourceFile(path=path, language=language)
        failed.parse_error = f"{ANALYSIS_FAILED}: {type(exc).__name__}: {exc}"
        return failed
    if store is not None:
        store.put(key, result)  # in the worker: cache writes run in parallel too
    return result


def _analyze_chunk(jobs: list[_Job], store: SourceCache | None = None) -> list[SourceFile]:
    return [_analyze_one(job, store) for job in jobs]


def _chunks(items: list[_Job], size: int) -> Iterator[list[_Job]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _start_method() -> str:
    """``fork`` when it is safe (POSIX, one thread): no re-import of ``__main__``, no
    interpreter start-up per worker; else ``forkserver``/``spawn``, which are."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _run(
    jobs: list[_Job],
    workers: int,
    store: SourceCache | None,
    progress: Callable[[int, int], None] | None = None,
) -> list[SourceFile]:
    """Analyse ``jobs``, in worker processes when there are enough of them."""
    total = len(jobs)
    results: list[SourceFile] = []
    if not jobs:
        return results
    if workers <= 1 or total < PARALLEL_MIN_FILES:
        for chunk in _chunks(jobs, CHUNK):
            results.extend(_analyze_chunk(chunk, store))
            if progress is not None:
                progress(len(results), total)
        return results
    context = multiprocessing.get_context(_start_method())
    # several chunks per worker keep both cores busy when file sizes are uneven
    size = max(1, min(CHUNK, total // (workers * 4) or 1))
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        work = functools.partial(_analyze_chunk, store=store)
        for analysed in pool.map(work, _chunks(jobs, size)):
            results.extend(analysed)
            if progress is not None:
                progress(len(results), total)
    return results


def analyze_repo(
    ws: Workspace,
    *,
    jobs: int | None = None,
    cache: bool = True,
    paths: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SourceIndex:
    """Analyse the workspace's source and test files (or just ``paths``).

    ``jobs`` is the number of worker processes (default: one per core); ``cache=False``
    neither reads nor writes the cache. Source/test/tooling classification follows the
    ``[tests]`` and ``[classify]`` configuration (see :mod:`covgap.source.classify`).
    ``progress(done, total)`` is called as files that were not in the cache are parsed
    (for a progress bar; the library itself never prints).
    """
    rules = TestRules.from_config(ws.config.section("tests"), ws.config.section("classify"))
    store = SourceCache(ws.root) if cache else None
    index = SourceIndex()
    pending: list[_Job] = []
    classes: dict[str, tuple[str, str | None]] = {}
    selected = sorted(set(ws.files if paths is None else paths))
    root = os.fspath(ws.root)
    for path in selected:
        if path.startswith(".covgap/") or rules.ignored(path) or ws.is_ignored(path):
            continue
        language = language_of(ws, path)
        if language is None or language not in CODE_LANGUAGES:
            continue
        try:
            with open(os.path.join(root, path), "rb") as fh:
                if os.fstat(fh.fileno()).st_size > MAX_BYTES:
                    index.skipped.append((path, "larger than 2 MB (generated?)"))
                    continue
                text = fh.read()
        except OSError as exc:
            index.skipped.append((path, f"unreadable: {exc.strerror or exc}"))
            continue
        if is_binary(text):
            index.skipped.append((path, "binary file"))
            continue
        kind, test_kind = rules.classify(path, text)
        classes[path] = (kind, test_kind)
        is_test = kind == "test"
        key = cache_key(text, language, path, is_test)
        hit = store.get(key, path) if store is not None else None
        if hit is not None:
            index.files[path] = hit
        else:
            pending.append((path, text, language, is_test, key))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    for sf in _run(pending, workers, store, progress):
        if sf.parse_error is not None and sf.parse_error.startswith(ANALYSIS_FAILED):
            index.skipped.append((sf.path, sf.parse_error))
            continue
        index.files[sf.path] = sf
    for path, sf in index.files.items():
        sf.kind, sf.test_kind = classes[path]
        sf.tooling_rule = rules.tooling_rule(path) if sf.kind == "tooling" else None
        sf.inline_tests = inline_test_count(sf) if sf.kind == "source" else 0
        component = ws.component_of(path)
        sf.component = component.name if component is not None else None
        if sf.parse_error is not None:
            index.skipped.append((path, sf.parse_error))
    index.files = dict(sorted(index.files.items()))
    index.skipped.sort()

    def read(path: str) -> bytes | None:
        try:
            return (ws.root / path).read_bytes()
        except OSError:
            return None

    link_tests(index, read, ws.files)
    return index
