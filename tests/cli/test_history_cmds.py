"""The history store end to end (issue 11's "Done when"), on SQLite and PostgreSQL.

A real git repository with commits on ``main`` and two suites (unit, e2e), each commit
checked out and recorded with ``covgap record``. The LCOV is written by the test as a
function of each file's content, so the only coverage that differs over identical
source is the line the test makes flap on purpose.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from covgap.cli import main
from covgap.formats import read_report
from covgap.model import CoverageSet

CI_MARKERS = (
    "CI",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "BUILDKITE",
    "CIRCLECI",
    "JENKINS_URL",
    "TF_BUILD",
    "TRAVIS",
    "GITHUB_BASE_REF",
    "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    "GITHUB_STEP_SUMMARY",
    "COVGAP_STORE",
)


@pytest.fixture(autouse=True)
def _no_ci_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI variables would name the run, branch and repository: these tests name them."""
    for var in CI_MARKERS:
        monkeypatch.delenv(var, raising=False)


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k not in CI_MARKERS}


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env=clean_env(),
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def lcov(records: dict[str, dict[int, int]]) -> str:
    out = []
    for path, hits in records.items():
        out.append(f"SF:{path}")
        out += [f"DA:{ln},{h}" for ln, h in sorted(hits.items())]
        out.append("end_of_record")
    return "\n".join(out) + "\n"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


# app.py has two versions (v1 at c1, v2 from c2); lib.py two (v1, v2 from c4).
APP = {
    1: "".join(f"a{i} = {i}\n" for i in range(1, 11)),
    2: "".join(f"b{i} = {i}\n" for i in range(1, 11)),
}
LIB = {
    1: "".join(f"x{i} = {i}\n" for i in range(1, 11)),
    2: "".join(f"y{i} = {i}\n" for i in range(1, 11)),
}
UNIT_APP = {1: set(range(1, 5)), 2: set(range(1, 7))}  # unit covers app.py lines
E2E_APP = {8, 9, 10}  # e2e covers these app.py lines in every version
E2E_LIB = {1: set(range(1, 6)), 2: set(range(1, 4))}
FLAP_LINE = 7  # app.py v2: covered by unit in run "r5a" only


def all_lines(covered: set[int]) -> dict[int, int]:
    return {ln: 1 if ln in covered else 0 for ln in range(1, 11)}


class History:
    """The repository, its commits by name, and how each was recorded."""

    def __init__(self, tmp: Path, url: str) -> None:
        self.repo = tmp / "repo"
        self.reports = tmp / "reports"
        self.reports.mkdir()
        self.url = url
        self.sha: dict[str, str] = {}
        self.repo.mkdir()
        git(self.repo, "init", "-q", "-b", "main")
        git(self.repo, "config", "user.email", "t@example.com")
        git(self.repo, "config", "user.name", "t")
        (self.repo / "covgap.toml").write_text(
            '[[components]]\nname = "app"\npaths = ["src/app.py"]\n'
            '[[components]]\nname = "lib"\npaths = ["src/lib.py"]\n'
        )

    def commit(self, name: str, app: int, lib: int, note: str) -> str:
        (self.repo / "src").mkdir(exist_ok=True)
        (self.repo / "src/app.py").write_text(APP[app])
        (self.repo / "src/lib.py").write_text(LIB[lib])
        (self.repo / "README").write_text(note)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-m", name)
        self.sha[name] = git(self.repo, "rev-parse", "HEAD").strip()
        return self.sha[name]

    def record(
        self, name: str, app: int, lib: int, *, suites: tuple[str, ...] = ("unit", "e2e"),
        flap: bool = False, run_id: str | None = None, branch: str = "main",
    ) -> Result:  # fmt: skip
        git(self.repo, "checkout", "-q", self.sha[name])
        inputs = []
        unit_cov = set(UNIT_APP[app]) | ({FLAP_LINE} if flap else set())
        reports = {
            "unit": {"src/app.py": all_lines(unit_cov)},
            "e2e": {"src/app.py": all_lines(E2E_APP), "src/lib.py": all_lines(E2E_LIB[lib])},
        }
        for suite in suites:
            path = self.reports / f"{name}-{suite}-{run_id}.info"
            path.write_text(lcov(reports[suite]))
            inputs.append(f"{suite}={path}")
        args = ["record", *inputs, "--repo", str(self.repo), "--store", self.url]
        args += ["--branch", branch, "--repository", "example/repo", "--format", "json"]
        if run_id:
            args += ["--run-id", run_id]
        result = cli(*args)
        assert result.exit_code == 0, result.output
        return result


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/history.db"
    url: str = request.getfixturevalue("pg_url")
    return url


