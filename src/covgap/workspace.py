"""The repository: its files, their languages, and its components (packages).

Files. Inside a git work tree the files are what ``git ls-files -z --cached --others
--exclude-standard`` lists (tracked plus untracked-but-not-ignored, minus files deleted
from the work tree, files a sparse checkout leaves out, and submodule entries; files
inside submodules are not listed), run with the root as working directory, so
a root below the top of the work tree lists just its own subtree, relative to itself.
Outside git (or without a git binary) the tree is walked, skipping :data:`SKIP_DIRS`
(VCS metadata, dependency trees, virtualenvs, build output). Paths are POSIX-style and
relative to the root, sorted.

Components. Declared ones come from ``[[components]]`` in the configuration. Unless
``detect_components = false``, more are detected from the manifests among the files:

* Cargo: a ``Cargo.toml`` with ``[workspace]`` makes its ``members`` (globs allowed,
  ``exclude`` honoured) components, named by each member's ``[package] name``; the
  workspace's own ``[package]``, if any, is one too. A crate outside every workspace
  is a component of its own.
* ``package.json``: a root with ``"workspaces"`` (an array, or ``{"packages": [...]}``)
  or a ``pnpm-workspace.yaml`` beside it makes its members components (named by their
  ``name``, else their directory); the workspace root itself is virtual and is not. Any
  other named ``package.json`` is a stand-alone package and a component, unless a
  workspace explicitly excludes it (``"!legacy"``).
* ``pyproject.toml`` with ``[project] name`` (or ``[tool.poetry] name``).
* ``go.mod``: named by the last element of the module path, skipping a ``/vN`` major
  version suffix (``github.com/acme/api/v2`` → ``api``); when two modules would get
  the same name, the full module path is used instead. The module path is also kept
  (:attr:`Workspace.go_modules`) so path mapping can turn Go's import-path file names
  into repository paths.
* ``*.gemspec``: ``spec.name = "..."``, or a constant the file assigns a string (by
  regexes; a computed name falls back to the file's stem).

A detected component owns its manifest's directory, as the glob ``dir/**``; a manifest
at the root owns ``**``. Manifests that are not workspace members and sit under a
:data:`DETECT_SKIP_DIRS` directory (test fixtures, vendored code) are not components.
A detected component is dropped when a declared one has the same name or the same
paths; two detected components with one name are told apart as ``name (dir)``.

Ownership. A file belongs to the *most specific* component with a matching glob:
the glob with the most path segments (``**`` does not count), then the most literal
segments, then the most literal characters; at equal specificity a declared component
beats a detected one, then the earlier one wins. So ``crates/core/**`` beats
``crates/**`` and ``**``. A file matched by no component belongs to none:
:meth:`Workspace.component_of` returns ``None`` and reports group such files under
:data:`ROOT_GROUP` (``"(root)"``); report paths that are not repository files at all
(unmapped) are grouped under :data:`OUTSIDE_GROUP`. A component's language is the one
declared, else the most common language among the files it owns (ties broken by name),
else its manifest's language.

Globs use gitignore syntax (pathspec's ``GitIgnoreSpec``, which works unchanged and
without deprecation warnings on pathspec 0.12 and 1.x, unlike the ``"gitwildmatch"``
factory name). Ownership is memoised per
directory for the globs whose match depends only on the directory (``dir/**``, the
shape of every detected component), so classifying 100,000 files costs one lookup per
directory plus one per file for file-shaped globs such as ``**/*_test.go``.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pathspec

from covgap.config import Config, Target
from covgap.errors import InputError
from covgap.languages import canonical_name
from covgap.languages import language_of as _language_of

ROOT_GROUP = "(root)"
"""How reports name the group of repository files that belong to no component."""

OUTSIDE_GROUP = "(outside repository)"
"""How reports name the group of report paths that map to no repository file."""

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        "node_modules",
        "target",
        ".venv",
        "venv",
        "__pycache__",
        "dist",
        "build",
        ".covgap",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
"""Directory names the tree walk (no git) never enters: generated or foreign files."""

DETECT_SKIP_DIRS = frozenset(
    {
        "node_modules",
        "vendor",
        "third_party",
        "third-party",
        "testdata",
        "test-data",
        "test_data",
        "fixtures",
        "__fixtures__",
    }
)
"""A stand-alone manifest under one of these is a fixture or vendored code, not a package."""

_MANIFEST_LANGUAGE = {
    "cargo": "Rust",
    "pyproject": "Python",
    "npm": "JavaScript",
    "go": "Go",
    "gemspec": "Ruby",
}
_ORIGIN_ORDER = ("cargo", "pyproject", "npm", "go", "gemspec")
_GLOB_CHARS = frozenset("*?[")
_GEMSPEC_NAME = re.compile(
    rb"""\.name\s*=\s*(?:"([^"\n]+)"|'([^'\n]+)'|([A-Z][A-Za-z0-9_]*(?:::[A-Z][A-Za-z0-9_]*)*))"""
)
_GO_MODULE = re.compile(rb"""^\s*module\s+(?:"([^"\n]+)"|`([^`\n]+)`|(\S+))""", re.MULTILINE)
_GO_MAJOR = re.compile(r"^v[0-9]+$")


