"""Write the benchmark corpus in the other formats covgap reads, from the same model.

Why: ``bench/generate.py`` writes LCOV and Cobertura; the benchmark also times covgap's
other readers (issue 4, item 5), and a timing only means something when every format
carries the same data. So each writer here takes the same :class:`generate.FileData`
list and writes it in that format's documented structure (see the reader's docstring
in ``src/covgap/formats/<name>.py``); ``bench/run.py`` then checks that covgap reports
the same totals as for the LCOV.

Mappings, where a format cannot hold the model as it is:

* **JaCoCo** records probes, not counts: a line is covered (``ci=1``) or not, and a
  line's two outcomes become ``mb``/``cb``. Totals equal the LCOV's.
* **Go coverprofile** counts statements in blocks and has no branches or functions:
  one block of one statement per executable line (``L.1,L.40``), so its lines equal
  the LCOV's lines; branches and functions are legitimately absent (0).
* **Clover** is written the way Istanbul writes it (``clover="3.2.0"``, ``truecount``
  = outcomes covered, ``falsecount`` = outcomes not covered, no ``method`` lines, only
  per-file ``methods`` counts), so lines and branches equal the LCOV's and covgap
  reports no functions (the reader does not invent functions from counts).
* **gcov JSON** (one ``gcov --json-format`` document) and **gcovr JSON** hold the
  model exactly: lines, branches (a never-evaluated outcome is count 0 on a line that
  never ran, which both readers report as never evaluated), functions.
* **Istanbul** ``coverage-final.json``: one statement per executable line (as c8
  writes), one ``if`` branch per decision line with its two outcome counts, one
  function per function. Totals equal the LCOV's.
* **coverage.py JSON** (format 3) has no counts: executed/missing lines, arcs
  ``[L, L+1]`` and ``[L, L+2]`` for the two outcomes, per-function line lists. A
  function is covered when one of its lines ran, which in the model is exactly when
  the function ran (its first line has the function's hits). Totals equal the LCOV's.

* **llvm-cov export JSON** (version 2.0.1): per executable line a region entry with
  its count and a segment closing it on the same line (so no line wraps into the
  next), one function record per function with one region spanning its body and one
  branch region per decision (true/false counts). Totals equal the LCOV's.
* **SimpleCov** ``.resultset.json`` (0.18+): a ``lines`` array (``null`` where a line
  is not executable) and per decision an ``[:if, ...]`` condition with ``then`` and
  ``else`` branches; SimpleCov has no functions. Lines and branches equal the LCOV's.

Everything is written as text pieces in turn (no whole-document ``json.dumps``), so
the full size (10,000 files, 4M lines) stays within a few hundred MB of memory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from generate import FileData

# Per format: file suffix, writer, and which totals it can hold the same as the LCOV.
Writer = Callable[[list[FileData]], Iterator[str]]


def _by_line(fd: FileData) -> dict[int, list[int | None]]:
    """The decision outcomes (taken counts, ``None`` = never evaluated) per line."""
    out: dict[int, list[int | None]] = {}
    for ln, _blk, _br, taken in fd.branches:
        out.setdefault(ln, []).append(taken)
    return out


def _functions(fd: FileData) -> list[tuple[str, int, int, list[tuple[int, int]]]]:
    """Each function with its lines: a function runs from its start to the next one's."""
    starts = [start for _, start, _ in fd.functions]
    out = []
    j = 0
    for i, (name, start, hits) in enumerate(fd.functions):
        end = starts[i + 1] if i + 1 < len(starts) else None
        body = []
        while j < len(fd.lines) and (end is None or fd.lines[j][0] < end):
            if fd.lines[j][0] >= start:
                body.append(fd.lines[j])
            j += 1
        out.append((name, start, hits, body))
    return out


GO_MODULE = "bench.example/m"


