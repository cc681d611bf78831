"""Analyse one file's bytes: the pure core that workers run and tests call directly."""

from __future__ import annotations

import importlib
from types import ModuleType

from covgap.languages import LANGUAGES, find_language
from covgap.source import fallback
from covgap.source._ts import GrammarMissing, count_code_lines, count_lines, parser_for
from covgap.source.classify import default_is_test, default_test_kind
from covgap.source.records import FunctionInfo, SourceFile

ANALYZER_VERSION = 6
"""Bump when any analyser's output changes, so cached results are recomputed."""

_GRAMMAR_EXTENSIONS = {
    "python": (".py", ".pyi", ".pyw"),
    "ruby": (".rb", ".rake", ".ru", ".jbuilder", ""),
}
"""Where a language's grammar applies to only some of its files (Cython is not Python)."""

NOT_SOURCE_NAMES = frozenset(
    {"Gemfile", "Rakefile", "Guardfile", "Capfile", "Vagrantfile", "Podfile", "Fastfile"}
)
NOT_SOURCE_EXTENSIONS = frozenset({".erb", ".gemspec"})
"""Build manifests and templates: code, but not source files that tests are owed."""

DECLARATION_SUFFIXES = (".d.ts", ".d.mts", ".d.cts", ".pyi")
"""Type declarations (TypeScript ``.d.ts``, Python stubs): no statement in them ever runs,
so no coverage tool measures them (nyc and c8 exclude ``**/*.d.ts`` by default; coverage.py
never sees a ``.pyi``), and counting them as untested source files would rank gaps that
cannot be closed. Their grammars are also the newest parts of each language (``global {}``
in ``declare module``, ``infer X extends Y``), where a grammar wheel lags and would report
syntax errors in valid files."""

_ALIASES = {
    "js": "javascript",
    "jsx": "javascript",
    "ts": "typescript",
    "tsx": "typescript",
    "golang": "go",
    "bash": "shell",
    "sh": "shell",
    "c#": "csharp",
    "c++": "cpp",
}

_ANALYSERS = {
    "python": "covgap.source.lang_python",
    "rust": "covgap.source.lang_rust",
    "ruby": "covgap.source.lang_ruby",
    "javascript": "covgap.source.lang_js",
    "typescript": "covgap.source.lang_js",
    "go": "covgap.source.lang_go",
}

CODE_LANGUAGES = frozenset(lang.key for lang in LANGUAGES)
"""Languages whose files are source code: every language of :mod:`covgap.languages`."""


def normalize_language(name: str | None) -> str | None:
    """The language key (``typescript``) for a display name or key (``TypeScript``, ``ts``)."""
    if name is None:
        return None
    lowered = name.strip().lower()
    lang = find_language(_ALIASES.get(lowered, lowered))
    return lang.key if lang is not None else lowered


def _suffix(path: str) -> str:
    """``PurePosixPath(path).suffix`` without building a path object (hot: once per file)."""
    name = path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot:] if dot > 0 else ""


def is_source_candidate(path: str) -> bool:
    """False for build manifests and templates (``Gemfile``, ``*.gemspec``, ``*.erb``) and
    type declarations (``*.d.ts``, ``*.pyi``: :data:`DECLARATION_SUFFIXES`)."""
    name = path.rsplit("/", 1)[-1]
    return (
        name not in NOT_SOURCE_NAMES
        and _suffix(name) not in NOT_SOURCE_EXTENSIONS
        and not name.lower().endswith(DECLARATION_SUFFIXES)
    )


def grammar_for(language: str, path: str) -> str | None:
    """The tree-sitter grammar for a file: TSX needs its own, JSX parses as JavaScript."""
    suffix = _suffix(path).lower()
    if language == "typescript":
        return "tsx" if suffix == ".tsx" else "typescript"
    allowed = _GRAMMAR_EXTENSIONS.get(language)
    if allowed is not None and suffix not in allowed:
        return None
    return language if language in _ANALYSERS else None


def is_binary(text: bytes) -> bool:
    """A NUL byte in the first 8 KiB is how git and grep tell binary files apart."""
    return b"\0" in text[:8192]


def analyze_source(
    path: str, text: bytes, language: str, *, is_test: bool | None = None
) -> SourceFile:
    """Functions, complexity, error paths, tests and lines of one file's bytes.

    Pure: no I/O, no configuration. ``is_test`` says whether the file is a test file
    (pytest, RSpec, ``go test`` only collect tests from those); by default it is decided
    from ``path`` by :func:`covgap.source.classify.default_is_test`. A file with syntax
    errors is still analysed (tree-sitter recovers) and says so in ``parse_error``.
    """
    language = normalize_language(language) or "unknown"
    if is_test is None:
        is_test = default_is_test(path)
    result = SourceFile(path=path, language=language, lines=count_lines(text))
    result.kind = "test" if is_test else "source"
    result.test_kind = default_test_kind(path, text) if is_test else None
    if is_binary(text):
        result.parse_error = "binary file"
        return result
    grammar = grammar_for(language, path)
    module: ModuleType | None = None
    if grammar is not None:
        try:
            parser = parser_for(grammar)
            module = importlib.import_module(_ANALYSERS[language])
        except GrammarMissing as exc:
            result.fallback_reason = str(exc)
    else:
        result.fallback_reason = no_grammar_reason(language, path)
    if module is None or grammar is None:
        # no grammar here: the regex fallback, and every output will say so
        found = fallback.analyze(text, language, is_test)
        result.analyser = "regex"
        result.code_lines = found.code_lines
        result.functions = found.functions
        result.description = found.description
        result.tests = found.tests
    else:
        tree = parser.parse(text)
        walker = module.analyze(tree.root_node, text, is_test, parser.language)
        result.code_lines = count_code_lines(text, walker.comments)
        result.functions = sorted(walker.functions, key=lambda f: (f.start_line, f.qualname))
        result.error_paths = sorted(walker.errors, key=lambda e: (e.start_line, e.kind))
        result.tests = sorted(walker.tests, key=lambda t: (t.line, t.name))
        result.imports = walker.imports
        result.description = walker.description
        result.parse_error = walker.parse_error
    if is_test:
        result.functions = [
            f if f.test else FunctionInfo(f.qualname, f.start_line, f.end_line, f.complexity, True)
            for f in result.functions
        ]
    else:
        result.inline_tests = inline_test_count(result)
    return result


def inline_test_count(sf: SourceFile) -> int:
    """A source file's own tests, doctests apart (cargo lists them apart too)."""
    return sum(1 for t in sf.tests if t.kind != "doctest")


def no_grammar_reason(language: str, path: str) -> str:
    """Why a file of ``language`` has no tree-sitter grammar in covgap."""
    if language in _ANALYSERS:
        return f"no tree-sitter grammar for {_suffix(path) or 'extension-less'} files"
    lang = find_language(language)
    return f"covgap has no tree-sitter grammar for {lang.name if lang else language}"
