"""``covgap upload``'s client: what it takes from CI variables and git, the document it
builds (which the server's own validation accepts), and how it fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from srv_helpers import git, lcov, make_repo
from srv_serving import free_port

from covgap.errors import InputError
from covgap.pipeline import InputSpec
from covgap.server.limits import Limits, inflate
from covgap.server.service import parse_upload
from covgap.upload import UploadError, ci_pr_number, encode, plan_upload, send


@pytest.mark.parametrize(
    ("env", "pr"),
    [
        ({"GITHUB_REF": "refs/pull/12/merge"}, 12),
        ({"CI_MERGE_REQUEST_IID": "7"}, 7),
        ({"BUILDKITE_PULL_REQUEST": "false"}, None),
        ({"GITHUB_REF": "refs/heads/main"}, None),
        ({}, None),
    ],
)
def test_pr_number_from_ci(env: dict[str, str], pr: int | None) -> None:
    assert ci_pr_number(env) == pr


def test_plan_from_ci_variables_and_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    sha = make_repo(repo, {"src/a.py": "x = 1\n", "README.md": "hi\n"})
    report = repo / "lcov.info"
    report.write_bytes(lcov({"/ci/src/a.py": {1: 1}}))
    env = {"CI_COMMIT_SHA": "abc1234", "CI_COMMIT_BRANCH": "dev", "CI_MERGE_REQUEST_IID": "5"}
    plan = plan_upload([InputSpec(report)], repo, flag="unit", env=env)
    assert (plan.commit, plan.branch, plan.pr) == ("abc1234", "dev", 5)
    assert {"src/a.py", "README.md", "lcov.info"} <= set(plan.files)
    assert plan.blobs["src/a.py"] == git(repo, "rev-parse", "HEAD:src/a.py")
    assert plan.reports[0][0].flag == "unit"
    # from git alone: HEAD and the branch
    plain = plan_upload([InputSpec(report)], repo, env={})
    assert (plain.commit, plain.branch, plain.pr) == (sha, "main", None)
    # a PR against main: the diff against the merge-base travels with the upload
    git(repo, "checkout", "-q", "-b", "feature")
    make_repo(repo, {"src/a.py": "x = 1\ny = 2\n"})
    pr = plan_upload([InputSpec(report)], repo, pr=9, env={"GITHUB_BASE_REF": "main"}, base=sha)
    assert pr.base == sha and pr.diff is not None
    changed = {f["path"]: f for f in pr.diff["files"]}
    assert changed["src/a.py"]["hunks"] == [[1, 0, 2, 1]]
    doc = parse_upload(inflate(encode(pr), Limits()))
    assert doc.commit == pr.commit and doc.pr == 9 and doc.base == sha
    assert doc.reports[0]["name"] == report.name and doc.blobs == pr.blobs


def test_plan_outside_git(tmp_path: Path) -> None:
    report = tmp_path / "lcov.info"
    report.write_bytes(lcov({"a.py": {1: 1}}))
    with pytest.raises(InputError, match="no --commit"):
        plan_upload([InputSpec(report)], tmp_path, env={})
    plan = plan_upload([InputSpec(report)], tmp_path, commit="abcdef1", env={})
    assert plan.files == ["lcov.info"] and plan.blobs == {} and plan.branch is None
    with pytest.raises(InputError, match="no such file"):
        plan_upload([InputSpec(tmp_path / "missing.info")], tmp_path, commit="abcdef1", env={})
    with pytest.raises(InputError, match="at least one"):
        plan_upload([], tmp_path, commit="abcdef1", env={})


def test_send_failures() -> None:
    with pytest.raises(InputError, match="http"):
        send(b"", "ftp://example.com", "t")
    with pytest.raises(UploadError, match="cannot reach the server"):
        send(b"", f"http://127.0.0.1:{free_port()}", "t", timeout=5, retries=1)
