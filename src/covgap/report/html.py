"""The HTML report: a static site that works from ``file://`` with no server or network.

Layout of the output directory::

    index.html          dashboard: totals, components vs targets, risk tiers, a treemap
                        of uncovered lines by folder, sortable/filterable tables; the
                        first files rows embedded as JSON (:func:`index_head`)
    index-data.js       the dashboard's whole data (:func:`index_data`), loaded after
                        the first rows show
    gaps.js             the gaps' recommended tests, loaded after index-data.js
    files/<slug>.html   one page per source file: a small HTML shell, the file's data
                        as JSON (source text, per-line hits, branches, suites,
                        functions), rendered in the browser by the shared file.js
    covgap.css, covgap.js, file.js
    manifest.json       what made the site: the inputs' key and each page's digest

Why this shape (issue 14): the previous design rendered every source line in Python
with pygments and Jinja -- 507 s for 10,000 files, five times genhtml's time. Now the
Python side writes each file's *data* (orjson, no per-line Python work beyond
``array.tolist``) and one shared script renders it: highlighting is a small tokenizer
of our own in file.js (:data:`TOKENIZERS` lists the languages it knows), so a page
costs about the size of its source. Browsers refuse ``fetch()`` of local files, so
each file's data sits inside its own page (loaded only when opened) and the index's
lazily loaded part is a plain ``<script src>``.

Unchanged re-runs: the site's ``manifest.json`` records a digest of every page; a page
whose bytes would be the same is hard-linked from the previous site instead of written.
The CLI additionally keys the whole site by its inputs (:func:`inputs_key`) and skips
the analysis when nothing changed.

The file page data format (``FILE_FORMAT``), documented in docs/architecture.md::

    {"format": 1, "path": str, "title": str, "component": str | null,
     "lang": tokenizer name | null, "source": full text | null, "problem": str | null,
     "totals": [[covered, total] lines, branches, functions], "missing": str,
     "lines": [line, ...], "hits": [hits, ...],           # parallel arrays
     "branches": [[line, ...], [block, ...], [branch, ...], [taken, ...]],
                                                          # taken -1: never evaluated
     "suites": [[name, [line, ...]], ...],                # lines each suite covered
     "functions": [[name, start, end, complexity | null, covered, total], ...],
     "extra": {field: {"label": str, "lines": {"<line>": value}}}}

``extra`` is the extension point: an optional per-line field (tests per line, blame,
...) that file.js shows as one more column, each value as text.

Escaping: nothing from the code or the reports is ever parsed as HTML. The shells
escape the path and title with :func:`html.escape`; the embedded JSON has ``<``, ``>``
and ``&`` written as ``\\u`` escapes (it cannot close its script element); the scripts
insert every string with ``textContent``/text nodes only, never ``innerHTML``.
"""

from __future__ import annotations

import hashlib
import html as htmlmod
import os
import re
import stat
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape

from covgap import __version__
from covgap.analysis.gap_analysis import GapAnalysis
from covgap.analysis.summary import Summary
from covgap.model import CoverageSet, FileCoverage
from covgap.report._format import percent, ranges

ASSETS = ("covgap.css", "covgap.js", "file.js")
FILE_FORMAT = 1
"""Version of the file pages' JSON data (see the module docstring); bump it when a
field changes meaning, not when one is added."""
INDEX_DATA = "index-data.js"
"""The dashboard's full data, loaded after the first rows (:func:`index_script`)."""
MANIFEST = "manifest.json"
MANIFEST_VERSION = 1
MAX_SOURCE_BYTES = 4 << 20
"""Larger sources are shown without syntax highlighting (still with every line)."""
PARALLEL_THRESHOLD = 2000
"""Below this many files, forking workers costs more than it saves (a page is ~0.1 ms)."""
TOKENIZERS = {
    "py": "python",
    "pyi": "python",
    "rb": "ruby",
    "js": "js",
    "mjs": "js",
    "cjs": "js",
    "jsx": "js",
    "ts": "js",
    "tsx": "js",
    "mts": "js",
    "cts": "js",
    "go": "go",
    "rs": "rust",
    "c": "c",
    "h": "c",
    "cc": "c",
    "cpp": "c",
    "cxx": "c",
    "hpp": "c",
    "hh": "c",
    "java": "java",
    "kt": "java",
    "scala": "java",
    "cs": "java",
    "swift": "java",
}
"""File extension -> the tokenizer file.js highlights it with (others: plain text)."""


