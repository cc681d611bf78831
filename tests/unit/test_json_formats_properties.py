"""Property tests for the JSON readers: generated reports, independent totals, fuzzing."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any, BinaryIO

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.errors import FormatError
from covgap.formats import coveragepy_json, istanbul, llvm_json, simplecov
from covgap.formats._json import format_path, load_json
from covgap.model import CoverageSet

READERS: list[Callable[[BinaryIO, str], CoverageSet]] = [
    coveragepy_json.read,
    istanbul.read,
    llvm_json.read,
    simplecov.read,
]

lines = st.integers(min_value=1, max_value=400)
counts = st.integers(min_value=0, max_value=50)


def _read(reader: Callable[[BinaryIO, str], CoverageSet], doc: object) -> CoverageSet:
    return reader(io.BytesIO(json.dumps(doc).encode()), "gen.json")


# -- coverage.py -------------------------------------------------------------------------


@st.composite
def coveragepy_files(draw: st.DrawFn) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(["a.py", "b/c.py", "d.py"]), unique=True)):
        statements = draw(st.sets(lines, max_size=40))
        executed = draw(st.sets(st.sampled_from(sorted(statements)))) if statements else set()
        arcs = draw(st.sets(st.tuples(lines, st.integers(-400, 400).filter(bool)), max_size=20))
        taken = draw(st.sets(st.sampled_from(sorted(arcs)))) if arcs else set()
        files[name] = {
            "executed_lines": sorted(executed),
            "missing_lines": sorted(statements - executed),
            "executed_branches": [list(a) for a in sorted(taken)],
            "missing_branches": [list(a) for a in sorted(arcs - taken)],
        }
    return files


@given(coveragepy_files())
def test_coveragepy_totals_are_statements_and_arcs(files: dict[str, Any]) -> None:
    doc = {"meta": {"format": 3, "branch_coverage": True, "show_contexts": False}}
    cs = _read(coveragepy_json.read, doc | {"files": files})
    t = cs.totals()
    assert t.lines_total == sum(
        len(f["executed_lines"]) + len(f["missing_lines"]) for f in files.values()
    )
    assert t.lines_covered == sum(len(f["executed_lines"]) for f in files.values())
    assert t.branches_total == sum(
        len(f["executed_branches"]) + len(f["missing_branches"]) for f in files.values()
    )
    assert t.branches_covered == sum(len(f["executed_branches"]) for f in files.values())


# -- Istanbul ----------------------------------------------------------------------------


@st.composite
def istanbul_file(draw: st.DrawFn) -> dict[str, Any]:
    n_s = draw(st.integers(0, 30))
    s_lines = [draw(lines) for _ in range(n_s)]
    loc = lambda ln: {"start": {"line": ln, "column": 0}, "end": {"line": ln, "column": 1}}  # noqa: E731
    n_f = draw(st.integers(0, 6))
    n_b = draw(st.integers(0, 6))
    return {
        "path": "f.js",
        "statementMap": {str(i): loc(ln) for i, ln in enumerate(s_lines)},
        "s": {str(i): draw(counts) for i in range(n_s)},
        "fnMap": {
            str(i): {
                "name": draw(st.sampled_from(["f", "g", "(anonymous_0)"])),
                "loc": loc(draw(lines)),
            }
            for i in range(n_f)
        },
        "f": {str(i): draw(counts) for i in range(n_f)},
        "branchMap": {str(i): {"loc": loc(draw(lines)), "locations": []} for i in range(n_b)},
        "b": {str(i): draw(st.lists(counts, min_size=1, max_size=4)) for i in range(n_b)},
    }


@given(istanbul_file())
def test_istanbul_totals_follow_to_summary(data: dict[str, Any]) -> None:
    fc = _read(istanbul.read, {"f.js": data}).files["f.js"]
    per_line: dict[int, int] = {}
    for sid, hits in data["s"].items():
        ln = data["statementMap"][sid]["start"]["line"]
        per_line[ln] = max(per_line.get(ln, 0), hits)
    c = fc.counts()
    assert (c.lines_total, c.lines_covered) == (
        len(per_line),
        sum(1 for h in per_line.values() if h),
    )
    assert (c.functions_total, c.functions_covered) == (
        len(data["f"]),
        sum(1 for h in data["f"].values() if h),
    )
    all_b = [h for hs in data["b"].values() for h in hs]
    assert (c.branches_total, c.branches_covered) == (len(all_b), sum(1 for h in all_b if h))


# -- SimpleCov ---------------------------------------------------------------------------

line_arrays = st.lists(st.one_of(st.none(), counts), max_size=40)


@given(st.lists(line_arrays, min_size=1, max_size=4))
def test_simplecov_commands_merge_like_lines_combiner(arrays: list[list[int | None]]) -> None:
    # Every command covers the same file with arrays of one length, as real runs do.
    width = max(len(a) for a in arrays)
    arrays = [a + [None] * (width - len(a)) for a in arrays]
    doc = {f"cmd{i}": {"coverage": {"x.rb": a}, "timestamp": i} for i, a in enumerate(arrays)}
    cs = _read(simplecov.read, doc)
    expected: dict[int, int] = {}
    for pos in range(width):
        values = [a[pos] for a in arrays]
        total = sum(v or 0 for v in values)
        # LinesCombiner folds pairwise: once a zero-sum meets a null, the line is null.
        acc: int | None = values[0]
        for v in values[1:]:
            s = (acc or 0) + (v or 0)
            acc = None if s == 0 and (acc is None or v is None) else s
        if acc is not None:
            assert acc == total
            expected[pos + 1] = acc
    fc = cs.files.get("x.rb")
    assert (fc.hits_by_line() if fc else {}) == expected


# -- llvm-cov ----------------------------------------------------------------------------

segments = st.lists(
    st.tuples(lines, st.integers(1, 80), counts, st.booleans(), st.booleans(), st.booleans()),
    max_size=40,
).map(lambda segs: sorted(set(segs), key=lambda s: (s[0], s[1])))


@given(segments)
def test_llvm_line_counts_invariants(segs: list[tuple[int, int, int, bool, bool, bool]]) -> None:
    out = llvm_json.line_counts(segs)
    if not segs:
        assert out == {}
        return
    assert all(segs[0][0] <= ln <= segs[-1][0] for ln in out)
    for ln in {s[0] for s in segs}:
        on_line = [s for s in segs if s[0] == ln]
        starts = [s for s in on_line if s[3] and s[4] and not s[5]]
        skipped = not on_line[0][3] and on_line[0][4]
        if starts and not skipped:
            assert out[ln] >= max(s[2] for s in starts)
        if not any(s[3] and s[4] for s in on_line) and skipped:
            assert ln not in out


@st.composite
def llvm_functions(draw: st.DrawFn) -> list[dict[str, Any]]:
    fns = []
    for i in range(draw(st.integers(0, 6))):
        start = draw(st.sampled_from([1, 10, 20]))  # shared starts make instantiation groups
        fns.append(
            {
                "name": f"fn{i}",
                "count": draw(counts),
                "filenames": ["a.c"],
                "regions": [[start, 1, start + 5, 2, draw(counts), 0, 0, 0]],
                "branches": [
                    [start + 1, c, start + 1, c + 3, draw(counts), draw(counts), 0, 0, 4]
                    for c in draw(st.sets(st.integers(1, 20), max_size=3))
                ],
            }
        )
    return fns


@given(llvm_functions())
def test_llvm_functions_and_branches_per_instantiation_group(fns: list[dict[str, Any]]) -> None:
    doc = {"data": [{"files": [{"filename": "a.c", "segments": []}], "functions": fns}]}
    fc = _read(llvm_json.read, doc).files["a.c"]
    groups: dict[int, list[dict[str, Any]]] = {}
    for fn in fns:
        groups.setdefault(fn["regions"][0][0], []).append(fn)
    c = fc.counts()
    assert c.functions_total == len(groups)
    assert c.functions_covered == sum(1 for g in groups.values() if sum(f["count"] for f in g))
    # llvm-cov report: per group the max outcomes and the max covered outcomes.
    n_total = n_covered = 0
    for g in groups.values():
        n_total += max(2 * len(f["branches"]) for f in g)
        n_covered += max(sum((b[4] > 0) + (b[5] > 0) for b in f["branches"]) for f in g)
    assert c.branches_covered == n_covered
    if all(len({len(f["branches"]) for f in g}) == 1 for g in groups.values()):
        assert c.branches_total == n_total  # instantiations of one body agree in shape


# -- every reader: arbitrary JSON and bytes give a FormatError or a result, nothing else --

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "meta",
                    "files",
                    "data",
                    "coverage",
                    "lines",
                    "segments",
                    "statementMap",
                    "s",
                    "a.js",
                    "x",
                    "executed_lines",
                    "missing_lines",
                    "filename",
                    "functions",
                ]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300)
@given(json_values)
def test_readers_never_fail_other_than_format_error(doc: object) -> None:
    for reader in READERS:
        try:
            _read(reader, doc)
        except FormatError as exc:
            assert str(exc).startswith("gen.json")
            assert "\n" not in str(exc)


@given(st.binary(max_size=200))
def test_readers_on_random_bytes(data: bytes) -> None:
    for reader in READERS:
        try:
            reader(io.BytesIO(data), "bytes.json")
        except FormatError as exc:
            assert str(exc).startswith("bytes.json")


@given(st.text(alphabet="ab é\n{}[]:,", min_size=1, max_size=60))
def test_decode_error_position_is_where_parsing_stopped(text: str) -> None:
    """Line/column point into the document and, for UTF-8 text, agree with json's."""
    data = text.encode()
    try:
        expected = json.loads(text)
    except json.JSONDecodeError:
        expected = None
    try:
        assert load_json(io.BytesIO(data), "t.json") == expected
    except FormatError as exc:
        if not text.strip():
            return
        assert exc.line is not None and exc.column is not None
        assert 1 <= exc.line <= text.count("\n") + 1
        rows = text.split("\n")
        assert 1 <= exc.column <= len(rows[exc.line - 1]) + 2


