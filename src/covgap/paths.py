"""Map the file paths written in coverage reports onto the repository's files.

"No coverage found" is the most common complaint about every coverage tool, and it is
nearly always this: the report says ``/home/runner/work/app/app/src/x.rs`` (CI),
``C:\\a\\b\\src\\x.ts`` (Windows), ``./src/x.py``, ``src/lib.rs`` (relative to one crate
of a workspace), ``x.py`` (relative to a Cobertura ``<source>``) or
``github.com/acme/app/pkg/x.go`` (Go's import path), while the repository calls the
file ``crates/core/src/x.rs``. Each report path is tried, in order, as:

1. the user's ``[paths] fixes`` (the first fix whose ``from`` is a prefix of the
   normalised path replaces that prefix with its ``to``);
2. the path exactly as written, then normalised (``\\`` → ``/``, no ``./``, ``a/../``
   resolved, ``file://`` dropped, drive letter upper-cased);
3. an absolute path below the repository root, made relative to it — whether or not
   the file exists today (a baseline converted after a delete keeps ``a.c``; an
   installed copy under a dependency directory such as ``.tox/…/site-packages`` is
   the exception and goes on to step 6);
4. a Go import path below a ``go.mod`` module path, moved to that module's directory;
5. a relative path joined to each of the report's source roots
   (``CoverageSet.source_roots``);
6. the longest unique suffix match: repository files with the same last two path
   components are compared component by component from the end, and the one sharing
   the longest suffix wins. A match needs at least two components in common unless the
   report path is a bare file name, and everything below a dependency directory
   (``node_modules``, ``site-packages``, ``.cargo``, ``/rustc/``, a Go ``name@version``)
   when the path has one; with several best candidates (``src/lib.rs`` in three
   crates) the path is *ambiguous* and nothing is picked. A path written on Windows
   (a drive letter or backslashes) that matches nothing is tried again ignoring case;
7. the prefix rewrites learned from steps 3-6 (``/home/runner/work/app/app/`` → ``""``),
   which settle ambiguous and single-component matches the other files vouch for.

Mapped files are renamed onto their repository path; two report paths reaching one
file are merged (hits summed). A path that maps nowhere is kept, under its normalised
spelling, so totals still equal the native tool's; it is listed in an
:class:`UnmappedGroup` with the other paths under the same directory and, when a
repository file has the same name and the fix is credible, a suggested fix, e.g.::

    12 files under /home/ci/other/ not found in the repository; add to covgap.toml:
    [paths] fixes = [{ from = "/home/ci/other/", to = "pkg/" }]

A fix is credible when applying it moves no report path that maps today and more
than a coincidence of names supports it (several files agree on the rewrite, or a
file shares components beyond its name with the target); otherwise the files are
*stale* ("deleted, renamed or generated?") and the advice is ``ignore``. Paths
outside the repository that nothing maps are *external* (:func:`map_paths`): left
out unless asked for, and named in one note.

Paths the configuration excludes (``[paths] ignore``, or not matching ``[paths]
include``) are dropped here and never listed as unmapped. With no repository files at
all (coverage read outside a repository) paths are only normalised and nothing is
reported unmapped.
"""

from __future__ import annotations

import bisect
import json
import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from os.path import realpath

from covgap.config import PathFix
from covgap.model import CoverageSet
from covgap.workspace import Workspace

_DRIVE = re.compile(r"^([A-Za-z]):(?=/|$)")

MISSING = "missing"
"""No repository file has the name: generated, third-party or from another checkout."""
AMBIGUOUS = "ambiguous"
"""Several repository files match equally well; a fix must say which."""
RELOCATED = "relocated"
"""A repository file has the name under another directory; the suggestion moves it."""
STALE = "stale"
"""Looks like the repository's own (under its root, or a name it has) but is not there
today, and no rewrite is credible: deleted, renamed or generated."""