def write_go_module(files: list[FileData], root: Path) -> Path:
    """A Go module holding the corpus as Go files, and its profile, for `go tool cover`.

    ``go tool cover -func`` reads the source of every profiled file (it sums blocks per
    function), so it cannot run on :func:`gocover`'s profile alone. Here each file is
    ``<module>/pNNNN/module_NNNNN.go``: ``package``, one function spanning the file,
    and the profile's blocks shifted two lines down into that function's body (the
    block count and hits are unchanged, so the totals equal the LCOV's lines). Returns
    the profile, ``root/cover.out``.
    """
    root.mkdir(parents=True, exist_ok=True)
    (root / "go.mod").write_text(f"module {GO_MODULE}\n\ngo 1.19\n", encoding="utf-8")
    profile = root / "cover.out"
    with profile.open("w", encoding="utf-8") as out:
        out.write("mode: count\n")
        for f in files:
            pkg = "p" + f.path.split("/")[1].removeprefix("pkg")
            stem = f.path.rsplit("/", 1)[1].rsplit(".", 1)[0]
            target = root / pkg / f"{stem}.go"
            target.parent.mkdir(exist_ok=True)
            last = max((ln for ln, _ in f.lines), default=1) + 3
            target.write_text(
                f"package {pkg}\n\nfunc F{stem[7:]}() {{\n" + "\n" * (last - 3) + "}\n",
                encoding="utf-8",
            )
            name = f"{GO_MODULE}/{pkg}/{stem}.go"
            out.write("".join(f"{name}:{ln + 3}.1,{ln + 3}.40 1 {h}\n" for ln, h in f.lines))
    return profile


def jacoco(files: list[FileData]) -> Iterator[str]:
    """JaCoCo XML (report.dtd 1.1): packages holding classes (methods) and sourcefiles."""
    yield '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    yield '<!DOCTYPE report PUBLIC "-//JACOCO//DTD Report 1.1//EN" "report.dtd">\n'
    yield '<report name="bench"><sessioninfo id="bench" start="1700000000000" '
    yield 'dump="1700000001000"/>\n'
    by_pkg: dict[str, list[FileData]] = {}
    for f in files:
        by_pkg.setdefault(f.path.rsplit("/", 1)[0], []).append(f)
    for pkg, members in by_pkg.items():
        yield f'<package name="{pkg}">\n'
        for f in members:
            base = f.path.rsplit("/", 1)[1]
            stem = base.rsplit(".", 1)[0]
            parts = [f'<class name="{pkg}/{stem}" sourcefilename="{base}">\n']
            for name, start, hits, _ in _functions(f):
                c = 1 if hits else 0
                parts.append(
                    f'<method name="{name}" desc="()V" line="{start}">'
                    f'<counter type="METHOD" missed="{1 - c}" covered="{c}"/></method>\n'
                )
            parts.append(f'</class>\n<sourcefile name="{base}">\n')
            brs = _by_line(f)
            lm = lc = bm = bc = 0
            for ln, hits in f.lines:
                outcomes = brs.get(ln, [])
                cb = sum(1 for t in outcomes if t)
                mb = len(outcomes) - cb
                ci = 1 if hits else 0
                lc += ci
                lm += 1 - ci
                bc += cb
                bm += mb
                parts.append(f'<line nr="{ln}" mi="{1 - ci}" ci="{ci}" mb="{mb}" cb="{cb}"/>\n')
            fc = sum(1 for fn in f.functions if fn[2])
            parts.append(
                f'<counter type="LINE" missed="{lm}" covered="{lc}"/>'
                f'<counter type="BRANCH" missed="{bm}" covered="{bc}"/>'
                f'<counter type="METHOD" missed="{len(f.functions) - fc}" covered="{fc}"/>'
                "</sourcefile>\n"
            )
            yield "".join(parts)
        yield "</package>\n"
    yield "</report>\n"


def gocover(files: list[FileData]) -> Iterator[str]:
    """A ``go test -coverprofile`` profile (count mode): one one-statement block per line."""
    yield "mode: count\n"
    for f in files:
        p = f.path
        yield "".join(f"{p}:{ln}.1,{ln}.40 1 {hits}\n" for ln, hits in f.lines)


