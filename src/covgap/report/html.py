"""The HTML report: a static site that works from ``file://`` with no server or network.

Layout of the output directory::

    index.html          dashboard: totals, components vs targets, risk tiers, a treemap
                        of uncovered lines by folder, sortable/filterable tables
    files/<slug>.html   one page per source file: highlighted source with per-line
                        hits, branch outcomes and suites; functions; uncovered-block jumps
    covgap.css, covgap.js, file.js

Why this shape: browsers refuse ``fetch()`` of local files, so per-file data cannot be
loaded lazily from JSON; instead each file has its own page (loaded only when opened)
and the index embeds just the summary rows. Pages are generated in parallel.

Escaping: every string from the code or the reports goes through Jinja's autoescape
or, inside the embedded JSON, has ``<``, ``>`` and ``&`` written as ``\\u`` escapes and
is inserted in the page by the scripts with ``textContent`` only. A file named
``<script>.py`` or a source line containing ``</script>`` shows as text.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import tempfile
import zlib
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from covgap import __version__
from covgap.analysis.gap_analysis import GapAnalysis
from covgap.analysis.summary import Summary
from covgap.model import NEVER_EVALUATED, CoverageSet, FileCoverage
from covgap.report._format import percent, ranges

ASSETS = ("covgap.css", "covgap.js", "file.js")
MAX_SOURCE_BYTES = 4 << 20
"""Larger sources are shown without syntax highlighting (still with every line)."""
PARALLEL_THRESHOLD = 64
"""Below this many files, forking workers costs more than it saves."""
HIGHLIGHT_CACHE = ".covgap/cache/html-v2"
"""Highlighted sources by content, under the repository root (beside the source
analysis cache): pygments is ~95% of a file page's cost, so a second report of a
mostly unchanged repository skips it. Bump the version when the markup changes."""


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


def embed_json(data: Any) -> str:
    """JSON safe to place inside a <script type="application/json"> element."""
    text = orjson.dumps(data).decode()
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _pct(covered: int, total: int) -> float | None:
    return None if total == 0 else round(100.0 * covered / total, 2)


# -- the index ------------------------------------------------------------------------


def index_data(
    summary: Summary, coverage: CoverageSet, analysis: GapAnalysis | None
) -> dict[str, Any]:
    """Everything the dashboard's scripts need, as plain data.

    Only what the scripts use, as compactly as stays readable: the browser parses all
    of it before the dashboard appears, ~10 MB at 10,000 files (issue 7 asks for under
    a second). A file's tier and score are in its gap row; percentages derive from the
    [covered, total] pairs.
    """
    files = []
    for row in summary.files:
        c = row.counts
        files.append(
            {
                "path": row.path,
                "page": "files/" + slug(row.path),
                "component": row.component,
                "lines": [c.lines_covered, c.lines_total],
                "branches": [c.branches_covered, c.branches_total],
                "functions": [c.functions_covered, c.functions_total],
                "missed": c.lines_missed,
            }
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
    # A gap names its file by its index in "files" (the scripts fill in path and page):
    # at 10,000 gaps, repeating both made a tenth of the page the browser must parse.
    position = {f["path"]: i for i, f in enumerate(files)}
    # Reasons repeat across files ("no test file", "0 inline tests"): each distinct one
    # is written once in "strings" and named by its index.
    strings: dict[str, int] = {}
    gap_rows = [
        {
            **(
                {"file": position[g.path]}
                if g.path in position
                else {"path": g.path, "page": "files/" + slug(g.path)}
            ),
            "tier": g.tier,
            "score": g.score,
            "pct": _pct(g.counts.lines_covered, g.counts.lines_total),
            "reasons": [strings.setdefault(r, len(strings)) for r in g.reasons],
            "recommended": g.recommended[:5],
        }
        for g in (analysis.gaps if analysis else [])
    ]
    return {"files": files, "components": components, "gaps": gap_rows, "strings": list(strings)}


def render_index(
    env: Environment,
    summary: Summary,
    coverage: CoverageSet,
    analysis: GapAnalysis | None,
    title: str,
) -> str:
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
        data=embed_json(index_data(summary, coverage, analysis)),
    )


# -- one page per file ------------------------------------------------------------------


@dataclass(frozen=True)
class FilePageJob:
    """What a worker needs to write one file page (picklable: no tree-sitter, no env)."""

    coverage: FileCoverage
    source_path: str | None
    out_path: str
    component: str | None
    functions: tuple[tuple[str, int, int, int | None, int, int], ...]
    """(name, start, end, complexity, lines covered, lines total) from the gap analysis."""
    title: str
    highlight_cache: str | None = None
    """Directory of highlighted sources by content (:data:`HIGHLIGHT_CACHE`), or None."""


def _escape(text: str) -> str:
    """Escape text for an element's content (not an attribute): ``&``, ``<`` and ``>``.

    A plain replace chain: markupsafe's ``escape`` builds a ``Markup`` object per
    call, which dominated the file pages' cost at millions of tokens.
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_LEXERS: dict[str, Any] = {}
_SPECIAL_NAMES: list[re.Pattern[str]] = []
_CSS_CLASS: dict[Any, str] = {}
_STYLED_CLASSES: set[str] = set()
"""Token classes the stylesheet colours; the others are written without a span."""


