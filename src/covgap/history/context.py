"""Where a run comes from: repository, commit, branch, pull request and run id.

Explicit values (``--commit``, ``--branch``, ``--run-id``, ``--repository``) win; then the
CI's own variables (GitHub Actions, GitLab CI, Buildkite, CircleCI, Jenkins, Azure
Pipelines, Travis CI); then git. The run id is what makes the parallel jobs of one CI
build shards of the same run: every CI below gives one id per build (and a new one per
re-run attempt where the CI has attempts), so a re-run is a new run.

Also here: the git blob ids of files (what carryforward and flaky-line detection
compare) and a commit's ancestors, nearest first.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from covgap import gitinfo
from covgap.errors import CovgapError, GitError


@dataclass(frozen=True)
class RunContext:
    """The keys of a recorded run; ``ci`` names the CI system they were read from."""

    repository: str
    commit: str
    branch: str | None
    pr: str | None
    run_key: str | None
    ci: str | None


def _pr_from_ref(ref: str) -> str | None:
    match = re.match(r"refs/pull/(\d+)/", ref)
    return match.group(1) if match else None


def _nonempty(env: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def ci_values(env: Mapping[str, str]) -> dict[str, str | None]:
    """What the CI says about this build.

    Keys: ``ci``, ``commit``, ``branch``, ``pr``, ``run`` (the run key), ``repo``.
    """
    out: dict[str, str | None] = {}
    if env.get("GITHUB_ACTIONS") == "true":
        host = re.sub(r"^https?://", "", env.get("GITHUB_SERVER_URL", "https://github.com"))
        run = _nonempty(env, "GITHUB_RUN_ID")
        repo = _nonempty(env, "GITHUB_REPOSITORY")
        out = {
            "ci": "github-actions",
            "commit": _nonempty(env, "GITHUB_SHA"),
            "branch": _nonempty(env, "GITHUB_HEAD_REF", "GITHUB_REF_NAME"),
            "pr": _pr_from_ref(env.get("GITHUB_REF", "")),
            "run": f"gha-{run}-{env.get('GITHUB_RUN_ATTEMPT', '1')}" if run else None,
            "repo": f"{host}/{repo}" if repo else None,
        }
    elif env.get("GITLAB_CI"):
        pipeline = _nonempty(env, "CI_PIPELINE_ID")
        project = _nonempty(env, "CI_PROJECT_PATH")
        out = {
            "ci": "gitlab-ci",
            "commit": _nonempty(env, "CI_COMMIT_SHA"),
            "branch": _nonempty(
                env, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME"
            ),
            "pr": _nonempty(env, "CI_MERGE_REQUEST_IID"),
            "run": f"gitlab-{pipeline}" if pipeline else None,
            "repo": f"{env.get('CI_SERVER_HOST', 'gitlab.com')}/{project}" if project else None,
        }
    elif env.get("BUILDKITE") == "true":
        pr = _nonempty(env, "BUILDKITE_PULL_REQUEST")
        build = _nonempty(env, "BUILDKITE_BUILD_ID")
        out = {
            "ci": "buildkite",
            "commit": _nonempty(env, "BUILDKITE_COMMIT"),
            "branch": _nonempty(env, "BUILDKITE_BRANCH"),
            "pr": pr if pr and pr != "false" else None,
            "run": f"buildkite-{build}" if build else None,
            "repo": normalize_remote(env["BUILDKITE_REPO"]) if env.get("BUILDKITE_REPO") else None,
        }
    elif env.get("CIRCLECI") == "true":
        pr_url = env.get("CIRCLE_PULL_REQUEST", "")
        workflow = _nonempty(env, "CIRCLE_WORKFLOW_ID")
        user, name = env.get("CIRCLE_PROJECT_USERNAME"), env.get("CIRCLE_PROJECT_REPONAME")
        out = {
            "ci": "circleci",
            "commit": _nonempty(env, "CIRCLE_SHA1"),
            "branch": _nonempty(env, "CIRCLE_BRANCH"),
            "pr": _nonempty(env, "CIRCLE_PR_NUMBER") or (pr_url.rsplit("/", 1)[-1] or None),
            "run": f"circle-{workflow}" if workflow else None,
            "repo": normalize_remote(env["CIRCLE_REPOSITORY_URL"])
            if env.get("CIRCLE_REPOSITORY_URL")
            else (f"{user}/{name}" if user and name else None),
        }
    elif env.get("JENKINS_URL"):
        tag = _nonempty(env, "BUILD_TAG")
        out = {
            "ci": "jenkins",
            "commit": _nonempty(env, "GIT_COMMIT"),
            "branch": _nonempty(env, "CHANGE_BRANCH", "BRANCH_NAME", "GIT_BRANCH"),
            "pr": _nonempty(env, "CHANGE_ID"),
            "run": f"jenkins-{tag}" if tag else None,
            "repo": normalize_remote(env["GIT_URL"]) if env.get("GIT_URL") else None,
        }
    elif env.get("TF_BUILD"):
        build = _nonempty(env, "BUILD_BUILDID")
        branch = _nonempty(env, "SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH")
        out = {
            "ci": "azure-pipelines",
            "commit": _nonempty(env, "BUILD_SOURCEVERSION"),
            "branch": branch.removeprefix("refs/heads/") if branch else None,
            "pr": _nonempty(env, "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER"),
            "run": f"azure-{build}" if build else None,
            "repo": normalize_remote(env["BUILD_REPOSITORY_URI"])
            if env.get("BUILD_REPOSITORY_URI")
            else None,
        }
    elif env.get("TRAVIS") == "true":
        pr = _nonempty(env, "TRAVIS_PULL_REQUEST")
        build = _nonempty(env, "TRAVIS_BUILD_ID")
        slug = _nonempty(env, "TRAVIS_REPO_SLUG")
        out = {
            "ci": "travis-ci",
            "commit": _nonempty(env, "TRAVIS_COMMIT"),
            "branch": _nonempty(env, "TRAVIS_PULL_REQUEST_BRANCH", "TRAVIS_BRANCH"),
            "pr": pr if pr and pr != "false" else None,
            "run": f"travis-{build}" if build else None,
            "repo": f"github.com/{slug}" if slug else None,
        }
    return out


def normalize_remote(url: str) -> str:
    """A remote URL as a repository name, credentials and scheme dropped.

    ``git@github.com:acme/app.git`` and ``https://user:pw@github.com/acme/app`` are both
    ``github.com/acme/app``.
    """
    text = url.strip()
    scp = re.match(r"^[\w.-]+@([\w.-]+):(.+)$", text)
    if scp:
        text = f"{scp.group(1)}/{scp.group(2)}"
    else:
        text = re.sub(r"^[a-z+]+://", "", text)
        text = text.split("@", 1)[-1] if "@" in text.split("/", 1)[0] else text
    text = re.sub(r":\d+/", "/", text, count=1)
    return text.removesuffix("/").removesuffix(".git")


def repository_name(root: Path) -> str:
    """This repository's name in a store: its ``origin`` remote, else its directory name."""
    try:
        remote = gitinfo.run_git(root, "config", "--get", "remote.origin.url", ok_codes=(0, 1))
    except GitError:
        remote = ""
    if remote.strip():
        return normalize_remote(remote)
    try:
        return gitinfo.toplevel(root).name
    except GitError:
        return root.resolve().name