def clover(files: list[FileData]) -> Iterator[str]:
    """Clover XML the way Istanbul writes it (clover 3.2.0, per-file metrics)."""

    def counts(members: list[FileData]) -> tuple[int, int, int, int, int, int]:
        st = sum(len(f.lines) for f in members)
        sc = sum(1 for f in members for _, h in f.lines if h)
        co = sum(len(f.branches) for f in members)
        cc = sum(1 for f in members for b in f.branches if b[3])
        me = sum(len(f.functions) for f in members)
        mc = sum(1 for f in members for fn in f.functions if fn[2])
        return st, sc, co, cc, me, mc

    def metrics(members: list[FileData], extra: str = "") -> str:
        st, sc, co, cc, me, mc = counts(members)
        return (
            f'<metrics statements="{st}" coveredstatements="{sc}" conditionals="{co}" '
            f'coveredconditionals="{cc}" methods="{me}" coveredmethods="{mc}" '
            f'elements="{st + co + me}" coveredelements="{sc + cc + mc}" complexity="0" '
            f'loc="{st}" ncloc="{st}"{extra}/>\n'
        )

    by_pkg: dict[str, list[FileData]] = {}
    for f in files:
        by_pkg.setdefault(f.path.rsplit("/", 1)[0], []).append(f)
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield '<coverage generated="1700000000000" clover="3.2.0">\n'
    yield '<project timestamp="1700000000000" name="All files">\n'
    yield metrics(files, f' packages="{len(by_pkg)}" files="{len(files)}" classes="{len(files)}"')
    for pkg, members in by_pkg.items():
        yield f'<package name="{pkg.replace("/", ".")}">\n' + metrics(members)
        for f in members:
            brs = _by_line(f)
            parts = [
                f'<file name="{f.path.rsplit("/", 1)[1]}" path="{f.path}">\n',
                metrics([f]),
            ]
            for ln, hits in f.lines:
                outcomes = brs.get(ln)
                if outcomes:
                    k = sum(1 for t in outcomes if t)
                    parts.append(
                        f'<line num="{ln}" count="{hits}" type="cond" '
                        f'truecount="{k}" falsecount="{len(outcomes) - k}"/>\n'
                    )
                else:
                    parts.append(f'<line num="{ln}" count="{hits}" type="stmt"/>\n')
            parts.append("</file>\n")
            yield "".join(parts)
        yield "</package>\n"
    yield "</project>\n</coverage>\n"


def _gcc_lines(f: FileData, gcovr: bool) -> str:
    """A file's ``lines`` array for gcov JSON (or gcovr JSON: ``branchno`` added)."""
    brs = _by_line(f)
    rows = []
    for name, _start, _hits, body in _functions(f):
        for ln, hits in body:
            outcomes = brs.get(ln, [])
            br = ",".join(
                (
                    "{" + (f'"branchno":{i},' if gcovr else "") + f'"count":{t or 0},'
                    f'"fallthrough":{"true" if i == 0 else "false"},"throw":false}}'
                )
                for i, t in enumerate(outcomes)
            )
            unexec = "" if gcovr else f',"unexecuted_block":{"false" if hits else "true"}'
            rows.append(
                f'{{"line_number":{ln},"count":{hits}{unexec},'
                f'"function_name":"{name}","branches":[{br}]}}'
            )
    return ",".join(rows)


def gcov_json(files: list[FileData]) -> Iterator[str]:
    """One ``gcov --json-format`` document (format_version 1) holding every file."""
    yield (
        '{"format_version":"1","gcc_version":"12.2.0","current_working_directory":"/repo",'
        '"data_file":"bench.gcda","files":['
    )
    for i, f in enumerate(files):
        fns = ",".join(
            f'{{"name":"{name}","demangled_name":"{name}","start_line":{start},'
            f'"start_column":1,"end_line":{body[-1][0] if body else start},"end_column":1,'
            f'"blocks":2,"blocks_executed":{2 if hits else 0},"execution_count":{hits}}}'
            for name, start, hits, body in _functions(f)
        )
        sep = "," if i else ""
        yield f'{sep}{{"file":"{f.path}","functions":[{fns}],"lines":[{_gcc_lines(f, False)}]}}'
    yield "]}\n"


