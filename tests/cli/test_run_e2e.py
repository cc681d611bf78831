"""``covgap run`` end to end on the polyglot fixture, with the real toolchains.

One ``covgap run`` measures Rust (instrumented build, llvm-19), Python (coverage.py),
Ruby (SimpleCov) and TypeScript (tsc with source maps, c8 around node's test runner),
plus the Rust library through Python's ctypes and Ruby's fiddle. The test then runs
each tool by hand, as its own documentation says, in a second copy of the
repository, and checks the merged reports agree line for line.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from conftest import require_tool
from covgap.cli import main

pytestmark = pytest.mark.realtool

HERE = Path(__file__).resolve()
FIXTURE = HERE.parents[1] / "data" / "polyglot"
NODE_BIN = HERE.parents[2] / "tools" / "node" / "node_modules" / ".bin"
TIMEOUT = 600


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["CARGO_NET_OFFLINE"] = "true"
    env.pop("CARGO_TARGET_DIR", None)  # the libraries load from the usual target path
    env.pop("RUSTFLAGS", None)
    env.pop("LLVM_PROFILE_FILE", None)
    env.pop("VIRTUAL_ENV", None)
    env.pop("COVERAGE_PROCESS_START", None)
    env.pop("PYTEST_ADDOPTS", None)
    return env


def _tools() -> None:
    require_tool("cargo", "rustc", "llvm-profdata-19", "llvm-cov-19", "ruby", "rspec", "node")
    require_tool("npm")
    if not ((NODE_BIN / "c8").exists() and (NODE_BIN / "tsc").exists()):
        if os.environ.get("COVGAP_REQUIRE_TOOLS"):
            pytest.fail("tools/node has no c8 or tsc; run make node-tools")
        pytest.skip("tools/node has no c8 or tsc (make node-tools)")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def covgap(repo: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    """Run covgap in this process (so the suite's own coverage sees it) with the tools'
    environment; the tools themselves run in subprocesses."""
    wanted = env if env is not None else _env()
    patch: dict[str, str | None] = {k: None for k in os.environ if k not in wanted}
    patch.update(wanted)
    result = CliRunner().invoke(main, [*args, "--repo", str(repo)], env=patch)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def sh(argv: list[str], cwd: Path, env: dict[str, str] | None = None, **kw: Any) -> str:
    proc = subprocess.run(
        argv,
        cwd=cwd,
        env={**_env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
        **kw,
    )
    assert proc.returncode == 0, f"{argv}: {proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, Any]]]:
    _tools()
    repo = tmp_path_factory.mktemp("run") / "poly"
    shutil.copytree(FIXTURE, repo)
    proc = covgap(repo, "run", "--format", "json", "--detail", "-o", str(repo.parent / "r.json"))
    assert proc.returncode == 0, proc.stderr
    yield repo, json.loads((repo.parent / "r.json").read_text())


def _by_hand(repo: Path) -> list[str]:
    """Every tool run as its docs say; returns the FLAG=REPORT inputs."""
    out = repo.parent / "hand"
    out.mkdir()
    llvm = {"profdata": "llvm-profdata-19", "cov": "llvm-cov-19"}
    ignore = r"-ignore-filename-regex=(^|/)(rustc/[0-9a-f]+|\.cargo/(registry|git))/"

    def export(profiles: Path, objects: list[str], report: Path) -> list[Path]:
        """One export per object (see covgap.run.cargo._merge_and_export for why)."""
        raws = sorted(str(p) for p in profiles.glob("*.profraw"))
        sh([llvm["profdata"], "merge", "-sparse", *raws, "-o", str(profiles / "m.profdata")], repo)
        argv = [llvm["cov"], "export", "-format=text", f"-instr-profile={profiles / 'm.profdata'}"]
        written = []
        for n, obj in enumerate(objects):
            written.append(report.with_name(f"{report.stem}-{n}.json"))
            written[-1].write_text(sh([*argv, ignore, obj], repo))
        return written

    def rust_env(profiles: Path) -> dict[str, str]:
        profiles.mkdir()
        return {
            "RUSTFLAGS": "-C instrument-coverage",
            "LLVM_PROFILE_FILE": str(profiles / "%p-%m.profraw"),
        }

    # Rust, as the rustc book's instrument-coverage chapter: build, find the test
    # binaries in cargo's JSON messages, run, merge, export.
    env = rust_env(out / "rust")
    messages = sh(["cargo", "test", "--no-run", "--message-format=json"], repo, env)
    tests = [
        m["executable"]
        for m in map(json.loads, messages.splitlines())
        if m.get("reason") == "compiler-artifact"
        and m.get("executable")
        and m.get("profile", {}).get("test")
    ]
    sh(["cargo", "test"], repo, env)
    rust = export(out / "rust", tests, out / "rust.json")
    assert len(rust) == 2  # the library's unit tests, the polyserve binary's harness
    # The cdylib the Python and Ruby tests load, built instrumented.
    lib = repo / "target" / "debug" / "libpolycore.so"
    py_env = rust_env(out / "pyffi")
    sh(["cargo", "build", "--lib"], repo, py_env)
    # coverage.py's docs: coverage run --branch -m pytest; coverage json.
    sh(
        [sys.executable, "-m", "coverage", "run", "--branch", "-m", "pytest"],
        repo / "python",
        py_env,
    )
    sh([sys.executable, "-m", "coverage", "json", "-o", str(out / "py.json")], repo / "python")
    pyffi = export(out / "pyffi", [str(lib)], out / "pyffi.json")
    # SimpleCov's README: require and start it before the code loads.
    (out / "cov_helper.rb").write_text(
        'require "simplecov"\nSimpleCov.enable_coverage :branch\nSimpleCov.start\n'
    )
    rb_env = rust_env(out / "rbffi")
    sh(["rspec", "--require", str(out / "cov_helper.rb")], repo / "ruby", rb_env)
    rbffi = export(out / "rbffi", [str(lib)], out / "rbffi.json")
    # c8's README: c8 npm test.
    sh([str(NODE_BIN / "c8"), "--reporter=json", "npm", "test"], repo / "ts")
    return [
        *(f"rust={p}" for p in rust),
        f"python={out / 'py.json'}",
        *(f"python-ffi={p}" for p in pyffi),
        f"ruby={repo / 'ruby' / 'coverage' / '.resultset.json'}",
        *(f"ruby-ffi={p}" for p in rbffi),
        f"node={repo / 'ts' / 'coverage' / 'coverage-final.json'}",
    ]


def _per_line(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        f["path"]: (f["lines"], f["branches"], f["functions"], f["flags"]) for f in doc["files"]
    }


def test_run_equals_each_tool_by_hand(
    measured: tuple[Path, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    _, doc = measured
    hand_repo = tmp_path_factory.mktemp("hand") / "poly"
    shutil.copytree(FIXTURE, hand_repo)
    inputs = _by_hand(hand_repo)
    proc = covgap(hand_repo, "report", "--format", "json", "--detail", *inputs)
    assert proc.returncode == 0, proc.stderr
    hand = json.loads(proc.stdout)
    assert _per_line(doc) == _per_line(hand)
    assert doc["summary"] == hand["summary"]
    assert {f["path"] for f in doc["files"]} >= {
        "crates/polycore/src/lib.rs",
        "python/polypy/__init__.py",
        "ruby/lib/polyrb.rb",
        "ts/src/index.ts",
    }


def test_rust_reached_only_through_python_is_the_python_ffi_suite(
    measured: tuple[Path, dict[str, Any]],
) -> None:
    _, doc = measured
    lib = next(f for f in doc["files"] if f["path"] == "crates/polycore/src/lib.rs")
    src = (FIXTURE / "crates/polycore/src/lib.rs").read_text().splitlines()
    scale = next(n for n, text in enumerate(src, 1) if "x * k" in text)
    clamp = next(n for n, text in enumerate(src, 1) if text.strip() == "hi")
    add = next(n for n, text in enumerate(src, 1) if text.strip() == "a + b")
    suites = {
        line: {flag for flag, lines in lib["flags"].items() if line in lines}
        for line in (scale, clamp, add)
    }
    assert suites == {scale: {"python-ffi"}, clamp: {"ruby-ffi"}, add: {"rust"}}
    assert {f["name"] for f in doc["flags"]} == {
        "rust",
        "python",
        "python-ffi",
        "ruby",
        "ruby-ffi",
        "node",
    }


def test_run_keeps_which_test_ran_each_line(measured: tuple[Path, dict[str, Any]]) -> None:
    repo, doc = measured
    py = next(f for f in doc["files"] if f["path"] == "python/polypy/__init__.py")
    contexts = dict(py["contexts"])
    src = (FIXTURE / "python/polypy/__init__.py").read_text().splitlines()
    scale_body = next(n for n, text in enumerate(src, 1) if "_LIB.poly_scale(x, k)" in text)
    assert contexts[scale_body] == ["test_polypy.test_scale"]
    proc = covgap(repo, "who-covers", f"python/polypy/__init__.py:{scale_body}", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    answer = json.loads(proc.stdout)
    assert answer["tests"] == ["test_polypy.test_scale"]
    assert answer["suites"] == ["python"]
    manifest = json.loads(
        next((repo / ".covgap" / "runs").glob("*/run.json")).read_text(encoding="utf-8")
    )
    assert {c["name"] for c in manifest["components"]} == {"polycore", "polypy", "polyrb", "polyts"}
    assert all(
        (repo / ".covgap" / "runs" / manifest["run_id"] / c["log"]).is_file()
        for c in manifest["components"]
    )


def _node_repo(root: Path, expected: str = "HI!") -> Path:
    """A one-package repository (plain JavaScript: no compile step, so it is quick)."""
    pkg = root / "repo" / "js"
    (pkg / "test").mkdir(parents=True)
    (pkg / "package.json").write_text(
        '{"name": "polyjs", "type": "module", "scripts": {"test": "node --test test/"}}'
    )
    (pkg / "index.js").write_text(
        "export function shout(t) {\n  if (t.length === 0) {\n    return '';\n  }\n"
        "  return t.toUpperCase() + '!';\n}\n"
    )
    (pkg / "test" / "index.test.js").write_text(
        'import assert from "node:assert/strict";\nimport { test } from "node:test";\n'
        'import { shout } from "../index.js";\n'
        f'test("shout", () => {{ assert.equal(shout("hi"), "{expected}"); }});\n'
    )
    return root / "repo"


def test_failing_tests_still_report_and_exit_1(tmp_path: Path) -> None:
    _tools()
    repo = _node_repo(tmp_path, expected="nope")
    proc = covgap(repo, "run", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "tests FAILED" in proc.stderr
    assert json.loads(proc.stdout)["summary"]["lines_covered"] > 0
    assert covgap(repo, "run", "polyjs", "--allow-test-failures").returncode == 0


def test_then_check_gates_the_run(tmp_path: Path) -> None:
    _tools()
    repo = _node_repo(tmp_path)
    config = repo / "covgap.toml"
    config.write_text("[gates]\nline = 99\n")
    proc = covgap(repo, "run", "polyjs", "--then", "check")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    config.write_text("[gates]\nline = 50\n")
    assert covgap(repo, "run", "polyjs", "--then", "check").returncode == 0


def test_a_missing_tool_names_its_package(tmp_path: Path) -> None:
    _tools()
    repo = _node_repo(tmp_path)
    env = _env()
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != str(NODE_BIN))
    if shutil.which("c8", path=env["PATH"]):
        pytest.skip("c8 is installed globally")
    proc = covgap(repo, "run", "polyjs", env=env)
    assert proc.returncode == 2
    assert "c8 not found" in proc.stderr and "npm install --save-dev c8" in proc.stderr


def test_html_file_page_lists_the_tests_of_each_line(
    measured: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    repo, doc = measured
    inputs = [f"{i['flag']}={i['path']}" for i in doc["inputs"]]
    proc = covgap(repo, "report", "--format", "html", "-o", str(tmp_path / "html"), *inputs)
    assert proc.returncode == 0, proc.stderr
    tests: list[str] = []
    for page in (tmp_path / "html").rglob("*.html"):
        text = page.read_text()
        start = text.find('<script type="application/json" id="covgap-file">')
        if start < 0:
            continue
        body = text[start:].split(">", 1)[1].split("</script>", 1)[0]
        tests += json.loads(body).get("extra", {}).get("tests", {}).get("lines", {}).values()
    assert any("test_polypy.test_scale" in names for names in tests)


def test_e2e_suite_of_instrumented_binaries(tmp_path: Path) -> None:
    _tools()
    repo = tmp_path / "poly"
    shutil.copytree(FIXTURE, repo)
    config = repo / "covgap.toml"
    config.write_text(
        config.read_text()
        + '\n[components.polycore.run.e2e]\nbinaries = ["polyserve"]\n'
        + 'command = "target/debug/polyserve 7"\n'
    )
    proc = covgap(repo, "run", "polycore", "--format", "json", "--detail")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    lib = next(f for f in doc["files"] if f["path"] == "crates/polycore/src/lib.rs")
    src = (FIXTURE / "crates/polycore/src/lib.rs").read_text().splitlines()
    unused = next(n for n, text in enumerate(src, 1) if text.strip() == "x - 1")
    add = next(n for n, text in enumerate(src, 1) if text.strip() == "a + b")
    assert unused in lib["flags"]["e2e"] and unused not in lib["flags"]["rust"]
    assert add in lib["flags"]["rust"] and add not in lib["flags"]["e2e"]
    serve = next(f for f in doc["files"] if f["path"].endswith("bin/polyserve.rs"))
    assert serve["lines_covered"] == serve["lines_total"] > 0


def test_go_module_equals_go_test_by_hand(tmp_path: Path) -> None:
    require_tool("go")
    mod = tmp_path / "repo" / "gosvc"
    (mod / "calc").mkdir(parents=True)
    (mod / "go.mod").write_text("module example.com/gosvc\n\ngo 1.19\n")
    (mod / "calc" / "calc.go").write_text(
        "package calc\n\nfunc Sign(n int) int {\n\tif n < 0 {\n\t\treturn -1\n\t}\n\treturn 1\n}\n"
    )
    (mod / "calc" / "calc_test.go").write_text(
        'package calc\n\nimport "testing"\n\n'
        'func TestSign(t *testing.T) {\n\tif Sign(3) != 1 {\n\t\tt.Fatal("sign")\n\t}\n}\n'
    )
    repo = mod.parent
    proc = covgap(repo, "run", "--format", "json", "--detail")
    assert proc.returncode == 0, proc.stderr
    ran = json.loads(proc.stdout)
    profile = tmp_path / "by-hand.out"
    sh(
        ["go", "test", "-covermode=count", "-coverpkg=./...", f"-coverprofile={profile}", "./..."],
        mod,
    )
    proc = covgap(repo, "report", "--format", "json", "--detail", f"go={profile}")
    assert proc.returncode == 0, proc.stderr
    assert _per_line(ran) == _per_line(json.loads(proc.stdout))
    calc = next(f for f in ran["files"] if f["path"] == "gosvc/calc/calc.go")
    assert calc["lines_covered"] < calc["lines_total"] and calc["flags"]["go"]


def test_an_empty_report_is_listed_and_the_run_is_incomplete(tmp_path: Path) -> None:
    """c8 writes `{}` when the test script never starts node: the other component is
    still reported, the empty one is listed as skipped, and the exit status is 2."""
    _tools()
    repo = _node_repo(tmp_path)
    broken = repo / "broken"
    broken.mkdir()
    (broken / "package.json").write_text('{"name": "broken", "scripts": {"test": "exit 3"}}')
    proc = covgap(repo, "run", "--format", "json")
    assert proc.returncode == 2, proc.stderr
    doc = json.loads(proc.stdout)
    assert [f["path"] for f in doc["files"]] == ["js/index.js"]
    assert "broken" in doc["skipped"][0]["path"] and "tests FAILED" in proc.stderr


def test_with_no_configuration_each_ecosystem_is_measured(tmp_path: Path) -> None:
    """The contract: with no config, a Cargo workspace, a pyproject package with tests/
    and a package.json whose test script runs node's test runner are each measured."""
    _tools()
    repo = _node_repo(tmp_path)
    files = {
        "Cargo.toml": '[workspace]\nmembers = ["crates/mini"]\nresolver = "2"\n',
        "crates/mini/Cargo.toml": '[package]\nname = "mini"\nversion = "0.1.0"\nedition = "2021"\n',
        "crates/mini/src/lib.rs": (
            "pub fn twice(x: i32) -> i32 {\n    x * 2\n}\n\n"
            "#[cfg(test)]\nmod tests {\n    #[test]\n    fn t() {\n"
            "        assert_eq!(super::twice(2), 4);\n    }\n}\n"
        ),
        "py/pyproject.toml": '[project]\nname = "minipy"\nversion = "0.1.0"\n',
        "py/minipy/__init__.py": "def half(x):\n    return x / 2\n",
        "py/tests/test_half.py": (
            "import minipy\n\n\ndef test_half():\n    assert minipy.half(4) == 2\n"
        ),
    }
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    proc = covgap(repo, "run", "--format", "json", "--detail")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    flags = {f["path"]: sorted(f["flags"]) for f in doc["files"]}
    assert flags["crates/mini/src/lib.rs"] == ["rust"]
    assert flags["py/minipy/__init__.py"] == ["python"]
    assert flags["js/index.js"] == ["node"]
    assert all(f["lines_covered"] > 0 for f in doc["files"])


def test_then_check_gates_the_polyglot_fixture(tmp_path: Path) -> None:
    """The issue's "done when": one `covgap run --then check` on the fixture measures
    every language (FFI suites included) and gates the merged result."""
    _tools()
    repo = tmp_path / "poly"
    shutil.copytree(FIXTURE, repo)
    with (repo / "covgap.toml").open("a") as fh:
        fh.write("\n[gates]\nline = 99.5\n")
    proc = covgap(repo, "run", "--then", "check")
    assert proc.returncode == 1, proc.stdout + proc.stderr  # the gate, not the tests
    assert "tests FAILED" not in proc.stderr
    out = proc.stdout.replace("\n", "")  # check wraps its long input line
    for suite in ("rust", "python", "python-ffi", "ruby", "ruby-ffi", "node"):
        assert f"{suite}=" in out, suite
    assert "1 of 1 gates fail" in proc.stdout and "is below 99.5 %" in proc.stdout
    for path in ("crates/polycore/src/lib.rs", "python/polypy/__init__.py", "ts/src/index.ts"):
        assert path in proc.stdout  # the failing gate lists every language's gaps