def environment() -> Environment:
    return Environment(
        loader=PackageLoader("covgap.report", "templates/html"),
        autoescape=select_autoescape(["html", "j2"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def slug(path: str) -> str:
    """A file name for a source path's page: readable, unique, safe on every OS."""
    digest = hashlib.sha1(path.encode()).hexdigest()[:10]
    readable = re.sub(r"[^A-Za-z0-9._-]+", "_", path)[-80:].strip("._") or "file"
    return f"{readable}.{digest}.html"


def _safe_json(data: Any) -> bytes:
    """orjson bytes safe inside a ``<script type="application/json">`` element."""
    return (
        orjson.dumps(data)
        .replace(b"<", b"\\u003c")
        .replace(b">", b"\\u003e")
        .replace(b"&", b"\\u0026")
    )


def embed_json(data: Any) -> str:
    """JSON safe to place inside a <script type="application/json"> element."""
    return _safe_json(data).decode()


def _pct(covered: int, total: int) -> float | None:
    return None if total == 0 else round(100.0 * covered / total, 2)


# -- the index ------------------------------------------------------------------------


TIERS = ("critical", "high", "medium", "low")


def index_data(
    summary: Summary, coverage: CoverageSet, analysis: GapAnalysis | None
) -> dict[str, Any]:
    """Everything the dashboard needs before its first rows show, as compact rows.

    At 10,000 files the browser parses all of it before the dashboard appears (issue
    14: under 2 MB and first rows within 300 ms), so rows are arrays, not objects:

    * ``files``: ``[folder index, file name, page digest, component index | -1, lines
      covered, lines total, branches covered, branches total, functions covered,
      functions total]``; the path is ``folders[folder index] + "/" + file name``
      (no "/" for a folder of ""), the page's name is :func:`slug`, which the script
      rebuilds from the path and the digest (its last ten hex digits).
    * ``gaps``: ``[file index, tier index in TIERS, score]``, or with ``[path, page
      digest, lines covered, lines total]`` in place of the file index for a gap the
      files table does not list.
    * ``names``: the component names the files refer to.

    The gaps' reasons and recommended tests (most of the old index's weight) are in
    ``gaps.js`` (:func:`gap_details`), loaded after the first rows.
    """
    names: dict[str, int] = {}
    folders: dict[str, int] = {}
    files = []
    for row in summary.files:
        c = row.counts
        folder, _, name = row.path.rpartition("/")
        files.append(
            [
                folders.setdefault(folder, len(folders)),
                name,
                _page_digest(row.path),
                -1 if row.component is None else names.setdefault(row.component, len(names)),
                c.lines_covered,
                c.lines_total,
                c.branches_covered,
                c.branches_total,
                c.functions_covered,
                c.functions_total,
            ]
        )
    components = [
        {
            "name": comp.name,
            "language": comp.language,
            "files": comp.files,
            "lines": [comp.counts.lines_covered, comp.counts.lines_total],
            "branches": [comp.counts.branches_covered, comp.counts.branches_total],
            "functions": [comp.counts.functions_covered, comp.counts.functions_total],
            "pct": _pct(comp.counts.lines_covered, comp.counts.lines_total),
            "target": next((k.minimum for k in comp.checks if k.metric == "line"), None),
            "passed": comp.passed,
        }
        for comp in summary.measured_components()
    ]
    position = {row.path: i for i, row in enumerate(summary.files)}
    gap_rows: list[list[Any]] = []
    for g in analysis.gaps if analysis else []:
        where: Any = position.get(g.path)
        if where is None:
            c = g.counts
            where = [g.path, _page_digest(g.path), c.lines_covered, c.lines_total]
        gap_rows.append([where, TIERS.index(g.tier), g.score])
    return {
        "folders": list(folders),
        "files": files,
        "names": list(names),
        "components": components,
        "tiers": list(TIERS),
        "gaps": gap_rows,
    }


HEAD_ROWS = 100
"""Files rows embedded in ``index.html`` itself (covgap.js shows this many at first)."""


def index_head(data: Mapping[str, Any], rows: int = HEAD_ROWS) -> dict[str, Any]:
    """The part of :func:`index_data` embedded in ``index.html``: its first ``rows``
    files rows (with only the folders they name), the component names and the
    components, and how many files there are.

    Why (issue 14): at 10,000 files the whole index data is ~0.75 MB, which the
    browser used to parse before the dashboard showed a row (0.7 s under load). The
    first rows need none of it, so they are drawn from this slice, whose size does not
    grow with the repository's; the rest comes in ``index-data.js`` (a script, as
    ``file://`` allows no ``fetch()``), loaded after the first rows are in the page.
    """
    folders: dict[int, int] = {}
    files = []
    for row in data["files"][:rows]:
        files.append([folders.setdefault(row[0], len(folders)), *row[1:]])
    return {
        "folders": [data["folders"][i] for i in folders],
        "files": files,
        "names": data["names"],
        "components": data["components"],
        "count": len(data["files"]),
    }


def index_script(data: Mapping[str, Any]) -> bytes:
    """``index-data.js``: the whole :func:`index_data`, as a call of ``covgapIndexData``
    with a JSON literal (valid JavaScript; strings are inserted as text only)."""
    return b"covgapIndexData(" + orjson.dumps(data) + b");\n"


def _page_digest(path: str) -> str:
    return slug(path).rsplit(".", 2)[-2]


def gap_details(analysis: GapAnalysis | None) -> bytes:
    """``gaps.js``: each gap's reasons and recommended tests (up to five), in order.

    A script rather than JSON because browsers load scripts, not ``fetch()``, from
    ``file://``; it calls ``covgapGapDetails`` with a JSON literal (valid JavaScript),
    and the dashboard inserts each text with ``textContent``. Reasons repeat across
    files ("no test file"): each distinct one is written once in ``strings``.
    """
    strings: dict[str, int] = {}
    gaps = analysis.gaps if analysis else []
    doc = {
        "reasons": [[strings.setdefault(r, len(strings)) for r in g.reasons] for g in gaps],
        "recommended": [g.recommended[:5] for g in gaps],
        "strings": list(strings),
    }
    return b"covgapGapDetails(" + orjson.dumps(doc) + b");\n"


def render_index(
    env: Environment,
    summary: Summary,
    coverage: CoverageSet,
    analysis: GapAnalysis | None,
    title: str,
    data: Mapping[str, Any],
) -> str:
    """``index.html``: totals and tiers as HTML, the first files rows as
    :func:`index_head` (``data`` is :func:`index_data`)."""
    t = summary.totals
    tiers = dict.fromkeys(("critical", "high", "medium", "low"), 0)
    for gap in analysis.gaps if analysis else []:
        tiers[gap.tier] += 1
    totals = [
        ("Lines", t.lines_covered, t.lines_total),
        ("Branches", t.branches_covered, t.branches_total),
        ("Functions", t.functions_covered, t.functions_total),
    ]
    return env.get_template("index.html.j2").render(
        title=title,
        version=__version__,
        totals=[
            {"name": n, "covered": c, "total": tot, "text": percent(c, tot), "pct": _pct(c, tot)}
            for n, c, tot in totals
        ],
        file_count=len(summary.files),
        tiers=tiers if analysis else None,
        inputs=[f"{i.path} ({i.format}{', ' + i.flag if i.flag else ''})" for i in coverage.inputs],
        data=embed_json(index_head(data)),
    )


# -- one page per file ------------------------------------------------------------------

FunctionRow = tuple[str, int, int, int | None, int, int]
"""(name, start, end, complexity, lines covered, lines total) of one function."""


@dataclass(frozen=True)
class FilePageJob:
    """What is needed to write one file page (picklable: no tree-sitter, no env)."""

    coverage: FileCoverage
    source_path: str | None
    page: str
    """The page's file name under ``files/`` (:func:`slug`)."""
    component: str | None
    functions: tuple[FunctionRow, ...]
    title: str
    extra: Mapping[str, Mapping[str, Any]] | None = None
    """Optional per-line fields: ``{field: {"label": str, "lines": {line: value}}}``."""


def _read_source(path: str | None) -> tuple[str | None, str | None]:
    """The source's text (``\\r\\n`` made ``\\n``) or why it is not shown."""
    if path is None:
        return None, "the source file is not in the repository"
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return None, f"the source could not be read ({exc.strerror})"
    text = raw.decode("utf-8", errors="replace")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text, None


def _tokenizer(path: str, size: int) -> str | None:
    if size > MAX_SOURCE_BYTES:
        return None
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return TOKENIZERS.get(name[dot + 1 :].lower()) if dot > 0 else None


def file_data(job: FilePageJob) -> dict[str, Any]:
    """One file page's data (the format in the module docstring)."""
    fc = job.coverage
    source, problem = _read_source(job.source_path)
    c = fc.counts()
    data: dict[str, Any] = {
        "format": FILE_FORMAT,
        "path": fc.path,
        "title": job.title,
        "component": job.component,
        "lang": None if source is None else _tokenizer(fc.path, len(source)),
        "source": source,
        "problem": problem,
        "totals": [
            [c.lines_covered, c.lines_total],
            [c.branches_covered, c.branches_total],
            [c.functions_covered, c.functions_total],
        ],
        "missing": ranges(fc.uncovered_ranges(), limit=12),
        "lines": fc.lines.tolist(),
        "hits": fc.hits.tolist(),
        "branches": [
            fc.br_line.tolist(),
            fc.br_block.tolist(),
            fc.br_branch.tolist(),
            fc.br_taken.tolist(),
        ],
        "suites": [[flag, fc.flags[flag].tolist()] for flag in sorted(fc.flags)],
        "functions": [list(f) for f in job.functions],
    }
    extra = dict(job.extra or {})
    tests = _tests_by_line(fc)
    if tests and "tests" not in extra:
        extra["tests"] = {"label": "Tests", "lines": tests}
    if extra:
        data["extra"] = {
            name: {
                "label": str(spec.get("label", name)),
                "lines": {str(line): value for line, value in spec.get("lines", {}).items()},
            }
            for name, spec in extra.items()
        }
    return data


def _tests_by_line(fc: FileCoverage) -> dict[int, str]:
    """Per line, the tests that ran it (``covgap run``'s per-test contexts, #13), as text."""
    by_line: dict[int, list[str]] = {}
    for name in sorted(fc.contexts):
        for line in fc.contexts[name]:
            by_line.setdefault(line, []).append(name)
    return {line: ", ".join(names) for line, names in sorted(by_line.items())}


_SHELL = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    "<title>{path} — {title}</title>\n"
    '<link rel="stylesheet" href="../covgap.css">\n</head>\n<body class="file">\n'
    '<header>\n<p class="crumbs"><a href="../index.html">{title}</a></p>\n'
    "<h1>{path}</h1>\n</header>\n"
    '<main id="file"><noscript>This page is drawn by ../file.js: enable JavaScript.'
    "</noscript></main>\n"
    '<script type="application/json" id="covgap-file">'
)
_SHELL_END = b'</script>\n<script src="../file.js"></script>\n</body>\n</html>\n'


def render_file_page(job: FilePageJob) -> bytes:
    """A file page: the shell with the path and title as text, and its data."""
    head = _SHELL.format(path=htmlmod.escape(job.coverage.path), title=htmlmod.escape(job.title))
    return head.encode() + _safe_json(file_data(job)) + _SHELL_END


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class SourceFinder:
    """The source file for each report path, only if it lies inside the repository.

    A report is input like any other: ``SF:../../etc/passwd`` must not make the HTML
    report publish a file from outside the repository. Each folder is resolved once.

    Resolving every path (``Path.resolve``: an ``lstat`` per component) was a fifth of
    ``write_html``'s own CPU time at 1,000 files (issue 14); a repository's files share
    a few hundred folders. The file itself is still checked: a symbolic link is
    followed and must end inside the repository too.
    """

    def __init__(self, root: Path) -> None:
        self.base = os.path.realpath(root)
        self.prefix = self.base.rstrip(os.sep) + os.sep
        self.folders: dict[str, str] = {}

    def __call__(self, path: str) -> str | None:
        folder, _, name = path.replace(os.sep, "/").rpartition("/")
        if name in ("", ".", ".."):
            return None
        real = self.folders.get(folder)
        if real is None:
            real = os.path.realpath(os.path.join(self.base, folder))
            self.folders[folder] = real
        candidate = os.path.join(real, name)
        try:
            st = os.lstat(candidate)
            if stat.S_ISLNK(st.st_mode):
                candidate = os.path.realpath(candidate)
                st = os.stat(candidate)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or not candidate.startswith(self.prefix):
            return None
        return candidate


@dataclass(frozen=True)
class _Batch:
    files_dir: str
    previous: str | None
    """The previous site's ``files/`` directory, whose unchanged pages are linked."""
    known: Mapping[str, str]
    """page -> digest in the previous site's manifest."""


_WORK: list[FilePageJob] = []
"""The jobs, set before forking workers: they inherit it instead of unpickling it."""


def _write_range(batch: _Batch, start: int, stop: int) -> list[tuple[str, str, bool]]:
    """Write pages ``start:stop`` of :data:`_WORK`; return (page, digest, written)."""
    out = []
    for job in _WORK[start:stop]:
        page = render_file_page(job)
        digest = _digest(page)
        target = os.path.join(batch.files_dir, job.page)
        reused = False
        if batch.previous is not None and batch.known.get(job.page) == digest:
            try:
                os.link(os.path.join(batch.previous, job.page), target)
                reused = True
            except OSError:
                reused = False
        if not reused:
            with open(target, "wb") as fh:
                fh.write(page)
        out.append((job.page, digest, not reused))
    return out


def read_manifest(site: Path) -> dict[str, Any]:
    """A site's manifest, or an empty one when it is missing, unreadable or old."""
    try:
        doc = orjson.loads((site / MANIFEST).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(doc, dict) or doc.get("version") != MANIFEST_VERSION:
        return {}
    return doc


@dataclass
class WriteStats:
    """What :func:`write_html` did: pages written and pages reused unchanged."""

    written: int = 0
    reused: int = 0


def page_jobs(
    summary: Summary,
    coverage: CoverageSet,
    repo_root: Path,
    *,
    analysis: GapAnalysis | None = None,
    title: str = "Coverage report",
    extra: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
) -> list[FilePageJob]:
    """One :class:`FilePageJob` per measured file, in path order.

    What a page takes from the gap analysis is only its functions' rows (spans,
    complexity, lines covered); without an analysis they come from the report.
    """
    gaps = {g.path: g for g in analysis.gaps} if analysis else {}
    component = {row.path: row.component for row in summary.files}
    mapped = {row.path: row.mapped for row in summary.files}
    find = SourceFinder(repo_root)
    work: list[FilePageJob] = []
    for path in sorted(coverage.files):
        fc = coverage.files[path]
        gap = gaps.get(path)
        fn_rows: tuple[FunctionRow, ...]
        if gap is not None:
            fn_rows = tuple(
                (f.name, f.start_line, f.end_line, f.complexity, f.lines_covered, f.lines_total)
                for f in gap.functions
            )
        else:
            fn_rows = tuple(
                (f.name, f.start_line, f.end_line or f.start_line, None, int(f.hits > 0), 1)
                for f in fc.functions
            )
        work.append(
            FilePageJob(
                coverage=fc,
                source_path=find(path) if mapped.get(path, True) else None,
                page=slug(path),
                component=component.get(path),
                functions=fn_rows,
                title=title,
                extra=extra.get(path) if extra else None,
            )
        )
    return work


def write_html(
    out_dir: Path,
    summary: Summary,
    coverage: CoverageSet,
    repo_root: Path,
    *,
    analysis: GapAnalysis | None = None,
    title: str = "Coverage report",
    jobs: int | None = None,
    previous: Path | None = None,
    inputs_key: str | None = None,
    extra: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    stats: WriteStats | None = None,
) -> Path:
    """Write the site into ``out_dir`` and return the path of its index page.

    ``jobs`` worker processes write the file pages (default: one per core, above
    :data:`PARALLEL_THRESHOLD` files). ``previous`` is an earlier site (on the same
    file system) whose unchanged pages are hard-linked rather than written again.
    ``inputs_key`` is stored in the manifest (see :func:`inputs_key`). ``extra`` adds
    optional per-line fields to file pages: ``{path: {field: {"label", "lines"}}}``.
    """
    env = environment()
    files_dir = out_dir / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    work = page_jobs(summary, coverage, repo_root, analysis=analysis, title=title, extra=extra)
    known: dict[str, str] = {}
    prev_files: str | None = None
    if previous is not None and (previous / "files").is_dir():
        pages = read_manifest(previous).get("pages")
        if isinstance(pages, dict):
            known = {str(k): str(v) for k, v in pages.items()}
            prev_files = str(previous / "files")
    batch = _Batch(str(files_dir), prev_files, known)
    results: list[tuple[str, str, bool]] = []
    _WORK[:] = work
    try:
        workers = jobs if jobs is not None else (os.cpu_count() or 1)
        if workers > 1 and len(work) >= PARALLEL_THRESHOLD and _can_fork():
            import multiprocessing

            step = max(64, len(work) // (workers * 4))
            bounds = [(i, min(i + step, len(work))) for i in range(0, len(work), step)]
            ctx = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = [pool.submit(_write_range, batch, a, b) for a, b in bounds]
                for fut in futures:
                    results.extend(fut.result())
        else:
            results = _write_range(batch, 0, len(work))
    finally:
        _WORK.clear()
    if stats is not None:
        stats.written = sum(1 for r in results if r[2])
        stats.reused = len(results) - stats.written
    for asset in ASSETS:
        text = env.loader.get_source(env, asset)[0]  # type: ignore[union-attr]
        (out_dir / asset).write_text(text, encoding="utf-8")
    (out_dir / "gaps.js").write_bytes(gap_details(analysis))
    data = index_data(summary, coverage, analysis)
    (out_dir / INDEX_DATA).write_bytes(index_script(data))
    index = out_dir / "index.html"
    index.write_text(render_index(env, summary, coverage, analysis, title, data), encoding="utf-8")
    manifest = {
        "version": MANIFEST_VERSION,
        "covgap": __version__,
        "inputs": inputs_key,
        "pages": {page: digest for page, digest, _ in results},
    }
    (out_dir / MANIFEST).write_bytes(orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS))
    return index


def _can_fork() -> bool:
    """Forked workers inherit the jobs (no pickling); only safe with one thread."""
    import multiprocessing
    import threading

    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def inputs_key(
    repo_root: Path,
    files: Sequence[str],
    *,
    inputs: Sequence[Path] = (),
    parts: Sequence[str] = (),
) -> str:
    """A digest of everything a site is made from, so an unchanged re-run can skip it.

    Files count by path, size and modification time, as git and make decide a file
    changed (a file rewritten with the same size within the same nanosecond is not
    seen): the coverage ``inputs`` and each repository file (``files``, relative to
    ``repo_root``). Then covgap's version, this module's code and its templates and
    scripts (a development install changes them without a new version), and the
    caller's ``parts``: whatever else decides the output (title, options,
    configuration text, git HEAD, the day).
    """
    h = hashlib.blake2b(digest_size=20)
    h.update(f"covgap {__version__}\0html {FILE_FORMAT}\0".encode())
    assets = Path(__file__).parent / "templates" / "html"
    for code in (Path(__file__), *sorted(assets.iterdir())):
        h.update(code.read_bytes())
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    stamps = []
    for path in inputs:
        try:
            st = os.stat(path)
            stamps.append(f"{os.path.abspath(path)}\0{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamps.append(f"{path}\0missing")
    root = os.fspath(repo_root)
    for rel in sorted(files):
        try:
            st = os.stat(os.path.join(root, rel))
            stamps.append(f"{rel}\0{st.st_size}:{st.st_mtime_ns}")
        except OSError:
            stamps.append(f"{rel}\0missing")
    h.update("\0".join(stamps).encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def site_is_current(site: Path, key: str) -> bool:
    """Whether ``site`` was made from inputs with ``key`` and still has all its pages."""
    doc = read_manifest(site)
    if doc.get("inputs") != key or not isinstance(doc.get("pages"), dict):
        return False
    for name in (*ASSETS, "index.html", INDEX_DATA, "gaps.js"):
        if not (site / name).is_file():
            return False
    try:
        present = set(os.listdir(site / "files"))
    except OSError:
        return False
    return all(page in present for page in doc["pages"])


__all__ = [
    "FILE_FORMAT",
    "FilePageJob",
    "WriteStats",
    "embed_json",
    "file_data",
    "gap_details",
    "index_data",
    "index_head",
    "index_script",
    "inputs_key",
    "page_jobs",
    "render_file_page",
    "site_is_current",
    "slug",
    "write_html",
]
