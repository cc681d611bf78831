"""Run keys from CI variables and git; blob ids equal git's; ancestors nearest first."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import git, git_init
from covgap.errors import CovgapError
from covgap.history.context import (
    ancestors,
    blob_ids,
    ci_values,
    detect,
    distance,
    git_blob_id,
    normalize_remote,
    repository_name,
)

CI_CASES = [
    (
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_SHA": "a" * 40,
            "GITHUB_REF": "refs/pull/42/merge",
            "GITHUB_HEAD_REF": "feature",
            "GITHUB_REF_NAME": "42/merge",
            "GITHUB_RUN_ID": "991",
            "GITHUB_RUN_ATTEMPT": "2",
            "GITHUB_REPOSITORY": "acme/app",
        },
        {"ci": "github-actions", "branch": "feature", "pr": "42", "run": "gha-991-2",
         "repo": "github.com/acme/app"},
    ),
    (
        {
            "GITLAB_CI": "true",
            "CI_COMMIT_SHA": "b" * 40,
            "CI_COMMIT_BRANCH": "main",
            "CI_PIPELINE_ID": "77",
            "CI_SERVER_HOST": "gitlab.example.com",
            "CI_PROJECT_PATH": "g/p",
        },
        {"ci": "gitlab-ci", "branch": "main", "pr": None, "run": "gitlab-77",
         "repo": "gitlab.example.com/g/p"},
    ),
    (
        {
            "BUILDKITE": "true",
            "BUILDKITE_COMMIT": "c" * 40,
            "BUILDKITE_BRANCH": "dev",
            "BUILDKITE_PULL_REQUEST": "false",
            "BUILDKITE_BUILD_ID": "u-1",
            "BUILDKITE_REPO": "git@github.com:acme/app.git",
        },
        {"ci": "buildkite", "branch": "dev", "pr": None, "run": "buildkite-u-1",
         "repo": "github.com/acme/app"},
    ),
    (
        {
            "CIRCLECI": "true",
            "CIRCLE_SHA1": "d" * 40,
            "CIRCLE_BRANCH": "x",
            "CIRCLE_PULL_REQUEST": "https://github.com/acme/app/pull/9",
            "CIRCLE_WORKFLOW_ID": "wf",
            "CIRCLE_PROJECT_USERNAME": "acme",
            "CIRCLE_PROJECT_REPONAME": "app",
        },
        {"ci": "circleci", "branch": "x", "pr": "9", "run": "circle-wf", "repo": "acme/app"},
    ),
    (
        {
            "JENKINS_URL": "http://j",
            "GIT_COMMIT": "e" * 40,
            "BRANCH_NAME": "main",
            "CHANGE_ID": "5",
            "BUILD_TAG": "jenkins-app-12",
            "GIT_URL": "https://u:p@git.example.com:8443/acme/app.git",
        },
        {"ci": "jenkins", "branch": "main", "pr": "5", "run": "jenkins-jenkins-app-12",
         "repo": "git.example.com/acme/app"},
    ),
    (
        {
            "TF_BUILD": "True",
            "BUILD_SOURCEVERSION": "f" * 40,
            "BUILD_SOURCEBRANCH": "refs/heads/main",
            "BUILD_BUILDID": "3",
            "BUILD_REPOSITORY_URI": "https://dev.azure.com/o/p/_git/r",
        },
        {"ci": "azure-pipelines", "branch": "main", "pr": None, "run": "azure-3",
         "repo": "dev.azure.com/o/p/_git/r"},
    ),
    (
        {
            "TRAVIS": "true",
            "TRAVIS_COMMIT": "0" * 40,
            "TRAVIS_BRANCH": "main",
            "TRAVIS_PULL_REQUEST": "11",
            "TRAVIS_BUILD_ID": "8",
            "TRAVIS_REPO_SLUG": "acme/app",
        },
        {"ci": "travis-ci", "branch": "main", "pr": "11", "run": "travis-8",
         "repo": "github.com/acme/app"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("env", "expected"), CI_CASES)
def test_ci_values(env: dict[str, str], expected: dict[str, str | None]) -> None:
    got = ci_values(env)
    for key, value in expected.items():
        assert got[key] == value, key
    assert got["commit"] and len(got["commit"] or "") == 40


def test_no_ci() -> None:
    assert ci_values({}) == {}


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("git@github.com:acme/app.git", "github.com/acme/app"),
        ("https://token:x@github.com/acme/app.git", "github.com/acme/app"),
        ("ssh://git@gitlab.com:2222/g/p.git/", "gitlab.com/g/p"),
        ("https://github.com/acme/app", "github.com/acme/app"),
    ],
)
def test_normalize_remote(url: str, name: str) -> None:
    assert normalize_remote(url) == name


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git_init(tmp_path)
    for i in range(3):
        (tmp_path / "a.txt").write_text(f"v{i}\n")
        git(tmp_path, "add", "-A")
        git(tmp_path, "commit", "-qm", f"c{i}")
    return tmp_path


def test_detect_from_git(repo: Path) -> None:
    ctx = detect(repo, {})
    assert ctx.commit == git(repo, "rev-parse", "HEAD").strip()
    assert ctx.branch == "main" and ctx.pr is None and ctx.run_key is None and ctx.ci is None
    assert ctx.repository == repo.name
    git(repo, "remote", "add", "origin", "git@github.com:acme/app.git")
    assert repository_name(repo) == "github.com/acme/app"


def test_detect_ci_and_explicit(repo: Path) -> None:
    env = dict(CI_CASES[0][0])
    ctx = detect(repo, env)
    assert (ctx.branch, ctx.pr, ctx.run_key, ctx.repository) == (
        "feature", "42", "gha-991-2", "github.com/acme/app",
    )  # fmt: skip
    assert ctx.commit == git(repo, "rev-parse", "HEAD").strip()  # what was checked out
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    ctx = detect(repo, env, commit="HEAD~2", branch="b", run_id="r", repository="x", pr="1")
    assert (ctx.commit, ctx.branch, ctx.run_key, ctx.repository, ctx.pr) == (
        first, "b", "r", "x", "1",
    )  # fmt: skip
    with pytest.raises(CovgapError, match="--commit nope"):
        detect(repo, {}, commit="nope")


def test_detect_outside_git(tmp_path: Path) -> None:
    with pytest.raises(CovgapError, match="no commit to record against"):
        detect(tmp_path, {})
    ctx = detect(tmp_path, {"GITLAB_CI": "1", "CI_COMMIT_SHA": "A" * 40})
    assert ctx.commit == "a" * 40 and ctx.branch is None
    assert detect(tmp_path, {}, commit="b" * 40).commit == "b" * 40


def test_blob_ids_equal_git(repo: Path) -> None:
    (repo / "new.txt").write_text("untracked\n")
    (repo / "a.txt").write_text("modified\n")
    ids = blob_ids(repo, ["a.txt", "new.txt", "missing.txt"])
    for path in ("a.txt", "new.txt"):
        assert ids[path] == git(repo, "hash-object", path).strip()
    assert "missing.txt" not in ids
    assert git_blob_id(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"


def test_blob_ids_outside_git(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"x")
    (tmp_path / "sub" / "deep").mkdir(parents=True)
    (tmp_path / "sub" / "deep" / "g").write_bytes(b"y")
    (tmp_path / "sub" / "h").mkdir()  # a folder where a file was expected
    wanted = ["f", "sub/deep/g", "sub/h", "sub/missing", "gone/a", "gone/b", "gone/c/d"]
    assert blob_ids(tmp_path, wanted) == {
        "f": git_blob_id(b"x"),
        "sub/deep/g": git_blob_id(b"y"),
    }


def test_ancestors_and_distance(repo: Path, tmp_path: Path) -> None:
    log = git(repo, "rev-list", "HEAD").split()
    assert ancestors(repo, log[0]) == log[1:]
    assert ancestors(repo, log[0], limit=1) == log[1:2]
    assert distance(repo, log[2], log[0]) == 2
    assert ancestors(tmp_path / "none", "x") == []
    assert distance(tmp_path / "none", "a", "b") is None