def normalize(path: str) -> str:
    """Spell a report path canonically, so two spellings of one file become one key.

    ``.\\src\\x.py``, ``./src/x.py`` and ``src/./y/../x.py`` all become ``src/x.py``;
    ``c:\\a\\x.ts`` becomes ``C:/a/x.ts``; ``file:///abs/x`` becomes ``/abs/x``.
    Normalising twice changes nothing (a property test checks it).
    """
    previous = None
    while path != previous:
        previous, path = path, _normalize_once(path)
    return path


def _normalize_once(path: str) -> str:
    while path.startswith("file://"):
        path = path[7:]
    path = path.replace("\\", "/")
    drive = ""
    match = _DRIVE.match(path)
    if match:
        drive = match.group(1).upper() + ":"
        path = path[2:]
    if not path:
        return drive
    normal = posixpath.normpath(path)
    if normal == ".":
        normal = ""
    return drive + normal


def _normalize_prefix(prefix: str) -> str:
    """Normalise a fix's ``from`` like a path but keep its trailing slash, if any."""
    if not prefix:
        return ""
    trailing = prefix.endswith(("/", "\\"))
    normal = normalize(prefix)
    if trailing and normal and not normal.endswith("/"):
        normal += "/"
    return normal


def apply_fixes(path: str, fixes: Sequence[PathFix]) -> tuple[str, PathFix] | None:
    """Apply the first fix whose ``from`` prefixes ``path`` (already normalised)."""
    for fix in fixes:
        prefix = _normalize_prefix(fix.from_)
        if path.startswith(prefix):
            return normalize(fix.to + path[len(prefix) :]), fix
    return None


