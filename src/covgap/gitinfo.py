"""Ask git the questions gates and risk ranking need, safely and with one-line errors.

Everything here runs ``git`` as a subprocess with an argument list (never a shell),
with a fixed environment (``LC_ALL=C`` so messages can be parsed, no pager, no
credential prompt, no optional locks) and with ``-c`` overrides for the user settings
that would change the shape of the output (``diff.noprefix``, ``diff.relative``,
external diff drivers, ``core.quotepath``). A ref the user typed is checked not to
look like an option before it reaches git, so ``--base=--output=x`` cannot smuggle a
flag in. Failures become :class:`GitError` with git's own one-line reason.

Changed lines come from ``git diff -M --unified=0 --no-color``. With zero lines of
context each hunk header says exactly which lines went and which came::

    @@ -12,3 +12,4 @@        old lines 12..14 replaced by new lines 12..15
    @@ -30,0 +31,2 @@        nothing removed; new lines 31..32 inserted after old 30
    @@ -7 +6,0 @@            old line 7 deleted; nothing inserted (after new 6)

A count that is left out means 1. A changed line is, as in lcov's differential
coverage, a deletion of the old line plus an insertion of the new one.

Paths are repository-relative with forward slashes, relative to the directory
covgap treats as the repository (``--repo``), which may sit below git's top level.
"""

from __future__ import annotations

import os
import re
import subprocess
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from covgap.errors import GitError
from covgap.types import LineNo, RepoPath

__all__ = [
    "BaseInfo",
    "Diff",
    "FileDiff",
    "Hunk",
    "branch",
    "churn",
    "current_commit",
    "default_base",
    "diff",
    "is_ancestor",
    "is_shallow",
    "merge_base",
    "parse_diff",
    "prefix",
    "resolve_base",
    "run_git",
    "shallow_boundary",
    "toplevel",
]

_GIT_CONFIG = (
    "-c",
    "core.quotepath=off",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicPrefix=false",
    "-c",
    "diff.relative=false",
    "-c",
    "diff.external=",
    "-c",
    "diff.renames=true",
    "-c",
    "log.showSignature=false",
    "-c",
    "color.ui=false",
)

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_GIT_TIMEOUT = 120.0


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    # Keep the variables that say *which* repository and identity to use in odd
    # setups (worktrees under CI, safe.directory), drop the ones that change output.
    for keep in ("GIT_DIR", "GIT_WORK_TREE", "GIT_CEILING_DIRECTORIES", "GIT_CONFIG_NOSYSTEM"):
        if keep in os.environ:
            env[keep] = os.environ[keep]
    env.update(
        LC_ALL="C",
        LANG="C",
        GIT_PAGER="cat",
        PAGER="cat",
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",
        GIT_ASKPASS="",
        SSH_ASKPASS="",
    )
    return env


def _first_line(text: str) -> str:
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("hint:"):
            return line.removeprefix("fatal: ").removeprefix("error: ")
    return ""


def run_git(repo: Path, *args: str, ok_codes: Sequence[int] = (0,)) -> str:
    """Run ``git -C repo args...`` and return its stdout as text.

    Raises :class:`GitError` with git's first error line when git is missing, the
    exit status is not in ``ok_codes``, or it runs longer than two minutes.
    """
    return _run(repo, args, ok_codes)[1]


