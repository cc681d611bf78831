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

    def cli(self, *args: str) -> Result:
        """A covgap command on this repository and store (``--repo``, ``--store`` added)."""
        return cli(*args, "--repo", str(self.repo), "--store", self.url)

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
        self,
        name: str,
        app: int,
        lib: int,
        *,
        suites: tuple[str, ...] = ("unit", "e2e"),
        flap: bool = False,
        run_id: str | None = None,
        branch: str = "main",
    ) -> Result:
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


@pytest.fixture
def history(tmp_path: Path, store_url: str) -> Iterator[History]:
    yield build_history(tmp_path, store_url)


@pytest.fixture
def sqlite_history(tmp_path: Path) -> History:
    return build_history(tmp_path, f"sqlite:///{tmp_path}/history.db")


def build_history(tmp_path: Path, store_url: str) -> History:
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
    return h


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
    repository = ("--repository", "example/repo")
    result = history.cli("trend", *repository, "--branch", "main", "--format", "json")
    assert result.exit_code == 0, result.output
    points = json.loads(result.stdout)["points"]
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

    md = history.cli("trend", *repository, "--format", "markdown").output
    assert f"baseline `{history.sha['c1'][:12]}`" in md
    assert "e2e*" in md and "carried forward" in md
    term = history.cli("trend", *repository).output
    assert "e2e*" in term and history.sha["c4"][:12] in term

    flaky = history.cli("flaky", *repository, "--format", "json")
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
    result = history.cli("check", str(current), "--base", "main", "--format", "json")
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
    text = history.cli("check", str(current), "--base", "main").output
    assert f"at {history.sha['c5'][:12]}" in text
    assert "1 commit before the merge-base" in text

    diff = history.cli("diff", str(current), "--base", "main", "--format", "json")
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
        )
        for p in shards
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err.decode()
    by_hand = CoverageSet.merge_all([read_report(p) for p in shards]).totals()
    result = h.cli("trend", "--repository", "example/repo", "--format", "json")
    points = json.loads(result.stdout)["points"]
    assert len(points) == 1 and points[0]["commit"] == sha
    assert points[0]["totals"] == by_hand.as_dict()
    assert points[0]["uploads"] == 8
    listing = json.loads(
        h.cli("history", "list", "--repository", "example/repo", "--format", "json").output
    )
    assert [r["uploads"] for r in listing["runs"]] == [8]


def run_cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_bad_stores_are_one_line_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    report = tmp_path / "l.info"
    # with branch data, so that the store's error is the only line on stderr (no note)
    report.write_text("SF:a.py\nDA:1,1\nBRDA:1,0,0,1\nBRDA:1,0,1,0\nend_of_record\n")
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 200)
    cases = [
        (f"sqlite:///{bad}", f"store sqlite:///{bad}: cannot open"),
        ("postgresql://me:hunter2@127.0.0.1:1/db", "postgresql://me:***@127.0.0.1:1/db"),
        ("ftp://x", "unsupported database"),
    ]
    for url, message in cases:
        result = run_cli("record", str(report), "--repo", str(tmp_path), "--store", url,
                         "--commit", "a" * 40)  # fmt: skip
        assert result.exit_code == 2, result.output
        assert message in result.stderr
        assert "hunter2" not in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert bad.read_bytes() == b"garbage" * 200
    missing = run_cli("trend", "--repo", str(tmp_path), "--store", f"sqlite:///{tmp_path}/no.db")
    assert missing.exit_code == 2 and "no such store" in missing.stderr
    assert not (tmp_path / "no.db").exists()


def test_store_from_env_and_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    report = tmp_path / "l.info"
    report.write_text(lcov({"a.py": {1: 1}}))
    monkeypatch.setenv("COVGAP_STORE", f"sqlite:///{tmp_path}/env.db")
    ok = run_cli("record", str(report), "--repo", str(tmp_path), "--commit", "a" * 40)
    assert ok.exit_code == 0, ok.output
    assert "recorded upload 1" in ok.stdout and (tmp_path / "env.db").is_file()
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_a.py").write_text(
        "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n"
    )
    counted = run_cli("record", str(report), "--repo", str(tmp_path), "--commit", "c" * 40,
                      "--tests", "--format", "json")  # fmt: skip
    assert counted.exit_code == 0, counted.output
    assert json.loads(counted.stdout)["run"]["tests"] == 2
    monkeypatch.delenv("COVGAP_STORE")
    (tmp_path / "covgap.toml").write_text('[history]\nstore = "sqlite:///cfg.db"\n')
    ok = run_cli("record", str(report), "--repo", str(tmp_path), "--commit", "b" * 40)
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "cfg.db").is_file()  # relative to the repository
    listed = run_cli("history", "list", "--repo", str(tmp_path))
    assert listed.exit_code == 0 and "bbbbbbbbbbbb" in listed.stdout


