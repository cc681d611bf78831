"""What each runner plans to run, with stand-in tools on PATH (no toolchain needed).

The real toolchains run in tests/cli/test_run_e2e.py; here each ecosystem's choices
(which command, which report, which environment) are checked directly, including the
paths no machine of ours has the tools for (bun, Vitest, Jest, Maven, Gradle,
cargo-llvm-cov).
"""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from covgap.cli import main
from covgap.config import validate
from covgap.run import plan_run
from covgap.run.base import Job, RunError, ToolMissing
from covgap.run.python import coverage_run_args, interpreter, project_coverage_config
from covgap.workspace import Workspace


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH of stand-in executables (plus the real rustc, when there is one)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in (
        "cargo",
        "llvm-profdata-19",
        "llvm-cov-19",
        "ruby",
        "rspec",
        "npm",
        "npx",
        "c8",
        "bun",
        "go",
        "mvn",
        "gradle",
    ):
        _exe(bin_dir / name)
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def _exe(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> None:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def _plan(root: Path, files: dict[str, str], config: dict[str, object], *names: str) -> Job:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    plan = plan_run(Workspace.load(root, validate(config)), names)
    assert plan.unmeasurable == [], plan.unmeasurable
    assert len(plan.jobs) == 1, plan.skipped
    return plan.jobs[0]


def _argvs(job: Job) -> list[list[str]]:
    """Each command step's argv, the stand-in tools shown by name."""
    out = []
    for step in job.steps:
        if isinstance(step.argv, list):
            out.append([Path(a).name if Path(a).parent.name == "bin" else a for a in step.argv])
    return out


def _pkg(script: str) -> str:
    return '{"name": "w", "scripts": {"test": "%s"}}' % script  # noqa: UP031


def test_node_default_is_c8_around_npm_test(tmp_path: Path, tools: Path) -> None:
    root = tmp_path / "repo"
    job = _plan(root, {"w/package.json": _pkg("node --test")}, {})
    [argv] = _argvs(job)
    assert argv[0] == "c8" and argv[-2:] == ["npm", "test"]
    assert "--reporter=json" in argv
    assert job.reports[0].path.name == "coverage-final.json"


def test_node_c8_of_the_package_wins_over_path(tmp_path: Path, tools: Path) -> None:
    root = tmp_path / "repo"
    local = root / "w" / "node_modules" / ".bin"
    local.mkdir(parents=True)
    _exe(local / "c8")
    job = _plan(root, {"w/package.json": _pkg("node --test")}, {})
    assert job.steps[0].argv[0] == str(local / "c8")  # type: ignore[index]


@pytest.mark.parametrize(
    ("files", "first", "report"),
    [
        ({"w/bun.lock": ""}, ["bun", "test", "--coverage"], "lcov.info"),
        ({}, ["npx", "vitest", "run"], "coverage-final.json"),
    ],
)
def test_node_bun_and_vitest(
    tmp_path: Path, tools: Path, files: dict[str, str], first: list[str], report: str
) -> None:
    script = "vitest" if "w/bun.lock" not in files else "bun test"
    job = _plan(tmp_path / "repo", {"w/package.json": _pkg(script), **files}, {})
    [argv] = _argvs(job)
    assert argv[:3] == first
    assert job.reports[0].path.name == report


def test_node_jest_and_a_custom_command(tmp_path: Path, tools: Path) -> None:
    job = _plan(tmp_path / "a", {"w/package.json": _pkg("jest --ci")}, {})
    assert _argvs(job)[0][:3] == ["npx", "jest", "--coverage"]
    job = _plan(
        tmp_path / "b",
        {"w/package.json": _pkg("jest")},
        {"components": {"w": {"run": {"command": "npx mocha", "suite": "unit"}}}},
    )
    argv = _argvs(job)[0]
    assert argv[0] == "c8" and argv[-2:] == ["npx", "mocha"]
    assert job.reports[0].suite == "unit"


def test_node_without_a_test_script_is_skipped(tmp_path: Path, tools: Path) -> None:
    root = tmp_path / "repo"
    (root / "w").mkdir(parents=True)
    (root / "w" / "package.json").write_text('{"name": "w"}')
    plan = plan_run(Workspace.load(root, validate({})))
    assert [s.why for s in plan.skipped] == ["node: package.json has no test script"]


def test_go_default_and_custom(tmp_path: Path, tools: Path) -> None:
    job = _plan(tmp_path / "a", {"m/go.mod": "module example.com/m\n"}, {})
    argv = _argvs(job)[0]
    assert argv[:4] == ["go", "test", "-covermode=count", "-coverpkg=./..."]
    assert argv[-1] == "./..."
    job = _plan(
        tmp_path / "b",
        {"m/go.mod": "module example.com/m\n"},
        {"components": {"m": {"run": {"command": "go test -race ./pkg/..."}}}},
    )
    assert _argvs(job)[0][-1].startswith("-coverprofile=")


def test_jvm_maven_gradle_and_declared(tmp_path: Path, tools: Path) -> None:
    decl = {"components": [{"name": "svc", "paths": ["svc/**"], "language": "java"}]}
    job = _plan(tmp_path / "a", {"svc/pom.xml": "<project/>"}, decl)
    argv = _argvs(job)[0]
    assert argv[0] == "mvn" and "test" in argv
    assert job.reports[0].path == tmp_path / "a" / "svc" / "target/site/jacoco/jacoco.xml"
    job = _plan(tmp_path / "b", {"svc/build.gradle": ""}, decl)
    assert _argvs(job)[0] == ["gradle", "test", "jacocoTestReport"]
    wrapper = tmp_path / "c" / "svc" / "gradlew"
    wrapper.parent.mkdir(parents=True)
    _exe(wrapper)
    job = _plan(tmp_path / "c", {"svc/build.gradle.kts": ""}, decl)
    assert job.steps[0].argv[0] == str(wrapper)  # type: ignore[index]
    custom = {"components": [{**decl["components"][0], "run": {"command": "make cov"}}]}  # type: ignore[dict-item]
    job = _plan(tmp_path / "d", {"svc/pom.xml": ""}, custom)
    assert _argvs(job)[0] == ["make", "cov"]


def test_ruby_rspec_minitest_and_simplecov_helper(tmp_path: Path, tools: Path) -> None:
    gem = {"g/g.gemspec": 'Gem::Specification.new { |s| s.name = "g" }\n'}
    job = _plan(tmp_path / "a", {**gem, "g/spec/a_spec.rb": ""}, {})
    step = job.steps[0]
    assert _argvs(job)[0] == ["rspec"]
    helper = job.out_dir / "covgap_simplecov.rb"
    assert f"-r{helper}" in step.env["RUBYOPT"] and "SimpleCov.start" in helper.read_text()
    assert job.reports[0].path.name == ".resultset.json"
    job = _plan(tmp_path / "b", {**gem, "g/test/a_test.rb": ""}, {})
    argv = _argvs(job)[0]
    assert argv[:3] == ["ruby", "-Ilib", "-Itest"] and "_test" in argv[-1]
    _exe(tools / "bundle")
    job = _plan(tmp_path / "d", {**gem, "g/spec/a_spec.rb": "", "g/Gemfile": ""}, {})
    assert _argvs(job)[0] == ["bundle", "exec", "rspec"]
    _write(tmp_path / "c", gem)
    plan = plan_run(Workspace.load(tmp_path / "c", validate({})))
    assert [s.why for s in plan.skipped] == ["ruby: no spec/ or test/ folder"]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_a_users_report_is_read_as_is(tmp_path: Path, tools: Path) -> None:
    for files, name in (
        ({"p/pyproject.toml": '[project]\nname = "p"\n'}, "p"),
        ({"p/g.gemspec": 'Gem::Specification.new { |s| s.name = "p" }\n'}, "p"),
        ({"p/package.json": '{"name": "p"}'}, "p"),
        ({"p/go.mod": "module p\n"}, "p"),
        ({"p/Cargo.toml": '[package]\nname = "p"\n'}, "p"),
    ):
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        cfg = {"components": {name: {"run": {"command": "make cov", "report": "out.info"}}}}
        job = _plan(root, files, cfg)
        assert _argvs(job) == [["make", "cov"]]
        assert job.reports[0].path == root / "p" / "out.info"


def test_cargo_uses_cargo_llvm_cov_when_installed(tmp_path: Path, tools: Path) -> None:
    _exe(tools / "cargo-llvm-cov")
    crate = {"c/Cargo.toml": '[package]\nname = "c"\n'}
    job = _plan(tmp_path / "a", crate, {})
    assert _argvs(job)[0][:2] == ["cargo", "llvm-cov"] and "--json" in _argvs(job)[0]
    assert job.notes == ["measured with cargo llvm-cov"]
    _exe(tools / "cargo-nextest")
    job = _plan(tmp_path / "b", crate, {})
    assert _argvs(job)[0][:3] == ["cargo", "llvm-cov", "nextest"]


def test_cargo_built_in_path_and_its_errors(tmp_path: Path, tools: Path) -> None:
    crate = {"c/Cargo.toml": '[package]\nname = "c"\n'}
    job = _plan(tmp_path / "a", crate, {})
    build, test, export = job.steps
    assert build.argv[:4] == [str(tools / "cargo"), "test", "-p", "c"]  # type: ignore[index]
    assert "-C instrument-coverage" in test.env["RUSTFLAGS"]
    assert test.env["LLVM_PROFILE_FILE"].endswith("%p-%m.profraw") and test.tests
    assert export.action is not None and job.reports[0].glob == "*.json"
    with pytest.raises(RunError, match=r"run\.e2e\] needs `binaries` and `command`"):
        _plan(tmp_path / "b", crate, {"components": {"c": {"run": {"e2e": {"binaries": ["x"]}}}}})
    with pytest.raises(RunError, match="no \\[package\\] name"):
        decl = [{"name": "c", "paths": ["c/**"], "language": "rust"}]
        _plan(tmp_path / "c", {"c/Cargo.toml": "[workspace]\n"}, {"components": decl})


def test_missing_llvm_tools_name_their_package(tmp_path: Path, tools: Path) -> None:
    (tools / "llvm-cov-19").unlink()
    root = tmp_path / "repo"
    _write(root, {"c/Cargo.toml": '[package]\nname = "c"\n'})
    plan = plan_run(Workspace.load(root, validate({})))
    [left] = plan.unmeasurable
    assert "llvm-cov not found" in left.why and "llvm-tools-preview" in left.why


def test_unknown_runner_and_kindless_components(tmp_path: Path, tools: Path) -> None:
    root = tmp_path / "repo"
    _write(root, {"docs/a.txt": "x"})
    cfg = {"components": [{"name": "docs", "paths": ["docs/**"]}]}
    plan = plan_run(Workspace.load(root, validate(cfg)))
    assert plan.skipped[0].why.startswith("no runner for its kind")
    with pytest.raises(RunError, match="no runner"):
        plan_run(Workspace.load(root, validate(cfg)), ["docs"])
    bad = {"components": [{"name": "docs", "paths": ["docs/**"], "run": {"runner": "zig"}}]}
    with pytest.raises(RunError, match="'zig' is not one of cargo, go"):
        plan_run(Workspace.load(root, validate(bad)))


def test_python_interpreter_and_arguments(tmp_path: Path) -> None:
    venv_py = tmp_path / "venv" / "bin" / "python"
    venv_py.parent.mkdir(parents=True)
    venv_py.write_text("")
    assert interpreter(tmp_path, tmp_path, {"VIRTUAL_ENV": str(tmp_path / "venv")}) == str(venv_py)
    assert interpreter(tmp_path / "x", tmp_path / "y", {}) == sys.executable
    assert coverage_run_args(None, True, tmp_path) == ["-m", "pytest"]
    (tmp_path / "test").mkdir()
    assert coverage_run_args(None, False, tmp_path) == ["-m", "unittest", "discover", "-s", "test"]
    pytest_args = coverage_run_args("pytest -x tests/unit", True, tmp_path)
    assert pytest_args == ["-m", "pytest", "-x", "tests/unit"]
    assert coverage_run_args(["python3", "-m", "tests"], True, tmp_path) == ["-m", "tests"]
    with pytest.raises(RunError, match="must start with `python` or `pytest`"):
        coverage_run_args("tox -e py", True, tmp_path)


def test_python_project_config_from_every_place(tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text("[coverage:run]\nomit = a/*\n[metadata]\nname = x\n")
    assert project_coverage_config(tmp_path) == {"run": {"omit": "a/*"}}
    (tmp_path / ".coveragerc").write_text("[run]\nbranch = True\n")
    assert project_coverage_config(tmp_path) == {"run": {"branch": "True"}}
    (tmp_path / ".coveragerc").write_text("[run\n")
    with pytest.raises(RunError, match=r"\.coveragerc"):
        project_coverage_config(tmp_path)
    other = tmp_path / "o"
    other.mkdir()
    (other / "pyproject.toml").write_text("[tool.coverage\n")
    with pytest.raises(RunError, match=r"pyproject\.toml"):
        project_coverage_config(other)


def test_python_without_coverage_names_the_package(tmp_path: Path, tools: Path) -> None:
    py = tmp_path / "repo" / "p" / ".venv" / "bin" / "python"
    _write(tmp_path / "repo", {"p/pyproject.toml": '[project]\nname = "p"\n', "p/tests/t.py": ""})
    py.parent.mkdir(parents=True)
    _exe(py, "#!/bin/sh\nexit 3\n")  # what the probe returns when coverage is missing
    plan = plan_run(Workspace.load(tmp_path / "repo", validate({})))
    assert "pip install coverage" in plan.unmeasurable[0].why
    assert isinstance(ToolMissing("x", "y"), RunError)


def test_run_cli_with_nothing_to_measure_and_who_covers_text(tmp_path: Path) -> None:
    (tmp_path / "README").write_text("x")
    result = CliRunner().invoke(main, ["run", "--repo", str(tmp_path)])
    assert result.exit_code == 2 and "nothing to measure" in result.stderr
    result = CliRunner().invoke(main, ["who-covers", "nope", "--repo", str(tmp_path)])
    assert result.exit_code == 2 and "FILE:LINE" in result.stderr
    lcov = tmp_path / "a.info"
    lcov.write_text("SF:m.py\nDA:1,1\nDA:2,0\nend_of_record\n")
    (tmp_path / "m.py").write_text("a = 1\nb = 2\n\n")
    result = CliRunner().invoke(
        main, ["who-covers", "m.py:1", f"unit={lcov}", "--repo", str(tmp_path)]
    )
    assert result.exit_code == 0, result.stderr
    assert "suites: unit" in result.stdout and "not recorded" in result.stdout
    result = CliRunner().invoke(main, ["who-covers", "m.py:3", str(lcov), "--repo", str(tmp_path)])
    assert "not an executable line" in result.stdout


def _jars(folder: Path, *names: str) -> None:
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        with zipfile.ZipFile(folder / name, "w") as z:
            z.writestr("jacocoagent.jar", b"agent")


PLAIN_JAVA = {
    "svc/src/main/java/a/A.java": "package a; class A {}\n",
    "svc/src/test/java/a/ATest.java": "package a; class ATest {}\n",
}


def test_jvm_plain_project_plans_javac_the_agent_and_a_report(
    tmp_path: Path, tools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from covgap.run import jvm

    for name in ("java", "javac", "ant"):
        _exe(tools / name)
    share = tmp_path / "share"
    _jars(share, "org.jacoco.agent.jar", *jvm.ANT_TASK_JARS, jvm.CONSOLE_JAR)
    monkeypatch.setattr(jvm, "JAR_DIRS", (share,))
    monkeypatch.delenv("JACOCO_HOME", raising=False)
    monkeypatch.delenv("JUNIT_CONSOLE", raising=False)
    decl = {"components": [{"name": "svc", "paths": ["svc/**"], "language": "java"}]}
    job = _plan(tmp_path / "a", PLAIN_JAVA, decl)
    assert [s.title for s in job.steps] == ["compile", "compile tests", "test", "report"]
    agent = job.out_dir / "jacocoagent.jar"
    assert agent.read_bytes() == b"agent"  # extracted from Debian's wrapper jar
    test = _argvs(job)[2]
    assert test[1] == f"-javaagent:{agent}=destfile={job.out_dir / 'jacoco.exec'}"
    assert job.steps[2].tests and str(share / jvm.CONSOLE_JAR) in test
    assert "A.java" in (job.out_dir / "main.sources").read_text()
    assert _argvs(job)[3][-2:] == ["-f", str(job.out_dir / "jacoco-report.xml")]
    build = (job.out_dir / "jacoco-report.xml").read_text()
    assert "<jacoco:report>" in build and str(job.out_dir / "jacoco.xml") in build
    assert job.reports[0].path == job.out_dir / "jacoco.xml"

    # JaCoCo's own zip ($JACOCO_HOME/lib): its agent as is, and jacococli for the report
    home = tmp_path / "jacoco"
    _jars(home / "lib", "jacocoagent.jar", "jacococli.jar")
    monkeypatch.setenv("JACOCO_HOME", str(home))
    job = _plan(tmp_path / "b", PLAIN_JAVA, decl)
    assert f"-javaagent:{home / 'lib' / 'jacocoagent.jar'}=" in _argvs(job)[2][1]
    report = _argvs(job)[3]
    assert report[1:4] == ["-jar", str(home / "lib" / "jacococli.jar"), "report"]
    assert "--xml" in report


def test_jvm_plain_project_names_the_missing_package(
    tmp_path: Path, tools: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from covgap.run import jvm

    for name in ("java", "javac"):
        _exe(tools / name)
    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setattr(jvm, "JAR_DIRS", (share,))
    monkeypatch.delenv("JACOCO_HOME", raising=False)
    monkeypatch.delenv("JUNIT_CONSOLE", raising=False)
    decl = {"components": [{"name": "svc", "paths": ["svc/**"], "language": "java"}]}
    for rel, text in PLAIN_JAVA.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    plan = plan_run(Workspace.load(tmp_path, validate(decl)))
    assert "the Debian package junit5" in plan.unmeasurable[0].why
    _jars(share, jvm.CONSOLE_JAR)
    plan = plan_run(Workspace.load(tmp_path, validate(decl)))
    assert "libjacoco-java" in plan.unmeasurable[0].why
    _jars(share, "org.jacoco.agent.jar")
    plan = plan_run(Workspace.load(tmp_path, validate(decl)))
    assert "ant" in plan.unmeasurable[0].why and "libjacoco-java" in plan.unmeasurable[0].why
    (tmp_path / "svc/src/test/java/a/ATest.java").unlink()
    plan = plan_run(Workspace.load(tmp_path, validate(decl)))
    assert plan.skipped[0].why == "jvm: no tests in src/test/java"
