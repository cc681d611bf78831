"""gitinfo against real git repositories built in tmp_path."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap import gitinfo
from covgap.errors import GitError
from covgap.gitinfo import FileDiff, Hunk, parse_diff


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


def make_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    git(path, "config", "user.email", "t@example.com")
    git(path, "config", "user.name", "T")
    git(path, "config", "commit.gpgsign", "false")
    return path


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def write(repo: Path, name: str, lines: list[str]) -> None:
    p = repo / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("".join(line + "\n" for line in lines))


BODY = [f"line {i}" for i in range(1, 31)]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = make_repo(tmp_path / "r")
    write(r, "src/a.py", BODY)
    write(r, "src/old_name.py", BODY)
    write(r, "src/gone.py", ["x = 1", "y = 2"])
    commit_all(r, "base")
    git(r, "checkout", "-q", "-b", "feature")
    a = list(BODY)
    a[4] = "line 5 changed"  # line 5 modified
    a.insert(10, "inserted after 10")  # new line 11
    del a[20]  # old line 20 deleted (after the insert this is index 20 -> old line 20)
    write(r, "src/a.py", a)
    (r / "src/old_name.py").rename(r / "src/new_name.py")
    renamed = list(BODY)
    renamed[0] = "line 1 edited in the rename"
    write(r, "src/new_name.py", renamed)
    (r / "src/gone.py").unlink()
    write(r, "src/brand_new.py", ["a", "b", "c"])
    commit_all(r, "change")
    return r


def test_diff_against_merge_base_follows_renames(repo: Path) -> None:
    info = gitinfo.resolve_base(repo, "main")
    assert info.problem is None and not info.shallow
    d = gitinfo.diff(repo, info.commit or "")
    assert set(d.files) == {"src/a.py", "src/new_name.py", "src/gone.py", "src/brand_new.py"}
    a = d.files["src/a.py"]
    assert a.status == "M"
    assert a.added == {5, 11}
    assert a.deleted == {5, 20}
    # Unchanged lines map across the insertion and the deletion.
    assert a.old_line(4) == 4
    assert a.old_line(12) == 11
    assert a.old_line(20) == 19
    assert a.old_line(21) == 21
    assert a.new_line(21) == 21
    assert a.new_line(20) is None
    assert a.new_line(19) == 20
    ren = d.files["src/new_name.py"]
    assert (ren.status, ren.old_path, ren.added) == ("R", "src/old_name.py", {1})
    assert d.renames() == {"src/old_name.py": "src/new_name.py"}
    assert d.files["src/gone.py"].status == "D"
    assert d.files["src/gone.py"].deleted == {1, 2}
    assert d.files["src/brand_new.py"].added == {1, 2, 3}
    assert d.changed_lines()["src/brand_new.py"] == {1, 2, 3}


def test_uncommitted_and_untracked_files_on_request(repo: Path) -> None:
    write(repo, "src/brand_new.py", ["a", "B", "c", "d"])
    write(repo, "src/untracked.py", ["u1", "u2"])
    base = gitinfo.resolve_base(repo, "main").commit or ""
    committed = gitinfo.diff(repo, base)
    assert committed.files["src/brand_new.py"].added == {1, 2, 3}
    assert "src/untracked.py" not in committed.files
    worktree = gitinfo.diff(repo, base, include_uncommitted=True)
    assert worktree.head is None
    assert worktree.files["src/brand_new.py"].added == {1, 2, 3, 4}
    assert worktree.files["src/untracked.py"].added == {1, 2}


def test_merge_base_is_used_when_base_moved_on(repo: Path) -> None:
    fork = git(repo, "merge-base", "main", "feature").strip()
    git(repo, "checkout", "-q", "main")
    write(repo, "src/on_main.py", ["m"])
    commit_all(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    info = gitinfo.resolve_base(repo, "main")
    assert info.commit == fork
    assert info.problem is None
    assert any("not an ancestor" in n for n in info.notes)
    assert "src/on_main.py" not in gitinfo.diff(repo, info.commit or "").files
    strict = gitinfo.resolve_base(repo, "main", use_merge_base=False)
    assert strict.problem is not None and "not an ancestor" in strict.problem
    assert not gitinfo.is_ancestor(repo, "main")
    assert gitinfo.is_ancestor(repo, fork)


def test_unrelated_history_and_bad_ref(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "other")
    write(repo, "o.txt", ["o"])
    commit_all(repo, "orphan")
    git(repo, "checkout", "-q", "feature")
    info = gitinfo.resolve_base(repo, "other")
    assert info.problem is not None and "share no history" in info.problem
    missing = gitinfo.resolve_base(repo, "no-such-branch")
    assert missing.problem is not None and "does not name a commit" in missing.problem
    with pytest.raises(GitError, match="not a usable git ref"):
        gitinfo.resolve_base(repo, "--output=/tmp/x")


def test_shallow_clone_is_detected_and_explained(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    assert gitinfo.is_shallow(clone)
    assert not gitinfo.is_shallow(repo)
    info = gitinfo.resolve_base(clone, "origin/main")
    assert info.shallow
    assert info.problem is not None and "shallow clone" in info.problem
    assert "--unshallow" in info.problem


def test_shallow_clone_cut_at_the_merge_base_is_not_trusted(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "shallow2"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", "--no-single-branch", f"file://{repo}", str(clone)],
        check=True,
        capture_output=True,
    )
    git(clone, "checkout", "-q", "feature")
    # main and feature are each cut at depth 1: feature's boundary is its own tip.
    info = gitinfo.resolve_base(clone, "origin/main")
    assert info.problem is not None and "shallow" in info.problem


def test_commit_branch_and_not_a_repository(repo: Path, tmp_path: Path) -> None:
    assert gitinfo.branch(repo) == "feature"
    head = gitinfo.current_commit(repo)
    assert len(head) == 40
    git(repo, "checkout", "-q", "--detach")
    assert gitinfo.branch(repo) is None
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError) as exc:
        gitinfo.current_commit(plain)
    assert "\n" not in str(exc.value)
    assert "not a git repository" in str(exc.value)


def test_churn_counts_commits_per_path(repo: Path) -> None:
    write(repo, "src/a.py", ["again"])
    commit_all(repo, "third")
    counts = gitinfo.churn(repo, 30)
    assert counts["src/a.py"] == 3
    assert counts["src/brand_new.py"] == 1
    assert gitinfo.churn(repo, 30, ["src/a.py"]) == {"src/a.py": 3}
    with pytest.raises(GitError):
        gitinfo.churn(repo, 0)


def test_repo_below_git_toplevel_gets_relative_paths(repo: Path) -> None:
    sub = repo / "src"
    d = gitinfo.diff(sub, gitinfo.resolve_base(sub, "main").commit or "")
    assert "a.py" in d.files and d.files["a.py"].added == {5, 11}
    assert gitinfo.churn(sub, 30)["a.py"] == 2


def test_default_base_prefers_ci_variables(repo: Path) -> None:
    assert gitinfo.default_base(repo, {}) == ("main", "guess")
    fork = git(repo, "rev-parse", "main").strip()
    assert gitinfo.default_base(repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": fork}) == (
        fork,
        "CI_MERGE_REQUEST_DIFF_BASE_SHA",
    )
    # Named by CI even before it is fetched, so that a missing ref is explained.
    assert gitinfo.default_base(repo, {"GITHUB_BASE_REF": "main"}) == (
        "origin/main",
        "GITHUB_BASE_REF",
    )
    git(repo, "update-ref", "refs/remotes/origin/main", fork)
    assert gitinfo.default_base(repo, {}) == ("origin/main", "guess")
    git(repo, "checkout", "-q", "main")
    git(repo, "update-ref", "-d", "refs/remotes/origin/main")
    assert gitinfo.default_base(repo, {}) is None


def test_quoted_paths_and_binary_files_parse() -> None:
    text = (
        'diff --git "a/sp ace\\tx.c" "b/sp ace\\tx.c"\n'
        "index 1..2 100644\n"
        '--- "a/sp ace\\tx.c"\n'
        '+++ "b/sp ace\\tx.c"\n'
        "@@ -3 +3,2 @@\n"
        "-old\n"
        "+new\n"
        "+newer\n"
        "diff --git a/caf\\303\\251.bin b/caf\\303\\251.bin\n"
        "Binary files a/x and b/x differ\n"
        "diff --git a/m.sh b/m.sh\n"
        "old mode 100644\n"
        "new mode 100755\n"
    )
    files = parse_diff(text)
    assert files[0].path == "sp ace\tx.c" and files[0].added == {3, 4}
    assert files[2].path == "m.sh" and files[2].status == "M" and not files[2].hunks


@st.composite
def edits(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    old = [f"l{i}" for i in range(draw(st.integers(0, 25)))]
    new = list(old)
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["ins", "del", "mod"]))
        if op == "ins" or not new:
            new.insert(draw(st.integers(0, len(new))), f"n{draw(st.integers(0, 10**6))}")
        elif op == "del":
            del new[draw(st.integers(0, len(new) - 1))]
        else:
            new[draw(st.integers(0, len(new) - 1))] = f"m{draw(st.integers(0, 10**6))}"
    return old, new


@settings(max_examples=40, deadline=None)
@given(edits())
def test_line_mapping_agrees_with_difflib(pair: tuple[list[str], list[str]]) -> None:
    """Hunks built from any edit map unchanged lines both ways, consistently."""
    import difflib

    old, new = pair
    hunks = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        hunks.append(Hunk(i1 + 1 if i2 > i1 else i1, i2 - i1, j1 + 1 if j2 > j1 else j1, j2 - j1))
    fd = FileDiff("f", "f", "M", hunks)
    expected: dict[int, int] = {}
    for tag, i1, i2, j1, _j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                expected[j1 + k + 1] = i1 + k + 1
    for n in range(1, len(new) + 1):
        assert fd.old_line(n) == expected.get(n)
    inverse = {v: k for k, v in expected.items()}
    for o in range(1, len(old) + 1):
        assert fd.new_line(o) == inverse.get(o)


@settings(max_examples=15, deadline=None)
@given(edits())
def test_real_git_hunks_map_lines_to_equal_content(pair: tuple[list[str], list[str]]) -> None:
    """Whatever git reports, an unchanged line maps to a base line with the same text."""
    import tempfile

    old, new = pair
    with tempfile.TemporaryDirectory() as tmp:
        r = make_repo(Path(tmp) / "r")
        write(r, "f.txt", old)
        base = commit_all(r, "base")
        write(r, "f.txt", new)
        if old != new:
            commit_all(r, "edit")
        fd = gitinfo.diff(r, base).files.get("f.txt")
    if fd is None:
        assert old == new
        return
    for n in range(1, len(new) + 1):
        m = fd.old_line(n)
        assert (m is None) == (n in fd.added)
        if m is not None:
            assert old[m - 1] == new[n - 1]
            assert fd.new_line(m) == n
    kept = [m for m in range(1, len(old) + 1) if m not in fd.deleted]
    assert len(kept) == len(new) - len(fd.added)
