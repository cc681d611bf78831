"""The pipeline: parsing FLAG=PATH inputs, reading, merging, per-flag totals."""

from __future__ import annotations

from pathlib import Path

import pytest

from covgap.errors import InputError
from covgap.pipeline import InputSpec, read_inputs


def test_plain_path() -> None:
    assert InputSpec.parse("coverage/lcov.info") == InputSpec(Path("coverage/lcov.info"))


def test_flag_and_path() -> None:
    assert InputSpec.parse("e2e=out/lcov.info") == InputSpec(Path("out/lcov.info"), "e2e")
    assert str(InputSpec.parse("e2e=out/lcov.info")) == "e2e=out/lcov.info"


def test_existing_file_with_equals_sign_stays_a_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a=b.info").write_text("x")
    assert InputSpec.parse("a=b.info") == InputSpec(Path("a=b.info"))


def test_windows_drive_is_not_a_flag() -> None:
    # A flag must start with a letter and the rest be a path; "C:" has no "=".
    assert InputSpec.parse(r"C:\ci\lcov.info").flag is None


def write_lcov(path: Path, records: dict[str, dict[int, int]]) -> Path:
    out = []
    for sf, lines in records.items():
        out.append(f"SF:{sf}")
        out += [f"DA:{ln},{h}" for ln, h in lines.items()]
        out.append("end_of_record")
    path.write_text("\n".join(out) + "\n")
    return path


def test_flag_totals_are_each_suites_own(tmp_path: Path) -> None:
    unit = write_lcov(tmp_path / "u.info", {"a.c": {1: 1, 2: 0}})
    e2e = write_lcov(tmp_path / "e.info", {"a.c": {2: 1, 3: 0}, "b.c": {1: 1}})
    result = read_inputs([InputSpec(unit, "unit"), InputSpec(e2e, "e2e")])
    assert result.coverage.totals().lines_total == 4
    assert result.flag_totals["unit"].lines_total == 2
    assert result.flag_totals["unit"].lines_covered == 1
    assert result.flag_totals["e2e"].lines_total == 3
    assert result.flag_totals["e2e"].lines_covered == 2


def test_same_flag_twice_is_merged_before_counting(tmp_path: Path) -> None:
    a = write_lcov(tmp_path / "a.info", {"a.c": {1: 1, 2: 0}})
    b = write_lcov(tmp_path / "b.info", {"a.c": {1: 0, 2: 4}})
    result = read_inputs([InputSpec(a, "unit"), InputSpec(b, "unit")])
    assert result.flag_totals["unit"].lines_total == 2
    assert result.flag_totals["unit"].lines_covered == 2


def test_skip_invalid_collects_reasons(tmp_path: Path) -> None:
    good = write_lcov(tmp_path / "g.info", {"a.c": {1: 1}})
    bad = tmp_path / "bad.info"
    bad.write_text("nonsense\n")
    result = read_inputs([InputSpec(bad), InputSpec(good)], skip_invalid=True)
    assert [p for p, _ in result.skipped] == [str(bad)]
    with pytest.raises(InputError):
        read_inputs([InputSpec(bad)])


def test_write_atomic_never_replaces_a_device_or_pipe(tmp_path: Path) -> None:
    import os
    import stat

    from covgap.cli._common import write_atomic

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    import threading

    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, b"hello")
    reader.join(5)
    assert received == [b"hello"]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_write_atomic_replaces_a_regular_file_whole(tmp_path: Path) -> None:
    from covgap.cli._common import write_atomic

    target = tmp_path / "out" / "report.md"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["report.md"]


def test_write_atomic_gives_a_new_file_the_umask_mode_and_keeps_a_replaced_files(
    tmp_path: Path,
) -> None:
    """mkstemp's 0600 must not leak: a new file is 0666 less the umask, a replaced
    file keeps its own permissions (a shared covgap.toml, an executable script)."""
    import os
    import stat

    from covgap.cli._common import write_atomic

    old = os.umask(0o022)
    try:
        fresh = tmp_path / "lcov.info"
        write_atomic(fresh, b"one")
        assert stat.S_IMODE(fresh.stat().st_mode) == 0o644
        kept = tmp_path / "covgap.toml"
        kept.write_bytes(b"x")
        kept.chmod(0o664)
        write_atomic(kept, b"two")
        assert stat.S_IMODE(kept.stat().st_mode) == 0o664
    finally:
        os.umask(old)


