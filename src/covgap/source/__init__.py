"""Source intelligence: what each file of the repository defines, tests and handles.

Coverage says what ran; this package says what is *tested*, which functions are
complex, and where the error handling lives, without running anything. It parses
Python, Rust, Ruby, JavaScript, TypeScript/TSX and Go with tree-sitter (the grammar
wheels are imported lazily) and falls back to documented regexes for other languages
(:mod:`covgap.source.fallback`).

Conventions, per language, are documented in the analyser modules:
:mod:`~covgap.source.lang_python`, :mod:`~covgap.source.lang_rust`,
:mod:`~covgap.source.lang_ruby`, :mod:`~covgap.source.lang_js`,
:mod:`~covgap.source.lang_go` (qualified names, exactly which syntax counts towards
cyclomatic complexity, error paths and tests). Test/source classification is in
:mod:`~covgap.source.classify`, test-to-source linking in :mod:`~covgap.source.link`,
caching and parallelism in :mod:`~covgap.source.repo`.

Cyclomatic complexity is McCabe's ``1 + decision points`` per function, where a
function's decision points exclude those of functions nested in it.
"""

from __future__ import annotations

from covgap.source.analyze import ANALYZER_VERSION, analyze_source
from covgap.source.records import ErrorPath, FunctionInfo, SourceFile, SourceIndex, TestCase
from covgap.source.repo import PendingAnalysis, analyze_repo, start_analysis

__all__ = [
    "ANALYZER_VERSION",
    "ErrorPath",
    "FunctionInfo",
    "PendingAnalysis",
    "SourceFile",
    "SourceIndex",
    "TestCase",
    "analyze_repo",
    "analyze_source",
    "start_analysis",
]