@pytest.fixture
def history(tmp_path: Path, store_url: str) -> Iterator[History]:
    h = History(tmp_path, store_url)
    h.commit("c1", 1, 1, "one")
    h.commit("c2", 2, 1, "two")
    h.commit("c3", 2, 1, "three")
    h.commit("c4", 2, 2, "four")
    h.commit("c5", 2, 2, "five")
    h.record("c1", 1, 1)
    h.record("c2", 2, 1)
    h.record("c3", 2, 1)
    h.record("c4", 2, 2, suites=("unit",))  # e2e did not run: carried from c3
    h.record("c5", 2, 2, flap=True, run_id="r5a")
    h.record("c5", 2, 2, run_id="r5b")  # a re-run of c5: another run
    git(h.repo, "checkout", "-q", "main")
    yield h


def expected_totals(
    app: int, lib: int, *, e2e_lib: bool = True, flap: bool = False
) -> dict[str, int]:
    app_cov = UNIT_APP[app] | E2E_APP | ({FLAP_LINE} if flap else set())
    lines = 10 + (10 if e2e_lib else 0)
    covered = len(app_cov) + (len(E2E_LIB[lib]) if e2e_lib else 0)
    return {
        "lines_total": lines,
        "lines_covered": covered,
        "branches_total": 0,
        "branches_covered": 0,
        "functions_total": 0,
        "functions_covered": 0,
    }


