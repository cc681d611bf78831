"""The format registry: sniffing, gzip, progress, and turning reader failures into errors."""

from __future__ import annotations

import gzip
import os
import re
import subprocess
from pathlib import Path

import pytest

from conftest import require_tool
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


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.99])
def test_truncated_gzip_names_where_it_ends(tmp_path: Path, keep: float) -> None:
    """A cut-short .gz said "corrupt gzip data" "at byte offset 0" (the head was fine),
    or "cannot read" when the cut lay past the first 64 KiB; the place is its end."""
    body = b"".join(b"SF:f%d.c\nDA:1,%d\nend_of_record\n" % (i, i) for i in range(30000))
    data = gzip.compress(body)
    path = tmp_path / "lcov.info.gz"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(FormatError) as raised:
        read_report(path)
    size = path.stat().st_size
    assert raised.value.offset == size
    assert f"at byte offset {size}: truncated gzip data" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "start", "says"),
    [
        ("a.gcda", b"adcg*22B\x1c\xed\x0b=", "gcov's raw counters (.gcda)"),
        ("a.gcno", b"oncg*22B\x1c\xed\x0b=", "gcov's notes file (.gcno)"),
        ("a.profdata", b"\xfflprofi\x81\x0c\x00\x00\x00", "indexed LLVM profile"),
        ("a.profraw", b"\x81rforpl\xff\x0a\x00\x00\x00", "raw LLVM profile"),
        ("jacoco.exec", b"\x01\xc0\xc0\x10\x07\x10\x00", "JaCoCo execution data"),
    ],
)
def test_raw_coverage_data_says_what_it_is_and_how_to_get_a_report(
    tmp_path: Path, name: str, start: bytes, says: str
) -> None:
    """Counters a tool turns into a report (was "binary data, not a coverage report")."""
    path = tmp_path / name
    path.write_bytes(start + bytes(200))
    with pytest.raises(InputError, match=re.escape(says) + ".*not a report"):
        read_report(path)


def test_real_gcda_and_profdata_are_named(tmp_path: Path) -> None:
    """The magic numbers above, as GCC and LLVM on this machine write them."""
    require_tool("gcc", "clang-19", "llvm-profdata-19")
    (tmp_path / "m.c").write_text("int main(void) { return 0; }\n")

    def run(*argv: str, **env: str) -> None:
        subprocess.run(
            argv,
            cwd=tmp_path,
            check=True,
            capture_output=True,
            timeout=120,
            env={**os.environ, **env},
        )

    run("gcc", "--coverage", "-o", "g", "m.c")
    run("./g")
    run("clang-19", "-fprofile-instr-generate", "-fcoverage-mapping", "-o", "l", "m.c")
    run("./l", LLVM_PROFILE_FILE="m.profraw")
    run("llvm-profdata-19", "merge", "-o", "m.profdata", "m.profraw")
    for pattern in ["*.gcda", "*.gcno", "*.profraw", "*.profdata"]:
        (found,) = tmp_path.glob(pattern)  # GCC 11+ names them g-m.gcda, g-m.gcno
        with pytest.raises(InputError, match=re.escape(pattern[1:]) + r"\), not a report"):
            read_report(found)


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
