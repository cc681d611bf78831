"""The format registry: sniffing, gzip, progress, and turning reader failures into errors."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from covgap.errors import FormatError, InputError
from covgap.formats import all_formats, detect, get_format, read_report, writable_formats

LCOV = b"SF:a.c\nDA:1,1\nDA:2,0\nend_of_record\n"


def test_every_format_is_declared_once_with_a_unique_name() -> None:
    names = [f.name for f in all_formats()]
    assert len(names) == len(set(names))
    assert {"lcov", "cobertura", "covgap"} <= set(names)
    assert all(f.write is not None for f in writable_formats())


def test_unknown_format_name_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"known formats: .*lcov"):
        get_format("nope")


def test_gzip_is_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "lcov.info.gz"
    path.write_bytes(gzip.compress(LCOV))
    assert detect(path).name == "lcov"
    assert read_report(path).totals().lines_total == 2


def test_corrupt_gzip_is_a_format_error(tmp_path: Path) -> None:
    path = tmp_path / "x.gz"
    path.write_bytes(gzip.compress(LCOV)[:20])
    with pytest.raises(FormatError):
        read_report(path)


def test_progress_reports_every_byte(tmp_path: Path) -> None:
    path = tmp_path / "big.info"
    body = b"".join(b"SF:f%d.c\nDA:1,1\nend_of_record\n" % i for i in range(20000))
    path.write_bytes(body)
    seen: list[int] = []
    cs = read_report(path, progress=seen.append)
    assert len(cs) == 20000
    assert sum(seen) == len(body)


def test_directory_and_missing_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_report(tmp_path)
    with pytest.raises(InputError, match="no such file"):
        read_report(tmp_path / "missing.info")


def test_flag_labels_every_covered_line(tmp_path: Path) -> None:
    path = tmp_path / "a.info"
    path.write_bytes(LCOV)
    cs = read_report(path, flag="unit")
    assert list(cs.files["a.c"].flags["unit"]) == [1]
    assert cs.inputs[0].flag == "unit"


BOM_CASES = {
    "lcov": LCOV,
    "gocover": b"mode: count\nm/a.go:1.1,3.2 2 5\nm/a.go:4.1,4.9 1 0\n",
    "cobertura": (
        b'<?xml version="1.0" encoding="utf-8"?>\n<coverage><packages><package name="p">'
        b'<classes><class name="a" filename="a.c"><lines><line number="1" hits="2"/>'
        b"</lines></class></classes></package></packages></coverage>\n"
    ),
}


@pytest.mark.parametrize("name", sorted(BOM_CASES))
@pytest.mark.parametrize("compress", [False, True])
def test_utf8_byte_order_mark_reads_like_without(tmp_path: Path, name: str, compress: bool) -> None:
    """A BOM (PowerShell's Out-File -Encoding utf8 writes one) changes no figure; it was
    refused as 'not a coverage format' for LCOV and Go profiles."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain, marked = tmp_path / "a" / "report", tmp_path / "b" / "report"
    data = BOM_CASES[name]
    plain.write_bytes(gzip.compress(data) if compress else data)
    bom = b"\xef\xbb\xbf" + data
    marked.write_bytes(gzip.compress(bom) if compress else bom)
    assert detect(marked).name == name
    expected = read_report(plain)
    got = read_report(marked)
    assert got.files == expected.files
    assert [n.replace("/b/", "/a/") for n in got.notes] == list(expected.notes)
    assert got.totals().lines_total > 0


def test_git_lfs_pointer_says_what_it_is(tmp_path: Path) -> None:
    """A checkout without LFS leaves a pointer where the report was (seen on real
    repositories); saying 'not a coverage format' sent users looking in the wrong place."""
    path = tmp_path / "lcov.info"
    path.write_bytes(
        b"version https://git-lfs.github.com/spec/v1\n"
        b"oid sha256:e4fa5810bd9119aadd369e4cc7eae2aaece8c313b78c61f73b264f02c0610f29\n"
        b"size 304432\n"
    )
    with pytest.raises(InputError, match=r"lcov\.info: a Git LFS pointer, not the report"):
        read_report(path)