@dataclass(frozen=True)
class Component:
    """A package of the repository that coverage is reported for.

    ``origin`` says where it came from: ``"config"`` when declared, else the manifest
    kind that revealed it (``"cargo"``, ``"pyproject"``, ``"npm"``, ``"go"``,
    ``"gemspec"``).
    """

    name: str
    paths: tuple[str, ...]
    language: str | None = None
    target: Target | None = None
    origin: str = "config"
    critical: bool = False


# -- globs and ownership ---------------------------------------------------------------

_Key = tuple[int, int, int, int, int]


def _clean_glob(pattern: str) -> str:
    """Normalise a user glob: backslashes to slashes, no leading ``./``."""
    pattern = pattern.replace("\\", "/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern


def _specificity(pattern: str) -> tuple[int, int, int]:
    """Rank a glob by how narrowly it names files (see the module docstring)."""
    segments = [s for s in pattern.strip("/").split("/") if s and s != "**"]
    literal = [s for s in segments if not _GLOB_CHARS.intersection(s)]
    return (len(segments), len(literal), sum(len(s) for s in literal))


def _compile(pattern: str) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines([pattern])


class _Ownership:
    """Find the most specific component owning a path, memoised per directory.

    Globs fall in three shapes: a literal directory (``crates/core/**``, ``**``),
    looked up by walking the path's ancestors in a dict; a wildcard directory
    (``crates/*/**``), whose match depends only on the directory and is probed once
    per directory; and anything else (``**/*_test.go``, ``build.rs``), matched per file.
    """

    def __init__(self, components: Sequence[Component]) -> None:
        self._literal: dict[str, list[tuple[_Key, int]]] = {}
        self._dir_rules: list[tuple[_Key, int, pathspec.GitIgnoreSpec]] = []
        self._file_rules: list[tuple[_Key, int, pathspec.GitIgnoreSpec]] = []
        self._dir_cache: dict[str, tuple[_Key, int] | None] = {}
        self._file_cache: dict[str, int | None] = {}
        for index, comp in enumerate(components):
            declared = 1 if comp.origin == "config" else 0
            for raw in comp.paths:
                pattern = _clean_glob(raw)
                if not pattern or pattern.startswith("!"):
                    continue
                key: _Key = (*_specificity(pattern), declared, -index)
                stem = pattern.lstrip("/")
                if stem == "**":
                    self._literal.setdefault("", []).append((key, index))
                elif stem.endswith("/**") and not _GLOB_CHARS.intersection(stem[:-3]):
                    self._literal.setdefault(stem[:-3].rstrip("/"), []).append((key, index))
                elif stem.endswith("/**"):
                    self._dir_rules.append((key, index, _compile(pattern)))
                else:
                    self._file_rules.append((key, index, _compile(pattern)))

    def _best_for_dir(self, directory: str) -> tuple[_Key, int] | None:
        cached = self._dir_cache.get(directory, self)
        if cached is not self:
            return cached  # type: ignore[return-value]
        best: tuple[_Key, int] | None = None
        ancestor = directory
        while True:
            for rule in self._literal.get(ancestor, ()):
                if best is None or rule[0] > best[0]:
                    best = rule
            if not ancestor:
                break
            ancestor = ancestor.rpartition("/")[0]
        if self._dir_rules:
            probe = f"{directory}/_" if directory else "_"
            for key, index, spec in self._dir_rules:
                if (best is None or key > best[0]) and spec.match_file(probe):
                    best = (key, index)
        self._dir_cache[directory] = best
        return best

    def owners(self, paths: Sequence[str]) -> list[int | None]:
        """:meth:`owner` of many paths; consecutive files of one directory share a lookup."""
        if self._file_rules:
            return [self.owner(p) for p in paths]
        result: list[int | None] = []
        last_dir: str | None = None
        last: int | None = None
        for path in paths:
            directory = path.rpartition("/")[0]
            if directory != last_dir:
                found = self._best_for_dir(directory)
                last_dir, last = directory, None if found is None else found[1]
            result.append(last)
        return result

    def owner(self, path: str) -> int | None:
        """The index of the component owning ``path``, or None."""
        if not self._file_rules:
            found = self._best_for_dir(path.rpartition("/")[0])
            return None if found is None else found[1]
        if path in self._file_cache:
            return self._file_cache[path]
        best = self._best_for_dir(path.rpartition("/")[0])
        for key, index, spec in self._file_rules:
            if (best is None or key > best[0]) and spec.match_file(path):
                best = (key, index)
        result = None if best is None else best[1]
        self._file_cache[path] = result
        return result


# -- listing the files -----------------------------------------------------------------


def _git_env() -> dict[str, str]:
    """The environment for git, without a hook's GIT_DIR pointing at another repository."""
    env = dict(os.environ)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_PREFIX"):
        env.pop(name, None)
    return env


def _run_git(root: Path, *args: str) -> bytes | None:
    try:
        proc = subprocess.run(
            ["git", *args],
            cwd=root,
            env=_git_env(),
            capture_output=True,
            check=False,
        )
    except OSError:  # no git binary, or root is not a directory we may enter
        return None
    return proc.stdout if proc.returncode == 0 else None


def _split_z(data: bytes) -> list[str]:
    return [os.fsdecode(p) for p in data.split(b"\0") if p]


def git_files(root: Path) -> list[str] | None:
    """The files git sees under ``root`` (relative to it), or None outside a work tree.

    One ``git ls-files -t`` call lists tracked (``H``), untracked (``?``) and deleted
    (``R``) files with a tag each, so a file deleted from the work tree, or absent in a
    sparse checkout (``S``), can be left out without a second pass over the index.
    """
    listed = _run_git(
        root, "ls-files", "-z", "-t", "--cached", "--others", "--deleted", "--exclude-standard"
    )
    if listed is None:
        return None
    present: set[str] = set()
    absent: set[str] = set()
    for entry in _split_z(listed):
        tag, _, path = entry.partition(" ")
        (absent if tag in ("R", "S") else present).add(path)
    present.difference_update(absent)
    if ".gitmodules" in present:
        present.difference_update(_submodule_paths(root / ".gitmodules"))
    return sorted(present)


def _submodule_paths(gitmodules: Path) -> set[str]:
    """Submodule paths: ``ls-files --cached`` lists each as one entry, a directory."""
    try:
        text = gitmodules.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    return {m.group(1).strip() for m in re.finditer(r"(?m)^\s*path\s*=\s*(.+?)\s*$", text)}


def walk_files(root: Path, skip: Iterable[str] = SKIP_DIRS) -> list[str]:
    """Every file under ``root`` (relative, POSIX), not entering ``skip`` dirs or symlinks."""
    skip_names = frozenset(skip)
    found: list[str] = []
    stack: list[tuple[str, str]] = [(os.fspath(root), "")]
    while stack:
        directory, rel = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if name not in skip_names:
                        stack.append((entry.path, f"{rel}{name}/"))
                elif entry.is_file():
                    found.append(rel + name)
            except OSError:
                continue
    found.sort()
    return found


# -- component detection ---------------------------------------------------------------


@dataclass
class _Found:
    """A package found from a manifest, before names are made unique."""

    name: str
    directory: str
    origin: str
    go_module: str | None = None

    @property
    def glob(self) -> str:
        return f"{self.directory}/**" if self.directory else "**"


def _dir_glob_regex(glob: str) -> re.Pattern[str]:
    """Compile a workspace member glob (``crates/*``, ``packages/**``) for directories."""
    glob = _clean_glob(glob).strip("/")
    out: list[str] = []
    for i, segment in enumerate(glob.split("/")):
        sep = "/" if i else ""
        if segment == "**":
            out.append("(?:/.*)?" if i else "(?:.*)?")
            continue
        piece = ""
        j = 0
        while j < len(segment):
            ch = segment[j]
            if ch == "*":
                piece += "[^/]*"
            elif ch == "?":
                piece += "[^/]"
            elif ch == "[":
                end = segment.find("]", j + 1)
                if end < 0:
                    piece += re.escape(ch)
                else:
                    body = segment[j + 1 : end].replace("\\", "\\\\")
                    if body.startswith("!"):
                        body = "^" + body[1:]
                    piece += f"[{body}]"
                    j = end
            else:
                piece += re.escape(ch)
            j += 1
        out.append(sep + piece)
    return re.compile("".join(out) + r"\Z")


def _relative_to(path: str, base: str) -> str | None:
    """``path`` relative to directory ``base``, or None when it is not below it."""
    if not base:
        return path
    if path == base:
        return ""
    if path.startswith(base + "/"):
        return path[len(base) + 1 :]
    return None


def _under_skip_dir(directory: str) -> bool:
    return any(part in DETECT_SKIP_DIRS for part in directory.split("/") if part)


class _Members:
    """Which directories a workspace root (Cargo, npm/pnpm) declares as its members."""

    def __init__(self, root: str, include: Sequence[str], exclude: Sequence[str]) -> None:
        self.root = root
        self._include = [_dir_glob_regex(g) for g in include if g.strip()]
        self._exclude = [_dir_glob_regex(g) for g in exclude if g.strip()]

    def contains(self, directory: str) -> bool:
        """Whether ``directory`` is a member (matched by a member glob, not excluded)."""
        rel = _relative_to(directory, self.root)
        if rel is None or self.excludes(directory):
            return False
        return any(rx.match(rel) for rx in self._include)

    def excludes(self, directory: str) -> bool:
        """Whether the workspace explicitly excludes ``directory``."""
        rel = _relative_to(directory, self.root)
        return rel is not None and any(rx.match(rel) for rx in self._exclude)


def _nearest(roots: Sequence[_Members], directory: str) -> _Members | None:
    """The deepest workspace root at or above ``directory``."""
    best: _Members | None = None
    for ws in roots:
        if _relative_to(directory, ws.root) is not None and (
            best is None or len(ws.root) > len(best.root)
        ):
            best = ws
    return best


class _Detector:
    """Read the manifests among the files and turn them into packages."""

    def __init__(self, root: Path, files: Sequence[str]) -> None:
        self.root = root
        self.notes: list[str] = []
        self.by_kind: dict[str, list[str]] = {
            "Cargo.toml": [],
            "pyproject.toml": [],
            "package.json": [],
            "go.mod": [],
            "gemspec": [],
            "pnpm-workspace.yaml": [],
        }
        for path in files:
            base = path.rpartition("/")[2]
            if base in self.by_kind:
                self.by_kind[base].append(path)
            elif base.endswith(".gemspec"):
                self.by_kind["gemspec"].append(path)

    def _read(self, rel: str) -> bytes | None:
        try:
            return (self.root / rel).read_bytes()
        except OSError as exc:
            self.notes.append(f"{rel}: cannot read ({exc.strerror}); not used for components")
            return None

    def _toml(self, rel: str) -> dict[str, Any] | None:
        data = self._read(rel)
        if data is None:
            return None
        try:
            return tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            self.notes.append(f"{rel}: invalid TOML ({exc}); not used for components")
            return None

    def _json(self, rel: str) -> dict[str, Any] | None:
        data = self._read(rel)
        if data is None:
            return None
        try:
            value = json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            self.notes.append(f"{rel}: invalid JSON ({exc}); not used for components")
            return None
        return value if isinstance(value, dict) else None

    def detect(self) -> list[_Found]:
        return self._cargo() + self._pyproject() + self._npm() + self._go() + self._gemspec()

    def _cargo(self) -> list[_Found]:
        manifests = {p.rpartition("/")[0]: self._toml(p) for p in self.by_kind["Cargo.toml"]}
        workspaces: list[_Members] = []
        for directory, data in manifests.items():
            ws = (data or {}).get("workspace")
            if isinstance(ws, dict):
                workspaces.append(
                    _Members(
                        directory,
                        [m for m in ws.get("members", []) if isinstance(m, str)],
                        [m for m in ws.get("exclude", []) if isinstance(m, str)],
                    )
                )
        found = []
        for directory, data in manifests.items():
            package = (data or {}).get("package")
            name = package.get("name") if isinstance(package, dict) else None
            if not isinstance(name, str) or not name:
                continue
            owner = _nearest(workspaces, directory)
            if owner is not None:
                if directory != owner.root and not owner.contains(directory):
                    continue
            elif _under_skip_dir(directory):
                continue
            found.append(_Found(name, directory, "cargo"))
        return found

    def _pyproject(self) -> list[_Found]:
        found = []
        for rel in self.by_kind["pyproject.toml"]:
            directory = rel.rpartition("/")[0]
            if _under_skip_dir(directory):
                continue
            data = self._toml(rel) or {}
            project = data.get("project")
            name = project.get("name") if isinstance(project, dict) else None
            if not isinstance(name, str):
                poetry = (
                    data.get("tool", {}).get("poetry")
                    if isinstance(data.get("tool"), dict)
                    else None
                )
                name = poetry.get("name") if isinstance(poetry, dict) else None
            if isinstance(name, str) and name:
                found.append(_Found(name, directory, "pyproject"))
        return found

    def _pnpm_packages(self, rel: str) -> list[str]:
        """The ``packages:`` list of a simple pnpm-workspace.yaml (no YAML library needed)."""
        data = self._read(rel)
        if data is None:
            return []
        globs: list[str] = []
        in_packages = False
        for raw in data.decode("utf-8", errors="replace").splitlines():
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip():
                continue
            if not line[0].isspace():
                in_packages = line.strip() == "packages:"
                continue
            item = line.strip()
            if in_packages and item.startswith("-"):
                globs.append(item[1:].strip().strip("'\""))
        return globs

    def _npm(self) -> list[_Found]:
        manifests = {p.rpartition("/")[0]: self._json(p) for p in self.by_kind["package.json"]}
        workspaces: list[_Members] = []
        for rel in self.by_kind["pnpm-workspace.yaml"]:
            globs = self._pnpm_packages(rel)
            workspaces.append(
                _Members(
                    rel.rpartition("/")[0],
                    [g for g in globs if not g.startswith("!")],
                    [g[1:] for g in globs if g.startswith("!")],
                )
            )
        for directory, data in manifests.items():
            spec = (data or {}).get("workspaces")
            if isinstance(spec, dict):
                spec = spec.get("packages")
            if isinstance(spec, list):
                globs = [g for g in spec if isinstance(g, str)]
                workspaces.append(
                    _Members(
                        directory,
                        [g for g in globs if not g.startswith("!")],
                        [g[1:] for g in globs if g.startswith("!")],
                    )
                )
        roots = {ws.root for ws in workspaces}
        found = []
        for directory, data in manifests.items():
            if data is None or directory in roots:
                continue  # a workspace root is virtual: its members are the packages
            name = data.get("name")
            # Unlike Cargo, npm lets a package sit inside a workspace without being a
            # member: it is then a stand-alone package, unless explicitly excluded.
            owner = _nearest(workspaces, directory)
            if owner is not None and owner.excludes(directory):
                continue
            if owner is not None and owner.contains(directory):
                if not isinstance(name, str) or not name:
                    name = directory.rpartition("/")[2]
            elif _under_skip_dir(directory) or not isinstance(name, str) or not name:
                continue
            found.append(_Found(name, directory, "npm"))
        return found

    def _go(self) -> list[_Found]:
        found = []
        for rel in self.by_kind["go.mod"]:
            directory = rel.rpartition("/")[0]
            if _under_skip_dir(directory):
                continue
            data = self._read(rel)
            match = _GO_MODULE.search(data or b"")
            if match is None:
                continue
            module = next(g for g in match.groups() if g).decode("utf-8", errors="replace")
            parts = [p for p in module.split("/") if p]
            if len(parts) > 1 and _GO_MAJOR.match(parts[-1]):
                parts.pop()
            name = parts[-1] if parts else module
            found.append(_Found(name, directory, "go", go_module=module))
        return found

    def _gemspec(self) -> list[_Found]:
        found = []
        for rel in self.by_kind["gemspec"]:
            directory, _, base = rel.rpartition("/")
            if _under_skip_dir(directory):
                continue
            found.append(_Found(_gemspec_name(self._read(rel) or b"", base), directory, "gemspec"))
        return found


def _gemspec_name(text: bytes, base: str) -> str:
    """``spec.name`` of a gemspec: a string literal, or a constant assigned one in the file.

    Anything computed falls back to the file's stem, which is the gem's name by
    convention (``acme.gemspec`` for gem ``acme``).
    """
    match = _GEMSPEC_NAME.search(text)
    literal = None
    if match is not None:
        literal = match.group(1) or match.group(2)
        if literal is None:
            const = match.group(3).rpartition(b"::")[2]
            assigned = re.search(
                rb"\b" + re.escape(const) + rb"""\s*=\s*(?:"([^"\n]+)"|'([^'\n]+)')""", text
            )
            if assigned is not None:
                literal = assigned.group(1) or assigned.group(2)
    if literal is None:
        return base.removesuffix(".gemspec")
    return literal.decode("utf-8", errors="replace")


def _unique_detected(found: list[_Found], taken: set[str]) -> list[Component]:
    """Turn packages into components: one per directory, with unique names."""
    by_dir: dict[str, _Found] = {}
    for item in sorted(found, key=lambda f: (_ORIGIN_ORDER.index(f.origin), f.directory)):
        by_dir.setdefault(item.directory, item)
    counts = Counter(item.name for item in by_dir.values())
    components = []
    for item in by_dir.values():
        name = item.name
        if counts[name] > 1 or name in taken:
            name = item.go_module if item.go_module else f"{name} ({item.directory or '.'})"
        components.append(Component(name, (item.glob,), None, None, item.origin))
    return components


def _glob_key(paths: Iterable[str]) -> frozenset[str]:
    return frozenset(_clean_glob(p).strip("/") for p in paths)


# -- the workspace ---------------------------------------------------------------------


def _outside(path: str) -> bool:
    """Whether ``path`` is spelled so that it cannot be relative to the root."""
    return path.startswith(("/", "../", "\\")) or path == ".." or path[1:3] in (":/", ":\\")


@dataclass
class Workspace:
    """A repository's files, components and configuration, queried by repo-relative path.

    Construct with :meth:`load`; building one by hand (tests, tools) also works, with
    the languages of components left as given. The lookup structures are built on the
    first query, so ``files`` and ``components`` must not change afterwards.
    """

    root: Path
    files: list[str] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    config: Config = field(default_factory=Config)
    go_modules: dict[str, str] = field(default_factory=dict)
    """Go module path → the repository directory of its ``go.mod`` (``""`` at the root)."""
    notes: list[str] = field(default_factory=list)
    """Manifests that could not be read while detecting components, one line each."""
    from_git: bool = False
    """Whether ``files`` came from git (else from walking the tree)."""

    _ownership: _Ownership | None = field(default=None, init=False, repr=False, compare=False)
    _file_set: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    _ignore: pathspec.GitIgnoreSpec | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _include: pathspec.GitIgnoreSpec | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _members: dict[str, list[str]] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def load(cls, root: Path, config: Config) -> Workspace:
        """List the files under ``root`` and find its components (see the module doc)."""
        if not root.is_dir():
            raise InputError(f"{root}: the repository root is not a directory")
        listed = git_files(root)
        if not listed:
            # Outside git, or a directory git ignores (`covgap demo`'s copy inside a
            # clone, a build tree): git has nothing to say about it, so walk it.
            listed = None
        files = listed if listed is not None else walk_files(root)
        declared = [
            Component(
                d.name,
                d.paths,
                canonical_name(d.language) if d.language else None,
                d.target,
                "config",
                d.critical,
            )
            for d in config.components
        ]
        go_modules: dict[str, str] = {}
        notes: list[str] = []
        detected: list[Component] = []
        manifest_language: dict[str, str] = {}
        if config.detect_components:
            detector = _Detector(root, files)
            found = detector.detect()
            notes = detector.notes
            go_modules = {f.go_module: f.directory for f in found if f.go_module}
            names = {c.name for c in declared}
            globs = {_glob_key(c.paths) for c in declared}
            kept = [f for f in found if f.name not in names and _glob_key([f.glob]) not in globs]
            detected = sorted(_unique_detected(kept, names), key=lambda c: c.name.casefold())
            manifest_language = {c.name: _MANIFEST_LANGUAGE[c.origin] for c in detected}
        ws = cls(root, files, declared + detected, config, go_modules, notes, listed is not None)
        return ws._with_languages(manifest_language)

    def _with_languages(self, fallback: dict[str, str]) -> Workspace:
        """Fill in each undeclared component's language from the files it owns."""
        # Tally extensions first and name their languages once: per file, a language
        # lookup costs more than the ownership lookup.
        suffixes: list[Counter[str]] = [Counter() for _ in self.components]
        for path, index in self._owned():
            base = path.rpartition("/")[2]
            dot = base.rfind(".")
            suffixes[index][base[dot:].lower() if dot > 0 else base] += 1
        tallies: list[Counter[str]] = []
        for counts in suffixes:
            tally: Counter[str] = Counter()
            for suffix, n in counts.items():
                lang = _language_of("_" + suffix if suffix.startswith(".") else suffix)
                if lang is not None:
                    tally[lang] += n
            tallies.append(tally)
        components = []
        for comp, tally in zip(self.components, tallies, strict=True):
            if comp.language is None:
                if tally:
                    top = max(tally.values())
                    language: str | None = min(k for k, v in tally.items() if v == top)
                else:
                    language = fallback.get(comp.name)
                components.append(replace(comp, language=language))
            else:
                components.append(comp)
        # Same order and globs as before, so the ownership lookup built above still holds.
        self.components = components
        return self

    def _owner(self) -> _Ownership:
        if self._ownership is None:
            self._ownership = _Ownership(self.components)
        return self._ownership

    def _owned(self) -> list[tuple[str, int]]:
        """Every owned file with its component's index, in one pass over the files."""
        return [
            (path, index)
            for path, index in zip(self.files, self._owner().owners(self.files), strict=True)
            if index is not None
        ]

    @property
    def file_set(self) -> frozenset[str]:
        """The files as a set, for membership tests."""
        if self._file_set is None:
            self._file_set = frozenset(self.files)
        return self._file_set

    def component_of(self, path: str) -> Component | None:
        """The most specific component whose globs match ``path`` (repo-relative).

        A path that cannot be inside the repository (absolute, a drive letter, ``../``:
        an unmapped report path) belongs to no component, even one that owns ``**``.
        """
        if not self.components or _outside(path):
            return None
        index = self._owner().owner(path)
        return None if index is None else self.components[index]

    def component_name(self, path: str) -> str:
        """The component name to show for ``path``, with the two no-component groups."""
        comp = self.component_of(path)
        if comp is not None:
            return comp.name
        return ROOT_GROUP if path in self.file_set else OUTSIDE_GROUP

    def files_of(self, name: str) -> list[str]:
        """The repository files owned by component ``name`` (sorted)."""
        if self._members is None:
            members: dict[str, list[str]] = {c.name: [] for c in self.components}
            for path, index in self._owned():
                members[self.components[index].name].append(path)
            self._members = members
        return list(self._members.get(name, []))

    def language_of(self, path: str) -> str | None:
        """The language of ``path`` by its extension (:mod:`covgap.languages`)."""
        return _language_of(path)

    def is_ignored(self, path: str) -> bool:
        """Whether the configuration excludes ``path``.

        Excluded means matched by a ``[paths] ignore`` glob, or, when ``[paths] include``
        is given, matched by none of its globs.
        """
        config = self.config
        if config.path_ignore:
            if self._ignore is None:
                self._ignore = pathspec.GitIgnoreSpec.from_lines(
                    [_clean_glob(g) for g in config.path_ignore]
                )
            if self._ignore.match_file(path):
                return True
        if config.path_include:
            if self._include is None:
                self._include = pathspec.GitIgnoreSpec.from_lines(
                    [_clean_glob(g) for g in config.path_include]
                )
            return not self._include.match_file(path)
        return False


__all__ = [
    "DETECT_SKIP_DIRS",
    "OUTSIDE_GROUP",
    "ROOT_GROUP",
    "SKIP_DIRS",
    "Component",
    "Workspace",
    "git_files",
    "walk_files",
]
