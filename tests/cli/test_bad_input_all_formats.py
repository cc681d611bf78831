"""Bad input gets a clear error, for every registered format, end to end.

The promise (README, "Exit status"): a truncated, malformed, hostile or mismatched
report gets one line on stderr, ``covgap: error: <file><place>: <what>``, exit status
2, no traceback, nothing on stdout that could pass for a complete result, and no
output file of the user's overwritten. Every reader is driven through the real CLI
with damage derived in memory from one of its real fixtures, so covering a new
format takes one :data:`FIXTURES` entry, and
:func:`test_every_registered_format_has_a_fixture` fails until it is there.

Some damage leaves a legitimately valid report, and the test says exactly which:

* an LCOV tracefile cut right after ``end_of_record``, or a Go profile cut at the
  end of a line, is a shorter report of the same kind; it must then give the totals
  of the records that are left (computed here independently of the readers), never a
  number from a half-read record;
* a coverage.py data file is SQLite: a byte changed in a page's free space changes
  nothing, and an arc to a line the source does not have (an absurd or negative line
  number) is ignored by coverage.py itself, so such a file must be rejected or give
  the intact file's totals, which is what ``coverage report`` gives for it.

Everything else must be rejected.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from covgap.cli import main
from covgap.formats import all_formats, get_format

DATA = Path(__file__).resolve().parents[1] / "data"

HUGE = b"99999999999999999999999"
"""A count no producer writes: beyond int64 and beyond a double's exact integers."""

SLOW = 60.0
"""Seconds after which one run on a fixture-sized input counts as a hang.

A hang guard, not a speed test (speed is proven by bench/): the hostile inputs here
would run for minutes or exhaust memory without the readers' limits, while a loaded
2-core CI machine can make a legitimate refusal take ten times its usual second."""


@dataclass(frozen=True)
class Fixture:
    """A real report of one format and where its first hit count is written."""

    path: str
    count: bytes
    """Regex whose group 1 is the first hit count (for coverage.py JSON, which has no
    counts, the first executed line number): what the absurd/negative variants replace."""
    kind: str
    """``xml``, ``json``, ``text`` or ``sqlite``: which extra variants apply."""


FIXTURES: dict[str, Fixture] = {
    "lcov": Fixture("c8/lcov.info", rb"(?m)^DA:\d+,(\d+)", "text"),
    "covgap": Fixture("<written by covgap from c8/lcov.info>", rb'"lines":\[\[\d+,(\d+)\]', "json"),
    "cobertura": Fixture(
        "cobertura/coveragepy/branch.xml", rb'<line number="\d+" hits="(\d+)"', "xml"
    ),
    "jacoco": Fixture("jacoco/jacoco.xml", rb'<line nr="\d+" mi="\d+" ci="(\d+)"', "xml"),
    "gocover": Fixture("go/count.out", rb"(?m)^\S+:[\d.,]+ \d+ (\d+)$", "text"),
    "coveragepy-data": Fixture("coveragepy-data/branch.coverage", b"", "sqlite"),
    "gcov-json": Fixture("gcov/stats.gcov.json", rb'"count": (\d+)', "json"),
    "gcovr-json": Fixture("gcovr/stats.gcovr.json", rb'"count": (\d+)', "json"),
    "clover": Fixture("clover/clover.xml", rb'<line num="\d+" count="(\d+)"', "xml"),
    "coveragepy-json": Fixture("coveragepy/branch.json", rb'"executed_lines": \[(\d+)', "json"),
    "istanbul": Fixture("c8/coverage-final.json", rb'"s":\{"0":(\d+)', "json"),
    "llvm-json": Fixture("llvm-cov/export.json", rb'"segments":\[\[\d+,\d+,(\d+)', "json"),
    "simplecov": Fixture("simplecov/resultset.json", rb'"lines": \[\s*null,\s*(\d+)', "json"),
}

_fixture_cache: dict[str, bytes] = {}


