"""covgap's own JSON: exact round trip, the detail rule, and errors that name the place."""

from __future__ import annotations

import gzip
import io
from array import array
from pathlib import Path

import orjson
import pytest

from covgap.errors import FormatError
from covgap.formats import covgap_json as cj
from covgap.formats import detect, read_report
from covgap.model import Counts, CoverageSet, FileCoverage, FileCoverageBuilder, InputInfo

DATA = Path(__file__).resolve().parents[1] / "data" / "edge"


def _sample() -> CoverageSet:
    a = FileCoverageBuilder("src/b.py")
    a.add_line(1, 3)
    a.add_line(2, 0)
    a.add_line(5, 0)
    a.add_line(9, 7)
    a.add_branch(2, 0, 0, None)
    a.add_branch(2, 0, 1, None)
    a.add_branch(9, 0, 0, 0)
    a.add_branch(9, 0, 1, 4)
    a.add_function("f", 1, 3, 5)
    a.add_function("g", 8, 0)
    b = FileCoverageBuilder("src/a.py")
    b.add_line(1, 2**63 - 1)
    cs = CoverageSet()
    cs.add(a.build().with_flag("unit"))
    cs.add(b.build())
    cs.add(FileCoverage("src/empty.py"))
    cs.inputs = (InputInfo("lcov.info", "lcov", "unit"),)
    return cs


def _dump(cs: CoverageSet) -> bytes:
    out = io.BytesIO()
    cj.write(cs, out)
    return out.getvalue()


def _read(data: bytes) -> CoverageSet:
    return cj.read(io.BytesIO(data), "cov.json")


def test_round_trip_keeps_everything() -> None:
    cs = _sample()
    back = _read(_dump(cs))
    assert back == cs
    fc = back.files["src/b.py"]
    assert list(fc.flags["unit"]) == [1, 9]
    assert [f.end_line for f in fc.functions] == [5, None]
    assert back.inputs == cs.inputs


def test_output_is_deterministic_sorted_and_sniffed(tmp_path: Path) -> None:
    data = _dump(_sample())
    doc = orjson.loads(data)
    assert list(doc)[:4] == ["format", "schema_version", "covgap_version", "summary"]
    assert [f["path"] for f in doc["files"]] == ["src/a.py", "src/b.py", "src/empty.py"]
    assert data == _dump(_read(data))
    path = tmp_path / "whatever.txt"
    path.write_bytes(data)
    assert detect(path).name == "covgap"
    assert read_report(path) == _sample()


def test_percentages_are_raw_floats_or_null() -> None:
    doc = orjson.loads(_dump(_sample()))
    by_path = {f["path"]: f for f in doc["files"]}
    b = by_path["src/b.py"]
    assert b["line_percent"] == 100.0 * 2 / 4
    assert b["branch_percent"] == 100.0 * 1 / 4
    assert b["function_percent"] == 50.0
    assert b["uncovered_ranges"] == [[2, 5]]
    empty = by_path["src/empty.py"]
    assert empty["line_percent"] is None
    assert empty["branch_percent"] is None
    assert by_path["src/a.py"]["branch_percent"] is None
    # 1 of 3 lines is 33.333...; never rounded, never printed as text.
    fc = FileCoverage("x", array("i", [1, 2, 3]), array("q", [1, 0, 0]))
    assert cj.file_to_json(fc, detail=False)["line_percent"] == 100.0 / 3
    assert cj.summary_to_json(Counts(1000, 999))["line_percent"] == 99.9


def test_file_to_json_without_detail_omits_lines() -> None:
    fc = _sample().files["src/b.py"]
    doc = cj.file_to_json(fc, detail=False, component="core", language="python")
    assert doc["component"] == "core"
    assert doc["language"] == "python"
    assert "lines" not in doc
    assert "branches" not in doc


def test_summary_only_report_is_rejected_with_the_fix() -> None:
    cs = _sample()
    doc = cj.document(cs, detail=False)
    with pytest.raises(FormatError) as info:
        _read(cj.dumps(doc))
    msg = str(info.value)
    assert msg.startswith("cov.json: files[0] (src/a.py): has no per-line detail")
    assert "covgap report --format json --detail" in msg
    assert "covgap merge --to json" in msg


def test_read_summary_accepts_summary_only_and_gzip(tmp_path: Path) -> None:
    cs = _sample()
    path = tmp_path / "baseline.json.gz"
    doc = cj.document(cs, detail=False, components=[{"name": "core"}])
    path.write_bytes(gzip.compress(cj.dumps(doc)))
    summary = cj.read_summary(path)
    assert summary["schema_version"] == cj.SCHEMA_VERSION
    assert summary["summary"] == cs.totals()
    assert summary["files"] == {p: fc.counts() for p, fc in cs.files.items()}
    assert summary["components"] == [{"name": "core"}]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(schema_version=2), "schema_version 2 is not supported"),
        (lambda d: d.update(schema_version="1"), '"schema_version" must be an integer'),
        (lambda d: d.update(format="other"), "not a covgap JSON document"),
        (lambda d: d.update(files={}), '"files" must be an array'),
        (lambda d: d["files"][1].update(lines_covered=4), "disagree with its own detail"),
        (lambda d: d["files"][1]["lines"].append([9, 1]), "line 9 listed twice"),
        (lambda d: d["files"][1]["lines"].append([0, 1]), "0 is not a line number"),
        (lambda d: d["files"][1]["lines"].append([10, -1]), "-1 is not a hit count"),
        (lambda d: d["files"][1]["lines"].append([10, True]), "True is not a hit count"),
        (lambda d: d["files"][1]["lines"].append([10]), "expected [line, hits]"),
        (lambda d: d["files"][1]["branches"].append([9, 0, 1, 1]), "listed twice"),
        (lambda d: d["files"][1]["functions"].append({"name": 3}), "string name"),
        (lambda d: d["files"][1].update(flags=[]), '"flags" must map'),
        (lambda d: d["files"].append(d["files"][0]), "path listed twice"),
        (lambda d: d["files"][0].update(path=""), '"path" must be a non-empty string'),
    ],
)
def test_malformed_documents_name_the_place(mutate, expected: str) -> None:  # type: ignore[no-untyped-def]
    doc = orjson.loads(_dump(_sample()))
    mutate(doc)
    with pytest.raises(FormatError, match=r"^cov\.json: ") as info:
        _read(orjson.dumps(doc))
    assert expected in str(info.value)


