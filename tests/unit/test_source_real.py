"""Real open-source files (tests/data/source/real, licences in LICENSES.md) against an
independent count by each language's own parser: Python's ``ast``/``tokenize`` (live),
Go's ``go/ast`` and Ruby's Ripper (recorded by real/make.sh)."""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

from covgap.source import analyze_source

REAL = Path(__file__).parents[1] / "data" / "source" / "real"


def ast_functions(text: str) -> list[tuple[str, int, int]]:
    """(qualname, def line, end line) of every def, with covgap's qualname convention."""
    out: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = ".".join([*scope, child.name])
                out.append((name, child.lineno, child.end_lineno or child.lineno))
                visit(child, [*scope, child.name])
            elif isinstance(child, ast.ClassDef):
                visit(child, [*scope, child.name])
            else:
                visit(child, scope)

    visit(ast.parse(text), [])
    return sorted(out, key=lambda f: (f[1], f[0]))


def tokenize_code_lines(text: str) -> int:
    """Lines with a token that is not a comment, minus docstrings (covgap's definition)."""
    tree = ast.parse(text)
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                doc_lines.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT}
    skip |= {tokenize.ENCODING, tokenize.ENDMARKER}
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type in skip:
            continue
        for offset, piece in enumerate(tok.string.split("\n")):
            if piece.strip():
                lines.add(tok.start[0] + offset)
    return len(lines - doc_lines)


@pytest.mark.parametrize("name", ["textwrap.py", "shlex.py"])
def test_python_functions_and_code_lines_match_ast(name: str) -> None:
    data = (REAL / "python" / name).read_bytes()
    sf = analyze_source(f"lib/{name}", data, "python")
    text = data.decode()
    assert [(f.qualname, f.start_line, f.end_line) for f in sf.functions] == ast_functions(text)
    assert sf.code_lines == tokenize_code_lines(text)
    assert sf.lines == len(text.splitlines())
    assert sf.parse_error is None
    raises = sum(isinstance(n, ast.Raise) for n in ast.walk(ast.parse(text)))
    handlers = sum(isinstance(n, ast.ExceptHandler) for n in ast.walk(ast.parse(text)))
    assert sum(e.kind == "raise" for e in sf.error_paths) == raises
    assert sum(e.kind == "except" for e in sf.error_paths) == handlers


def test_go_functions_match_go_ast() -> None:
    native: dict[str, list[tuple[str, int, int]]] = {}
    for line in (REAL / "native-go.txt").read_text().splitlines():
        file, name, start, end = line.split()
        native.setdefault(file, []).append((name, int(start), int(end)))
    for file, expected in native.items():
        sf = analyze_source(f"x/{file}", (REAL / "go" / file).read_bytes(), "go")
        assert [(f.qualname, f.start_line, f.end_line) for f in sf.functions] == expected
        assert sf.parse_error is None
    examples = analyze_source(
        "sort/example_test.go", (REAL / "go" / "example_test.go").read_bytes(), "go"
    )
    assert [(t.name, t.kind, t.skipped) for t in examples.tests] == [
        (name, "example", False) for name, _, _ in native["example_test.go"]
    ]


def test_ruby_methods_match_ripper() -> None:
    native: dict[str, list[tuple[str, int]]] = {}
    for line in (REAL / "native-ruby.txt").read_text().splitlines():
        file, name, start = line.split()
        native.setdefault(file, []).append((name, int(start)))
    for file, expected in native.items():
        sf = analyze_source(f"lib/{file}", (REAL / "ruby" / file).read_bytes(), "ruby")
        got = [(re.split(r"[#.]", f.qualname)[-1], f.start_line) for f in sf.functions]
        assert sorted(got) == sorted(expected)
        assert sf.parse_error is None


def test_javascript_functions_match_the_function_keyword_count() -> None:
    """ms.js declares every function with the ``function`` keyword (no arrows, no
    methods), so counting the keyword outside comments is an independent count."""
    text = (REAL / "js" / "ms.js").read_text()
    code = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    code = re.sub(r"//[^\n]*", "", code)
    assert "=>" not in code
    sf = analyze_source("ms/index.js", text.encode(), "javascript")
    assert len(sf.functions) == len(re.findall(r"\bfunction\b", code))
    assert sf.parse_error is None
    assert sum(e.kind == "throw" for e in sf.error_paths) == code.count("throw ")