def detect(
    root: Path,
    env: Mapping[str, str] | None = None,
    *,
    repository: str | None = None,
    commit: str | None = None,
    branch: str | None = None,
    pr: str | None = None,
    run_id: str | None = None,
) -> RunContext:
    """The run's keys: explicit values, then CI variables, then git."""
    env = os.environ if env is None else env
    ci = ci_values(env)
    if commit is None:
        try:
            commit = gitinfo.current_commit(root)
        except GitError:
            commit = ci.get("commit")
    else:
        try:
            commit = gitinfo.run_git(root, "rev-parse", "--verify", commit + "^{commit}").strip()
        except GitError as exc:
            if re.fullmatch(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}", commit) is None:
                raise CovgapError(f"--commit {commit}: {exc}") from None
    if commit is None:
        raise CovgapError(
            f"{root}: no commit to record against: not a git repository and no CI commit "
            "variable set (pass --commit SHA)"
        )
    if branch is None:
        branch = ci.get("branch")
        if branch is None:
            try:
                branch = gitinfo.branch(root)
            except GitError:
                branch = None
    return RunContext(
        repository=repository or ci.get("repo") or repository_name(root),
        commit=commit.lower(),
        branch=branch,
        pr=pr or ci.get("pr"),
        run_key=run_id or ci.get("run"),
        ci=ci.get("ci"),
    )


def git_blob_id(data: bytes) -> str:
    """The id git gives a file with content ``data`` (``git hash-object``)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def blob_ids(root: Path, paths: Iterable[str]) -> dict[str, str]:
    """The git blob id of each repository-relative path that exists.

    Tracked, unmodified files take their id from git's index (no reading); modified,
    untracked files, or all of them outside git, are hashed the way git would.
    """
    wanted = set(paths)
    ids: dict[str, str] = {}
    try:
        prefix = gitinfo.prefix(root)
        staged = gitinfo.run_git(root, "ls-files", "-s", "-z", "--", ".")
        modified = set(gitinfo.run_git(root, "diff", "--name-only", "-z", "--relative").split("\0"))
    except GitError:
        prefix, staged, modified = "", "", set()
    del prefix  # ls-files and diff --relative already answer relative to root
    for entry in staged.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        if path in wanted and path not in modified:
            ids[path] = meta.split()[1]
    base = os.fspath(root)
    # A report's paths often lie in folders this checkout does not have (another
    # machine's, generated ones): one check per folder instead of a failed open per file.
    folders: dict[str, bool] = {}
    for path in wanted - ids.keys():
        full = os.path.join(base, path)  # plain strings: pathlib costs more than the reads
        folder = os.path.dirname(full)
        present = folders.get(folder)
        if present is None:
            present = folders[folder] = os.path.isdir(folder)
        if not present:
            continue
        try:
            with open(full, "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        ids[path] = git_blob_id(data)
    return ids


def ancestors(root: Path, commit: str, limit: int = 1000) -> list[str]:
    """Up to ``limit`` ancestors of ``commit``, nearest first (not ``commit`` itself)."""
    try:
        out = gitinfo.run_git(root, "rev-list", f"--max-count={limit + 1}", commit)
    except GitError:
        return []
    return [sha for sha in out.split() if sha != commit]


def distance(root: Path, ancestor: str, descendant: str) -> int | None:
    """How many commits ``descendant`` is past ``ancestor`` (None when git cannot say)."""
    try:
        out = gitinfo.run_git(root, "rev-list", "--count", f"{ancestor}..{descendant}")
    except GitError:
        return None
    return int(out.strip() or 0)


__all__ = [
    "RunContext",
    "ancestors",
    "blob_ids",
    "ci_values",
    "detect",
    "distance",
    "git_blob_id",
    "normalize_remote",
    "repository_name",
]