@dataclass
class UnmappedGroup:
    """Report paths under one directory that are not repository files, and what to do.

    ``kind`` is :data:`MISSING`, :data:`AMBIGUOUS`, :data:`RELOCATED` or :data:`STALE`;
    ``candidates`` maps a path to the repository files it could be (ambiguous or
    single-component matches), so the message can show the choice.
    """

    prefix: str
    paths: list[str]
    suggestion: PathFix | None = None
    kind: str = MISSING
    candidates: dict[str, list[str]] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for the user: how many, where, and the config line that fixes it."""
        n = len(self.paths)
        files = f"{n} file{'s' if n != 1 else ''}"
        where = self.prefix or "./"
        if self.suggestion is not None:
            fix = self.suggestion
            return (
                f"{files} under {where} not found in the repository; add to covgap.toml: "
                f"[paths] fixes = [{{ from = {_toml_str(fix.from_)}, to = {_toml_str(fix.to)} }}]"
            )
        if self.kind == AMBIGUOUS:
            path = self.paths[0]
            shown = ", ".join(self.candidates.get(path, [])[:3])
            return (
                f"{files} under {where} match several repository files "
                f"(e.g. {path}: {shown}); add a [paths] fixes entry to covgap.toml "
                "saying which directory they belong to"
            )
        globs = [f"{self.prefix}**"] if self.prefix else self.paths
        if self.kind == STALE:
            return (
                f"{files} under {where} not in the repository: deleted, renamed or "
                "generated? If they should not count, add to covgap.toml: "
                f"[paths] ignore = [{', '.join(map(_toml_str, globs))}]"
            )
        return (
            f"{files} under {where} not found in the repository and no repository file "
            "has their names; if they are generated or third-party, add to covgap.toml: "
            f"[paths] ignore = [{', '.join(map(_toml_str, globs))}]"
        )


def _toml_str(text: str) -> str:
    # A JSON string is a valid TOML basic string for everything a path contains.
    return json.dumps(text, ensure_ascii=False)


@dataclass
class MappingResult:
    """The coverage renamed onto repository paths, and what could not be mapped.

    ``mapping`` holds every report path (as written) that reached a repository file,
    with that file's path.
    """

    coverage: CoverageSet
    unmapped: list[UnmappedGroup] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    external: list[str] = field(default_factory=list)
    """Paths outside the repository that nothing maps (see :func:`is_third_party`),
    left out of ``coverage`` unless ``include_external`` was asked for."""
    external_included: bool = False

    def external_note(self) -> str | None:
        """One line naming the external files and what was done with them."""
        if not self.external:
            return None
        n = len(self.external)
        shown = ", ".join(self.external[:5]) + (f" and {n - 5} more" if n > 5 else "")
        files = f"{n} external file{'s' if n != 1 else ''}"
        if self.external_included:
            return f"{files} (outside the repository) counted as asked: {shown}"
        return f"{files} left out: {shown}; `--include-external` counts them"


# -- suffix matching -------------------------------------------------------------------


def _common_suffix(a: Sequence[str], b: Sequence[str]) -> int:
    n = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        n += 1
    return n


def _prefix_of(parts: Sequence[str], keep: int) -> str:
    """The path prefix before the last ``keep`` components, with a trailing slash."""
    head = parts[: len(parts) - keep]
    return "/".join(head) + "/" if head else ""


class _SuffixIndex:
    """Repository files indexed by their last one and two path components.

    With ``fold`` the keys and comparisons ignore case, for reports written on Windows,
    where ``C:\\Work\\Src\\Cart.ts`` and the repository's ``src/cart.ts`` are one file.
    """

    def __init__(self, files: Iterable[str], *, fold: bool = False) -> None:
        self.fold = fold
        self.by_base: dict[str, list[str]] = defaultdict(list)
        self.by_tail: dict[str, list[str]] = defaultdict(list)
        for path in files:
            key = path.lower() if fold else path
            head, _, base = key.rpartition("/")
            self.by_base[base].append(path)
            if head:
                self.by_tail[f"{head.rpartition('/')[2]}/{base}"].append(path)

    def match(self, query: str) -> tuple[list[str], list[str], int]:
        """Return ``(strong, weak, k)`` candidates for ``query`` and their common suffix.

        Strong candidates share at least two trailing components with the query (or the
        whole query, when it is a bare name); weak ones share only the file name. Below
        a dependency directory the match must cover everything under it (see
        :func:`_foreign_depth`), or there is no candidate at all.
        """
        parts = (query.lower() if self.fold else query).split("/")
        need = _foreign_depth(parts)
        if len(parts) >= 2:
            tail = self.by_tail.get(f"{parts[-2]}/{parts[-1]}")
            if tail:
                fold = str.lower if self.fold else str
                scored = [(_common_suffix(parts, fold(c).split("/")), c) for c in tail]
                best = max(k for k, _ in scored)
                if best >= need:
                    return sorted(c for k, c in scored if k == best), [], best
        if need > 1:
            return [], [], 0
        same_name = self.by_base.get(parts[-1], [])
        if len(parts) == 1:
            return sorted(same_name), [], 1
        return [], sorted(same_name), 1


_DEPENDENCY_DIRS = frozenset(
    {
        "node_modules",
        "bower_components",
        "site-packages",
        "dist-packages",
        ".cargo",
        ".rustup",
        "gems",
        "vendor",
        ".m2",
        ".gradle",
        ".ivy2",
    }
)


def _foreign_depth(parts: Sequence[str]) -> int:
    """How many trailing components a suffix match must share with a dependency's path.

    Reports often include other people's code: ``~/.cargo/registry/.../serde-1.0/src/
    lib.rs``, Rust's ``/rustc/<hash>/library/core/src/fmt/mod.rs``, Go's module cache
    ``.../pkg/mod/github.com/x/y@v1.2.3/z.go``, ``node_modules/...``. Their last two
    components (``src/lib.rs``) match a repository file all too easily. Below such a
    directory only a match of everything under it counts: ``site-packages/pkg/mod.py``
    still maps onto ``src/pkg/mod.py`` (a tox run of the installed package), while
    serde's ``lib.rs`` would need a ``serde-1.0/src/lib.rs`` in the repository.
    """
    for i in range(len(parts) - 1, -1, -1):
        part = parts[i]
        if part in _DEPENDENCY_DIRS:
            return len(parts) - i - 1
        if "@v" in part:  # a Go module cache directory: name@version
            return len(parts) - i
    if len(parts) > 2 and parts[0] == "" and parts[1] == "rustc":
        return len(parts)  # the Rust standard library as rustc's debug info names it
    return 0


@dataclass
class _Outcome:
    """How one report path fared."""

    target: str | None = None
    rewrite: tuple[str, str] | None = None
    strong: list[str] = field(default_factory=list)
    weak: list[str] = field(default_factory=list)
    in_repo: str | None = None
    """For a path under the repository root: its repository path, existing or not."""
    by_fix: bool = False
    """A user fix rewrote the path (it did not reach a file): the user claims it."""


class _Mapper:
    """Map report paths onto a workspace, learning prefix rewrites as it goes."""

    def __init__(
        self, ws: Workspace, fixes: Sequence[PathFix], source_roots: Sequence[str]
    ) -> None:
        self.files = ws.file_set
        self.fixes = list(fixes)
        roots = {normalize(ws.root.as_posix())}
        roots.add(normalize(realpath(ws.root)))
        self.root_prefixes = sorted((r.rstrip("/") + "/" for r in roots if r), key=len)[::-1]
        self.go_modules = sorted(
            ((m.rstrip("/") + "/", d) for m, d in ws.go_modules.items()),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        self.source_roots = [normalize(r) for r in source_roots if r]
        self._index: _SuffixIndex | None = None
        self._folded: _SuffixIndex | None = None

    @property
    def index(self) -> _SuffixIndex:
        if self._index is None:
            self._index = _SuffixIndex(self.files)
        return self._index

    @property
    def folded(self) -> _SuffixIndex:
        """The case-insensitive index, built only when a Windows path needs it."""
        if self._folded is None:
            self._folded = _SuffixIndex(self.files, fold=True)
        return self._folded

    def _direct(self, query: str) -> tuple[str, tuple[str, str]] | None:
        """Steps 2-4 for one spelling: as is, below the root, a Go import path."""
        if query in self.files:
            return query, ("", "")
        for prefix in self.root_prefixes:
            if query.startswith(prefix) and query[len(prefix) :] in self.files:
                return query[len(prefix) :], (prefix, "")
        for module, directory in self.go_modules:
            if query.startswith(module):
                moved = posixpath.join(directory, query[len(module) :])
                if moved in self.files:
                    return moved, (module, f"{directory}/" if directory else "")
        return None

    def _suffix(self, query: str, windows: bool = False) -> _Outcome:
        strong, weak, k = self.index.match(query)
        if windows and not strong and not weak:
            strong, weak, k = self.folded.match(query)
        if len(strong) == 1:
            target = strong[0]
            parts, cparts = query.split("/"), target.split("/")
            return _Outcome(target, (_prefix_of(parts, k), _prefix_of(cparts, k)))
        return _Outcome(strong=strong, weak=weak)

    def under_root(self, norm: str) -> str | None:
        """The repository path of an absolute path below the root, whether or not it exists."""
        for prefix in self.root_prefixes:
            if norm.startswith(prefix) and len(norm) > len(prefix):
                return norm[len(prefix) :]
        return None

    def first_pass(self, raw: str, norm: str) -> _Outcome:
        """Steps 1-6 for one report path.

        The rewrite recorded with a match is always in terms of the normalised report
        path, so step 7 can replay it on other report paths; a match reached through a
        user fix records only the fix itself, and only when nothing else was needed.
        A path below the repository root that no fix rewrites *is* that repository
        path even when the file is gone today (a baseline written before a delete or
        a rename): it is never moved elsewhere by suffix matching. The exception is an
        installed copy inside the tree (``.tox/…/site-packages/pkg/mod.py``), which
        still maps onto the package's sources as below.
        """
        query = norm
        rel = self.under_root(norm)
        fixed = apply_fixes(norm, self.fixes)
        if fixed is None and rel is not None:
            fixed = apply_fixes(rel, self.fixes)
        if fixed is not None:
            query, fix = fixed
            found = self._direct(query)
            if found is not None:
                plain = found[1] == ("", "")
                return _Outcome(found[0], (_normalize_prefix(fix.from_), fix.to) if plain else None)
        if raw in self.files:
            return _Outcome(raw, ("", ""))
        found = self._direct(query)
        if found is not None:
            return _Outcome(found[0], found[1] if fixed is None else None)
        if rel is not None and fixed is None and _foreign_depth(rel.split("/")) == 0:
            near = self._suffix(rel)
            strong = [near.target] if near.target is not None else near.strong
            return _Outcome(strong=strong, weak=near.weak, in_repo=rel)
        joined: list[str] = []
        if not query.startswith("/") and not _DRIVE.match(query):
            for root in self.source_roots:
                candidate = normalize(f"{root}/{query}")
                found = self._direct(candidate)
                if found is not None:
                    return _Outcome(found[0], _added_dir(found[0], query, fixed is None))
                joined.append(candidate)
        outcome = self._suffix(query, windows=_DRIVE.match(query) is not None or "\\" in raw)
        outcome.by_fix = fixed is not None
        if fixed is not None:
            outcome.rewrite = None
        if outcome.target is None and len(outcome.strong) != 1:
            # A source root can make the path long enough to be unique.
            targets = {o.target for o in map(self._suffix, joined) if o.target is not None}
            if len(targets) == 1:
                target = targets.pop()
                return _Outcome(target, _added_dir(target, query, fixed is None))
        return outcome

    def by_rewrites(self, query: str, learned: Iterable[tuple[str, str]]) -> str | None:
        """Step 7: the most specific learned rewrite that reaches exactly one file."""
        best_len = -1
        found: set[str] = set()
        for old, new in learned:
            if not query.startswith(old) or len(old) < best_len:
                continue
            candidate = new + query[len(old) :]
            if candidate not in self.files:
                continue
            if len(old) > best_len:
                best_len, found = len(old), set()
            found.add(candidate)
        return found.pop() if len(found) == 1 else None


def _added_dir(target: str, query: str, replayable: bool) -> tuple[str, str] | None:
    """The rewrite "prepend a directory" that turns ``query`` into ``target``, if it is one."""
    if replayable and target.endswith("/" + query):
        return ("", target[: -len(query)])
    return None


def _group_key(path: str) -> tuple[str, ...]:
    """Cluster unmapped paths: two leading directories of absolute paths, one otherwise."""
    parts = path.split("/")[:-1]
    if not parts:
        return ()
    if parts[0] == "" or _DRIVE.match(parts[0]):
        return tuple(parts[:3])
    return tuple(parts[:1])


def _common_dir(paths: Sequence[str]) -> str:
    """The longest directory prefix (with trailing slash) of all ``paths``."""
    split = [p.split("/")[:-1] for p in paths]
    common: list[str] = []
    for column in zip(*split, strict=False):
        if any(c != column[0] for c in column):
            break
        common.append(column[0])
    return "/".join(common) + "/" if common else ""


def _single_candidate(outcome: _Outcome) -> str | None:
    """The one repository file an unmapped path could be, if there is exactly one."""
    if len(outcome.strong) == 1:
        return outcome.strong[0]
    if not outcome.strong and len(outcome.weak) == 1:
        return outcome.weak[0]
    return None


def _moves_a_mapped_file(
    fix: tuple[str, str], spelled: Sequence[str], mapped: dict[str, str]
) -> bool:
    """Would applying ``fix`` send a report path that maps today somewhere else?

    ``spelled`` is ``mapped``'s keys, sorted, so the paths under ``fix``'s prefix are
    one contiguous run found by bisection.
    """
    old, new = fix
    i = bisect.bisect_left(spelled, old)
    while i < len(spelled) and spelled[i].startswith(old):
        path = spelled[i]
        if normalize(new + path[len(old) :]) != mapped[path]:
            return True
        i += 1
    return False


def _groups(unmapped: dict[str, _Outcome], mapped: dict[str, str]) -> list[UnmappedGroup]:
    """Group the unmapped paths by suggested fix, else by leading directories.

    A fix is suggested only when it is right: applying it moves no report path that
    maps today (``mapped``: normalised report path → repository file), and more than
    a coincidence of names supports it (several files agree on the same prefix
    rewrite, or a file shares path components beyond its name with the target).
    Otherwise the files are *stale* when a repository file has their name or they
    sit under the repository root, and the advice is ``ignore``.
    """
    by_fix: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    candidates: dict[str, list[str]] = {}
    for path, outcome in unmapped.items():
        if outcome.strong or outcome.weak:
            candidates[path] = outcome.strong or outcome.weak
        target = _single_candidate(outcome)
        if target is not None:
            parts, cparts = path.split("/"), target.split("/")
            k = _common_suffix(parts, cparts)
            by_fix[(_prefix_of(parts, k), _prefix_of(cparts, k))].append((path, k))
    suggested: dict[tuple[str, str], list[str]] = {}
    spelled = sorted(mapped)
    for fix, members in by_fix.items():
        credible = len(members) >= 2 or any(k >= 2 for _, k in members)
        if credible and fix[0] != fix[1] and not _moves_a_mapped_file(fix, spelled, mapped):
            suggested[fix] = [p for p, _ in members]
    placed = {p for paths in suggested.values() for p in paths}
    clusters: dict[tuple[str, tuple[str, ...]], list[str]] = defaultdict(list)
    for path, outcome in unmapped.items():
        if path in placed:
            continue
        if len(outcome.strong) > 1 or (not outcome.strong and len(outcome.weak) > 1):
            kind = AMBIGUOUS
        elif outcome.strong or outcome.weak or outcome.in_repo is not None:
            kind = STALE
        else:
            kind = MISSING
        clusters[(kind, _group_key(path))].append(path)
    groups: list[UnmappedGroup] = []
    for (old, new), paths in suggested.items():
        groups.append(UnmappedGroup(old, sorted(paths), PathFix(old, new), RELOCATED))
    for (kind, _key), paths in clusters.items():
        paths.sort()
        prefix = _common_dir(paths)
        groups.append(
            UnmappedGroup(
                prefix, paths, None, kind, {p: candidates[p] for p in paths if p in candidates}
            )
        )
    groups.sort(key=lambda g: (-len(g.paths), g.prefix, g.kind))
    return groups


_SYSTEM_PREFIXES = (
    "/usr/",
    "/Library/",
    "/System/",
    "/Applications/",
    "/nix/store/",
    "/opt/homebrew/",
    "/rustc/",
    "C:/Program Files",
    "C:/Windows/",
)
_INTERPRETER_INCLUDE = re.compile(r"(^|/)include/(python|ruby-|node/)[^/]*/")


def is_third_party(path: str) -> bool:
    """Is ``path`` (absolute, normalised) where toolchains and dependencies live?

    System and toolchain directories (``/usr/``, ``/Library/``, ``/nix/store/``,
    ``C:/Program Files``, Rust's ``/rustc/<hash>/``), interpreters' include
    directories (``…/include/python3.11/``), and dependency directories (``.cargo``,
    ``.rustup``, ``site-packages``, ``node_modules``, Go's ``name@version`` ...).
    """
    if path.startswith(_SYSTEM_PREFIXES) or _INTERPRETER_INCLUDE.search(path):
        return True
    return _foreign_depth(path.split("/")) > 0


def _is_absolute(path: str) -> bool:
    return path.startswith("/") or _DRIVE.match(path) is not None


def _external(
    unmapped: dict[str, _Outcome], learned: Iterable[tuple[str, str]], anything_mapped: bool
) -> list[str]:
    """The unmapped paths that are not the project's code: see :func:`map_paths`."""
    claimed = [old for old, _ in learned if _is_absolute(old)]
    out = []
    for path, outcome in unmapped.items():
        if outcome.in_repo is not None or outcome.by_fix or not _is_absolute(path):
            continue
        if any(path.startswith(old) for old in claimed):
            continue  # the report's copy of the repository: generated or renamed files
        named = bool(outcome.strong or outcome.weak)
        if is_third_party(path) or (anything_mapped and not named):
            out.append(path)
    return sorted(out)


def map_paths(
    cs: CoverageSet,
    ws: Workspace,
    fixes: list[PathFix],
    *,
    include_external: bool = False,
) -> MappingResult:
    """Rename ``cs`` onto ``ws``'s files; list what cannot be mapped (module docstring).

    Paths outside the repository that no rule maps are *external* and left out of
    the result unless ``include_external``: an absolute path not below the root,
    not below a prefix the report's other files mapped from (that would be the
    report's copy of the repository), not rewritten by a user fix, and either where
    toolchains and dependencies live (:func:`is_third_party`) or, when the report's
    other files do map, with no repository file of its name. Such files are what
    gcovr's root filter, ``lcov --no-external`` and cargo-llvm-cov leave out too.
    """
    config_filters = bool(ws.config.path_ignore or ws.config.path_include)
    if not ws.files:
        renamed = {path: normalize(path) for path in cs.files}
        result = cs.renamed(renamed)
        if config_filters:
            result = result.without(p for p in result.files if ws.is_ignored(p))
        return MappingResult(result)

    mapper = _Mapper(ws, fixes, cs.source_roots)
    learned: set[tuple[str, str]] = set()
    mapping: dict[str, str] = {}
    pending: dict[str, _Outcome] = {}
    normal: dict[str, str] = {}
    spelling: dict[str, str] = {}
    for raw in cs.files:
        norm = normal[raw] = spelling[raw] = normalize(raw)
        outcome = mapper.first_pass(raw, norm)
        if outcome.target is not None:
            mapping[raw] = outcome.target
            if outcome.rewrite is not None:
                learned.add(outcome.rewrite)
        else:
            pending[raw] = outcome
        rel = mapper.under_root(norm)
        if rel is not None:
            normal[raw] = rel  # a repository path, whether or not the file exists

    unmapped: dict[str, _Outcome] = {}
    for raw, outcome in pending.items():
        target = None
        if learned and outcome.in_repo is None:
            target = mapper.by_rewrites(spelling[raw], learned)
        if target is not None:
            mapping[raw] = target
        else:
            unmapped[normal[raw]] = outcome

    external = _external(unmapped, learned, bool(mapping))
    for path in external:
        del unmapped[path]
    renames = {raw: mapping.get(raw, normal[raw]) for raw in cs.files}
    result = cs.renamed(renames)
    if external and not include_external:
        result = result.without(external)
    if config_filters:
        dropped = {p for p in result.files if ws.is_ignored(p)}
        if dropped:
            result = result.without(dropped)
            unmapped = {p: o for p, o in unmapped.items() if p not in dropped}
            external = [p for p in external if p not in dropped]
    spelled = {normal[raw]: target for raw, target in mapping.items()}
    return MappingResult(
        result, _groups(unmapped, spelled), mapping, external, include_external and bool(external)
    )


__all__ = [
    "AMBIGUOUS",
    "MISSING",
    "RELOCATED",
    "STALE",
    "MappingResult",
    "UnmappedGroup",
    "apply_fixes",
    "is_third_party",
    "map_paths",
    "normalize",
]