def _lexer_for(path: str) -> Any:
    """The pygments lexer for a file name, or None; cached by extension where safe.

    pygments' own lookup matches the name against all ~900 filename patterns (about
    2 ms a file). A name that matches no pattern other than ``*.ext`` (the 108 others
    are names such as ``Makefile.*`` or ``CMakeLists.txt``) gets the same lexer as any
    other name with its extension, so the lookup is done once per extension.
    """
    from pygments.lexers import get_lexer_for_filename
    from pygments.util import ClassNotFound

    if not _SPECIAL_NAMES:
        import fnmatch

        from pygments.lexers import get_all_lexers

        simple = re.compile(r"\*\.[^*?\[\].]+")
        special = {
            pattern
            for _name, _aliases, patterns, _mimes in get_all_lexers(plugins=True)
            for pattern in patterns
            if not simple.fullmatch(pattern)
        }
        _SPECIAL_NAMES.append(re.compile("|".join(fnmatch.translate(p) for p in special)))
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    key = name if dot < 0 or _SPECIAL_NAMES[0].match(name) else "*" + name[dot:]
    if key not in _LEXERS:
        try:
            _LEXERS[key] = get_lexer_for_filename(name, stripnl=False, ensurenl=False)
        except ClassNotFound:
            _LEXERS[key] = None
    return _LEXERS[key]


def _css_class(ttype: Any) -> str:
    """The token's CSS class, or "" when the default style leaves it uncoloured.

    Most tokens of real code are names and punctuation, which the default style does
    not colour: writing them as plain text halves the spans of a page and lets them
    merge with their neighbours.
    """
    css = _CSS_CLASS.get(ttype)
    if css is None:
        from pygments.token import STANDARD_TYPES

        if not _STYLED_CLASSES:
            from pygments.styles import get_style_by_name

            for styled_type, rule in get_style_by_name("default"):
                keys = ("color", "bgcolor", "border", "bold", "italic", "underline")
                if any(rule[k] for k in keys):
                    _STYLED_CLASSES.add(STANDARD_TYPES.get(styled_type, ""))
            _STYLED_CLASSES.discard("w")  # whitespace: its colour is invisible
        css = STANDARD_TYPES.get(ttype) or STANDARD_TYPES.get(ttype.parent, "")
        css = css if css in _STYLED_CLASSES else ""
        _CSS_CLASS[ttype] = css
    return css


def _highlight_lines(path: str, text: str) -> list[str]:
    """Syntax-highlighted HTML of each line (pygments tokens split at newlines).

    Adjacent tokens of one class share a span and uncoloured tokens get none, which
    takes a typical page from ~130 to ~70 kB.
    """
    lexer = _lexer_for(path)
    if lexer is None:
        return [_escape(line) for line in text.split("\n")]
    lines_html: list[str] = []
    segments: list[list[str]] = []  # [css class, raw text] of the current line

    def flush() -> None:
        lines_html.append(
            "".join(
                f'<span class="{css}">{_escape(raw)}</span>' if css else _escape(raw)
                for css, raw in segments
            )
        )
        segments.clear()

    for ttype, value in lexer.get_tokens(text):
        css = _css_class(ttype)
        parts = value.split("\n") if "\n" in value else (value,)
        for i, part in enumerate(parts):
            if i:
                flush()
            if not part:
                continue
            if segments and segments[-1][0] == css:
                segments[-1][1] += part
            else:
                segments.append([css, part])
    flush()
    return lines_html


def _read_source(
    path: str | None, cache_dir: str | None = None
) -> tuple[list[str] | None, str | None]:
    if path is None:
        return None, "the source file is not in the repository"
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return None, f"the source could not be read ({exc.strerror})"
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    if len(raw) > MAX_SOURCE_BYTES:
        return [_escape(line) for line in text.split("\n")], None
    return _highlight_cached(path, text, raw, cache_dir), None


