"""Which files are tests (and of which kind: unit, integration or e2e), tooling or source.

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

Tooling: files that configure or drive tools rather than make up the product
(:func:`default_tooling`). Their coverage stays in every total exactly as the report
has it, but they are never ranked as risk and are listed apart:

* JavaScript/TypeScript tool configuration: ``*.config.{js,cjs,mjs,ts,cts,mts}`` and
  ``*.conf.*`` (``eslint.config.mjs``, ``vite.config.ts``, ``karma.conf.js``), ``.*rc.js``
  (``.eslintrc.cjs``), ``Gruntfile.js``, ``gulpfile.js``;
* Python: ``setup.py``, ``conftest.py`` (pytest configuration and fixtures, not tests),
  ``noxfile.py``, ``fabfile.py``, ``conf.py`` in a ``docs``/``doc`` directory (Sphinx);
* Ruby: ``Rakefile``, ``Gemfile``, ``Guardfile``, ``Dangerfile``, ``*.gemspec``;
* Rust: ``build.rs`` outside ``src/`` (Cargo build scripts);
* CI: anything under ``.github/``, ``.gitlab/``, ``.circleci/``, ``.buildkite/``, ``.ci/``.

``tasks.py`` and ``manage.py`` are not on the list: they are as often application code
(Celery tasks, Django's entry point) as tooling.

``[tests]`` in the configuration overrides this: ``e2e``, ``integration`` and ``unit``
globs (gitignore syntax, checked in that order) make a matching file a test of that
kind; ``ignore`` globs leave a file out of the inventory altogether. ``[classify]``
``tooling`` globs make a file tooling and ``source`` globs make it source, over the
defaults. Order: ``[tests]`` globs, ``[classify] tooling``, ``[classify] source``, then
the defaults (tooling, test, source).
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


_TOOLING_NAMES = {
    "setup.py": "Python packaging script",
    "conftest.py": "pytest configuration",
    "noxfile.py": "nox sessions",
    "fabfile.py": "Fabric tasks",
    "Rakefile": "Rake tasks",
    "Gemfile": "Bundler manifest",
    "Guardfile": "Guard configuration",
    "Dangerfile": "Danger configuration",
    "Gruntfile.js": "Grunt tasks",
    "Gruntfile.cjs": "Grunt tasks",
    "gulpfile.js": "gulp tasks",
    "gulpfile.cjs": "gulp tasks",
    "gulpfile.mjs": "gulp tasks",
    "gulpfile.ts": "gulp tasks",
}
_TOOLING_DIRS = frozenset({".github", ".gitlab", ".circleci", ".buildkite", ".ci"})
_JS_TOOL_CONFIG = re.compile(r"^(?:[\w.-]+\.(?:config|conf)|\.[\w-]+rc)\.(?:[cm]?js|[cm]?ts)$")


def default_tooling(path: str) -> str | None:
    """What kind of tooling file ``path`` is by its name (module docstring), or None."""
    parts = path.split("/")
    name = parts[-1]
    dirs = parts[:-1]
    for part in dirs:
        if part in _TOOLING_DIRS:
            return f"CI ({part}/)"
    described = _TOOLING_NAMES.get(name)
    if described is not None:
        return described
    if name.endswith(".gemspec"):
        return "gem specification"
    if _JS_TOOL_CONFIG.match(name):
        return "tool configuration"
    if name == "conf.py" and dirs and dirs[-1] in ("docs", "doc"):
        return "Sphinx configuration"
    if name == "build.rs" and "src" not in dirs:
        return "Cargo build script"
    return None


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


CLASSES = ("source", "test", "tooling")
"""Every class a file can have (``SourceFile.kind``)."""


@dataclass
class TestRules:
    """The ``[tests]`` and ``[classify]`` configuration compiled to matchers, with the
    defaults behind them."""

    __test__ = False

    e2e: Any = None
    integration: Any = None
    unit: Any = None
    ignore: Any = None
    tooling: Any = None
    source: Any = None

    @classmethod
    def from_config(
        cls, section: dict[str, Any], classify: dict[str, Any] | None = None
    ) -> TestRules:
        import pathspec

        def spec(table: dict[str, Any], key: str) -> Any:
            globs = table.get(key) or []
            return pathspec.GitIgnoreSpec.from_lines(globs) if globs else None

        classify = classify or {}
        return cls(
            spec(section, "e2e"),
            spec(section, "integration"),
            spec(section, "unit"),
            spec(section, "ignore"),
            spec(classify, "tooling"),
            spec(classify, "source"),
        )

    def ignored(self, path: str) -> bool:
        return bool(self.ignore is not None and self.ignore.match_file(path))

    def classify(self, path: str, text: bytes | None = None) -> tuple[str, str | None]:
        """``("test", kind)``, ``("tooling", None)`` or ``("source", None)`` for ``path``."""
        for kind in ("e2e", "integration", "unit"):
            matcher = getattr(self, kind)
            if matcher is not None and matcher.match_file(path):
                return "test", kind
        if self.tooling_rule(path) is not None:
            return "tooling", None
        if self.source is not None and self.source.match_file(path):
            return "source", None
        if default_is_test(path):
            return "test", default_test_kind(path, text)
        return "source", None

    def tooling_rule(self, path: str) -> str | None:
        """Why ``path`` is tooling (``[classify] tooling``, or the default that matched).

        Only the class decides: a path the ``[tests]`` globs make a test is never tooling
        in :meth:`classify`, which checks those first.
        """
        if self.tooling is not None and self.tooling.match_file(path):
            return "[classify] tooling"
        if self.source is not None and self.source.match_file(path):
            return None
        return default_tooling(path)