def gcovr_json(files: list[FileData]) -> Iterator[str]:
    """gcovr's ``--json`` report (format 0.15): lines with branches, functions."""
    yield '{"gcovr/format_version":"0.15","files":['
    for i, f in enumerate(files):
        fns = ",".join(
            f'{{"name":"{name}","demangled_name":"{name}","lineno":{start},'
            f'"execution_count":{hits}}}'
            for name, start, hits in f.functions
        )
        sep = "," if i else ""
        yield f'{sep}\n{{"file":"{f.path}","functions":[{fns}],"lines":[{_gcc_lines(f, True)}]}}'
    yield "]}\n"


def _loc(ln: int, c0: int = 0, c1: int = 40) -> str:
    return f'{{"start":{{"line":{ln},"column":{c0}}},"end":{{"line":{ln},"column":{c1}}}}}'


def istanbul(files: list[FileData]) -> Iterator[str]:
    """Istanbul ``coverage-final.json``: one statement per line, c8's shape."""
    yield "{"
    for i, f in enumerate(files):
        p = "/repo/" + f.path
        smap = ",".join(f'"{k}":{_loc(ln)}' for k, (ln, _) in enumerate(f.lines))
        s = ",".join(f'"{k}":{h}' for k, (_, h) in enumerate(f.lines))
        fmap = ",".join(
            f'"{k}":{{"name":"{name}","decl":{_loc(st, 0, 10)},"loc":{_loc(st)},"line":{st}}}'
            for k, (name, st, _) in enumerate(f.functions)
        )
        fh = ",".join(f'"{k}":{h}' for k, (_, _, h) in enumerate(f.functions))
        brs = list(_by_line(f).items())
        bmap = ",".join(
            f'"{k}":{{"type":"if","loc":{_loc(ln)},"locations":[{_loc(ln, 0, 20)},'
            f'{_loc(ln, 20, 40)}],"line":{ln}}}'
            for k, (ln, _) in enumerate(brs)
        )
        b = ",".join(
            f'"{k}":[{",".join(str(t or 0) for t in outs)}]' for k, (_, outs) in enumerate(brs)
        )
        sep = "," if i else ""
        yield (
            f'{sep}\n"{p}":{{"path":"{p}","statementMap":{{{smap}}},"s":{{{s}}},'
            f'"fnMap":{{{fmap}}},"f":{{{fh}}},"branchMap":{{{bmap}}},"b":{{{b}}}}}'
        )
    yield "}\n"


def coveragepy_json(files: list[FileData]) -> Iterator[str]:
    """coverage.py's ``coverage json`` (format 3, branch coverage, functions)."""

    def ints(xs: list[int]) -> str:
        return "[" + ",".join(map(str, xs)) + "]"

    def arcs(xs: list[tuple[int, int]]) -> str:
        return "[" + ",".join(f"[{a},{b}]" for a, b in xs) + "]"

    def region(lines: list[tuple[int, int]], brs: dict[int, list[int | None]]) -> str:
        ex = [ln for ln, h in lines if h]
        mi = [ln for ln, h in lines if not h]
        xb: list[tuple[int, int]] = []
        mb: list[tuple[int, int]] = []
        for ln, _ in lines:
            for k, t in enumerate(brs.get(ln, [])):
                (xb if t else mb).append((ln, ln + 1 + k))
        n_br = len(xb) + len(mb)
        summary = (
            f'{{"covered_lines":{len(ex)},"num_statements":{len(lines)},'
            f'"missing_lines":{len(mi)},"excluded_lines":0,"num_branches":{n_br},'
            f'"num_partial_branches":0,"covered_branches":{len(xb)},'
            f'"missing_branches":{len(mb)}}}'
        )
        return (
            f'"executed_lines":{ints(ex)},"summary":{summary},"missing_lines":{ints(mi)},'
            f'"excluded_lines":[],"executed_branches":{arcs(xb)},'
            f'"missing_branches":{arcs(mb)}'
        )

    yield (
        '{"meta":{"format":3,"version":"7.6.0","timestamp":"2024-06-11T00:00:00",'
        '"branch_coverage":true,"show_contexts":false},"files":{'
    )
    for i, f in enumerate(files):
        brs = _by_line(f)
        fns = ",".join(
            f'"{name}":{{"start_line":{start},{region(body, brs)}}}'
            for name, start, _, body in _functions(f)
        )
        sep = "," if i else ""
        yield f'{sep}\n"{f.path}":{{{region(f.lines, brs)},"functions":{{{fns}}},"classes":{{}}}}'
    yield "}}\n"