def _highlight_cached(path: str, text: str, raw: bytes, cache_dir: str | None) -> list[str]:
    """:func:`_highlight_lines` through the content cache; any cache failure is a miss.

    The key is the source's bytes, the lexer and the pygments version; entries are
    zlib-compressed (highlighted HTML is ~10x smaller so), written atomically.
    """
    lexer = _lexer_for(path)
    if cache_dir is None or lexer is None:
        return _highlight_lines(path, text)
    from pygments import __version__ as pygments_version

    kind = f"{type(lexer).__module__}.{type(lexer).__name__}\0{pygments_version}\0"
    key = hashlib.sha1(kind.encode() + raw).hexdigest()
    folder = os.path.join(cache_dir, key[:2])
    target = os.path.join(folder, key[2:])
    try:
        with open(target, "rb") as fh:
            return zlib.decompress(fh.read()).decode().split("\n")
    except (OSError, zlib.error, UnicodeDecodeError):
        pass
    lines = _highlight_lines(path, text)
    try:
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(zlib.compress("\n".join(lines).encode(), 1))
        os.replace(tmp, target)
    except OSError:
        pass
    return lines


def _branch_badges(fc: FileCoverage) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for line, block, branch, taken in zip(
        fc.br_line, fc.br_block, fc.br_branch, fc.br_taken, strict=True
    ):
        if taken == NEVER_EVALUATED:
            state, label = "never", f"block {block} branch {branch}: never evaluated"
        elif taken:
            state, label = "taken", f"block {block} branch {branch}: taken {taken:,}×"
        else:
            state, label = "not-taken", f"block {block} branch {branch}: not taken"
        out.setdefault(line, []).append({"state": state, "label": label})
    return out


_MARK = {"taken": "✓", "not-taken": "✗", "never": "–"}


def _tests_titles(fc: FileCoverage) -> dict[int, str]:
    """Per line, a ``title`` attribute naming the tests that ran it (``covgap run``'s
    per-test contexts); empty when none were recorded."""
    by_line: dict[int, list[str]] = {}
    for name in sorted(fc.contexts):
        for line in fc.contexts[name]:
            by_line.setdefault(line, []).append(name)
    return {
        n: f' title="tests: {_escape(", ".join(t)).replace(chr(34), "&quot;")}"'
        for n, t in by_line.items()
    }


def render_file_page(env: Environment, job: FilePageJob) -> str:
    fc = job.coverage
    tests_title = _tests_titles(fc)  # hovering a line's hits lists the tests that ran it
    source, problem = _read_source(job.source_path, job.highlight_cache)
    hits = fc.hits_by_line()
    branches = _branch_badges(fc)
    flags_by_line: dict[int, list[str]] = {}
    for flag, lines in sorted(fc.flags.items()):
        for line in lines:
            flags_by_line.setdefault(line, []).append(flag)
    # Every source line, then any line the report names past the end of the source (a
    # stale report, or no source at all): only those lines, never every number up to
    # the largest, which a hostile DA:2000000000 would make two billion rows.
    shown = len(source) if source else 0
    if shown and source and source[-1] == "":
        shown -= 1  # the empty "line" after a file's final newline is no line
    beyond = sorted({ln for ln in fc.lines if ln > shown} | {ln for ln in branches if ln > shown})
    numbers = itertools.chain(range(1, shown + 1), beyond)
    # The rows are built here rather than in the template: at 10,000 files of a few
    # hundred lines, Jinja's per-row attribute lookups and escaping cost more than the
    # highlighting. Everything inserted is escaped: the code by _highlight_lines, the
    # suite names below; the rest is numbers and covgap's own words.
    rows: list[str] = []
    uncovered_blocks = []
    in_block = False
    flag_cells = {
        n: "".join(f'<span class="flag">{_escape(f)}</span>' for f in flags)
        for n, flags in flags_by_line.items()
    }
    for n in numbers:
        h = hits.get(n)
        brs = branches.get(n)
        if h is None:
            state = "none"
        elif h == 0:
            state = "miss"
        elif brs and any(b["state"] != "taken" for b in brs):
            state = "partial"
        else:
            state = "hit"
        starts_block = state == "miss" and not in_block
        if state == "miss":
            in_block = True
        elif state in ("hit", "partial"):
            in_block = False
        if starts_block:
            uncovered_blocks.append(n)
        badges = (
            "".join(
                f'<span class="b b-{b["state"]}" title="{b["label"]}">{_MARK[b["state"]]}</span>'
                for b in brs
            )
            if brs
            else ""
        )
        code = source[n - 1] if source and n <= len(source) else ""
        flags_td = f'<td class="flags">{flag_cells.get(n, "")}</td>' if fc.flags else ""
        rows.append(
            f'<tr id="L{n}" class="{state}{" block-start" if starts_block else ""}">'
            f'<td class="ln"><a href="#L{n}">{n}</a></td>'
            f'<td class="hits"{tests_title.get(n, "")}>{"" if h is None else f"{h:,}"}</td>'
            f'<td class="br">{badges}</td>{flags_td}<td class="src">{code}</td></tr>\n'
        )
    c = fc.counts()
    functions = [
        {
            "name": name,
            "start": start,
            "end": end,
            "complexity": complexity,
            "text": percent(covered, total),
            "covered": covered,
            "total": total,
        }
        for name, start, end, complexity, covered, total in job.functions
    ]
    return env.get_template("file.html.j2").render(
        title=job.title,
        version=__version__,
        path=fc.path,
        component=job.component,
        totals=[
            ("Lines", percent(c.lines_covered, c.lines_total), c.lines_covered, c.lines_total),
            (
                "Branches",
                percent(c.branches_covered, c.branches_total),
                c.branches_covered,
                c.branches_total,
            ),
            (
                "Functions",
                percent(c.functions_covered, c.functions_total),
                c.functions_covered,
                c.functions_total,
            ),
        ],
        missing=ranges(fc.uncovered_ranges(), limit=12),
        rows=Markup("".join(rows)),
        functions=functions,
        blocks=uncovered_blocks,
        problem=problem,
        has_flags=bool(fc.flags),
    )


