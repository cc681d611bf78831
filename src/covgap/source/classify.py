"""Which files are tests, and of which kind: unit, integration or e2e.

Defaults follow each ecosystem's own conventions, so a repository needs no
configuration for the usual layouts:

* test files: a directory named ``test``, ``tests``, ``spec``, ``specs``,
  ``__tests__``, ``testdata``, ``e2e``, ``benches`` (or ``integration_tests``...)
  anywhere in the path; ``test_*.py``, ``*_test.py``, ``conftest.py``; ``*_test.go``;
  ``*_spec.rb``, ``*_test.rb``, ``test_*.rb``; ``*.test.*``, ``*.spec.*``, ``*.e2e.*``,
  ``*.cy.*`` for JS/TS; Rust ``tests.rs``/``test.rs``/``*_tests.rs`` module files;
* e2e: a directory or file-name token ``e2e``/``end-to-end``/``cypress``/
  ``playwright``/``acceptance``;
* integration: a directory or file-name token ``integration``/``integ``/``it``
  (directory only), a Rust file in a crate's ``tests/`` directory with no ``src/``
  in its path (Cargo's integration tests), or a Go file with an ``integration`` build tag;
* everything else in a test file is ``unit``.

``[tests]`` in the configuration overrides this: ``e2e``, ``integration`` and ``unit``
globs (gitignore syntax, checked in that order) make a matching file a test of that
kind; ``ignore`` globs leave a file out of the inventory altogether.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_TEST_DIRS = frozenset(
    {
        "test",
        "tests",
        "spec",
        "specs",
        "__tests__",
        "__test__",
        "testdata",
        "e2e",
        "benches",
        "integration_tests",
        "integration-tests",
        "e2e_tests",
        "e2e-tests",
        "cypress",
        "playwright",
    }
)
_E2E_TOKENS = frozenset({"e2e", "end-to-end", "end_to_end", "cypress", "playwright", "acceptance"})
_INTEGRATION_TOKENS = frozenset({"integration", "integ", "integration_tests", "integration-tests"})
_TOKEN_SPLIT = re.compile(r"[._\-/]")
_GO_INTEGRATION = re.compile(rb"^//go:build\b.*\bintegration\b", re.MULTILINE)


def default_is_test(path: str) -> bool:
    """Whether ``path`` is a test file by location and naming alone."""
    parts = path.split("/")
    name = parts[-1]
    if any(part in _TEST_DIRS for part in parts[:-1]):
        return True
    stem, _, ext = name.rpartition(".")
    if not stem:
        return False
    if ext in ("py", "pyi"):
        return stem.startswith("test_") or stem.endswith("_test") or stem == "conftest"
    if ext == "go":
        return stem.endswith("_test")
    if ext == "rb":
        return stem.endswith(("_spec", "_test")) or stem.startswith("test_")
    if ext == "rs":
        return stem in ("tests", "test") or stem.endswith(("_tests", "_test"))
    if ext in ("js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts"):
        return bool(re.search(r"\.(?:test|spec|e2e|cy)$", stem))
    return False


def default_test_kind(path: str, text: bytes | None = None) -> str:
    """``unit``, ``integration`` or ``e2e`` for a test file, by location and naming."""
    parts = path.split("/")
    tokens = {t for part in parts for t in _TOKEN_SPLIT.split(part.lower()) if t}
    dirs = {p.lower() for p in parts[:-1]}
    if tokens & _E2E_TOKENS or dirs & _E2E_TOKENS:
        return "e2e"
    if tokens & _INTEGRATION_TOKENS or dirs & (_INTEGRATION_TOKENS | {"it"}):
        return "integration"
    if path.endswith(".rs") and "tests" in parts[:-1] and "src" not in parts[:-1]:
        return "integration"  # <crate>/tests/*.rs: Cargo's integration tests
    if path.endswith(".go") and text is not None and _GO_INTEGRATION.search(text[:4096]):
        return "integration"
    return "unit"


@dataclass
class TestRules:
    """The ``[tests]`` configuration compiled to matchers, with the defaults behind it."""

    __test__ = False

    e2e: Any = None
    integration: Any = None
    unit: Any = None
    ignore: Any = None

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> TestRules:
        import pathspec

        def spec(key: str) -> Any:
            globs = section.get(key) or []
            return pathspec.GitIgnoreSpec.from_lines(globs) if globs else None

        return cls(spec("e2e"), spec("integration"), spec("unit"), spec("ignore"))

    def ignored(self, path: str) -> bool:
        return bool(self.ignore is not None and self.ignore.match_file(path))

    def classify(self, path: str, text: bytes | None = None) -> tuple[str, str | None]:
        """``("test", kind)`` or ``("source", None)`` for ``path``."""
        for kind in ("e2e", "integration", "unit"):
            matcher = getattr(self, kind)
            if matcher is not None and matcher.match_file(path):
                return "test", kind
        if default_is_test(path):
            return "test", default_test_kind(path, text)
        return "source", None