def llvm_json(files: list[FileData]) -> Iterator[str]:
    """``llvm-cov export -format=text`` (2.0.1): segments, function records, branches."""
    yield '{"type":"llvm.coverage.json.export","version":"2.0.1","data":[{"files":['
    for i, f in enumerate(files):
        segs = ",".join(
            f"[{ln},1,{hits},true,true,false],[{ln},41,0,false,false,false]" for ln, hits in f.lines
        )
        sep = "," if i else ""
        yield (
            f'{sep}\n{{"filename":"{f.path}","segments":[{segs}],"branches":[],'
            '"expansions":[],"summary":{}}'
        )
    yield '],"functions":['
    first = True
    for f in files:
        brs = _by_line(f)
        for name, start, hits, body in _functions(f):
            end = body[-1][0] if body else start
            branches = ",".join(
                f"[{ln},4,{ln},40,{outs[0] or 0},{outs[1] or 0},0,0,4]"
                for ln, _ in body
                if (outs := brs.get(ln))
            )
            sep = "" if first else ","
            first = False
            yield (
                f'{sep}\n{{"name":"{name}","count":{hits},"filenames":["{f.path}"],'
                f'"regions":[[{start},1,{end},40,{hits},0,0,0]],"branches":[{branches}]}}'
            )
    yield '],"totals":{}}]}\n'


def simplecov(files: list[FileData]) -> Iterator[str]:
    """SimpleCov's ``.resultset.json`` (0.18+): line arrays and Ruby branch keys."""
    yield '{"bench":{"coverage":{'
    for i, f in enumerate(files):
        hits = dict(f.lines)
        last = max(hits) if hits else 0
        lines = ",".join(str(hits[n]) if n in hits else "null" for n in range(1, last + 1))
        conds = []
        for k, (ln, outs) in enumerate(_by_line(f).items()):
            c = 3 * k
            conds.append(
                f'"[:if, {c}, {ln}, 4, {ln}, 40]":{{"[:then, {c + 1}, {ln}, 4, {ln}, 20]":'
                f'{outs[0] or 0},"[:else, {c + 2}, {ln}, 20, {ln}, 40]":{outs[1] or 0}}}'
            )
        sep = "," if i else ""
        yield f'{sep}\n"/repo/{f.path}":{{"lines":[{lines}],"branches":{{{",".join(conds)}}}}}'
    yield '},"timestamp":1700000000}}\n'


# name -> (file suffix, writer, totals it holds the same as the LCOV)
FORMATS: dict[str, tuple[str, Writer, tuple[str, ...]]] = {
    "jacoco": ("jacoco.xml", jacoco, ("lines", "branches", "functions")),
    "gocover": ("cover.out", gocover, ("lines",)),
    "clover": ("clover.xml", clover, ("lines", "branches")),
    "gcov_json": ("gcov.json", gcov_json, ("lines", "branches", "functions")),
    "gcovr_json": ("gcovr.json", gcovr_json, ("lines", "branches", "functions")),
    "istanbul": ("coverage-final.json", istanbul, ("lines", "branches", "functions")),
    "coveragepy_json": ("coverage.json", coveragepy_json, ("lines", "branches", "functions")),
    "llvm_json": ("llvm-cov.json", llvm_json, ("lines", "branches", "functions")),
    "simplecov": ("resultset.json", simplecov, ("lines", "branches")),
}
WHY_DIFFERENT = {
    "gocover": "Go profiles hold statements in blocks: no branches or functions",
    "clover": "Istanbul-style Clover has per-file method counts, no method lines",
    "simplecov": "SimpleCov measures no functions",
}


def write_formats(files: list[FileData], out: Path, size: str) -> dict[str, Path]:
    """Write ``<size>.<suffix>`` for every format into ``out``; return the paths."""
    paths = {}
    for name, (suffix, writer, _) in FORMATS.items():
        path = out / f"{size}.{suffix}"
        with path.open("w", encoding="utf-8") as fh:
            for piece in writer(files):
                fh.write(piece)
        paths[name] = path
    return paths