def test_trend_carryforward_and_flaky(history: History) -> None:
    result = cli("trend", "--repo", str(history.repo), "--store", history.url,
                 "--repository", "example/repo", "--branch", "main", "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    points = json.loads(result.output)["points"]
    assert [p["commit"] for p in points] == [history.sha[c] for c in ("c1", "c2", "c3", "c4", "c5")]
    assert points[0]["totals"] == expected_totals(1, 1)
    assert points[1]["totals"] == expected_totals(2, 1)
    assert points[2]["totals"] == expected_totals(2, 1)
    # c4: e2e carried from c3 for app.py (unchanged); lib.py changed, so not carried
    assert points[3]["carried"] == ["e2e"]
    assert points[3]["carried_from"] == {"e2e": history.sha["c3"]}
    assert points[3]["totals"] == expected_totals(2, 2, e2e_lib=False)
    # c5: two runs (a re-run), merged: the flapping line counts as covered
    assert points[4]["runs"] and len(points[4]["runs"]) == 2
    assert points[4]["totals"] == expected_totals(2, 2, flap=True)
    assert all(p["carried"] == [] for i, p in enumerate(points) if i != 3)

    md = cli("trend", "--repo", str(history.repo), "--store", history.url,
             "--repository", "example/repo", "--format", "markdown").output  # fmt: skip
    assert f"baseline `{history.sha['c1'][:12]}`" in md
    assert "e2e*" in md and "carried forward" in md
    term = cli("trend", "--repo", str(history.repo), "--store", history.url,
               "--repository", "example/repo").output  # fmt: skip
    assert "e2e*" in term and history.sha["c4"][:12] in term

    flaky = cli("flaky", "--repo", str(history.repo), "--store", history.url,
                "--repository", "example/repo", "--format", "json")  # fmt: skip
    lines = json.loads(flaky.output)["lines"]
    assert [(f["path"], f["line"], f["suite"]) for f in lines] == [
        ("src/app.py", FLAP_LINE, "unit")
    ]
    # app.py v2 measured by unit in c2, c3, c4, c5 (r5a), c5 (r5b): 0 0 0 1 0
    assert (lines[0]["flips"], lines[0]["runs"]) == (2, 5)


def test_check_base_picks_the_merge_base_run(history: History) -> None:
    repo = history.repo
    git(repo, "checkout", "-q", "-b", "feature", history.sha["c3"])
    (repo / "src/app.py").write_text(APP[2] + "c11 = 11\n")
    git(repo, "commit", "-qam", "feature")
    current = history.reports / "feature.info"
    current.write_text(lcov({"src/app.py": {**all_lines(UNIT_APP[2]), 11: 1}}))
    (repo / "covgap.toml").write_text(
        '[gates]\nmax_drop = 100\n[history]\nrepository = "example/repo"\n'
    )
    result = cli("check", str(current), "--repo", str(repo), "--base", "main",
                 "--store", history.url, "--format", "json")  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    origin = doc["context"]["baseline"] if "context" in doc else doc["baseline"]
    assert origin is not None, result.stderr
    assert history.sha["c3"][:12] in origin
    assert "the merge-base of main" in origin

    # a merge-base with no run of its own: the nearest recorded ancestor, and how far
    git(repo, "checkout", "-q", "main")
    (repo / "README").write_text("six")
    git(repo, "commit", "-qam", "c6 (not recorded)")
    git(repo, "checkout", "-q", "-b", "feature2")
    text = cli("check", str(current), "--repo", str(repo), "--base", "main",
               "--store", history.url).output  # fmt: skip
    assert f"at {history.sha['c5'][:12]}" in text
    assert "1 commit before the merge-base" in text

    diff = cli("diff", str(current), "--repo", str(repo), "--base", "main",
               "--store", history.url, "--format", "json")  # fmt: skip
    assert diff.exit_code == 0, diff.output
    assert history.sha["c5"][:12] in json.loads(diff.stdout)["context"]["baseline"]


def test_concurrent_shards_merge_exactly(tmp_path: Path, store_url: str) -> None:
    h = History(tmp_path, store_url)
    sha = h.commit("c1", 1, 1, "one")
    shards = []
    for i in range(8):
        path = h.reports / f"shard{i}.info"
        hits = {ln: (i + ln) % 3 for ln in range(1, 11)}
        extra = {f"src/gen{j}.py": {ln: (ln * i) % 2 for ln in range(1, 6)} for j in range(i % 3)}
        path.write_text(lcov({"src/app.py": hits, **extra}))
        shards.append(path)
    for j in range(3):
        (h.repo / f"src/gen{j}.py").write_text("x = 1\n" * 5)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "covgap",
                "record",
                f"unit={p}",
                "--repo",
                str(h.repo),
                "--store",
                store_url,
                "--run-id",
                "build-7",
                "--branch",
                "main",
                "--repository",
                "example/repo",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=clean_env(),
        )  # fmt: skip
        for p in shards
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()
    by_hand = CoverageSet.merge_all([read_report(p) for p in shards]).totals()
    result = cli("trend", "--repo", str(h.repo), "--store", store_url,
                 "--repository", "example/repo", "--format", "json")  # fmt: skip
    points = json.loads(result.output)["points"]
    assert len(points) == 1 and points[0]["commit"] == sha
    assert points[0]["totals"] == by_hand.as_dict()
    assert points[0]["uploads"] == 8
    listing = json.loads(
        cli(
            "history",
            "list",
            "--repo",
            str(h.repo),
            "--store",
            store_url,
            "--repository",
            "example/repo",
            "--format",
            "json",
        ).output  # fmt: skip
    )
    assert [r["uploads"] for r in listing["runs"]] == [8]
