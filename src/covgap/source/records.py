"""The plain records source analysis produces.

They are plain dataclasses on purpose: tree-sitter objects cannot cross process
boundaries or be cached, so every analyser turns its tree into these before returning,
and :func:`to_dict` / :func:`from_dict` give the cache a stable JSON shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ERROR_KINDS = (
    "except",
    "raise",
    "rescue",
    "catch",
    "throw",
    "promise_catch",
    "err_return",
    "question_mark",
    "map_err",
    "panic",
    "unwrap",
    "expect",
    "if_err",
)
"""Every ``ErrorPath.kind`` an analyser emits (see each language module for which)."""

TEST_KINDS = ("test", "property", "bench", "fuzz", "example", "doctest")
"""Every ``TestCase.kind``; only ``test``, ``property`` and ``doctest`` assert behaviour."""


@dataclass(frozen=True)
class FunctionInfo:
    """A function or method: where it is and how many paths run through it.

    ``qualname`` follows the language's own spelling (see ``covgap.source`` docs):
    ``Class.method`` (Python, JS/TS), ``Type::method`` (Rust), ``Module::Class#method``
    (Ruby), ``Type.Method`` (Go). ``test`` is true for test code (a test function, or
    anything inside a Rust ``#[cfg(test)]`` module) so gap analysis can leave it out.
    """

    qualname: str
    start_line: int
    end_line: int
    complexity: int
    test: bool = False


@dataclass(frozen=True)
class ErrorPath:
    """A region that handles or produces an error (``except`` clause, ``?``, ``panic!``...)."""

    kind: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class TestCase:
    """One test definition as written in the source (a parametrised test counts once)."""

    __test__ = False  # not a pytest test class, despite the name

    name: str
    line: int
    kind: str
    skipped: bool
    framework: str
    compile_only: bool = False
    """Compiled but never run: a Rust doctest marked ``no_run`` or ``compile_fail``."""


@dataclass
class SourceFile:
    """Everything covgap knows about one file of the repository without running it."""

    path: str
    language: str | None
    kind: str = "source"
    """``source``, ``test`` or ``tooling`` (see :mod:`covgap.source.classify`)."""
    test_kind: str | None = None
    lines: int = 0
    code_lines: int = 0
    description: str | None = None
    functions: list[FunctionInfo] = field(default_factory=list)
    error_paths: list[ErrorPath] = field(default_factory=list)
    tests: list[TestCase] = field(default_factory=list)
    inline_tests: int = 0
    tested_by: list[str] = field(default_factory=list)
    parse_error: str | None = None
    imports: list[str] = field(default_factory=list)
    """Module specifiers as written (``a.b``, ``./x``, ``crate::m``), used to link tests."""
    component: str | None = None
    analyser: str = "tree-sitter"
    """``tree-sitter``, or ``regex`` when :mod:`covgap.source.fallback` analysed the file."""
    fallback_reason: str | None = None
    """Why the regex fallback analysed the file (no grammar in covgap, wheel missing)."""
    tooling_rule: str | None = None
    """For ``kind == "tooling"``: why (``tool configuration``, ``[classify] tooling``...)."""

    @property
    def doctests(self) -> list[TestCase]:
        """Rust doc examples cargo runs as doctests (``cargo test --doc``), kept apart."""
        return [t for t in self.tests if t.kind == "doctest"]


@dataclass
class SourceIndex:
    """Every analysed file by path, and the files that could not be analysed, with why."""

    files: dict[str, SourceFile] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def source_files(self) -> list[SourceFile]:
        return [f for f in self.files.values() if f.kind == "source"]

    def test_files(self) -> list[SourceFile]:
        return [f for f in self.files.values() if f.kind == "test"]

    def tooling_files(self) -> list[SourceFile]:
        """Files that configure tools (``covgap.source.classify``): never ranked as risk."""
        return [f for f in self.files.values() if f.kind == "tooling"]


def to_dict(sf: SourceFile) -> dict[str, Any]:
    """The content-derived part of a SourceFile, for the cache (no repo-level fields)."""
    return {
        "language": sf.language,
        "lines": sf.lines,
        "code_lines": sf.code_lines,
        "description": sf.description,
        "functions": [
            [f.qualname, f.start_line, f.end_line, f.complexity, f.test] for f in sf.functions
        ],
        "error_paths": [[e.kind, e.start_line, e.end_line] for e in sf.error_paths],
        "tests": [
            [t.name, t.line, t.kind, t.skipped, t.framework, t.compile_only] for t in sf.tests
        ],
        "parse_error": sf.parse_error,
        "imports": sf.imports,
        "analyser": sf.analyser,
        "fallback_reason": sf.fallback_reason,
    }


def from_dict(path: str, data: dict[str, Any]) -> SourceFile:
    """Rebuild a SourceFile for ``path`` from :func:`to_dict`'s output."""
    return SourceFile(
        path=path,
        language=data["language"],
        lines=data["lines"],
        code_lines=data["code_lines"],
        description=data["description"],
        functions=[FunctionInfo(q, s, e, c, bool(t)) for q, s, e, c, t in data["functions"]],
        error_paths=[ErrorPath(k, s, e) for k, s, e in data["error_paths"]],
        tests=[TestCase(n, ln, k, bool(s), fw, bool(c)) for n, ln, k, s, fw, c in data["tests"]],
        parse_error=data["parse_error"],
        imports=list(data["imports"]),
        analyser=data["analyser"],
        fallback_reason=data["fallback_reason"],
    )
