"""Analyse a whole repository: classify, read, cache, parse in parallel, link tests.

Speed comes from three places. Results are cached by content in one SQLite file,
``<repo>/.covgap/cache/source-v2.sqlite`` (a row per distinct content, keyed by a BLAKE2b
hash of covgap's version, :data:`ANALYZER_VERSION`, the grammar, the analyser that ran
with its package versions (tree-sitter and the grammar wheel, or the regex fallback),
whether the file is a test file, and the bytes), so an unchanged file is never parsed
twice, a better analyser is never shadowed by an older result, and the file is safe to
delete at any time; the parent writes a run's new rows in one transaction (a directory
of 10,000 small files cost more in ``open``/``rename`` than the JSON in them). Cache
misses are parsed across processes in chunks, submitted while the parent is still
reading and hashing the rest; workers return each result as the cache's row (JSON of
:func:`~covgap.source.records.to_dict`), which the parent stores as it is and decodes
once: tree-sitter objects do not pickle, and pickling the dataclasses, then encoding
them again for the cache, cost twice the JSON's CPU (issue 14). And
:func:`start_analysis` returns before the parse is done, so a command reads its
coverage report while the workers parse (``covgap gaps``).

Files that cannot be analysed never stop the run: unreadable files, binary files
(a NUL byte in the first 8 KiB) and files over 2 MB (generated code, bundles) are
listed in ``SourceIndex.skipped`` and left out; files with syntax errors are analysed
as far as tree-sitter's error recovery allows, kept, and also listed in ``skipped``
with the line of the first error.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from covgap import __version__
from covgap._gc import paused_gc
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

CACHE_FILE = ".covgap/cache/source-v2.sqlite"
MAX_BYTES = 2 * 1024 * 1024
PARALLEL_MIN_FILES = 200
"""Below this many cache misses, starting worker processes costs more than it saves."""
CHUNK = 64
ANALYSIS_FAILED = "analysis failed"

_Job = tuple[str, bytes, str, bool, str]
"""(path, bytes, language, is_test, cache key): one file for a worker to analyse."""

BATCH = 500
"""Files whose cache entries are looked up in one query (below SQLite's oldest limit
of 999 bound parameters)."""


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
    """Content-addressed analysis results in one SQLite file; every failure is a miss.

    Reads go straight to the database; :meth:`put` only queues a row and :meth:`flush`
    writes the queue in one transaction (the parent calls it once per run). A file that
    is not a database (truncated, overwritten) is deleted and started again, so a broken
    cache costs one cold run, never every run.
    """

    def __init__(self, root: Path) -> None:
        self.file = root / CACHE_FILE
        self._db: sqlite3.Connection | None = None
        self._opened = False
        self._queue: list[tuple[str, bytes]] = []

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._db is not None or (self._opened and not create):
            return self._db
        self._opened = True
        if not create and not self.file.exists():
            return None
        for attempt in range(2):
            try:
                if create and not self.file.parent.exists():
                    self.file.parent.mkdir(parents=True, exist_ok=True)
                    (self.file.parent / ".gitignore").write_text("*\n", encoding="utf-8")
                db = sqlite3.connect(self.file, timeout=5, isolation_level=None)
                db.execute("PRAGMA synchronous=OFF")  # a cache: losing it costs one cold run
                db.execute(
                    "CREATE TABLE IF NOT EXISTS analysis (key TEXT PRIMARY KEY, data BLOB) "
                    "WITHOUT ROWID"
                )
            except sqlite3.DatabaseError:
                if attempt == 0 and self.file.is_file():
                    try:
                        self.file.unlink()  # not a database: start again
                    except OSError:
                        return None
                    continue
                return None
            except OSError:
                return None
            self._db = db
            return db
        return None  # pragma: no cover - the loop returns on its second pass

    def get_many(self, wanted: list[tuple[str, str]]) -> dict[str, SourceFile]:
        """The cached analyses of ``(key, path)`` pairs, by path, in one query per
        :data:`BATCH` keys (issue 14: one query per file cost 1.2 of the 18 s of a
        profiled warm ``gaps`` at 10,000 files). An entry that does not decode (a cache
        written by something else) is a miss, never an error."""
        found: dict[str, SourceFile] = {}
        db = self._connect(create=False)
        if db is None or not wanted:
            return found
        paths: dict[str, list[str]] = {}
        for key, path in wanted:
            paths.setdefault(key, []).append(path)
        keys = list(paths)
        with paused_gc():  # thousands of records, no cycles among them (covgap._gc)
            self._fetch(db, keys, paths, found)
        return found

    @staticmethod
    def _fetch(
        db: sqlite3.Connection,
        keys: list[str],
        paths: dict[str, list[str]],
        found: dict[str, SourceFile],
    ) -> None:
        for at in range(0, len(keys), BATCH):
            part = keys[at : at + BATCH]
            marks = ",".join("?" * len(part))
            try:
                rows = db.execute(
                    f"SELECT key, data FROM analysis WHERE key IN ({marks})", part
                ).fetchall()
            except sqlite3.Error:
                return
            for key, data in rows:
                for path in paths[key]:
                    try:
                        found[path] = from_dict(path, orjson.loads(data))
                    except (ValueError, KeyError, TypeError):
                        continue

    def put(self, key: str, sf: SourceFile) -> None:
        """Queue ``sf`` under ``key``; :meth:`flush` writes it."""
        self.put_encoded(key, encode(sf))

    def put_encoded(self, key: str, data: bytes) -> None:
        """Queue a result already encoded by :func:`encode` (a worker's) under ``key``."""
        self._queue.append((key, data))

    def flush(self) -> None:
        """Write the queued rows in one transaction (a locked or read-only cache: skipped)."""
        queue, self._queue = self._queue, []
        if not queue:
            return
        db = self._connect(create=True)
        if db is None:
            return
        try:
            with db:
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO analysis VALUES (?, ?)", queue)
        except sqlite3.Error:
            return

    def __len__(self) -> int:
        """How many results are stored (for tests and ``covgap tests`` diagnostics)."""
        db = self._connect(create=False)
        if db is None:
            return 0
        try:
            return int(db.execute("SELECT count(*) FROM analysis").fetchone()[0])
        except sqlite3.Error:
            return 0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
        self._db = None
        self._opened = False


def encode(sf: SourceFile) -> bytes:
    """A result as the cache stores it, and as workers send it to the parent."""
    return orjson.dumps(to_dict(sf))


def _analyze_one(job: _Job) -> SourceFile:
    path, text, language, is_test, _key = job
    try:
        return analyze_source(path, text, language, is_test=is_test)
    except Exception as exc:  # an analyser bug must cost one file, not the run
        failed = SourceFile(path=path, language=language)
        failed.parse_error = f"{ANALYSIS_FAILED}: {type(exc).__name__}: {exc}"
        return failed


def _analyze_chunk(jobs: list[_Job]) -> list[bytes]:
    """Analyse ``jobs``; each result :func:`encode`-d (see the module docstring)."""
    return [encode(_analyze_one(job)) for job in jobs]


def _start_method() -> str:
    """``fork`` when it is safe (POSIX, one thread): no re-import of ``__main__``, no
    interpreter start-up per worker; else ``forkserver``/``spawn``, which are."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class _Runner:
    """Analyses jobs as they are added: in the parent below :data:`PARALLEL_MIN_FILES`
    misses, else in a process pool started at the 200th miss and fed a chunk at a time,
    so workers parse while the parent is still reading and hashing the other files."""

    def __init__(self, workers: int, chunk: int) -> None:
        self.workers = workers
        self.chunk = chunk
        self.buffered: list[_Job] = []
        self.pool: ProcessPoolExecutor | None = None
        self.futures: list[Future[list[bytes]]] = []
        self.total = 0

    def add(self, job: _Job) -> None:
        self.buffered.append(job)
        self.total += 1
        if self.pool is None:
            if self.workers > 1 and len(self.buffered) >= PARALLEL_MIN_FILES:
                context = multiprocessing.get_context(_start_method())
                self.pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context)
                self._submit(self.buffered)
                self.buffered = []
        elif len(self.buffered) >= self.chunk:
            self._submit(self.buffered)
            self.buffered = []

    def _submit(self, jobs: list[_Job]) -> None:
        assert self.pool is not None
        for start in range(0, len(jobs), self.chunk):
            self.futures.append(self.pool.submit(_analyze_chunk, jobs[start : start + self.chunk]))

    def results(self, progress: Callable[[int, int], None] | None) -> Iterator[list[bytes]]:
        """Every job's encoded result, a chunk at a time, in the order the jobs were added."""
        if self.pool is None:
            jobs, self.buffered = self.buffered, []
            for start in range(0, len(jobs), CHUNK):
                analysed = _analyze_chunk(jobs[start : start + CHUNK])
                if progress is not None:
                    progress(min(start + CHUNK, self.total), self.total)
                yield analysed
            return
        if self.buffered:
            self._submit(self.buffered)
            self.buffered = []
        done = 0
        try:
            for future in self.futures:
                analysed = future.result()
                done += len(analysed)
                if progress is not None:
                    progress(done, self.total)
                yield analysed
        finally:
            self.close()

    def close(self) -> None:
        """Stop the workers (after an error elsewhere: the queued chunks are dropped)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


class PendingAnalysis:
    """Source analysis under way (:func:`start_analysis`): :meth:`result` waits for it.

    Use it as a context manager, or call :meth:`close`, when the result may never be
    asked for (the coverage report turned out unreadable): that stops the workers.
    """

    def __init__(
        self,
        ws: Workspace,
        index: SourceIndex,
        runner: _Runner,
        store: SourceCache | None,
        rules: TestRules,
        classes: dict[str, tuple[str, str | None]],
        keys: list[str],
        paths: list[str],
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self._ws = ws
        self._index = index
        self._runner = runner
        self._store = store
        self._rules = rules
        self._classes = classes
        self._keys = keys
        self._paths = paths
        self._progress = progress
        self._result: SourceIndex | None = None

    def __enter__(self) -> PendingAnalysis:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._runner.close()
        if self._store is not None:
            self._store.close()

    def result(self) -> SourceIndex:
        """The finished index (computed once; later calls return the same object)."""
        if self._result is None:
            self._result = self._finish()
        return self._result

    def _finish(self) -> SourceIndex:
        index, store = self._index, self._store
        try:
            with paused_gc():  # decoding every result: no cycles among the records
                self._collect(store, index)
        finally:
            self.close()
        self._complete(index)
        return index

    def _collect(self, store: SourceCache | None, index: SourceIndex) -> None:
        """The workers' results into ``index`` (and the cache), as they arrive."""
        keys = iter(self._keys)
        paths = iter(self._paths)
        for analysed in self._runner.results(self._progress):
            for data in analysed:
                key, path = next(keys), next(paths)
                sf = from_dict(path, orjson.loads(data))
                if sf.parse_error is not None and sf.parse_error.startswith(ANALYSIS_FAILED):
                    index.skipped.append((sf.path, sf.parse_error))
                    continue
                if store is not None:
                    store.put_encoded(key, data)
                index.files[sf.path] = sf
        if store is not None:
            store.flush()

    def _complete(self, index: SourceIndex) -> None:
        """Repository-level fields (kind, component...), sorted order, test links."""
        ws, rules, classes = self._ws, self._rules, self._classes
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


def start_analysis(
    ws: Workspace,
    *,
    jobs: int | None = None,
    cache: bool = True,
    paths: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PendingAnalysis:
    """Start analysing the workspace's source and test files (or just ``paths``).

    Reads, classifies and hashes every file and serves what the cache holds here; the
    misses are parsed in worker processes that keep going after this returns, so the
    caller can read its coverage meanwhile. :meth:`PendingAnalysis.result` gives what
    :func:`analyze_repo` returns (the two are the same analysis).
    """
    rules = TestRules.from_config(ws.config.section("tests"), ws.config.section("classify"))
    store = SourceCache(ws.root) if cache else None
    index = SourceIndex()
    classes: dict[str, tuple[str, str | None]] = {}
    keys: list[str] = []
    missed: list[str] = []
    selected = sorted(set(ws.files if paths is None else paths))
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    # several chunks per worker keep both cores busy when file sizes are uneven
    runner = _Runner(workers, max(1, min(CHUNK, len(selected) // (max(workers, 1) * 4))))
    root = os.fspath(ws.root)
    pending: list[_Job] = []

    def serve(jobs: list[_Job]) -> None:
        """What the cache holds into the index; the rest to the workers, in order."""
        hits = store.get_many([(job[4], job[0]) for job in jobs]) if store is not None else {}
        for job in jobs:
            hit = hits.get(job[0])
            if hit is not None:
                index.files[job[0]] = hit
            else:
                keys.append(job[4])
                missed.append(job[0])
                runner.add(job)

    try:
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
            pending.append(
                (path, text, language, is_test, cache_key(text, language, path, is_test))
            )
            if len(pending) >= BATCH:
                serve(pending)
                pending = []
        serve(pending)
    except BaseException:
        runner.close()
        raise
    return PendingAnalysis(ws, index, runner, store, rules, classes, keys, missed, progress)


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
    with start_analysis(ws, jobs=jobs, cache=cache, paths=paths, progress=progress) as pending:
        return pending.result()