def fixture_bytes(name: str) -> bytes:
    """The intact report; covgap's own JSON is what covgap's writer makes of the LCOV one."""
    if name not in _fixture_cache:
        if name == "covgap":
            from covgap.formats import read_report
            from covgap.formats.covgap_json import document, dumps

            cs = read_report(DATA / FIXTURES["lcov"].path)
            _fixture_cache[name] = dumps(document(cs, detail=True))
        else:
            _fixture_cache[name] = (DATA / FIXTURES[name].path).read_bytes()
    return _fixture_cache[name]


# -- damage ------------------------------------------------------------------------------


def sniff_prefix(name: str, data: bytes) -> bytes:
    """The shortest start of ``data`` that ``name``'s sniffer already recognises.

    That is "the right format's header": all auto-detection trusts before the body.
    """
    spec = get_format(name)
    for end in range(1, min(len(data), 4096) + 1):
        if spec.sniff(data[:end], "report"):
            return data[:end]
    raise AssertionError(f"{name}: the sniffer recognises no prefix of its own fixture")


def other_format(name: str) -> str:
    """A format of another kind whose body is spliced after ``name``'s header."""
    kind = FIXTURES[name].kind
    return next(o for o, fx in FIXTURES.items() if fx.kind not in (kind, "sqlite"))


def replace_count(name: str, data: bytes, value: bytes) -> bytes:
    match = re.search(FIXTURES[name].count, data)
    assert match is not None, f"{name}: the count pattern matches nothing in the fixture"
    return data[: match.start(1)] + value + data[match.end(1) :]


def xml_with_doctype(data: bytes, subset: bytes, reference: bytes) -> bytes:
    """Declare ``subset`` in a DOCTYPE and use ``reference`` as the root's first attribute."""
    data = re.sub(rb"<!DOCTYPE[^>]*>", b"", data, count=1)
    root = re.search(rb'<([A-Za-z][\w.-]*)\b[^>]*?="([^"]*)"', data)
    assert root is not None
    doctype = b"<!DOCTYPE " + root.group(1) + b" [" + subset + b"]>\n"
    return (
        data[: root.start()]
        + doctype
        + data[root.start() : root.start(2)]
        + reference
        + data[root.end(2) :]
    )


BILLION_LAUGHS = b'<!ENTITY lol0 "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)
)
XXE = b'<!ENTITY xxe SYSTEM "file:///etc/passwd">'


def sqlite_edit(data: bytes, sql: str, scratch: Path) -> bytes:
    """Apply ``sql`` to a copy of a coverage.py data file and return the new bytes."""
    path = scratch / "edit.sqlite"
    path.write_bytes(data)
    db = sqlite3.connect(path)
    try:
        with db:
            db.executescript(sql)
    finally:
        db.close()
    out = path.read_bytes()
    path.unlink()
    return out