def test_an_input_without_branch_data_says_so(tmp_path: Path) -> None:
    """Issue 10: a merged branch percentage must not silently stand for inputs without any."""
    plain = tmp_path / "plain.info"
    plain.write_text("SF:a.c\nDA:1,1\nDA:2,0\nend_of_record\nSF:b.c\nDA:1,1\nend_of_record\n")
    with_branches = tmp_path / "branches.info"
    with_branches.write_text("SF:c.c\nDA:1,1\nBRDA:1,0,0,1\nBRDA:1,0,1,0\nend_of_record\n")
    gocover = tmp_path / "cover.out"
    gocover.write_text("mode: set\nexample.com/m/a.go:3.10,5.2 1 1\n")
    result = read_inputs([InputSpec(plain), InputSpec(with_branches), InputSpec(gocover)])
    assert [n for n in result.coverage.notes if "no branch data" in n] == [
        f"{plain}: no branch data (the report has no per-line branch records); "
        "branch coverage is not measured for its 2 files",
        f"{gocover}: no branch data (Go coverprofiles carry none); branch coverage is not "
        "measured for its 1 file",
    ]


def test_umask_is_read_without_proc_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """/proc gives the umask without changing it; elsewhere os.umask is read and put back."""
    import os

    from covgap.cli import _common

    old = os.umask(0o027)
    try:
        assert _common._umask() == 0o027

        def no_proc(*args: object, **kwargs: object) -> object:
            raise OSError("no /proc here")

        monkeypatch.setattr(_common, "open", no_proc, raising=False)
        assert _common._umask() == 0o027
        assert os.umask(0o027) == 0o027  # put back as it was
    finally:
        os.umask(old)


def test_declared_branches_without_per_line_records_are_not_called_unmeasured(
    tmp_path: Path,
) -> None:
    """A real istanbul Cobertura declared branches-valid="6" with no branch on any line:
    the notes must state both figures and must not claim it was written without branches."""
    report = tmp_path / "cobertura-coverage.xml"
    report.write_text(
        '<?xml version="1.0" ?>\n<coverage lines-valid="2" lines-covered="1" '
        'branches-valid="6" branches-covered="6" version="0.1"><packages>'
        '<class name="a.ts" filename="src\\a.ts"><methods/><lines>'
        '<line number="1" hits="1" branch="false"/><line number="2" hits="0" branch="false"/>'
        "</lines></class></packages></coverage>\n"
    )
    notes = read_inputs([InputSpec(report)]).coverage.notes
    assert any("branches 6/6 in the report, 0/0 counted by covgap" in n for n in notes)
    assert f"{report}: no branch data (the report has no per-line branch records); " in "".join(
        notes
    )
    assert not any("written without branch coverage" in n for n in notes)


def test_skip_empty_lists_a_report_of_no_files(tmp_path: Path) -> None:
    """c8's ``{}`` is a valid Istanbul report of no files: merged as such by default,
    listed with the skipped inputs for ``covgap run`` (where it means nothing ran)."""
    empty = tmp_path / "coverage-final.json"
    empty.write_text("{}")
    lcov = tmp_path / "lcov.info"
    lcov.write_text("SF:a.py\nDA:1,1\nend_of_record\n")
    specs = [InputSpec(empty), InputSpec(lcov)]
    plain = read_inputs(specs)
    assert plain.skipped == [] and list(plain.coverage.files) == ["a.py"]
    strict = read_inputs(specs, skip_empty=True)
    assert strict.skipped == [(str(empty), f"{empty}: the report lists no files")]
    assert list(strict.coverage.files) == ["a.py"]
    with pytest.raises(InputError, match="none of the inputs could be read"):
        read_inputs([InputSpec(empty)], skip_empty=True)
