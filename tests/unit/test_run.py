"""covgap.run: planning, the runners' pieces, the executor; no real toolchain needed."""

from __future__ import annotations

import json
import stat
import sys
from array import array
from pathlib import Path

import pytest

from covgap.cli.whocovers_cmd import who_covers
from covgap.config import validate
from covgap.errors import ConfigError, InputError
from covgap.formats import covgap_json
from covgap.model import CoverageSet, FileCoverage
from covgap.run import RUNNERS, execute, plan_run
from covgap.run.base import Job, ReportOut, RunError, Step, need, need_llvm
from covgap.run.cargo import artifacts
from covgap.run.executor import run_job
from covgap.run.python import rcfile_text
from covgap.workspace import Workspace


def test_components_keyed_by_name_carry_run_settings() -> None:
    cfg = validate(
        {
            "components": {
                "py": {"run": {"ffi": ["core"], "suite": "unit", "env": {"A": "1"}}},
                "lib": {"paths": ["lib/**"], "run": {"command": "make test"}},
            }
        }
    )
    assert [c.name for c in cfg.components] == ["lib"]  # only entries with paths declare
    assert cfg.runs["py"] == {"ffi": ["core"], "suite": "unit", "env": {"A": "1"}}
    assert cfg.runs["lib"] == {"command": "make test"}
    listed = validate({"components": [{"name": "a", "paths": ["a/**"], "run": {"suite": "x"}}]})
    assert listed.runs == {"a": {"suite": "x"}}


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"components": {"py": {"run": {"ffi": "core"}}}}, "components.py.run.ffi"),
        ({"components": {"py": {"run": {"nope": 1}}}}, "components.py.run.nope"),
        ({"components": [{"name": "a", "paths": ["a"], "run": {"env": {"A": 1}}}]}, "env.A"),
    ],
)
def test_bad_run_settings_name_the_key(table: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        validate(table)


def test_registry_has_one_runner_per_ecosystem() -> None:
    assert sorted(RUNNERS) == ["cargo", "go", "jvm", "node", "python", "ruby"]


def _workspace(tmp_path: Path, files: dict[str, str], config: dict[str, object]) -> Workspace:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return Workspace.load(tmp_path, validate(config))


def test_plan_skips_what_it_cannot_measure_and_says_why(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path,
        {
            "a/pyproject.toml": '[project]\nname = "a"\n',  # no tests/
            "b/package.json": '{"name": "b", "scripts": {"test": "echo \\"no test specified\\""}}',
        },
        {},
    )
    plan = plan_run(ws)
    assert plan.jobs == []
    assert {s.component: s.why for s in plan.skipped} == {
        "a": "python: no tests/ folder",
        "b": "node: package.json's test script is npm's placeholder",
    }
    with pytest.raises(RunError, match="no tests/ folder"):
        plan_run(ws, ["a"])
    with pytest.raises(RunError, match="no component named 'zz'"):
        plan_run(ws, ["zz"])


def test_run_settings_for_an_unknown_component_are_an_error(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, {"x.txt": ""}, {"components": {"ghost": {"run": {"suite": "s"}}}})
    with pytest.raises(RunError, match=r"\[components\.ghost\.run\]"):
        plan_run(ws)


def test_ffi_must_name_a_rust_component(tmp_path: Path) -> None:
    ws = _workspace(
        tmp_path,
        {
            "py/pyproject.toml": '[project]\nname = "py"\n',
            "py/tests/test_a.py": "def test_a():\n    pass\n",
            "js/package.json": '{"name": "js", "scripts": {"test": "node --test"}}',
        },
        {"components": {"py": {"run": {"ffi": ["js"]}}}},
    )
    with pytest.raises(RunError, match="not a Rust crate"):
        plan_run(ws, ["py"])


def test_custom_command_with_its_own_report_is_run_and_read(tmp_path: Path) -> None:
    """`command` + `report`: covgap runs it as is and reads what it wrote."""
    lcov = "SF:a/x.py\nDA:1,1\nDA:2,0\nend_of_record\n"
    script = f"import pathlib; pathlib.Path('out.info').write_text({lcov!r})"
    ws = _workspace(
        tmp_path,
        {"a/pyproject.toml": '[project]\nname = "a"\n', "a/x.py": "x = 1\ny = 2\n"},
        {
            "components": {
                "a": {
                    "run": {
                        "command": [sys.executable, "-c", script],
                        "report": "out.info",
                        "suite": "unit",
                    }
                }
            }
        },
    )
    outcome = execute(plan_run(ws, ["a"]), workers=1)
    assert [(p.name, s) for p, s in outcome.reports] == [("out.info", "unit")]
    manifest = json.loads(outcome.manifest.read_text())
    assert manifest["components"][0]["ok"] is True
    assert (tmp_path / ".covgap" / "runs" / "latest").read_text().strip() == manifest["run_id"]


def test_failing_tests_go_on_other_failures_stop(tmp_path: Path) -> None:
    report = tmp_path / "r.info"
    job = Job("c", "x", tmp_path, tmp_path / "out")
    job.steps = [
        Step("test", [sys.executable, "-c", "import sys; sys.exit(3)"], tests=True),
        Step("write", [sys.executable, "-c", f"open({str(report)!r}, 'w').write('x')"]),
        Step("build", [sys.executable, "-c", "import sys; sys.exit(5)"]),
        Step("never", [sys.executable, "-c", "raise SystemExit(0)"]),
    ]
    job.reports = [ReportOut(report, "unit"), ReportOut(tmp_path / "none", "e2e", "e2e never ran")]
    res = run_job(job)
    assert res.tests_failed == ["test (exit 3)"]
    assert res.error is not None and res.error.startswith("build failed (exit 5)")
    assert [r.suite for r in res.reports] == ["unit"]
    assert [(o.suite, why) for o, why in res.missing] == [("e2e", res.error)]
    log = res.log.read_text()
    assert "== never" not in log and "[exit 5]" in log


def test_a_missing_program_is_exit_127_in_the_log(tmp_path: Path) -> None:
    job = Job("c", "x", tmp_path, tmp_path / "out")
    job.steps = [Step("build", ["covgap-no-such-program-xyz"])]
    res = run_job(job)
    assert res.error is not None and "exit 127" in res.error
    assert "no such program" in res.log.read_text()


def test_need_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RunError, match="provided by npm install --save-dev c8"):
        need("c8")
    (tmp_path / "bin").mkdir()
    c8 = tmp_path / "bin" / "c8"
    c8.write_text("#!/bin/sh\n")
    c8.chmod(0o755)
    assert need("c8", extra_dirs=[tmp_path / "bin"]) == str(c8)