def variants(name: str, scratch: Path) -> dict[str, bytes]:
    """Every damaged version of ``name``'s fixture, by a short name used in messages."""
    data = fixture_bytes(name)
    kind = FIXTURES[name].kind
    mid = len(data) // 2
    out = {f"truncated-{pct}%": data[: len(data) * pct // 100] for pct in (25, 50, 90)}
    out["byte-flipped"] = data[:mid] + b"\xff" + data[mid + 1 :]
    out["nul-block"] = data[:mid] + b"\x00" * 64 + data[mid:]
    out["empty"] = b""
    out["blank"] = b" \n\t\n"
    other = other_format(name)
    out[f"header-then-{other}-body"] = sniff_prefix(name, data) + b"\n" + fixture_bytes(other)
    if kind == "sqlite":
        # coverage.py keeps no counts; its numbers are line numbers in the arc table.
        insert = "INSERT INTO arc (file_id, context_id, fromno, tono) SELECT file_id, context_id"
        out["absurd-count"] = sqlite_edit(
            data, f"{insert}, {HUGE.decode()}, {HUGE.decode()} FROM arc LIMIT 1;", scratch
        )
        out["negative-count"] = sqlite_edit(
            data, f"{insert}, -5, -99999 FROM arc LIMIT 1;", scratch
        )
    else:
        out["absurd-count"] = replace_count(name, data, HUGE)
        out["negative-count"] = replace_count(name, data, b"-5")
        out["gzip-truncated"] = gzip.compress(data)[: len(gzip.compress(data)) // 2]
    if kind == "xml":
        out["billion-laughs"] = xml_with_doctype(data, BILLION_LAUGHS, b"&lol9;")
        out["external-entity"] = xml_with_doctype(data, XXE, b"&xxe;")
    if kind == "json":
        # After the signature keys, so that auto-detection hands it to the reader.
        close = data.rindex(b"}")
        deep = b', "deep": ' + b"[" * 100_000
        out["deeply-nested"] = data[:close] + deep + b"]" * 100_000 + data[close:]
        out["deeply-nested-unclosed"] = data[:close] + deep
    if kind == "text":
        out["cut-at-record-boundary"] = data[: record_boundary(name, data)]
        # A path no OS allows; lines keep their shape, so only the path can tell.
        at = data.index(b"SF:") + 6 if name == "lcov" else data.index(b"\n") + 4
        out["nul-in-path"] = data[:at] + b"\x00" + data[at:]
    return out


def record_boundary(name: str, data: bytes) -> int:
    """The end of the first complete record past the middle (the file's end if none)."""
    end = b"end_of_record\n" if name == "lcov" else b"\n"
    at = data.find(end, len(data) // 2)
    if at < 0 or at + len(end) == len(data):
        # One record only: cut after the first instead (lcov: none left is an error).
        at = data.find(end)
    return at + len(end)


# -- what a legitimately valid damaged report must say ----------------------------------


def independent_line_totals(name: str, data: bytes) -> tuple[int, int]:
    """``(lines, covered)`` of a text report by the format's own rule, not covgap's code.

    LCOV: each ``DA:<line>,<count>`` of a record is a line, hits summed per file and
    line. Go: a line spanned by a block with statements is a line; it is covered when
    any such block ran (the rule gocover.py documents).
    """
    hits: dict[tuple[str, int], int] = {}
    if name == "lcov":
        current = ""
        for line in data.decode().splitlines():
            if line.startswith("SF:"):
                current = line[3:]
            elif line.startswith("DA:"):
                number, count = line[3:].split(",")[:2]
                key = (current, int(number))
                hits[key] = hits.get(key, 0) + int(count)
    else:
        for line in data.decode().splitlines()[1:]:
            source, _, rest = line.rpartition(":")
            span, stmts, count = rest.split()
            start, end = (int(pos.split(".")[0]) for pos in span.split(","))
            if int(stmts):
                for ln in range(start, end + 1):
                    hits[(source, ln)] = max(hits.get((source, ln), 0), int(count))
    return len(hits), sum(1 for h in hits.values() if h)


def legit_cut(name: str, data: bytes) -> bool:
    """Whether ``data`` (a cut of ``name``'s fixture) is itself a valid report."""
    if name == "lcov":
        return data.endswith((b"end_of_record\n", b"end_of_record"))
    if name == "gocover":
        last = data.rsplit(b"\n", 1)[-1]
        return last == b"" or re.fullmatch(rb"\S+:\d+\.\d+,\d+\.\d+ \d+ \d+", last) is not None
    return False


def free_space(data: bytes, at: int) -> bool:
    """Whether byte ``at`` of an SQLite file lies in a run of zeros (unused page space)."""
    return data[max(at - 32, 0) : at + 32].count(0) == len(data[max(at - 32, 0) : at + 32])


def may_be_accepted(name: str, variant: str, data: bytes) -> str | None:
    """Why this damaged input is still a valid report, or None when it must be rejected."""
    kind = FIXTURES[name].kind
    if kind == "text" and variant.startswith(("truncated", "cut-at")) and legit_cut(name, data):
        return "cut at a record boundary: a shorter report of the same kind"
    if kind == "sqlite":
        if variant in ("absurd-count", "negative-count"):
            return "an arc to a line the source does not have: coverage.py ignores it"
        if variant == "byte-flipped" and free_space(fixture_bytes(name), len(data) // 2):
            return "the flipped byte is in an SQLite page's free space"
    return None


# -- running the CLI ---------------------------------------------------------------------


@dataclass
class Run:
    """One CLI run's outcome."""

    code: int
    stdout: str
    stderr: str
    seconds: float


def cli(*args: str) -> Run:
    started = time.monotonic()
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr, time.monotonic() - started)


_PLACE = re.compile(
    r":\d+(:\d+)?: "  # line[:column]
    r"|: at byte offset \d+: "
    r"|: (\w+|\[[^\]]*\])(\.\w+|\[[^\]]*\]| \([^)]*\))*: "  # a JSON path, jq style
    r"|: <\w+[^>]*>: "  # an XML element named by its attributes
    r"|: (not an? |no records |empty )"  # a verdict on the whole file (wrong format, empty)
)


def rejection_problems(run: Run, path: Path) -> list[str]:
    """Everything wrong with how a run rejected ``path`` (empty when it was right)."""
    problems = []
    if run.code != 2:
        problems.append(f"exit {run.code}, expected 2")
    if run.stdout:
        problems.append(f"stdout not empty: {run.stdout[:80]!r}")
    if "Traceback" in run.stderr:
        problems.append("traceback on stderr")
    lines = run.stderr.splitlines()
    if len(lines) != 1 or run.stderr.count("\n") != 1:
        problems.append(f"stderr is not exactly one line: {run.stderr[:300]!r}")
    prefix = f"covgap: error: {path}"
    if not run.stderr.startswith(prefix):
        problems.append(f"stderr does not start with {prefix!r}: {run.stderr[:200]!r}")
    elif not _PLACE.match(run.stderr, len(prefix)):
        problems.append(f"no place (line, offset or JSON path) named: {run.stderr[:200]!r}")
    if run.seconds > SLOW:
        problems.append(f"took {run.seconds:.1f} s")
    return problems


def damage_line(variant: str, data: bytes) -> int | None:
    """The line a reader must name for this damage, when the damage has one line.

    A flipped byte or a NUL block is in the middle of the file; a cut file goes
    wrong on its last line. Other damage (a count, a DOCTYPE) is found by meaning,
    and the reader may name the element or JSON path instead.
    """
    if variant in ("byte-flipped", "nul-block"):
        return data.count(b"\n", 0, len(data) // 2) + 1
    if variant == "nul-in-path":
        return data.count(b"\n", 0, data.index(b"\x00")) + 1
    if variant.startswith("truncated-"):
        return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    return None


def wrong_line(name: str, variant: str, data: bytes, run: Run, path: Path) -> list[str]:
    """A problem when the message names a line other than the damaged one."""
    want = damage_line(variant, data)
    if want is None or FIXTURES[name].kind == "sqlite":
        return []
    named = re.match(re.escape(f"covgap: error: {path}:") + r"(\d+)[:\s]", run.stderr)
    if named is None or int(named.group(1)) != want:
        return [f"names line {named and named.group(1)}, the damage is on line {want}"]
    return []


def summary(run: Run) -> dict[str, Any]:
    assert run.code == 0, run.stderr
    doc: dict[str, Any] = json.loads(run.stdout)
    return doc


def totals(doc: dict[str, Any]) -> tuple[int, ...]:
    s = doc["summary"]
    keys = ("lines_total", "lines_covered", "branches_total", "branches_covered")
    return tuple(s[k] for k in (*keys, "functions_total", "functions_covered"))


def workdir(tmp_path: Path, name: str) -> Path:
    """Where ``name``'s inputs are written: beside their sources when the format needs them."""
    work = tmp_path / name
    work.mkdir(exist_ok=True)
    if name == "coveragepy-data" and not (work / "src").exists():
        shutil.copytree(DATA / "coveragepy-data" / "src", work / "src")
    return work


def report_args(path: Path, repo: Path, forced: str | None = None) -> list[str]:
    forced_args = ["--input-format", forced] if forced else []
    return ["report", "--repo", str(repo), *forced_args, "--format", "json", str(path)]


# -- the tests ---------------------------------------------------------------------------


def test_every_registered_format_has_a_fixture() -> None:
    assert sorted(FIXTURES) == sorted(spec.name for spec in all_formats())


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_damaged_reports_get_one_clear_line(name: str, tmp_path: Path) -> None:
    """Each variant, auto-detected and forced: rejected properly, or honest if valid."""
    work = workdir(tmp_path, name)
    intact_path = work / "intact"
    intact_path.write_bytes(fixture_bytes(name))
    intact = totals(summary(cli(*report_args(intact_path, work))))
    assert intact[0] > 0, "the intact fixture must have lines for the damage to matter"
    failures: list[str] = []
    for variant, data in variants(name, tmp_path).items():
        path = work / f"{name}-{variant}"
        path.write_bytes(data)
        for forced in (None, name):
            run = cli(*report_args(path, work, forced))
            how = f"{variant} ({'--input-format' if forced else 'detected'})"
            why_valid = may_be_accepted(name, variant, data)
            if why_valid is None:
                failures += [f"{how}: {p}" for p in rejection_problems(run, path)]
                failures += [f"{how}: {p}" for p in wrong_line(name, variant, data, run, path)]
            elif run.code != 0:
                failures += [f"{how}: {p}" for p in rejection_problems(run, path)]
            elif FIXTURES[name].kind == "text":
                got = totals(summary(run))[:2]
                want = independent_line_totals(name, data)
                if got != want:
                    failures.append(f"{how} ({why_valid}): lines {got}, honest {want}")
            elif totals(summary(run)) != intact:
                failures.append(f"{how} ({why_valid}): {totals(summary(run))} != {intact}")
            if run.seconds > SLOW:
                failures.append(f"{how}: took {run.seconds:.1f} s")
    assert not failures, "\n".join(failures)


def test_legitimate_cuts_are_exercised() -> None:
    """The honest-totals branch above runs for real: the boundary cuts are valid reports."""
    for name in ("lcov", "gocover"):
        data = fixture_bytes(name)
        cut = data[: record_boundary(name, data)]
        assert legit_cut(name, cut)
        assert 0 < independent_line_totals(name, cut)[0] < independent_line_totals(name, data)[0]


@pytest.mark.parametrize("name", ["lcov", "gocover"])
def test_independent_totals_match_the_intact_fixture(name: str, tmp_path: Path) -> None:
    """The independent count used for honest totals agrees with covgap on the whole file."""
    path = tmp_path / name
    path.write_bytes(fixture_bytes(name))
    got = totals(summary(cli(*report_args(path, tmp_path))))[:2]
    assert got == independent_line_totals(name, fixture_bytes(name))


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_another_formats_report_forced_as_this_one_is_rejected(name: str, tmp_path: Path) -> None:
    """``--input-format NAME`` on every other format's real report: mismatched, rejected."""
    work = workdir(tmp_path, name)
    failures = []
    for other in sorted(FIXTURES):
        if other == name:
            continue
        path = work / f"{other}-report"
        path.write_bytes(fixture_bytes(other))
        run = cli(*report_args(path, work, name))
        failures += [f"{other} read as {name}: {p}" for p in rejection_problems(run, path)]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_skip_invalid_reports_the_good_input_and_lists_the_bad(name: str, tmp_path: Path) -> None:
    work = workdir(tmp_path, name)
    good = work / "good"
    good.write_bytes(fixture_bytes(name))
    bad = work / "bad"
    bad.write_bytes(variants(name, tmp_path)["truncated-50%"])
    alone = summary(cli(*report_args(good, work)))
    run = cli(
        "report", "--repo", str(work), "--skip-invalid", "--format", "json", str(good), str(bad)
    )
    doc = summary(run)
    assert totals(doc) == totals(alone)
    assert [s["path"] for s in doc["skipped"]] == [str(bad)]
    assert doc["skipped"][0]["reason"].startswith(str(bad))
    assert f"covgap: warning: skipped {bad}: " in run.stderr


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_a_real_process_prints_no_traceback(name: str, tmp_path: Path) -> None:
    """Outside CliRunner: the installed entry point, real stdout/stderr and encodings."""
    work = workdir(tmp_path, name)
    path = work / "damaged"
    path.write_bytes(variants(name, tmp_path)["nul-block"])
    proc = subprocess.run(
        [sys.executable, "-m", "covgap", *report_args(path, work)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr, 0.0)
    assert rejection_problems(run, path) == []


def test_every_variant_kind_is_generated(tmp_path: Path) -> None:
    """The hostile variants the standard names exist for each kind of format."""
    wanted = {
        "xml": {"billion-laughs", "external-entity"},
        "json": {"deeply-nested", "deeply-nested-unclosed"},
        "text": {"cut-at-record-boundary", "nul-in-path"},
        "sqlite": set(),
    }
    common = {"truncated-25%", "truncated-50%", "truncated-90%", "byte-flipped", "nul-block"}
    common |= {"empty", "blank", "absurd-count", "negative-count"}
    for name, fx in FIXTURES.items():
        got = set(variants(name, tmp_path))
        assert common | wanted[fx.kind] <= got, name
        assert any(v.startswith("header-then-") for v in got), name
        for variant, data in variants(name, tmp_path).items():
            assert data != fixture_bytes(name), f"{name} {variant} is not damaged"


# -- outputs survive a failing run ---------------------------------------------------------


BAD_INPUT = b"TN:\nSF:src/a.rs\nDA:1,1\nDA:2,"  # LCOV cut inside a record


@pytest.mark.parametrize(
    ("command", "out_name"),
    [
        (["report", "--format", "json"], "coverage.json"),
        (["report", "--format", "markdown"], "COVERAGE.md"),
        (["merge"], "merged.info"),
        (["merge", "--to", "json"], "merged.json"),
        (["convert"], "converted.xml"),
    ],
)
def test_a_failing_run_leaves_the_output_file_byte_identical(
    command: list[str], out_name: str, tmp_path: Path
) -> None:
    good = tmp_path / "good.info"
    good.write_bytes(fixture_bytes("lcov"))
    bad = tmp_path / "bad.info"
    bad.write_bytes(BAD_INPUT)
    out = tmp_path / out_name
    previous = b"the user's previous output \x00\xff, not to be touched\n"
    out.write_bytes(previous)
    before = sorted(p.name for p in tmp_path.iterdir())
    inputs = [str(bad)] if command[0] == "convert" else [str(good), str(bad)]
    run = cli(*command, "--repo", str(tmp_path), *inputs, "-o", str(out))
    assert rejection_problems(run, bad) == []
    assert out.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary left over


def test_skip_invalid_with_nothing_readable_leaves_the_output(tmp_path: Path) -> None:
    bad = tmp_path / "bad.info"
    bad.write_bytes(BAD_INPUT)
    out = tmp_path / "merged.info"
    out.write_bytes(b"previous\n")
    run = cli("merge", "--repo", str(tmp_path), "--skip-invalid", str(bad), "-o", str(out))
    assert run.code == 2
    assert run.stderr.startswith("covgap: error: none of the inputs could be read: ")
    assert len(run.stderr.splitlines()) == 1
    assert out.read_bytes() == b"previous\n"


def test_a_failing_html_run_leaves_the_previous_site(tmp_path: Path) -> None:
    good = tmp_path / "good.info"
    good.write_bytes(fixture_bytes("lcov"))
    site = tmp_path / "site"
    assert (
        cli("report", "--repo", str(tmp_path), "--format", "html", "-o", str(site), str(good)).code
        == 0
    )
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    bad = tmp_path / "bad.info"
    bad.write_bytes(BAD_INPUT)
    run = cli("report", "--repo", str(tmp_path), "--format", "html", "-o", str(site), str(bad))
    assert rejection_problems(run, bad) == []
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_the_html_site_gets_the_umask_mode_and_keeps_its_own(tmp_path: Path) -> None:
    """The site is built in a mkdtemp folder (0700) and renamed into place: it must get
    mkdir's mode, so a web server or another CI user can read it, and a rebuilt site
    keeps the permissions its owner gave the folder."""
    import os
    import stat

    good = tmp_path / "good.info"
    good.write_bytes(fixture_bytes("lcov"))
    site = tmp_path / "site"
    old = os.umask(0o022)
    try:
        args = ("report", "--repo", str(tmp_path), "--format", "html", "-o", str(site))
        assert cli(*args, str(good)).code == 0
        assert stat.S_IMODE(site.stat().st_mode) == 0o755
        site.chmod(0o750)
        first = site.stat().st_ino
        good.write_bytes(fixture_bytes("lcov") + b"\n")  # another input: a new site
        assert cli(*args, str(good)).code == 0
        assert site.stat().st_ino != first
        assert stat.S_IMODE(site.stat().st_mode) == 0o750
    finally:
        os.umask(old)


# -- hostile paths -------------------------------------------------------------------------


TRAVERSAL = (
    b"TN:\nSF:../../../../../../../../etc/passwd\nDA:1,1\nDA:2,0\nend_of_record\n"
    b"SF:/etc/passwd\nDA:3,1\nend_of_record\n"
    b"SF:src/../../../../../../../../etc/hostname\nDA:1,1\nend_of_record\n"
)


def test_paths_outside_the_repository_are_counted_never_read(tmp_path: Path) -> None:
    """A report naming ../../etc/passwd: totals as written, listed as unmapped, no content."""
    repo = tmp_path / "repo"
    repo.mkdir()
    report = repo / "hostile.info"
    report.write_bytes(TRAVERSAL)
    secret = Path("/etc/passwd").read_text(errors="replace").splitlines()[:1]
    run = cli("report", "--repo", str(repo), "--format", "json", str(report))
    doc = summary(run)
    assert totals(doc)[:2] == (4, 3)
    unmapped = {p for group in doc["unmapped"] for p in group["paths"]}
    assert len(unmapped) == 3
    site = tmp_path / "site"
    html = cli("report", "--repo", str(repo), "--format", "html", "-o", str(site), str(report))
    assert html.code == 0, html.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    own = (site, repo / ".covgap")  # the site, and covgap's cache inside the repository
    assert all(p == report or any(d in p.parents for d in own) for p in written)
    for text in [run.stdout, *(p.read_text(errors="replace") for p in written if p != report)]:
        assert not secret or secret[0] not in text


@pytest.mark.parametrize("command", ["diff", "check"])
def test_a_damaged_baseline_is_rejected_like_any_report(command: str, tmp_path: Path) -> None:
    """``--baseline`` reads covgap JSON through its own summary path: same standard."""
    report = tmp_path / "lcov.info"
    report.write_bytes(fixture_bytes("lcov"))
    failures = []
    for variant in ("truncated-50%", "byte-flipped", "gzip-truncated", "empty", "absurd-count"):
        baseline = tmp_path / f"baseline-{variant}.json"
        baseline.write_bytes(variants("covgap", tmp_path)[variant])
        run = cli(command, "--repo", str(tmp_path), "--baseline", str(baseline), str(report))
        # check reports which inputs it read before it reads the baseline: notes may
        # precede the error, which must still be the one and last line that is an error.
        errors = [ln for ln in run.stderr.splitlines() if ln.startswith("covgap: error: ")]
        last = run.stderr.splitlines()[-1:] if run.stderr else []
        tail = Run(run.code, run.stdout, "".join(f"{ln}\n" for ln in last), run.seconds)
        problems = rejection_problems(tail, baseline)
        if len(errors) != 1:
            problems.append(f"{len(errors)} error lines")
        if command == "diff" and run.stderr.count("\n") != 1:
            problems.append(f"stderr is not one line: {run.stderr[:300]!r}")
        failures += [f"{variant}: {p}" for p in problems]
    assert not failures, "\n".join(failures)


def _llvm_wrapping_two_billion_lines() -> bytes:
    doc = json.loads(fixture_bytes("llvm-json"))
    doc["data"][0]["files"][0]["segments"] = [
        [1, 1, 5, True, True, False],
        [2_000_000_000, 1, 0, False, False, False],
    ]
    return json.dumps(doc).encode()


@pytest.mark.parametrize(
    ("name", "make", "place"),
    [
        ("gocover", lambda: b"mode: count\nx.go:1.1,2000000000.1 1 1\n", ":2: "),
        ("llvm-json", _llvm_wrapping_two_billion_lines, ": data[0].files[0].segments: "),
    ],
)
def test_a_record_spanning_two_billion_lines_is_refused_at_once(
    name: str, make: Any, place: str, tmp_path: Path
) -> None:
    """Formats that derive lines from spans must not walk a hostile span (a hang, then OOM)."""
    path = tmp_path / name
    path.write_bytes(make())
    run = cli(*report_args(path, tmp_path))
    assert rejection_problems(run, path) == []
    assert run.stderr.startswith(f"covgap: error: {path}{place}")
    assert run.seconds < SLOW


OUTCOME_CLAIMS: dict[str, tuple[str, str]] = {
    "cobertura": (
        '<line number="{i}" hits="1" branch="true" condition-coverage="0% (0/65536)"/>',
        '<?xml version="1.0" ?><coverage version="7.0" line-rate="1" branch-rate="0">'
        '<packages><package name="p"><classes><class name="a" filename="a.py"><methods/>'
        "<lines>{rows}</lines></class></classes></package></packages></coverage>",
    ),
    "clover": (
        '<line num="{i}" count="1" type="cond" truecount="32768" falsecount="32768"/>',
        '<?xml version="1.0"?>\n<coverage generated="1" clover="3.2.0">'
        '<project name="p"><file name="a.js" path="a.js">{rows}</file></project></coverage>',
    ),
    "jacoco": (
        '<line nr="{i}" mi="0" ci="1" mb="65535" cb="0"/>\n',
        '<?xml version="1.0"?>\n<report name="r"><package name="p">'
        '<sourcefile name="A.java">\n{rows}</sourcefile></package></report>',
    ),
}
"""Per XML format: a line claiming 65536 (JaCoCo: 65535) branch outcomes, and a report."""


def outcome_claims(name: str, lines: int) -> bytes:
    """A report of ``name`` with ``lines`` such lines (about 75 bytes each)."""
    row, doc = OUTCOME_CLAIMS[name]
    rows = "".join(row.format(i=i) for i in range(1, lines + 1))
    return doc.replace("{rows}", rows).encode()


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("cobertura", ": <class filename='a.py'>: "),
        ("clover", ":2: a.js: "),
        ("jacoco", ":33: the report claims more than 2,000,000"),
    ],
)
def test_a_small_report_claiming_millions_of_branch_outcomes_is_refused(
    name: str, place: str, tmp_path: Path
) -> None:
    """40 KB of XML claiming 33 million outcomes (it was 1.3 GB; Clover: 5 GB, a minute)."""
    path = tmp_path / name
    path.write_bytes(outcome_claims(name, 500))
    assert len(path.read_bytes()) < 45_000
    run = cli(*report_args(path, tmp_path, name))
    assert rejection_problems(run, path) == []
    assert run.stderr.startswith(f"covgap: error: {path}{place}")
    assert run.seconds < SLOW  # JaCoCo builds up to its budget first: about 2 s
    # The same shape within the budget is a report like any other.
    path.write_bytes(outcome_claims(name, 10))
    assert totals(summary(cli(*report_args(path, tmp_path, name))))[2] in (
        10 * 65536,
        10 * 65535,
    )


def test_a_jacoco_line_with_a_billion_branches_is_refused(tmp_path: Path) -> None:
    """No JVM method has room for more than 65535 branches; the reader walked them all."""
    path = tmp_path / "jacoco.xml"
    path.write_bytes(outcome_claims("jacoco", 1).replace(b"65535", b"1000000000"))
    run = cli(*report_args(path, tmp_path))
    assert rejection_problems(run, path) == []
    assert run.stderr.startswith(f"covgap: error: {path}:3: mb 1000000000 is too large")
    assert run.seconds < SLOW