def _run(repo: Path, args: Sequence[str], ok_codes: Sequence[int]) -> tuple[int, str]:
    cmd = ["git", "-C", str(repo), *_GIT_CONFIG, *args]
    try:
        proc = subprocess.run(
            cmd,
            capture_output=True,
            env=_environment(),
            timeout=_GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {_GIT_TIMEOUT:.0f}s") from None
    if proc.returncode not in ok_codes:
        why = (
            _first_line(proc.stderr.decode("utf-8", "replace")) or f"exit status {proc.returncode}"
        )
        raise GitError(f"git {args[0]} failed in {repo}: {why}")
    return proc.returncode, proc.stdout.decode("utf-8", "surrogateescape")


def _check_ref(ref: str) -> str:
    """Refuse a ref that git would read as an option or that cannot be a ref at all."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise GitError(f"not a usable git ref: {ref!r}")
    return ref


def toplevel(repo: Path) -> Path:
    """The root of the git work tree that contains ``repo``."""
    return Path(run_git(repo, "rev-parse", "--show-toplevel").strip())


def prefix(repo: Path) -> str:
    """Where ``repo`` sits below git's top level (``""`` or ``"sub/dir/"``).

    CI annotations name files from the top of the checkout, so reports made for a
    ``--repo`` below it put this in front of their paths.
    """
    return run_git(repo, "rev-parse", "--show-prefix").strip()


def current_commit(repo: Path) -> str:
    """The full SHA of HEAD."""
    return run_git(repo, "rev-parse", "--verify", "HEAD^{commit}").strip()


def branch(repo: Path) -> str | None:
    """The checked-out branch's short name, or None on a detached HEAD."""
    out = run_git(repo, "symbolic-ref", "--short", "-q", "HEAD", ok_codes=(0, 1)).strip()
    return out or None


def is_shallow(repo: Path) -> bool:
    """Whether the clone is shallow (``git clone --depth N``, CI default checkouts)."""
    return run_git(repo, "rev-parse", "--is-shallow-repository").strip() == "true"


def shallow_boundary(repo: Path) -> frozenset[str]:
    """The commits at the cut of a shallow clone: git pretends they have no parents."""
    path = Path(run_git(repo, "rev-parse", "--git-path", "shallow").strip())
    if not path.is_absolute():
        path = repo / path
    try:
        return frozenset(path.read_text().split())
    except FileNotFoundError:
        return frozenset()


def _rev(repo: Path, ref: str) -> str | None:
    out = run_git(
        repo, "rev-parse", "--verify", "--quiet", _check_ref(ref) + "^{commit}", ok_codes=(0, 1)
    ).strip()
    return out or None


def merge_base(repo: Path, base: str, head: str = "HEAD") -> str | None:
    """The best common ancestor of ``base`` and ``head``, or None when there is none."""
    out = run_git(repo, "merge-base", _check_ref(base), _check_ref(head), ok_codes=(0, 1)).strip()
    return out or None


def is_ancestor(repo: Path, ancestor: str, descendant: str = "HEAD") -> bool:
    """Whether ``ancestor`` is reachable from ``descendant``."""
    code, _ = _run(
        repo,
        ("merge-base", "--is-ancestor", _check_ref(ancestor), _check_ref(descendant)),
        (0, 1),
    )
    return code == 0


def default_base(repo: Path, env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """Find the ref a change will merge into, and say who named it.

    Returns ``(ref, source)``. CI systems announce the target: GitLab merge request
    pipelines give the merge-base SHA itself (``CI_MERGE_REQUEST_DIFF_BASE_SHA``),
    GitHub pull requests the target branch (``GITHUB_BASE_REF``, fetched as
    ``origin/<name>``); those are returned even when the clone lacks them, so the
    caller can explain a shallow or single-branch checkout instead of guessing. Outside
    CI the first that exists of ``origin/HEAD``, ``origin/main``, ``origin/master``,
    ``main``, ``master`` (not the current branch) is a guess (source ``"guess"``).
    None when nothing fits.
    """
    env = os.environ if env is None else env
    for var, fmt in (("CI_MERGE_REQUEST_DIFF_BASE_SHA", "{}"), ("GITHUB_BASE_REF", "origin/{}")):
        value = env.get(var, "").strip()
        if value and not value.startswith("-"):
            return fmt.format(value), var
    current = branch(repo)
    for ref in ("origin/HEAD", "origin/main", "origin/master", "main", "master"):
        if ref != current and _rev(repo, ref) is not None:
            return ref, "guess"
    return None


# -- the diff -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hunk:
    """One ``@@`` hunk: ``old_count`` lines at ``old_start`` became ``new_count`` at ``new_start``.

    With a count of 0 the start is the line *before* the (empty) range, as git writes it.
    """

    old_start: LineNo
    old_count: int
    new_start: LineNo
    new_count: int


@dataclass
class FileDiff:
    """What changed in one file between the base and the current version.

    ``path`` is the current path (None when the file was deleted), ``old_path`` the
    path at the base (None when the file is new); they differ for a rename.
    """

    path: RepoPath | None
    old_path: RepoPath | None
    status: str  # "A" added, "D" deleted, "M" modified, "R" renamed
    hunks: list[Hunk] = field(default_factory=list)
    binary: bool = False
    _map: tuple[list[int], list[int], frozenset[int]] | None = field(
        default=None, repr=False, compare=False
    )
    _rmap: tuple[list[int], list[int], frozenset[int]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def added(self) -> frozenset[LineNo]:
        """Lines of the current file that are new or changed."""
        return frozenset(
            ln for h in self.hunks for ln in range(h.new_start, h.new_start + h.new_count)
        )

    @property
    def deleted(self) -> frozenset[LineNo]:
        """Lines of the base file that were removed or changed."""
        return frozenset(
            ln for h in self.hunks for ln in range(h.old_start, h.old_start + h.old_count)
        )

    def new_line(self, old_line: LineNo) -> LineNo | None:
        """The current line an unchanged base line moved to; None for deleted lines."""
        if self.status == "D":
            return None
        if self._rmap is None:
            self._rmap = self._line_map(from_new=False)
        return self._translate(old_line, self._rmap, sign=1)

    def old_line(self, new_line: LineNo) -> LineNo | None:
        """The base line an unchanged current line came from; None for new lines.

        Between hunks the two versions advance in step, so an unchanged line's offset
        is the running sum of ``new_count - old_count`` of the hunks above it. A hunk
        that only deletes (``+s,0``) shifts the lines from ``s + 1`` on.
        """
        if self.status == "A":
            return None
        if self._map is None:
            self._map = self._line_map(from_new=True)
        return self._translate(new_line, self._map, sign=-1)

    def _line_map(self, *, from_new: bool) -> tuple[list[int], list[int], frozenset[LineNo]]:
        """Where each hunk's shift starts on one side, the running shifts, its changed lines."""
        starts: list[int] = []
        offsets: list[int] = []
        offset = 0
        for h in self.hunks:
            offset += h.new_count - h.old_count
            start, count = (h.new_start, h.new_count) if from_new else (h.old_start, h.old_count)
            starts.append(start + count if count else start + 1)
            offsets.append(offset)
        return starts, offsets, self.added if from_new else self.deleted

    @staticmethod
    def _translate(
        line: LineNo, line_map: tuple[list[int], list[int], frozenset[LineNo]], sign: int
    ) -> LineNo | None:
        starts, offsets, changed = line_map
        if line in changed:
            return None
        i = bisect_right(starts, line) - 1
        return line + sign * (offsets[i] if i >= 0 else 0)


@dataclass
class Diff:
    """Changed files between ``base`` (a commit) and the current state."""

    files: dict[RepoPath, FileDiff] = field(default_factory=dict)
    """By current path; deleted files are keyed by their old path."""
    base: str | None = None
    head: str | None = None
    """The commit compared to, or None when the work tree (uncommitted) was included."""

    def changed_lines(self) -> dict[RepoPath, frozenset[LineNo]]:
        """New or changed lines per current path (deleted files left out)."""
        return {p: fd.added for p, fd in self.files.items() if fd.path is not None}

    def renames(self) -> dict[RepoPath, RepoPath]:
        """Old path → new path for every rename."""
        return {
            fd.old_path: fd.path
            for fd in self.files.values()
            if fd.status == "R" and fd.old_path is not None and fd.path is not None
        }

    def by_old_path(self) -> dict[RepoPath, FileDiff]:
        return {fd.old_path: fd for fd in self.files.values() if fd.old_path is not None}


_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


def _unquote(text: str) -> str:
    """Undo git's C-style quoting of a path (``"tab\\there"``, octal UTF-8 bytes)."""
    if not (len(text) >= 2 and text[0] == '"' and text[-1] == '"'):
        return text
    body = text[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt.isdigit():
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
        out += ch.encode("utf-8", "surrogateescape")
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _strip_side(path: str, prefix: str) -> str | None:
    if path == "/dev/null":
        return None
    path = _unquote(path)
    return path[len(prefix) :] if path.startswith(prefix) else path


def _header_paths(rest: str) -> tuple[str, str] | None:
    """Split ``a/x b/x`` from a ``diff --git`` line when both sides are the same path."""
    if rest.startswith('"'):
        m = re.match(r'^("(?:[^"\\]|\\.)*") ("(?:[^"\\]|\\.)*"|\S.*)$', rest)
        if m:
            return _unquote(m.group(1))[2:], _unquote(m.group(2))[2:]
        return None
    n = len(rest)
    if n % 2 == 1:
        half = (n - 1) // 2
        a, b = rest[:half], rest[half + 1 :]
        if a.startswith("a/") and b.startswith("b/") and a[2:] == b[2:]:
            return a[2:], b[2:]
    return None


def parse_diff(text: str) -> list[FileDiff]:
    """Parse ``git diff -M --unified=0`` output into one :class:`FileDiff` per file.

    Only the headers and the ``@@`` lines matter: with zero context the hunk headers
    carry every changed line number, and the ``+``/``-`` bodies are skipped.
    """
    files: list[FileDiff] = []
    cur: dict[str, object] | None = None

    def finish() -> None:
        if cur is None:
            return
        old = cur.get("old")
        new = cur.get("new")
        assert old is None or isinstance(old, str)
        assert new is None or isinstance(new, str)
        if cur.get("new_file"):
            old = None
        if cur.get("deleted_file"):
            new = None
        if old is None and new is None:
            return
        if old is None:
            status = "A"
        elif new is None:
            status = "D"
        elif old != new:
            status = "R"
        else:
            status = "M"
        hunks = cur["hunks"]
        assert isinstance(hunks, list)
        files.append(FileDiff(new, old, status, hunks, bool(cur.get("binary"))))

    in_hunk = False
    for line in text.split("\n"):
        if line.startswith("diff --git "):
            finish()
            cur = {"hunks": []}
            in_hunk = False
            both = _header_paths(line[len("diff --git ") :])
            if both:
                cur["old"], cur["new"] = both
            continue
        if cur is None:
            continue
        if in_hunk and line[:1] in ("+", "-", " ", "\\"):
            continue
        in_hunk = False
        if line.startswith("@@ "):
            m = _HUNK_RE.match(line)
            if not m:
                raise GitError(f"unexpected hunk header in git diff output: {line[:80]!r}")
            hunks = cur["hunks"]
            assert isinstance(hunks, list)
            hunks.append(
                Hunk(
                    int(m.group(1)),
                    1 if m.group(2) is None else int(m.group(2)),
                    int(m.group(3)),
                    1 if m.group(4) is None else int(m.group(4)),
                )
            )
            in_hunk = True
        elif line.startswith("--- "):
            cur["old"] = _strip_side(line[4:].rstrip("\t"), "a/")
        elif line.startswith("+++ "):
            cur["new"] = _strip_side(line[4:].rstrip("\t"), "b/")
        elif line.startswith("rename from "):
            cur["old"] = _unquote(line[len("rename from ") :])
        elif line.startswith("rename to "):
            cur["new"] = _unquote(line[len("rename to ") :])
        elif line.startswith("new file mode"):
            cur["new_file"] = True
        elif line.startswith("deleted file mode"):
            cur["deleted_file"] = True
        elif line.startswith("Binary files "):
            cur["binary"] = True
    finish()
    return files


@dataclass(frozen=True)
class BaseInfo:
    """How a base ref was turned into the commit the diff is taken against.

    ``problem`` is set, with an explanation a person can act on, when the comparison
    would not be trustworthy (shallow clone cut above the merge-base, no common
    history, a base that is not an ancestor when one was required).
    """

    ref: str
    commit: str | None
    merge_base: str | None
    shallow: bool
    problem: str | None = None
    notes: tuple[str, ...] = ()


_SHALLOW_FIX = (
    "fetch the history (`git fetch --unshallow`, or `fetch-depth: 0` in "
    "actions/checkout, `GIT_DEPTH: 0` in GitLab CI)"
)


def resolve_base(repo: Path, ref: str, *, use_merge_base: bool = True) -> BaseInfo:
    """Find the commit to diff against for ``ref`` and say whether it can be trusted.

    By default that is the merge-base of ``ref`` and HEAD, so commits that landed on
    the target branch after this one branched off do not count as "changed here". With
    ``use_merge_base=False`` the ref itself is used, which is only correct when it is
    an ancestor of HEAD; otherwise ``problem`` explains why not.
    """
    _check_ref(ref)
    shallow = is_shallow(repo)
    commit = _rev(repo, ref)
    if commit is None:
        why = f"base ref {ref!r} does not name a commit in this clone"
        if shallow:
            why += f"; this is a shallow clone, so it may simply not be fetched: {_SHALLOW_FIX}"
        else:
            why += " (fetch it first, e.g. `git fetch origin main`)"
        return BaseInfo(ref, None, None, shallow, why)
    mb = merge_base(repo, commit)
    if mb is None:
        why = f"{ref} and HEAD share no history"
        if shallow:
            why = f"this is a shallow clone and its history ends before {ref} and HEAD meet; " + (
                _SHALLOW_FIX
            )
        return BaseInfo(ref, commit, None, shallow, why)
    notes: list[str] = []
    if shallow and mb in shallow_boundary(repo):
        return BaseInfo(
            ref,
            commit,
            mb,
            shallow,
            f"this is a shallow clone and the common ancestor of {ref} and HEAD found "
            f"({mb[:12]}) is where the fetched history is cut off, so it may not be the "
            f"real merge-base; {_SHALLOW_FIX}",
        )
    if mb != commit:
        if not use_merge_base:
            return BaseInfo(
                ref,
                commit,
                mb,
                shallow,
                f"{ref} ({commit[:12]}) is not an ancestor of HEAD, so a diff against it "
                f"would count its own later changes as changes here; compare against the "
                f"merge-base {mb[:12]} instead (the default)",
            )
        notes.append(
            f"{ref} ({commit[:12]}) is not an ancestor of HEAD; changes are taken "
            f"against their merge-base {mb[:12]}"
        )
    return BaseInfo(ref, mb if use_merge_base else commit, mb, shallow, None, tuple(notes))


def _count_lines(path: Path) -> int:
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    if b"\0" in data[:8000]:
        return -1
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def diff(
    repo: Path,
    base_commit: str,
    *,
    include_uncommitted: bool = False,
) -> Diff:
    """Changed lines between ``base_commit`` and HEAD (or the work tree).

    With ``include_uncommitted`` the comparison is against the work tree, staged and
    unstaged edits included, and untracked files that git would not ignore count as
    new files in full. Paths are made relative to ``repo`` and files outside it are
    left out.
    """
    _check_ref(base_commit)
    args = [
        "diff",
        "-M",
        "--unified=0",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base_commit,
    ]
    head: str | None = None
    if not include_uncommitted:
        head = current_commit(repo)
        args.append(head)
    top = toplevel(repo)
    args.append("--")
    files = parse_diff(run_git(repo, *args))
    if include_uncommitted:
        out = run_git(repo, "ls-files", "-z", "--others", "--exclude-standard", "--full-name")
        for name in out.split("\0"):
            if not name:
                continue
            n = _count_lines(top / name)
            fd = FileDiff(name, None, "A", [], binary=n < 0)
            if n > 0:
                fd.hunks.append(Hunk(0, 0, 1, n))
            files.append(fd)
    below = prefix(repo)
    result = Diff(base=base_commit, head=head)
    for fd in files:
        fd.path = _relative(fd.path, below)
        fd.old_path = _relative(fd.old_path, below)
        key = fd.path if fd.path is not None else fd.old_path
        if key is None:
            continue
        if fd.status == "R" and (fd.path is None or fd.old_path is None):
            fd.status = "A" if fd.old_path is None else "D"
        result.files[key] = fd
    return result


def _relative(path: str | None, prefix: str) -> str | None:
    if path is None or not prefix:
        return path
    return path[len(prefix) :] if path.startswith(prefix) else None


def churn(repo: Path, days: int, paths: Iterable[RepoPath] | None = None) -> dict[RepoPath, int]:
    """How many commits touched each file in the last ``days`` days.

    Counts commits on the current branch's history (merges add nothing of their own,
    as ``git log`` shows no files for them); a path that no commit touched is absent.
    With ``paths`` only those files are reported. In a shallow clone the count only
    sees the fetched commits.
    """
    if days <= 0:
        raise GitError(f"churn needs a positive number of days, got {days}")
    out = run_git(
        repo, "log", f"--since={days}.days.ago", "--name-only", "--format=", "-z", "--no-renames"
    )
    below = prefix(repo)
    counts: Counter[str] = Counter()
    for name in out.replace("\n", "\0").split("\0"):
        rel = _relative(name, below) if name else None
        if rel:
            counts[rel] += 1
    if paths is not None:
        wanted = set(paths)
        return {p: n for p, n in counts.items() if p in wanted}
    return dict(counts)