def test_need_llvm_prefers_the_newest_versioned_tool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("llvm-cov", "llvm-cov-14", "llvm-cov-19", "llvm-cov-19-extra"):
        p = tmp_path / name
        p.write_text("#!/bin/sh\n")
        p.chmod(p.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert need_llvm("llvm-cov", {}) == str(tmp_path / "llvm-cov-19")
    assert need_llvm("llvm-cov", {"LLVM_COV": "/x/llvm-cov"}) == "/x/llvm-cov"
    sysroot = tmp_path / "sysroot"
    (sysroot / "lib/rustlib/x86_64/bin").mkdir(parents=True)
    (sysroot / "lib/rustlib/x86_64/bin/llvm-cov").write_text("")
    assert need_llvm("llvm-cov", {}, sysroot).endswith("lib/rustlib/x86_64/bin/llvm-cov")


def test_cargo_artifacts_from_json_messages(tmp_path: Path) -> None:
    msgs = [
        {"reason": "compiler-artifact", "profile": {"test": True}, "executable": "/t/unit-1",
         "target": {"kind": ["lib"], "crate_types": ["lib"], "name": "c"}, "filenames": []},
        {"reason": "compiler-artifact", "profile": {"test": False}, "executable": None,
         "target": {"kind": ["cdylib", "rlib"], "crate_types": ["cdylib", "rlib"], "name": "c"},
         "filenames": ["/t/libc.so", "/t/libc.rlib"]},
        {"reason": "compiler-artifact", "profile": {"test": False}, "executable": "/t/server",
         "target": {"kind": ["bin"], "crate_types": ["bin"], "name": "server"}, "filenames": []},
        {"reason": "build-finished", "success": True},
    ]  # fmt: skip
    path = tmp_path / "m.jsonl"
    path.write_text("not json\n" + "\n".join(json.dumps(m) for m in msgs) + "\n")
    assert artifacts(path, tests=True) == ["/t/unit-1"]
    assert artifacts(path, cdylib=True) == ["/t/libc.so"]
    assert artifacts(path, binaries=["server"]) == ["/t/server"]
    assert artifacts(tmp_path / "absent") == []


def test_rcfile_keeps_the_projects_settings_and_adds_contexts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\n[tool.coverage.run]\nomit = ["gen/*"]\nsource = ["src"]\n'
        "[tool.coverage.report]\nfail_under = 90\nshow_missing = true\n"
    )
    (tmp_path / "src").mkdir()
    assert "patch" not in rcfile_text(tmp_path, tmp_path / "data", (7, 9))
    text = rcfile_text(tmp_path, tmp_path / "data", (7, 17))
    assert "patch =\n    subprocess\n" in text
    assert f"    {tmp_path / 'gen/*'}" in text
    assert f"    {tmp_path / 'src'}" in text
    assert "dynamic_context = test_function" in text and "branch = True" in text
    assert "parallel = True" in text and f"data_file = {tmp_path / 'data'}" in text
    assert "fail_under" not in text and "show_missing = True" in text
    import configparser

    parser = configparser.RawConfigParser()
    parser.read_string(text)
    assert parser.get("run", "dynamic_context") == "test_function"


