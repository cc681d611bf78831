"""Link test files to the source files they exercise.

Two kinds of evidence, both recorded (a test file may link to several source files):

1. **Naming conventions**: ``test_foo.py``/``foo_test.py`` -> ``foo.py``;
   ``foo_test.go`` -> ``foo.go`` (same directory, as Go requires); ``foo_spec.rb``/
   ``foo_test.rb``/``test_foo.rb`` -> ``foo.rb``; ``foo.test.ts``/``foo.spec.tsx``/
   ``foo.e2e.js`` -> ``foo.{ts,tsx,js,...}``; Rust ``tests/foo.rs`` -> ``src/foo.rs`` of
   the same crate, ``src/a/tests.rs`` -> ``src/a.rs`` or ``src/a/mod.rs``. A file in the
   same directory wins; otherwise the candidate sharing the most directory names with
   the test (``tests/unit/billing/test_tax.py`` -> ``src/app/billing/tax.py``), and
   nothing when that is a tie, because a wrong link hides a gap.
2. **What the test imports**: Python ``import``/``from`` resolved to repository modules
   (relative imports from the test's package; absolute ones against every directory
   that is not itself a package, so ``src/`` layouts work); Rust ``use crate_name::a::b``
   resolved through ``Cargo.toml`` package names to ``src/a/b.rs``, ``src/a.rs`` or
   ``src/lib.rs``; Ruby ``require_relative`` (exact) and ``require``/``describe Const``
   (by path suffix, ``Foo::BarBaz`` -> ``foo/bar_baz.rb``); JS/TS relative ``import``/
   ``require``/``import()`` with Node's and TypeScript's extension and ``index``
   resolution (``./a.js`` may name ``a.ts``). Bare package imports are not followed,
   nor are Go imports: a Go test exercises its whole package, and linking every file
   of it would claim tests for files no test touches, so Go links by name only.

Only test files that define at least one test are linked; helpers and fixtures are not
evidence of testing. Inline tests need no link: they belong to their own file.
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable

from covgap.source.records import SourceFile, SourceIndex

_FAMILY = {"python": "py", "rust": "rs", "ruby": "rb", "go": "go"}
_JS_EXTS = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
_NEUTRAL_DIRS = frozenset(
    {
        "src",
        "lib",
        "app",
        "test",
        "tests",
        "spec",
        "specs",
        "__tests__",
        "unit",
        "integration",
        "e2e",
        "pkg",
        "internal",
        "source",
        "sources",
        "main",
        "python",
    }
)


def _family(sf: SourceFile) -> str | None:
    if sf.language in ("javascript", "typescript"):
        return "js"
    return _FAMILY.get(sf.language or "")


def _stem(path: str) -> str:
    name = posixpath.basename(path)
    return name.split(".", 1)[0] if name.split(".", 1)[0] else name


def tested_stem(sf: SourceFile) -> str | None:
    """The source file stem a test file's name points at, by its language's convention."""
    name = posixpath.basename(sf.path)
    family = _family(sf)
    base = name.rsplit(".", 1)[0]
    if family in {"py", "rb"}:
        for prefix in ("test_",):
            if base.startswith(prefix):
                return base[len(prefix) :]
        for suffix in ("_test", "_spec", "_tests"):
            if base.endswith(suffix):
                return base[: -len(suffix)]
        return None
    if family == "go":
        return base[: -len("_test")] if base.endswith("_test") else None
    if family == "js":
        match = re.match(r"^(.*)\.(?:test|spec|e2e|cy)$", base)
        return match.group(1) if match else None
    if family == "rs":
        for suffix in ("_tests", "_test"):
            if base.endswith(suffix):
                return base[: -len(suffix)]
        return base
    return None


class Linker:
    """Indexes the source files once, then resolves each test file's links."""

    def __init__(
        self,
        index: SourceIndex,
        read: Callable[[str], bytes | None],
        repo_files: Iterable[str] = (),
    ) -> None:
        self.index = index
        self.sources = {sf.path: sf for sf in index.source_files()}
        self.by_stem: dict[tuple[str, str], list[str]] = defaultdict(list)
        for sf in self.sources.values():
            family = _family(sf)
            if family is not None:
                self.by_stem[(family, _stem(sf.path))].append(sf.path)
        all_paths = set(index.files) | set(repo_files)
        self.packages = {
            posixpath.dirname(p) for p in all_paths if posixpath.basename(p) == "__init__.py"
        }
        self.ruby_by_name: dict[str, list[str]] = defaultdict(list)
        for path in self.sources:
            if path.endswith(".rb"):
                self.ruby_by_name[posixpath.basename(path)].append(path)
        self.py_modules: dict[str, list[str]] = defaultdict(list)
        for path, sf in self.sources.items():
            if sf.language == "python" and path.endswith(".py"):
                for dotted in self._importable_names(path):
                    self.py_modules[dotted].append(path)
        self.crates = self._crates(all_paths, read)

    # -- Python ----------------------------------------------------------------------

    def _importable_names(self, path: str) -> list[str]:
        parts = path[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names = []
        for i in range(len(parts)):
            container = "/".join(parts[:i])
            if container in self.packages:
                continue
            names.append(".".join(parts[i:]))
        return names

    def _python(self, test: SourceFile) -> set[str]:
        found: set[str] = set()
        here = posixpath.dirname(test.path)
        for spec in test.imports:
            module, _, name = spec.partition(":")
            if module.startswith("."):
                level = len(module) - len(module.lstrip("."))
                base = here
                for _ in range(level - 1):
                    base = posixpath.dirname(base)
                rel = module.lstrip(".").replace(".", "/")
                root = posixpath.join(base, rel) if rel else base
                candidates = [f"{root}/{name}.py", f"{root}/{name}/__init__.py"] if name else []
                candidates += [f"{root}.py", f"{root}/__init__.py"]
                hit = next((c for c in candidates if c in self.sources), None)
                if hit:
                    found.add(hit)
                continue
            for dotted in ([f"{module}.{name}"] if name else []) + [module]:
                paths = self.py_modules.get(dotted)
                if paths:
                    if len(paths) <= 3:
                        found.update(paths)
                    break
        return found

    # -- Rust ------------------------------------------------------------------------

    @staticmethod
    def _crates(paths: set[str], read: Callable[[str], bytes | None]) -> dict[str, str]:
        """Crate dir -> crate name (``-`` as ``_``), from each ``Cargo.toml``'s package."""
        crates: dict[str, str] = {}
        for path in paths:
            if posixpath.basename(path) != "Cargo.toml":
                continue
            data = read(path)
            if data is None:
                continue
            try:
                manifest = tomllib.loads(data.decode("utf-8", "replace"))
            except tomllib.TOMLDecodeError:
                continue
            lib = manifest.get("lib")
            package = manifest.get("package")
            name = None
            if isinstance(lib, dict) and isinstance(lib.get("name"), str):
                name = lib["name"]
            elif isinstance(package, dict) and isinstance(package.get("name"), str):
                name = package["name"]
            if name:
                crates[posixpath.dirname(path)] = name.replace("-", "_")
        return crates

    def _crate_of(self, path: str) -> str | None:
        best: str | None = None
        for crate_dir in self.crates:
            prefix = f"{crate_dir}/" if crate_dir else ""
            if path.startswith(prefix) and (best is None or len(crate_dir) > len(best)):
                best = crate_dir
        return best

    def _rust_module(self, crate_dir: str, segments: list[str]) -> str | None:
        src = posixpath.join(crate_dir, "src") if crate_dir else "src"
        found = None
        for root in (f"{src}/lib.rs", f"{src}/main.rs"):
            if root in self.sources:
                found = root
                break
        current = src
        for seg in segments:
            if not re.fullmatch(r"\w+", seg):
                break
            file_ = f"{current}/{seg}.rs"
            mod = f"{current}/{seg}/mod.rs"
            if file_ in self.sources:
                found = file_
            elif mod in self.sources:
                found = mod
            else:
                break
            current = f"{current}/{seg}"
        return found

    def _rust(self, test: SourceFile) -> set[str]:
        found: set[str] = set()
        by_name = {name: d for d, name in self.crates.items()}
        own = self._crate_of(test.path)
        for spec in test.imports:
            segments = spec.split("::")
            head = segments[0].lstrip(":")
            crate_dir = by_name.get(head)
            if crate_dir is None and head == "crate" and own is not None:
                crate_dir = own
            if crate_dir is None:
                continue
            hit = self._rust_module(crate_dir, segments[1:])
            if hit:
                found.add(hit)
        return found

    # -- Ruby ------------------------------------------------------------------------

    def _ruby(self, test: SourceFile) -> set[str]:
        found: set[str] = set()
        here = posixpath.dirname(test.path)
        for spec in test.imports:
            how, _, target = spec.partition(":")
            if how == "require_relative":
                path = posixpath.normpath(posixpath.join(here, target))
                path = path if path.endswith(".rb") else f"{path}.rb"
                if path in self.sources:
                    found.add(path)
                continue
            if how == "require":
                suffix = target if target.endswith(".rb") else f"{target}.rb"
            elif how == "const":
                snake = [
                    re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", seg).lower()
                    for seg in target.lstrip(":").split("::")
                ]
                suffix = "/".join(snake) + ".rb"
            else:
                continue
            candidates = self.ruby_by_name.get(posixpath.basename(suffix), [])
            hits = [p for p in candidates if p == suffix or p.endswith("/" + suffix)]
            if 0 < len(hits) <= 3:
                found.update(hits)
        return found

    # -- JavaScript / TypeScript -----------------------------------------------------

    def _js(self, test: SourceFile) -> set[str]:
        found: set[str] = set()
        here = posixpath.dirname(test.path)
        for spec in test.imports:
            if not spec.startswith("."):
                continue
            base = posixpath.normpath(posixpath.join(here, spec))
            candidates = [base]
            stem, ext = posixpath.splitext(base)
            if ext in (".js", ".jsx", ".mjs", ".cjs"):
                candidates += [stem + e for e in _JS_EXTS]
            candidates += [base + e for e in _JS_EXTS]
            candidates += [f"{base}/index{e}" for e in _JS_EXTS]
            hit = next((c for c in candidates if c in self.sources), None)
            if hit:
                found.add(hit)
        return found

    # -- naming ----------------------------------------------------------------------

    def _by_name(self, test: SourceFile) -> set[str]:
        family = _family(test)
        if family is None:
            return set()
        here = posixpath.dirname(test.path)
        parts = test.path.split("/")
        if family == "rs":
            name = posixpath.basename(test.path)
            if name in ("tests.rs", "test.rs") and "src" in parts[:-1]:
                parent = posixpath.dirname(test.path)
                candidates = [f"{parent}.rs", f"{parent}/mod.rs"]
                if posixpath.basename(parent) == "src":  # src/tests.rs: the crate root's
                    candidates = [f"{parent}/lib.rs", f"{parent}/main.rs"]
                for cand in candidates:
                    if cand in self.sources:
                        return {cand}
                return set()
        stem = tested_stem(test)
        if not stem:
            return set()
        candidates = self.by_stem.get((family, stem), [])
        if family == "rs" and "tests" in parts[:-1]:
            crate = self._crate_of(test.path)
            if crate is not None:
                src = posixpath.join(crate, "src") if crate else "src"
                candidates = [c for c in candidates if c.startswith(src + "/")]
        same_dir = [c for c in candidates if posixpath.dirname(c) == here]
        if same_dir:
            return set(same_dir)
        if family == "go" or not candidates:
            return set()
        if len(candidates) == 1:
            return set(candidates)
        test_dirs = {d for d in parts[:-1] if d not in _NEUTRAL_DIRS}
        scored = sorted(
            ((len(test_dirs & set(c.split("/")[:-1])), c) for c in candidates), reverse=True
        )
        if scored[0][0] > 0 and scored[0][0] > scored[1][0]:
            return {scored[0][1]}
        return set()

    def links(self, test: SourceFile) -> set[str]:
        """Every source file ``test`` exercises, by name and by import."""
        found = self._by_name(test)
        family = _family(test)
        if family == "py":
            found |= self._python(test)
        elif family == "rs":
            found |= self._rust(test)
        elif family == "rb":
            found |= self._ruby(test)
        elif family == "js":
            found |= self._js(test)
        found.discard(test.path)
        return found


def link_tests(
    index: SourceIndex, read: Callable[[str], bytes | None], repo_files: Iterable[str] = ()
) -> None:
    """Fill ``tested_by`` of every source file from the index's test files.

    ``repo_files`` are all the repository's files: manifests (``Cargo.toml``) and
    package markers (``__init__.py``) matter even when they are not analysed.
    """
    linker = Linker(index, read, repo_files)
    for sf in index.source_files():
        sf.tested_by = []
    for test in sorted(index.test_files(), key=lambda t: t.path):
        if not test.tests:
            continue
        for path in sorted(linker.links(test)):
            index.files[path].tested_by.append(test.path)