def test_invalid_json_names_the_line() -> None:
    with pytest.raises(FormatError) as info:
        _read(b'{"format": "covgap",\n "schema_version": 1,\n oops}')
    assert info.value.line == 3
    assert str(info.value).startswith("cov.json:3: invalid JSON")


def test_edge_fixture_hand_written_v1(tmp_path: Path) -> None:
    """A hand-written v1 document (unsorted lines, extra keys) reads as documented."""
    cs = read_report(DATA / "covgap-v1-handwritten.json")
    fc = cs.files["lib/x.rs"]
    assert list(fc.lines) == [2, 4, 7]
    assert list(fc.hits) == [1, 0, 5]
    assert fc.counts() == Counts(3, 2, 2, 1, 1, 1)
    assert list(fc.flags["e2e"]) == [2, 7]


def test_undecodable_path_is_an_output_error_not_a_traceback() -> None:
    from covgap.errors import OutputError

    cs = CoverageSet()
    cs.add(FileCoverage("caf\udce9.c", array("i", [1]), array("q", [1])))
    with pytest.raises(OutputError, match="cannot write covgap JSON"):
        _dump(cs)


def test_negative_branch_index_is_a_format_error() -> None:
    """A negative branch index is refused as a FormatError, not a model ValueError."""
    doc = orjson.loads(_dump(_sample()))
    entry = next(f for f in doc["files"] if f["path"] == "src/b.py")
    entry["branches"][0][2] = -1
    with pytest.raises(FormatError, match="negative"):
        _read(orjson.dumps(doc))


def _entries(data: bytes) -> list[dict[str, object]]:
    entries = orjson.loads(data)["files"]
    assert isinstance(entries, list)
    return entries


def _detail(fc: FileCoverage) -> tuple[object, ...]:
    return (
        fc.path,
        list(fc.lines),
        list(fc.hits),
        (list(fc.br_line), list(fc.br_block), list(fc.br_branch), list(fc.br_taken)),
        fc.functions,
        {k: list(v) for k, v in fc.flags.items()},
        {k: list(v) for k, v in fc.contexts.items()},
    )


def test_typed_entry_decoder_takes_written_entries_and_agrees_with_the_checker() -> None:
    """The typed fast road (msgspec, checks in C) gives exactly what the per-value
    checker gives, for every entry the writer emits (flags and contexts included)."""
    cs = _sample()
    ctx = cs.files["src/a.py"]
    cs.files["src/a.py"] = FileCoverage(
        ctx.path, ctx.lines, ctx.hits, contexts={"test_a": array("i", [1])}
    )
    for i, entry in enumerate(_entries(_dump(cs))):
        raw = orjson.dumps(entry)
        typed = cj._file_typed("x", i, raw)
        assert typed is not None, entry
        assert _detail(typed) == _detail(cj._file_from_json("x", i, entry))
        assert typed.counts() == cj._file_from_json("x", i, entry).counts()


@pytest.mark.parametrize(
    "mutate",
    [
        lambda e: e.update(lines=[[9, 7], [1, 3], [2, 0], [5, 0]]),  # unsorted: valid
        lambda e: e["lines"][0].__setitem__(1, True),  # a boolean is not a count
        lambda e: e["lines"][0].__setitem__(1, 3.0),
        lambda e: e["lines"][0].__setitem__(0, 0),
        lambda e: e["branches"].append(list(e["branches"][0])),  # duplicate branch
        lambda e: e["functions"].append(dict(e["functions"][0])),  # duplicate function
        lambda e: e.update(lines_covered=e["lines_covered"] + 1),  # counts disagree
        lambda e: e["branches"][0].__setitem__(2, -1),
        lambda e: e.update(path=""),
        lambda e: e.pop("lines"),
        lambda e: e.update(branches=None),
    ],
)
def test_typed_entry_decoder_declines_the_unusual_and_the_checker_decides(mutate) -> None:  # type: ignore[no-untyped-def]
    """Anything the typed decoder does not take goes to the per-value checker, so the
    result (or the error naming the place) is the exact reader's."""
    doc = orjson.loads(_dump(_sample()))
    entry = next(e for e in doc["files"] if e["path"] == "src/b.py")
    mutate(entry)
    assert cj._file_typed("x", 0, orjson.dumps(entry)) is None
    data = orjson.dumps(doc)
    try:
        expected: object = cj._read_exact(io.BytesIO(data), "cov.json")
    except FormatError as exc:
        expected = str(exc)
    try:
        got: object = _read(data)
    except FormatError as exc:
        got = str(exc)
    assert got == expected