def test_contexts_round_trip_through_covgap_json_and_merge() -> None:
    a = FileCoverage(
        "m.py",
        array("i", [1, 2, 3]),
        array("q", [1, 1, 0]),
        contexts={"t.test_a": array("i", [1, 2])},
    )
    b = FileCoverage(
        "m.py",
        array("i", [1, 2, 3]),
        array("q", [0, 1, 1]),
        contexts={"t.test_b": array("i", [2, 3])},
    )
    merged = a.merge(b)
    assert merged.contexts_for_line(2) == ("t.test_a", "t.test_b")
    assert merged.contexts_for_line(3) == ("t.test_b",)
    doc = covgap_json.file_to_json(merged, detail=True)
    assert doc["contexts"] == [[1, ["t.test_a"]], [2, ["t.test_a", "t.test_b"]], [3, ["t.test_b"]]]
    import io

    buffer = io.BytesIO()
    covgap_json.write(CoverageSet({"m.py": merged}), buffer)
    back = covgap_json.read(io.BytesIO(buffer.getvalue()), "x.json")
    assert back.files["m.py"] == merged
    assert merged != a.merge(FileCoverage("m.py", b.lines, b.hits))  # contexts count


def test_who_covers_answers_from_the_data() -> None:
    fc = FileCoverage(
        "src/pkg/m.py",
        array("i", [1, 2]),
        array("q", [2, 0]),
        flags={"unit": array("i", [1])},
        contexts={"t.test_a": array("i", [1])},
    )
    cs = CoverageSet({"src/pkg/m.py": fc})
    assert who_covers(cs, "pkg/m.py", 1) == {
        "path": "src/pkg/m.py",
        "line": 1,
        "executable": True,
        "hits": 2,
        "suites": ["unit"],
        "tests": ["t.test_a"],
        "tests_recorded": True,
    }
    assert who_covers(cs, "src/pkg/m.py", 9)["executable"] is False
    with pytest.raises(InputError, match="no coverage data"):
        who_covers(cs, "other.py", 1)


def test_html_file_page_lists_the_tests_of_a_line() -> None:
    """The file page's data carries, per line, the tests that ran it (an ``extra`` column)."""
    from covgap.report.html import FilePageJob, file_data

    fc = FileCoverage(
        "m.py",
        array("i", [1, 2]),
        array("q", [1, 1]),
        contexts={'t.test_"q"': array("i", [1]), "t.test_a": array("i", [1, 2])},
    )
    job = FilePageJob(fc, None, "m.html", None, (), "t")
    data = file_data(job)
    assert data["extra"]["tests"] == {
        "label": "Tests",
        "lines": {"1": 't.test_"q", t.test_a', "2": "t.test_a"},
    }


def test_live_display_and_plain_lines(capsys: pytest.CaptureFixture[str]) -> None:
    from covgap.cli.run_cmd import _live_display

    with _live_display(["a", "b"], True) as event:
        event("a", "queued", "")
        event("a", "test", "")
        event("a", "done", "ok")
        event("b", "done", "failed")
    with _live_display(["a"], False) as event:
        event("a", "test", "")
        event("a", "done", "ok")
    assert "covgap run: a: ok" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("contexts", "message"),
    [
        ({}, "must be an array"),
        ([[1]], r"contexts\[0\]: expected \[line, \[test names\]\]"),
        ([[1, [2]]], "test names must be strings"),
        ([[0, ["t"]]], r"contexts\[0\]"),
    ],
)
def test_malformed_contexts_in_covgap_json_are_refused(contexts: object, message: str) -> None:
    import io

    import orjson

    from covgap.errors import FormatError

    fc = FileCoverage("m.py", array("i", [1]), array("q", [1]))
    entry = covgap_json.file_to_json(fc, detail=True)
    entry["contexts"] = contexts
    doc = {"format": "covgap", "schema_version": 1, "files": [entry]}
    with pytest.raises(FormatError, match=message):
        covgap_json.read(io.BytesIO(orjson.dumps(doc)), "x.json")


