"""Discovery: the usual report names, confirmed by content, decoys and skipped trees."""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import BinaryIO

import pytest

from conftest import DATA
from covgap import formats
from covgap.discovery import discover_reports
from covgap.formats import FormatSpec
from covgap.model import CoverageSet, FileCoverageBuilder


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def rel(root: Path, found: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in found]


# -- with a small registry of its own, so the logic is tested apart from the readers ----


def _file(path: str, hits: int) -> FileCoverageBuilder:
    b = FileCoverageBuilder(path)
    b.add_line(1, hits)
    return b


def _read_sf(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read ``SF:<path>[ <hits>]`` lines: one file each, line 1 hit ``hits`` (1) times."""
    cs = CoverageSet()
    for line in stream.read().decode().splitlines():
        if line.startswith("SF:"):
            path, _, hits = line[3:].partition(" ")
            cs.add(_file(path, int(hits or 1)).build())
    return cs


def _read_json(stream: BinaryIO, origin: str) -> CoverageSet:
    """Read ``{"files": [path, ...]}`` or ``{"files": {path: hits}}``."""
    import json

    files = json.loads(stream.read())["files"]
    pairs = files.items() if isinstance(files, dict) else ((p, 1) for p in files)
    cs = CoverageSet()
    for path, hits in pairs:
        cs.add(_file(path, hits).build())
    return cs


FAKE_LCOV = FormatSpec(
    name="lcov",
    title="fake LCOV",
    sniff=lambda head, name: head.startswith((b"TN:", b"SF:")),
    read=_read_sf,
    discover=("**/lcov.info", "**/*.lcov"),
)
FAKE_ISTANBUL = FormatSpec(
    name="istanbul",
    title="fake Istanbul",
    sniff=lambda head, name: head.startswith(b'{"files"'),
    read=_read_json,
    discover=("**/coverage-final.json",),
)
FAKE_CUSTOM = FormatSpec(
    name="custom",
    title="a format only its own discover globs find",
    sniff=lambda head, name: head.startswith(b"CUSTOM"),
    read=lambda stream, origin: CoverageSet(),
    discover=("reports/*.cov",),
)


@pytest.fixture
def fake_formats(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "_registry", [FAKE_LCOV, FAKE_ISTANBUL, FAKE_CUSTOM])


LCOV_A = "TN:\nSF:src/a.py\nend_of_record\n"
LCOV_B = "SF:web/b.ts\nend_of_record\n"


@pytest.mark.usefixtures("fake_formats")
def test_finds_well_known_and_format_declared_names(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "lcov.info": LCOV_A,
            "web/coverage/lcov.info": LCOV_B,
            "rust/target/llvm-cov/report.lcov": "SF:src/lib.rs\n",
            "coverage/.resultset.json": "SF:lib/a.rb\n",  # a known name; the content decides
            "reports/unit.cov": "CUSTOM 1",
            "reports/notes.txt": "SF:x.py\n",  # right content, unknown name
        },
    )
    assert rel(tmp_path, discover_reports(tmp_path)) == [
        "coverage/.resultset.json",
        "lcov.info",
        "reports/unit.cov",
        "rust/target/llvm-cov/report.lcov",
        "web/coverage/lcov.info",
    ]


@pytest.mark.usefixtures("fake_formats")
def test_decoys_and_skipped_directories(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "coverage.json": '{"reporter": ["text"], "all": true}',  # a tool's config
            "empty/lcov.info": "",
            "binary/lcov.info": "\x00\x01\x02",
            "node_modules/dep/coverage/lcov.info": LCOV_A,
            ".git/lcov.info": LCOV_A,
            ".venv/lib/lcov.info": LCOV_A,
            "venv/lcov.info": LCOV_A,
            ".nyc_output/lcov.info": LCOV_A,
            "tests/data/lcov/lcov.info": LCOV_A,
            "spec/fixtures/lcov.info": LCOV_A,
            "pkg/testdata/lcov.info": LCOV_A,
            "README.md": "lcov.info",
            "real/lcov.info": LCOV_A,
        },
    )
    assert rel(tmp_path, discover_reports(tmp_path)) == ["real/lcov.info"]


@pytest.mark.usefixtures("fake_formats")
def test_nothing_found_is_an_empty_list(tmp_path: Path) -> None:
    make_tree(tmp_path, {"src/a.py": "", "coverage.xml": "<not coverage/>"})
    assert discover_reports(tmp_path) == []


@pytest.mark.usefixtures("fake_formats")
def test_one_run_written_twice_is_used_once(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            # c8 writes both for one run: same files, so only the richer one is used.
            "coverage/lcov.info": "SF:src/a.js\nSF:src/b.js\n",
            "coverage/coverage-final.json": '{"files": ["/abs/src/a.js", "/abs/src/b.js"]}',
            # Two runs that share a directory cover different files: both are used.
            "lcov.info": "SF:py/x.py\n",
            "coverage-final.json": '{"files": ["web/y.ts"]}',
            # Same format twice in one directory (two suites): both are used.
            "suites/unit.lcov": "SF:src/a.py\n",
            "suites/e2e.lcov": "SF:src/a.py 2\n",
            # A copy of a report elsewhere is the same run once more.
            "ci-artifacts/unit.lcov": "SF:src/a.py\n",
            # Two suites over the same files, in two formats: their hits differ.
            "py/lcov.info": "SF:pkg/a.py 3\nSF:pkg/b.py 0\n",
            "py/coverage-final.json": '{"files": {"/ci/pkg/a.py": 1, "/ci/pkg/b.py": 2}}',
            # The same run gzip'd in two formats.
            "gz/lcov.info.gz": "",
            "gz/coverage-final.json.gz": "",
        },
    )
    for name, text in [
        ("gz/lcov.info.gz", "SF:x/a.rs 5\n"),
        ("gz/coverage-final.json.gz", '{"files": {"x/a.rs": 5}}'),
    ]:
        (tmp_path / name).write_bytes(gzip.compress(text.encode()))
    # Of two copies in one format, the first by path is kept.
    assert rel(tmp_path, discover_reports(tmp_path)) == [
        "ci-artifacts/unit.lcov",
        "coverage-final.json",
        "coverage/coverage-final.json",
        "gz/coverage-final.json.gz",
        "lcov.info",
        "py/coverage-final.json",
        "py/lcov.info",
        "suites/e2e.lcov",
    ]


@pytest.mark.usefixtures("fake_formats")
def test_order_does_not_depend_on_the_walk(tmp_path: Path) -> None:
    names = ["z/lcov.info", "a/lcov.info", "m/n/lcov.info", "b.lcov", "A.lcov"]
    make_tree(tmp_path, {name: f"SF:{i}.py\n" for i, name in enumerate(names)})
    first = rel(tmp_path, discover_reports(tmp_path))
    assert first == sorted(names)
    for path in (tmp_path / "a").iterdir():
        path.unlink()
    (tmp_path / "a" / "lcov.info").write_text("SF:1.py\n", encoding="utf-8")
    assert rel(tmp_path, discover_reports(tmp_path)) == first


# -- with the real registry and reports made by the real tools -------------------------


def test_real_reports_are_found_and_confirmed(tmp_path: Path) -> None:
    c8 = DATA / "c8"
    py = DATA / "coveragepy" / "lines.json"
    gcc = DATA / "gcc-lcov" / "calc.info"
    for needed in (c8 / "coverage-final.json", c8 / "lcov.info", py, gcc):
        if not needed.exists():
            pytest.fail(f"fixture {needed} is missing")
    (tmp_path / "web" / "coverage").mkdir(parents=True)
    shutil.copy(c8 / "coverage-final.json", tmp_path / "web/coverage/coverage-final.json")
    shutil.copy(c8 / "lcov.info", tmp_path / "web/coverage/lcov.info")
    shutil.copy(c8 / "coverage-summary.json", tmp_path / "web/coverage/coverage.json")
    shutil.copy(py, tmp_path / "coverage.json")
    shutil.copy(gcc, tmp_path / "lcov.info")
    make_tree(
        tmp_path,
        {
            "tools/coverage.json": '{"threshold": 80, "reporters": ["lcov"]}',
            "node_modules/x/lcov.info": gcc.read_text(encoding="utf-8"),
        },
    )
    found = rel(tmp_path, discover_reports(tmp_path))
    # c8's lcov.info repeats its coverage-final.json; the summary and the config are
    # not coverage; the Python and C runs share the root but not their files.
    assert found == ["coverage.json", "lcov.info", "web/coverage/coverage-final.json"]
    kinds = {p: formats.detect(tmp_path / p).name for p in found}
    assert kinds == {
        "coverage.json": "coveragepy-json",
        "lcov.info": "lcov",
        "web/coverage/coverage-final.json": "istanbul",
    }


def test_coveragepy_suites_and_exports_in_one_directory(tmp_path: Path) -> None:
    """Real coverage.py output: two suites' reports share a directory, one in two formats."""
    project = tmp_path / "py"
    shutil.copytree(DATA / "cobertura/coveragepy/app", project / "app")
    (project / "unit.py").write_text(
        "from app.ops import classify\nassert classify(3) == 'positive'\n", encoding="utf-8"
    )
    shutil.copy(DATA / "cobertura/coveragepy/run_app.py", project / "e2e.py")
    out = project / "coverage"
    out.mkdir()
    env = {**os.environ, "COVERAGE_FILE": str(project / ".coverage")}

    def coverage(*args: str) -> None:
        cmd = [sys.executable, "-m", "coverage", *args]
        subprocess.run(cmd, cwd=project, env=env, check=True, capture_output=True)

    coverage("run", "--source=app", "unit.py")
    coverage("xml", "-q", "-o", str(out / "coverage.xml"))
    coverage("lcov", "-q", "-o", str(out / "unit.lcov"))  # the unit run again, as LCOV
    coverage("run", "--source=app", "e2e.py")
    coverage("json", "-q", "-o", str(out / "coverage.json"))
    found = rel(tmp_path, discover_reports(tmp_path))
    # unit.lcov repeats coverage.xml (the unit run); coverage.json is the e2e suite, and
    # the .coverage data file left in the project holds that e2e run too.
    assert found == ["py/coverage/coverage.json", "py/coverage/coverage.xml"]
    (out / "coverage.json").unlink()
    assert rel(tmp_path, discover_reports(tmp_path)) == [
        "py/.coverage",
        "py/coverage/coverage.xml",
    ]