def test_history_show_prune_and_flaky_outputs(sqlite_history: History) -> None:
    h = sqlite_history
    common = ("--repo", str(h.repo), "--store", h.url, "--repository", "example/repo")
    runs = json.loads(cli("history", "list", *common, "--format", "json").output)["runs"]
    assert len(runs) == 6 and all(r["bytes"] > 0 for r in runs)
    c4 = next(r for r in runs if r["commit"] == h.sha["c4"])
    shown = json.loads(
        cli("history", "show", str(c4["id"]), *common[:4], "--format", "json").output
    )
    assert shown["suite_totals"]["e2e"]["carried"] is True
    assert shown["carried"][0]["from_commit"] == h.sha["c3"]
    assert shown["carried"][0]["changed_files"] == 1  # lib.py changed since c3
    assert set(shown["component_totals"]) == {"app"}
    text = cli("history", "show", str(c4["id"]), *common[:4]).output
    assert f"carried e2e from {h.sha['c3'][:12]}" in text and "(carried)" in text
    missing = run_cli("history", "show", "999", *common[:4])
    assert missing.exit_code == 2 and "no run 999" in missing.stderr
    assert "e2e*" in cli("history", "list", *common).output

    flaky_md = cli("flaky", *common, "--format", "markdown").output
    assert "| `src/app.py` | 7 | unit | 2 | 5 |" in flaky_md
    assert "src/app.py" in cli("flaky", *common).output
    assert "No line flipped" in cli("flaky", *common, "--runs", "1", "--format", "markdown").output
    assert "no flaky lines" in cli("flaky", *common, "--runs", "1").output

    dry = cli("history", "prune", *common, "--keep", "1", "--protect", "none", "--dry-run")
    assert "would delete 5 run(s)" in dry.output
    assert len(json.loads(cli("history", "list", *common, "--format", "json").output)["runs"]) == 6
    kept = cli("history", "prune", *common, "--keep", "2")
    assert "deleted 0 run(s)" in kept.output  # main is protected by default
    gone = cli("history", "prune", *common, "--keep", "2", "--protect", "none")
    assert "deleted 4 run(s)" in gone.output
    left = json.loads(cli("history", "list", *common, "--format", "json").output)["runs"]
    assert [r["commit"] for r in left] == [h.sha["c5"], h.sha["c5"]]
    assert run_cli("history", "prune", *common, "--keep", "-1").exit_code == 2


def test_carryforward_can_be_switched_off(tmp_path: Path) -> None:
    h = History(tmp_path, f"sqlite:///{tmp_path}/history.db")
    (h.repo / "covgap.toml").write_text("[history.carryforward]\ne2e = false\n")
    h.commit("c1", 1, 1, "one")
    h.commit("c2", 1, 1, "two")
    h.record("c1", 1, 1)
    result = h.record("c2", 1, 1, suites=("unit",))
    assert json.loads(result.stdout)["run"]["carried"] == []
    (h.repo / "covgap.toml").write_text('[history.carryforward]\n"*" = false\ne2e = true\n')
    result = h.record("c2", 1, 1, suites=("unit",))
    assert [c["suite"] for c in json.loads(result.stdout)["run"]["carried"]] == ["e2e"]
    unit = f"unit={h.reports / 'c2-unit-None.info'}"
    text = cli("record", unit, "--repo", str(h.repo), "--store", h.url,
               "--branch", "main", "--repository", "example/repo").output  # fmt: skip
    assert "carried: suite e2e from" in text


def test_gates_ignore_flaky_lines_and_gaps_use_the_store(sqlite_history: History) -> None:
    h = sqlite_history
    repo = h.repo
    git(repo, "checkout", "-q", "-b", "feature", h.sha["c5"])
    current = h.reports / "now.info"
    # the flapping line 7 uncovered now; everything else as in c5's first run
    current.write_text(
        lcov({"src/app.py": all_lines(UNIT_APP[2] | E2E_APP),
              "src/lib.py": all_lines(E2E_LIB[2])})
    )  # fmt: skip
    toml = '[gates]\nmax_drop = 0\n[history]\nrepository = "example/repo"\n'
    (repo / "covgap.toml").write_text(toml)
    args = ("check", str(current), "--repo", str(repo), "--base", "main", "--store", h.url)
    strict = run_cli(*args, "--format", "json")
    assert strict.exit_code == 1, strict.output  # line 7 counts: a drop against c5
    (repo / "covgap.toml").write_text(toml + "ignore_flaky = true\n")
    lenient = run_cli(*args, "--format", "json")
    assert lenient.exit_code == 0, lenient.output
    assert "ignoring 1 flaky line(s) in 1 file(s)" in lenient.stderr

    gaps = run_cli("gaps", str(current), "--repo", str(repo), "--base", "main",
                   "--store", h.url, "--format", "markdown")  # fmt: skip
    assert gaps.exit_code == 0, gaps.output
    assert "**Baseline**: store runs" in gaps.stdout and h.sha["c5"][:12] in gaps.stdout
    assert "## Coverage Trend" in gaps.stdout and "**this report**" in gaps.stdout

    html = h.reports / "html"
    os.environ["COVGAP_STORE"] = h.url
    try:
        report = run_cli("report", str(current), "--repo", str(repo), "--format", "html",
                         "-o", str(html))  # fmt: skip
    finally:
        del os.environ["COVGAP_STORE"]
    assert report.exit_code == 0, report.output
    page = (html / "index.html").read_text()
    assert 'class="trend"' in page and h.sha["c5"][:12] in page

    nobase = run_cli("diff", str(current), "--repo", str(repo), "--base", "main")
    assert nobase.exit_code == 2 and "no baseline" in nobase.stderr


def test_gaps_baseline_file_still_works(sqlite_history: History) -> None:
    h = sqlite_history
    current = h.reports / "c5-unit-r5a.info"
    base = h.reports / "base.json"
    made = run_cli("report", str(current), "--repo", str(h.repo), "--format", "json",
                   "-o", str(base))  # fmt: skip
    assert made.exit_code == 0, made.output
    gaps = run_cli("gaps", str(current), "--repo", str(h.repo), "--baseline", str(base),
                   "--format", "markdown")  # fmt: skip
    assert gaps.exit_code == 0, gaps.output
    assert "| Metric | Baseline | Current |" in gaps.stdout
