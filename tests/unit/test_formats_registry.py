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