_CSS_CACHE: list[str] = []


def _pygments_css() -> str:
    if not _CSS_CACHE:
        from pygments.formatters import HtmlFormatter

        _CSS_CACHE.append(HtmlFormatter(style="default").get_style_defs(".code"))
    return _CSS_CACHE[0]


def _source_in_repo(root: Path, path: str) -> str | None:
    """The source file for a report path, only if it lies inside the repository.

    A report is input like any other: ``SF:../../etc/passwd`` must not make the HTML
    report publish a file from outside the repository.
    """
    base = root.resolve()
    candidate = (base / path).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return str(candidate)


_ENV: list[Environment] = []


def _highlight_cache_dir(repo_root: Path) -> str | None:
    """The highlighting cache's directory, made (and git-ignored) now; None if it can't be."""
    folder = repo_root / HIGHLIGHT_CACHE
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            ignore = repo_root / ".covgap" / ".gitignore"
            if not ignore.exists():
                ignore.write_text("*\n", encoding="utf-8")
    except OSError:
        return None
    return str(folder)


def _write_pages(jobs: Sequence[FilePageJob]) -> int:
    # One environment per worker process: each would otherwise recompile the template.
    if not _ENV:
        _ENV.append(environment())
    env = _ENV[0]
    for job in jobs:
        Path(job.out_path).write_text(render_file_page(env, job), encoding="utf-8")
    return len(jobs)


def _chunks(items: Sequence[FilePageJob], size: int) -> Iterable[Sequence[FilePageJob]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def write_html(
    out_dir: Path,
    summary: Summary,
    coverage: CoverageSet,
    repo_root: Path,
    *,
    analysis: GapAnalysis | None = None,
    title: str = "Coverage report",
    jobs: int | None = None,
    cache: bool = True,
) -> Path:
    """Write the site into ``out_dir`` and return the path of its index page.

    ``jobs`` worker processes write the file pages (default: one per core);
    ``cache=False`` neither reads nor writes the highlighting cache.
    """
    env = environment()
    files_dir = out_dir / "files"
    files_dir.mkdir(parents=True, exist_ok=True)
    gaps = {g.path: g for g in analysis.gaps} if analysis else {}
    highlight_cache = _highlight_cache_dir(repo_root) if cache else None
    component = {row.path: row.component for row in summary.files}
    mapped = {row.path: row.mapped for row in summary.files}
    work = []
    for path in sorted(coverage.files):
        fc = coverage.files[path]
        gap = gaps.get(path)
        fn_rows: tuple[tuple[str, int, int, int | None, int, int], ...]
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
                source_path=_source_in_repo(repo_root, path) if mapped.get(path, True) else None,
                out_path=str(files_dir / slug(path)),
                component=component.get(path),
                functions=fn_rows,
                title=title,
                highlight_cache=highlight_cache,
            )
        )
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers > 1 and len(work) >= PARALLEL_THRESHOLD:
        size = max(16, len(work) // (workers * 4))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            list(pool.map(_write_pages, list(_chunks(work, size))))
    else:
        _write_pages(work)
    for asset in ASSETS:
        data = env.loader.get_source(env, asset)[0]  # type: ignore[union-attr]
        if asset == "covgap.css":
            # The highlighting's colours, once for the site rather than in every page.
            data += "\n/* syntax highlighting (pygments, default style) */\n" + _pygments_css()
        (out_dir / asset).write_text(data, encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(render_index(env, summary, coverage, analysis, title), encoding="utf-8")
    return index


__all__ = ["embed_json", "index_data", "render_file_page", "slug", "write_html"]