def test_then_record_stores_the_runs_reports(tmp_path: Path) -> None:
    """`covgap run --then record` hands the suite-labelled reports to `record` (#11, #13)."""
    import subprocess
    from types import SimpleNamespace

    from covgap.cli.run_cmd import _then

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "a.py").write_text("x = 1\ny = 2\n")
    git = ["git", "-c", "user.email=t@e", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "one"], cwd=repo, check=True)
    report = tmp_path / "unit.info"
    report.write_text("SF:a.py\nDA:1,1\nDA:2,0\nBRDA:1,0,0,1\nBRDA:1,0,1,0\nend_of_record\n")
    outcome = SimpleNamespace(reports=[(report, "unit")])
    assert _then("record", outcome, repo, None) == 0  # type: ignore[arg-type]
    import json

    from click.testing import CliRunner

    from covgap.cli import main

    store = f"sqlite:///{repo / '.covgap' / 'history.db'}"
    result = CliRunner().invoke(
        main, ["trend", "--store", store, "--repo", str(repo), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    (point,) = json.loads(result.stdout)["points"]
    assert (point["totals"]["lines_total"], point["totals"]["lines_covered"]) == (2, 1)


_PY_PACKAGE = {
    "p/pyproject.toml": (
        '[project]\nname = "p"\n\n[tool.coverage.report]\nexclude_also = ["never"]\n'
    ),
    "p/pk/__init__.py": (
        "def half(n):\n    if n % 2:\n        raise ValueError(n)\n    return n // 2\n\n\n"
        "def never():\n    return 0\n"
    ),
    "p/tests/test_pk.py": "import pk\n\n\ndef test_half():\n    assert pk.half(4) == 2\n",
}


def _lines(ws: Workspace, reports: list[tuple[Path, str]]) -> dict[str, object]:
    from covgap.pipeline import InputSpec, load

    loaded = load([InputSpec(p, s) for p, s in reports], ws, ws.config)
    return {
        f.path: (
            list(f.line_hits()),
            list(f.branches()),
            {k: list(v) for k, v in f.contexts.items()},
        )
        for f in loaded.coverage.files.values()
    }


def test_python_in_process_combine_equals_coverage_json(tmp_path: Path) -> None:
    """covgap's own interpreter: combined in process and the data file read by covgap;
    another interpreter (a project .venv): its own `coverage combine` and `coverage
    json`. Both give the same lines, branches and per-test contexts."""
    own = _workspace(tmp_path / "own", _PY_PACKAGE, {})
    outcome = execute(plan_run(own, ["p"], env={"PYTHONPATH": str(tmp_path / "own/p")}))
    assert [(p.name, s) for p, s in outcome.reports] == [(".coverage", "python")]
    assert not list(outcome.reports[0][0].parent.glob(".coverage.*"))  # combined
    assert "combined into" in outcome.results[0].log.read_text()

    other = _workspace(tmp_path / "other", _PY_PACKAGE, {})
    venv = tmp_path / "other" / "p" / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    (venv / "python").chmod(0o755)
    outcome2 = execute(plan_run(other, ["p"], env={"PYTHONPATH": str(tmp_path / "other/p")}))
    assert [(p.name, s) for p, s in outcome2.reports] == [("python.coverage.json", "python")]

    mine, theirs = _lines(own, outcome.reports), _lines(other, outcome2.reports)
    assert mine == theirs and "p/pk/__init__.py" in mine
    _, _, contexts = mine["p/pk/__init__.py"]  # type: ignore[misc]
    assert contexts, "per-test contexts were lost"


def test_python_in_process_combine_without_data_says_so(tmp_path: Path) -> None:
    from covgap.run.python import _combiner

    rc = tmp_path / ".coveragerc"
    rc.write_text(f"[run]\nparallel = True\ndata_file = {tmp_path / '.coverage'}\n")
    job = Job("c", "python", tmp_path, tmp_path / "out")
    job.steps.append(Step("combine", action=_combiner(rc)))
    job.reports.append(ReportOut(tmp_path / ".coverage", "python", "coverage.py wrote no data"))
    result = run_job(job)
    assert result.error is not None and "coverage combine: No data to combine" in result.error


def test_rustc_sysroot_is_asked_once_per_toolchain_and_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from covgap.run import cargo

    calls = tmp_path / "calls"
    rustc = tmp_path / "bin" / "rustc"
    rustc.parent.mkdir()
    rustc.write_text(f'#!/bin/sh\necho "$PWD" >> "{calls}"\necho /opt/rust\n')
    rustc.chmod(0o755)
    monkeypatch.setenv("PATH", str(rustc.parent))
    monkeypatch.setattr(cargo, "_SYSROOTS", {})
    env = {"PATH": str(rustc.parent)}
    for _ in range(3):  # the crate, then two FFI suites over it
        assert cargo._sysroot(env, tmp_path) == Path("/opt/rust")
    assert calls.read_text().splitlines() == [str(tmp_path)]  # asked from the crate's folder
    cargo._sysroot({**env, "RUSTUP_TOOLCHAIN": "nightly"}, tmp_path)
    assert len(calls.read_text().splitlines()) == 2  # another toolchain: asked again