@given(st.lists(st.one_of(st.integers(0, 5), st.text(max_size=6)), max_size=5))
def test_format_path_is_jq_like(parts: list[int | str]) -> None:
    text = format_path(tuple(parts))
    pieces = []
    for n, part in enumerate(parts):
        if isinstance(part, int):
            pieces.append(f"[{part}]")
        elif part.isidentifier():
            pieces.append(f".{part}" if n else part)
        else:
            pieces.append("[" + json.dumps(part, ensure_ascii=False) + "]")
    assert text == ("".join(pieces) or "(top level)")


# -- real reports with one value replaced: still a FormatError or a result --------------

FIXTURES = {
    "coveragepy/contexts.json": coveragepy_json.read,
    "c8/nyc/coverage-final.json": istanbul.read,
    "llvm-cov/export.json": llvm_json.read,
    "simplecov/resultset.json": simplecov.read,
    "edge/simplecov-json-formatter.json": simplecov.read,
}


def _paths(value: object, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _replace(doc: Any, path: tuple[str | int, ...], new: object) -> Any:
    if not path:
        return new
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[path[0]] = _replace(doc[path[0]], path[1:], new)  # type: ignore[index]
    return copy


_LOADED: dict[str, tuple[Any, list[tuple[str | int, ...]]]] = {}


def _fixture(name: str) -> tuple[Any, list[tuple[str | int, ...]]]:
    if name not in _LOADED:
        from conftest import DATA

        doc = json.loads((DATA / name).read_text())
        _LOADED[name] = (doc, _paths(doc))
    return _LOADED[name]


@settings(max_examples=200)
@given(st.data())
def test_mutated_real_reports_fail_cleanly(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(FIXTURES)))
    doc, paths = _fixture(name)
    path = data.draw(st.sampled_from(paths))
    mutated = _replace(doc, path, data.draw(json_values))
    try:
        _read(FIXTURES[name], mutated)
    except FormatError as exc:
        assert str(exc).startswith("gen.json")


# -- the shared decoder's own edge cases ---------------------------------------------------


def test_load_json_locates_invalid_utf8_by_byte_offset() -> None:
    data = b'{"a": 1,\n "b": "caf\xc3\xa9",\n "c": "\xff"}'
    with pytest.raises(FormatError) as err:
        load_json(io.BytesIO(data), "u.json")
    assert (err.value.line, err.value.column) == (3, 8)
    assert "not UTF-8 (byte 0xff)" in str(err.value)


@pytest.mark.parametrize("empty", [b"", b"  \n", b"\xef\xbb\xbf"])
def test_load_json_rejects_empty_input(empty: bytes) -> None:
    with pytest.raises(FormatError, match="empty file"):
        load_json(io.BytesIO(empty), "e.json")


def test_load_json_accepts_a_bom() -> None:
    assert load_json(io.BytesIO(b'\xef\xbb\xbf {"a": [1]}'), "bom.json") == {"a": [1]}
