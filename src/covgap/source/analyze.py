"""Analyse one file's bytes: the pure core that workers run and tests call directly."""

from __future__ import annotations

import importlib
from pathlib import PurePosixPath
from types import ModuleType

from covgap.source import fallback
from covgap.source._ts import GrammarMissing, count_code_lines, count_lines, parser_for
from covgap.source.classify import default_is_test, default_test_kind
from covgap.source.records import FunctionInfo, SourceFile

ANALYZER_VERSION = 1
"""Bump when any analyser's output changes, so cached results are recomputed."""

EXTENSIONS: dict[str, str] = {
    ".py": "python",
    ".pyi": "python",
    ".rs": "rust",
    ".rb": "ruby",
    ".rake": "ruby",
    ".gemspec": "ruby",
    ".js": "javascript",
    ".mjs": "javascript",
    ".cjs": "javascript",
    ".jsx": "javascript",
    ".ts": "typescript",
    ".mts": "typescript",
    ".cts": "typescript",
    ".tsx": "typescript",
    ".go": "go",
    ".c": "c",
    ".h": "c",
    ".cc": "cpp",
    ".cpp": "cpp",
    ".cxx": "cpp",
    ".hpp": "cpp",
    ".hh": "cpp",
    ".hxx": "cpp",
    ".java": "java",
    ".kt": "kotlin",
    ".kts": "kotlin",
    ".cs": "csharp",
    ".swift": "swift",
    ".php": "php",
    ".scala": "scala",
    ".sh": "shell",
    ".bash": "shell",
    ".lua": "lua",
    ".pl": "perl",
    ".pm": "perl",
    ".ex": "elixir",
    ".exs": "elixir",
    ".m": "objc",
    ".mm": "objc",
}
"""Extension -> language, used when the workspace cannot name a file's language."""

_ALIASES = {
    "c++": "cpp",
    "c#": "csharp",
    "js": "javascript",
    "jsx": "javascript",
    "ts": "typescript",
    "tsx": "typescript",
    "golang": "go",
    "bash": "shell",
    "sh": "shell",
    "objective-c": "objc",
}

_ANALYSERS = {
    "python": "covgap.source.lang_python",
    "rust": "covgap.source.lang_rust",
    "ruby": "covgap.source.lang_ruby",
    "javascript": "covgap.source.lang_js",
    "typescript": "covgap.source.lang_js",
    "go": "covgap.source.lang_go",
}

CODE_LANGUAGES = frozenset(_ANALYSERS) | frozenset(fallback.SYNTAXES)
"""Languages whose files are source code (the rest, like Markdown or JSON, are not)."""


def normalize_language(name: str | None) -> str | None:
    """covgap's spelling of a workspace language name (``TypeScript`` -> ``typescript``)."""
    if name is None:
        return None
    lowered = name.strip().lower()
    return _ALIASES.get(lowered, lowered)


def language_by_extension(path: str) -> str | None:
    return EXTENSIONS.get(PurePosixPath(path).suffix.lower())


def grammar_for(language: str, path: str) -> str | None:
    """The tree-sitter grammar for a file: TSX needs its own, JSX parses as JavaScript."""
    if language == "typescript":
        return "tsx" if path.lower().endswith(".tsx") else "typescript"
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
            result.parse_error = f"{exc}; analysed with the regex fallback"
    if module is None or grammar is None:
        code, functions, description = fallback.analyze(text, language)
        result.code_lines = code
        result.functions = functions
        result.description = description
    else:
        tree = parser.parse(text)
        walker = module.analyze(tree.root_node, text, is_test)
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
        result.inline_tests = len(result.tests)
    return result
