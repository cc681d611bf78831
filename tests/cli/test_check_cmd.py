"""``covgap check`` and ``covgap diff`` end to end, on real git repositories.

Each test builds a repository in tmp_path: a base commit on ``main`` with its
coverage, then a feature branch with changes (including a rename) and the coverage
after. The LCOV is written by the test — the git diff and the rules are the subject.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from lxml import etree

from covgap.cli import main

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "data" / "schemas"

CI_VARS = ("GITHUB_BASE_REF", "CI_MERGE_REQUEST_DIFF_BASE_SHA", "GITHUB_STEP_SUMMARY")


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run inside CI too: its variables must not pick the base for them."""
    for var in CI_VARS:
        monkeypatch.delenv(var, raising=False)


def git(repo: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=False
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def write(repo: Path, name: str, text: str) -> None:
    p = repo / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def lcov(records: dict[str, dict[int, int]]) -> str:
    out = []
    for path, hits in records.items():
        out.append(f"SF:{path}")
        out += [f"DA:{ln},{h}" for ln, h in sorted(hits.items())]
        out.append("end_of_record")
    return "\n".join(out) + "\n"


CORE_BASE = "".join(f"core line {i}\n" for i in range(1, 11))
UTIL = "".join(f"util line {i}\n" for i in range(1, 7))

#  Base coverage (main): core.py 8/10, util.py 4/6.
BASE_COV = {
    "src/app/core/core.py": {i: (0 if i in (9, 10) else 1) for i in range(1, 11)},
    "src/app/util.py": {i: (0 if i in (5, 6) else 1) for i in range(1, 7)},
}


def make_repo(root: Path, gates: str) -> Path:
    repo = root / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "t@example.com")
    git(repo, "config", "user.name", "T")
    git(repo, "config", "commit.gpgsign", "false")
    write(repo, "src/app/core/core.py", CORE_BASE)
    write(repo, "src/app/util.py", UTIL)
    write(repo, "covgap.toml", gates)
    write(repo, ".gitignore", "*.info\n*.json\n*.xml\n*.sarif\n*.md\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    return repo


def feature(repo: Path) -> None:
    """Change core.py (lines 3 and 11-12 new), rename util.py → helpers.py (line 1 edited)."""
    git(repo, "checkout", "-q", "-b", "feature")
    core = CORE_BASE.splitlines(keepends=True)
    core[2] = "core line 3 changed\n"
    core += ["core line 11 new\n", "core line 12 new\n"]
    write(repo, "src/app/core/core.py", "".join(core))
    git(repo, "mv", "src/app/util.py", "src/app/helpers.py")
    write(repo, "src/app/helpers.py", "helpers line 1 edited\n" + UTIL.split("\n", 1)[1])
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "feature")


def invoke(repo: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(repo)
    try:
        return runner.invoke(main, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(old)


def baseline_json(repo: Path, records: dict[str, dict[int, int]], name: str = "base.json") -> Path:
    write(repo, "base.info", lcov(records))
    result = invoke(repo, "report", "base.info", "--format", "json", "--detail", "-o", name)
    assert result.exit_code == 0, result.output
    return repo / name


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[Path]:
    yield make_repo(tmp_path, "[gates]\nline = 70\npatch = 60\n")


# -- each rule passing and failing ---------------------------------------------------------


def test_patch_passes_and_fails_on_the_changed_lines(repo: Path) -> None:
    feature(repo)
    # Changed executable lines: core 3, 11, 12 and helpers 1.  3 of 4 covered = 75 %.
    covered = {
        "src/app/core/core.py": {**dict.fromkeys(range(1, 13), 1), 12: 0},
        "src/app/helpers.py": dict.fromkeys(range(1, 7), 1),
    }
    write(repo, "now.info", lcov(covered))
    r = invoke(repo, "check", "now.info", "--base", "main", "--explain")
    assert r.exit_code == 0, r.output
    assert "75.00 %" in r.output and "3 of 4 changed executable lines covered" in r.output
    # Two of the four changed lines uncovered: 50 % < 60 %.
    covered["src/app/helpers.py"][1] = 0
    write(repo, "now.info", lcov(covered))
    r = invoke(repo, "check", "now.info", "--base", "main")
    assert r.exit_code == 1, r.output
    assert "coverage of new and changed lines" in r.output and "FAIL" in r.output
    assert "src/app/core/core.py:12" in r.output
    assert "src/app/helpers.py:1" in r.output  # the renamed file's edited line


def test_overall_minimum_fails_with_the_files_responsible(repo: Path) -> None:
    write(repo, "now.info", lcov(BASE_COV))  # 12/16 = 75 %
    r = invoke(repo, "check", "now.info", "--config", "strict.toml")
    assert r.exit_code == 2 and "no such file" in r.output
    write(repo, "strict.toml", "[gates]\nline = 75.001\nbranch = 50\n")
    r = invoke(repo, "check", "now.info", "--config", "strict.toml", "--format", "json")
    assert r.exit_code == 1
    doc = json.loads(r.stdout)
    (line,) = [v for v in doc["verdicts"] if v["rule"] == "line"]
    assert line["status"] == "fail" and line["measured_exact"] == "75/1"
    assert line["measured_text"] == "75.00" and line["limit_text"] == "75.001"
    assert [o["path"] for o in line["offenders"]] == ["src/app/core/core.py", "src/app/util.py"]
    assert line["offenders"][0]["lines"] == [[9, 10]]
    (branch,) = [v for v in doc["verdicts"] if v["rule"] == "branch"]
    assert branch["status"] == "not measured" and branch["measured"] is None
    write(repo, "strict.toml", "[gates]\nline = 75\n")
    assert invoke(repo, "check", "now.info", "--config", "strict.toml").exit_code == 0


def test_coverage_of_no_files_is_refused_not_passed(repo: Path) -> None:
    """c8's ``{}`` (tests never started node) reads as a report of no files: every rule
    would be not measured and the check pass, so it is refused (exit 2), as nyc fails."""
    write(repo, "coverage-final.json", "{}")
    r = invoke(repo, "check", "coverage-final.json", "--fail-under-lines", "80")
    assert r.exit_code == 2
    assert "coverage-final.json: the coverage lists no files: nothing was measured" in r.output
    assert "Traceback" not in r.output and "gates pass" not in r.output
    r = invoke(repo, "report", "coverage-final.json")  # a report of it is still fine
    assert r.exit_code == 0 and "0 files" in r.output


def test_component_target_from_config(repo: Path) -> None:
    write(
        repo,
        "covgap.toml",
        '[[components]]\nname = "core"\npaths = ["src/app/core/**"]\ntarget = 85\n',
    )
    write(repo, "now.info", lcov(BASE_COV))
    r = invoke(repo, "check", "now.info")
    assert r.exit_code == 1
    assert "core line coverage" in r.output and "80.00 %" in r.output


def test_max_drop_and_critical_with_a_baseline(repo: Path) -> None:
    base = baseline_json(repo, BASE_COV)
    write(
        repo,
        "covgap.toml",
        '[gates]\nmax_drop = 2.0\ncritical = ["src/app/core/**"]\n',
    )
    feature(repo)
    # core: lines 1..12, now 9 covered of 12 (75 %; was 80 %); helpers 4/6 unchanged.
    now = {
        "src/app/core/core.py": {i: (0 if i in (2, 9, 10) else 1) for i in range(1, 13)},
        "src/app/helpers.py": {i: (0 if i in (5, 6) else 1) for i in range(1, 7)},
    }
    write(repo, "now.info", lcov(now))
    r = invoke(repo, "check", "now.info", "--base", "main", "--baseline", str(base), "--explain")
    # Overall 12/16 = 75 % → 13/18 = 72.22 %: a drop of 2.78 points > 2; core fell too.
    assert r.exit_code == 1, r.output
    assert "2.78 points" in r.output
    assert "critical paths src/app/core/** may not lose coverage" in r.output
    # Line 2 lost its coverage (LBC); line 3 is new and covered, 11-12 new and covered.
    assert "src/app/core/core.py:2, 9-10" not in r.output
    assert "src/app/core/core.py:2 — 80.00 % → 75.00 % (1 lines lost coverage" in r.output
    # Without the regression both pass.
    now["src/app/core/core.py"][2] = 1
    write(repo, "now.info", lcov(now))
    r = invoke(repo, "check", "now.info", "--base", "main", "--baseline", str(base))
    assert r.exit_code == 0, r.output


def test_totals_only_baseline_says_what_it_cannot_do(repo: Path) -> None:
    write(repo, "base.info", lcov(BASE_COV))
    invoke(repo, "report", "base.info", "--format", "json", "-o", "totals.json")
    write(repo, "covgap.toml", "[gates]\nmax_drop = 1\n")
    write(repo, "now.info", lcov(BASE_COV))
    r = invoke(repo, "check", "now.info", "--baseline", "totals.json")
    assert r.exit_code == 0, r.output
    assert "totals only" in r.output
    r = invoke(repo, "diff", "now.info", "--baseline", "totals.json", "--base", "main")
    assert r.exit_code == 2 and "per-line detail" in r.output


# -- trustworthy comparisons --------------------------------------------------------------


def test_shallow_clone_is_explained_not_measured(repo: Path, tmp_path: Path) -> None:
    feature(repo)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    write(clone, "now.info", lcov({"src/app/core/core.py": {3: 1}}))
    r = invoke(clone, "check", "now.info", "--base", "origin/main")
    assert r.exit_code == 2
    assert "shallow clone" in r.output and "--unshallow" in r.output
    assert "Traceback" not in r.output
    # Named by the CI: the same explanation.
    r = invoke(clone, "check", "now.info", env={"GITHUB_BASE_REF": "main"})
    assert r.exit_code == 2 and "named by GITHUB_BASE_REF" in r.output
    # Only a guessed base (the clone's origin/HEAD): explained, patch not measured.
    r = invoke(clone, "check", "now.info")
    assert r.exit_code == 0
    assert "(guessed): this is a shallow clone" in r.output and "not measured" in r.output
    # No base known at all (no remote branches): not measured, saying so.
    git(clone, "update-ref", "-d", "refs/remotes/origin/HEAD")
    git(clone, "update-ref", "-d", "refs/remotes/origin/feature")
    r = invoke(clone, "check", "now.info", "--explain")
    assert r.exit_code == 0
    assert "no base ref to compare with" in r.output


def test_base_that_moved_on_uses_the_merge_base(repo: Path) -> None:
    feature(repo)
    git(repo, "checkout", "-q", "main")
    write(repo, "src/app/later.py", "x\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "main moves on")
    git(repo, "checkout", "-q", "feature")
    write(
        repo,
        "now.info",
        lcov({"src/app/later.py": {1: 0}, "src/app/core/core.py": {1: 1, 2: 1, 3: 1}}),
    )
    r = invoke(repo, "check", "now.info", "--base", "main", "--explain")
    assert r.exit_code == 0, r.output  # later.py is not part of this change
    assert "not an ancestor of HEAD" in r.output
    r = invoke(repo, "check", "now.info", "--base", "main", "--no-merge-base")
    assert r.exit_code == 2 and "not an ancestor" in r.output


def test_uncommitted_changes_on_request(repo: Path) -> None:
    write(repo, "src/app/util.py", UTIL + "util line 7 uncommitted\n")
    write(repo, "now.info", lcov({"src/app/util.py": {**dict.fromkeys(range(1, 7), 1), 7: 0}}))
    r = invoke(repo, "check", "now.info", "--base", "main", "--explain")
    assert r.exit_code == 0, r.output
    assert "not measured" in r.output
    r = invoke(repo, "check", "now.info", "--base", "main", "--include-uncommitted")
    assert r.exit_code == 1 and "src/app/util.py:7" in r.output


def test_bad_config_is_exit_2_naming_the_key(repo: Path) -> None:
    write(repo, "covgap.toml", "[gates]\npatch = 60\nmax_dorp = 2\n")
    write(repo, "now.info", lcov(BASE_COV))
    r = invoke(repo, "check", "now.info")
    assert r.exit_code == 2 and "gates.max_dorp" in r.output
    write(repo, "covgap.toml", '[gates]\nline = "80"\n')
    r = invoke(repo, "check", "now.info")
    assert r.exit_code == 2 and "gates.line" in r.output


# -- ratchet, diff, output formats ---------------------------------------------------------


def test_ratchet_raises_the_committed_minimums(repo: Path) -> None:
    write(repo, "covgap.toml", "# policy\n[gates]\nline = 70   # keep this comment\nbranch = 10\n")
    write(repo, "now.info", lcov(BASE_COV))
    r = invoke(repo, "check", "now.info", "--ratchet")
    assert r.exit_code == 0, r.output
    assert (repo / "covgap.toml").read_text() == (
        "# policy\n[gates]\nline = 75   # keep this comment\nbranch = 10\n"
    )
    assert "gates.line 70 → 75" in r.output
    write(repo, "now.info", lcov({"src/app/util.py": {1: 1, 2: 0}}))
    r = invoke(repo, "check", "now.info", "--ratchet")
    assert r.exit_code == 1  # 50 % < 75 %: fails, and the minimum is not lowered
    assert "line = 75 " in (repo / "covgap.toml").read_text()


def test_diff_command_categories(repo: Path) -> None:
    base = baseline_json(repo, BASE_COV)
    feature(repo)
    now = {
        "src/app/core/core.py": {i: (0 if i in (2, 9, 10, 12) else 1) for i in range(1, 13)},
        "src/app/helpers.py": {i: (0 if i in (5, 6) else 1) for i in range(1, 7)},
    }
    write(repo, "now.info", lcov(now))
    r = invoke(
        repo, "diff", "now.info", "--baseline", str(base), "--base", "main", "--format", "json"
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    files = {f["path"]: f for f in doc["files"]}
    core = files["src/app/core/core.py"]["lines"]
    assert core == {
        "LBC": [2],
        "UBC": [9, 10],
        "GNC": [3, 11],
        "UNC": [12],
        "CBC": [1, 4, 5, 6, 7, 8],
        "DCB": [3],
    }
    helpers = files["src/app/helpers.py"]
    assert helpers["old_path"] == "src/app/util.py" and helpers["status"] == "R"
    assert helpers["lines"] == {"GNC": [1], "CBC": [2, 3, 4], "UBC": [5, 6], "DCB": [1]}
    assert doc["totals"]["DCB"] == 2 and doc["totals"]["LBC"] == 1
    r = invoke(repo, "diff", "now.info", "--baseline", str(base), "--base", "main")
    assert r.exit_code == 0 and "Lost Baseline Coverage" in r.output
    r = invoke(repo, "diff", "now.info", "--baseline", str(base))
    assert r.exit_code == 0  # main is found as the base
    r = invoke(repo, "diff", "now.info", "--baseline", "missing.json", "--base", "main")
    assert r.exit_code == 2 and "no such file" in r.output


def test_sarif_junit_github_markdown_outputs(repo: Path, tmp_path: Path) -> None:
    feature(repo)
    write(repo, "now.info", lcov({"src/app/core/core.py": {3: 0, 11: 0, 12: 1, 1: 1}}))
    r = invoke(repo, "check", "now.info", "--base", "main", "--format", "sarif", "-o", "out.sarif")
    assert r.exit_code == 1
    sarif = json.loads((repo / "out.sarif").read_text())
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    patch = [x for x in sarif["runs"][0]["results"] if x["ruleId"] == "covgap/patch"]
    loc = patch[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "covgap.toml" and loc["region"]["startLine"] == 3
    r = invoke(repo, "check", "now.info", "--base", "main", "--format", "junit", "-o", "j.xml")
    assert r.exit_code == 1
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd")))
    xsd.assertValid(etree.parse(str(repo / "j.xml")))
    summary = tmp_path / "summary.md"
    r = invoke(
        repo,
        "check",
        "now.info",
        "--base",
        "main",
        "--format",
        "github",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert r.exit_code == 1
    assert "::warning file=src/app/core/core.py,line=3,endLine=3," in r.stdout
    assert "::warning file=src/app/core/core.py,line=11,endLine=11," in r.stdout
    assert "## covgap gates: 2 gates fail" in summary.read_text()  # line and patch
    r = invoke(repo, "check", "now.info", "--base", "main", "--format", "markdown")
    assert (
        "| patch: coverage of new and changed lines | 33.33 % | ≥ 60 % | ❌ **fail** |" in r.stdout
    )


# -- the docs' CI snippets -------------------------------------------------------------------


def doc_commands() -> list[list[str]]:
    """Every ``covgap …`` command in docs/ci.md's code blocks, in order."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```(?:yaml|sh)\n(.*?)```", text, flags=re.S):
        for raw in block.splitlines():
            line = raw.strip().removeprefix("- ").strip()
            for key in ("run:", "entry:"):
                line = line.removeprefix(key).strip()
            if line.startswith("covgap "):
                commands.append(shlex.split(line, comments=True))
    return commands


def test_docs_ci_snippets_run(repo: Path, tmp_path: Path) -> None:
    """Run the exact commands of docs/ci.md: on main (baseline) and on a PR branch."""
    commands = doc_commands()
    assert len(commands) >= 8, commands
    write(
        repo, "covgap.toml", '[gates]\nline = 60\npatch = 50\nmax_drop = 5\ncritical = ["src/**"]\n'
    )
    git(repo, "commit", "-q", "-am", "gates")
    from covgap.formats import cobertura
    from covgap.formats import lcov as lcov_format

    def coverage_xml(records: dict[str, dict[int, int]]) -> None:
        import io

        cs = lcov_format.read(io.BytesIO(lcov(records).encode()), "x")
        with (repo / "coverage.xml").open("wb") as fh:
            cobertura.write(cs, fh)

    # The main-branch job: only the baseline commands.
    coverage_xml(BASE_COV)
    for cmd in commands:
        if cmd[1] == "report":
            r = invoke(repo, *cmd[1:])
            assert r.exit_code == 0, (cmd, r.output)
    assert (repo / "covgap-baseline.json").is_file()
    main_sha = git(repo, "rev-parse", "main").strip()
    git(repo, "update-ref", "refs/remotes/origin/main", main_sha)
    feature(repo)
    coverage_xml(
        {
            "src/app/core/core.py": {i: (0 if i in (9, 10) else 1) for i in range(1, 13)},
            "src/app/helpers.py": {i: (0 if i in (5, 6) else 1) for i in range(1, 7)},
        }
    )
    summary = tmp_path / "step-summary.md"
    env = {
        "GITHUB_BASE_REF": "main",
        "CI_MERGE_REQUEST_DIFF_BASE_SHA": "",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    ran = 0
    for cmd in commands:
        if cmd[1] == "report":
            continue
        this_env = dict(env)
        if "junit" in cmd:  # the GitLab job
            this_env = {"CI_MERGE_REQUEST_DIFF_BASE_SHA": main_sha, "GITHUB_BASE_REF": ""}
        r = invoke(repo, *cmd[1:], env=this_env)
        assert r.exit_code == 0, (cmd, r.output)
        ran += 1
    assert ran == len(commands) - 1
    jsonschema.Draft4Validator(
        json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    ).validate(json.loads((repo / "covgap.sarif").read_text()))
    etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd"))).assertValid(
        etree.parse(str(repo / "covgap-junit.xml"))
    )
    assert "all gates pass" in (repo / "covgap-comment.md").read_text()
    assert "covgap gates" in summary.read_text()


def test_new_files_need_tests_with_source_analysis(repo: Path) -> None:
    write(repo, "covgap.toml", "[gates]\nnew_files_need_tests = true\n")
    git(repo, "commit", "-q", "-am", "policy")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "src/app/fresh.py", "def g():\n    return 2\n")
    write(repo, "src/app/lonely.py", "def h():\n    return 3\n")
    write(
        repo,
        "tests/test_fresh.py",
        "from app.fresh import g\n\n\ndef test_g():\n    assert g() == 2\n",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "new files")
    write(repo, "now.info", lcov({"src/app/fresh.py": {1: 1, 2: 1}}))
    r = invoke(repo, "check", "now.info", "--base", "main")
    assert r.exit_code == 1, r.output
    assert "1 of 2" in r.output and "src/app/lonely.py — no test imports it" in r.output
    assert "fresh.py —" not in r.output
    write(
        repo,
        "tests/test_lonely.py",
        "from app.lonely import h\n\n\ndef test_h():\n    assert h() == 3\n",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "test it")
    r = invoke(repo, "check", "now.info", "--base", "main")
    assert r.exit_code == 0, r.output


def test_source_fallback_is_in_checks_json_and_markdown(  # type: ignore[no-untyped-def]
    repo: Path, missing_grammars
) -> None:
    """Issue 10: the analysis a rule used fell back to regex: said in every output."""
    missing_grammars("python")
    write(repo, "covgap.toml", "[gates]\nnew_files_need_tests = true\n")
    git(repo, "commit", "-q", "-am", "policy")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, "src/app/lonely.py", "def h():\n    return 3\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "new file")
    write(repo, "now.info", lcov({"src/app/lonely.py": {1: 1, 2: 1}}))
    r = invoke(repo, "check", "now.info", "--base", "main", "--format", "json")
    assert r.exit_code == 1, r.output
    said = [ln for ln in r.stderr.splitlines() if ln.startswith("covgap: note: Python:")]
    assert len(said) == 1 and "analysed without tree-sitter" in said[0]
    notes = json.loads(r.stdout)["source_notes"]
    assert [(n["language"], n["kind"], n["analyser"]) for n in notes] == [
        ("Python", "fallback", "regex")
    ]
    assert notes[0]["message"] == said[0].removeprefix("covgap: note: ")
    r = invoke(repo, "check", "now.info", "--base", "main", "--format", "markdown")
    assert f"> source analysis: {notes[0]['message']}" in r.stdout.replace("\\", "")


def test_covgaps_own_gates_are_valid_config() -> None:
    """The dogfood table in pyproject.toml loads and sets the three overall minimums."""
    from covgap.config import load_config

    gates = load_config(ROOT).section("gates")
    assert set(gates) >= {"line", "branch", "function"}
    assert all(0 < gates[k] <= 100 for k in ("line", "branch", "function"))


def test_repo_below_the_checkout_top(repo: Path) -> None:
    """With --repo a subdirectory, coverage paths are relative to it; annotations are not."""
    feature(repo)
    write(repo, "now.info", lcov({"app/core/core.py": {1: 1, 3: 0, 11: 1, 12: 1}}))
    r = invoke(
        repo,
        "check",
        str(repo / "now.info"),
        "--repo",
        "src",
        "--config",
        "covgap.toml",
        "--base",
        "main",
        "--format",
        "github",
    )
    assert r.exit_code == 0, r.output  # 3 of 4 changed lines covered
    assert "::warning file=src/app/core/core.py,line=3,endLine=3," in r.stdout


# -- CI flags and no gates at all (issue #10, item 10) -----------------------------------


def test_fail_under_flags_override_the_config_and_name_the_rule(repo: Path) -> None:
    feature(repo)
    covered = {
        "src/app/core/core.py": {**dict.fromkeys(range(1, 13), 1), 12: 0},
        "src/app/helpers.py": dict.fromkeys(range(1, 7), 1),
    }
    write(repo, "now.info", lcov(covered))  # 17/18 lines, patch 3/4 = 75 %
    r = invoke(repo, "check", "now.info", "--base", "main")
    assert r.exit_code == 0, r.output
    assert "line: overall line coverage" in r.output
    assert "patch: coverage of new and changed lines" in r.output
    # The command line wins over the config's line = 70 and patch = 60.
    r = invoke(
        repo, "check", "now.info", "--base", "main", "--fail-under-lines", "95", "--format", "json"
    )
    assert r.exit_code == 1, r.output
    (line,) = [v for v in json.loads(r.stdout)["verdicts"] if v["rule"] == "line"]
    assert line["limit_exact"] == "95/1" and line["status"] == "fail"
    assert line["option"] == "--fail-under-lines"
    assert line["label"] == "line (--fail-under-lines): overall line coverage"
    r = invoke(repo, "check", "now.info", "--base", "main", "--fail-under-patch", "75.001")
    assert r.exit_code == 1
    assert "patch (--fail-under-patch): coverage of new and changed lines" in r.output
    r = invoke(repo, "check", "now.info", "--base", "main", "--fail-under-patch", "75")
    assert r.exit_code == 0, r.output
    # Flags add rules the config does not have; no branch data: not measured, no failure.
    r = invoke(
        repo,
        "check",
        "now.info",
        "--base",
        "main",
        "--fail-under-functions",
        "40",
        "--fail-under-branches",
        "50",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    labels = {v["rule"]: (v["label"], v["status"]) for v in json.loads(r.stdout)["verdicts"]}
    assert labels["branch"] == (
        "branch (--fail-under-branches): overall branch coverage",
        "not measured",
    )
    assert labels["function"][0] == "function (--fail-under-functions): overall function coverage"
    r = invoke(repo, "check", "now.info", "--fail-under-lines", "101")
    assert r.exit_code == 2 and "--fail-under-lines" in r.output


def test_no_gates_shows_the_figures_with_patch_coverage_and_passes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path, "")
    feature(repo)
    covered = {
        "src/app/core/core.py": {**dict.fromkeys(range(1, 13), 1), 12: 0, 3: 0},
        "src/app/helpers.py": dict.fromkeys(range(1, 7), 1),
    }
    write(repo, "now.info", lcov(covered))  # 16/18 lines; patch 2 of 4 changed lines
    r = invoke(repo, "check", "now.info", "--base", "main")
    assert r.exit_code == 0, r.output
    assert "line: overall line coverage" in r.output and "88.88 % (16 of 18 lines)" in r.output
    assert "patch: coverage of new and changed lines against" in r.output
    assert "50.00 % (2 of 4 changed lines)" in r.output
    assert "no gates configured: nothing fails" in r.output
    r = invoke(repo, "check", "now.info", "--base", "main", "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and doc["verdicts"] == []
    patch = next(f for f in doc["figures"] if f["key"] == "patch")
    assert (patch["covered"], patch["total"], patch["measured_exact"]) == (2, 4, "50/1")
    md = invoke(repo, "check", "now.info", "--base", "main", "--format", "markdown").stdout
    assert "| patch: coverage of new and changed lines against" in md
