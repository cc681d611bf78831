"""Property tests: the analysers never crash, stay within the file, and agree with ast."""

from __future__ import annotations

import ast
import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covgap.source import analyze_source
from covgap.source.records import from_dict, to_dict

LANGUAGES = {
    "python": "m.py",
    "rust": "src/m.rs",
    "ruby": "lib/m.rb",
    "javascript": "m.test.js",
    "typescript": "m.ts",
    "go": "m_test.go",
    "c": "m.c",
}
FRAGMENTS = [
    "def f(x):\n",
    "    if x and y:\n",
    "fn main() {",
    "}",
    "#[test]\n",
    'it("a", () => {',
    "describe 'x' do\n",
    "end\n",
    "func TestX(t *testing.T) {",
    "/* ",
    "*/",
    '"""',
    "# comment\n",
    "    ",
    "\n",
    "match x {",
    "=> 1,",
    "class A:\n",
    "raise E\n",
    "try:\n",
    "except E:\n",
    "?",
    "(",
    ")",
    "\x00",
    "é",
]
SOURCES = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(lambda xs: "".join(xs).encode()),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=SOURCES, language=st.sampled_from(sorted(LANGUAGES)))
def test_any_input_gives_a_well_formed_result(text: bytes, language: str) -> None:
    sf = analyze_source(LANGUAGES[language], text, language)
    assert 0 <= sf.code_lines <= sf.lines
    last = max(sf.lines, 1)
    for f in sf.functions:
        assert 1 <= f.start_line <= f.end_line <= last and f.complexity >= 1
    for e in sf.error_paths:
        assert 1 <= e.start_line <= e.end_line <= last
    for t in sf.tests:
        assert 1 <= t.line <= last
    assert from_dict(sf.path, to_dict(sf)) == _content_only(sf)


def _content_only(sf):  # type: ignore[no-untyped-def]
    """What the cache keeps: the analysis itself, without the repository-level fields
    (kind, test kind, inline test count, links, component), which analyze_repo sets."""
    return dataclasses.replace(
        sf, kind="source", test_kind=None, inline_tests=0, tested_by=[], component=None
    )


NAMES = st.sampled_from(["a", "b", "run", "_x", "test_it"])


@st.composite
def python_program(draw: st.DrawFn, depth: int = 0, indent: str = "") -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["def", "class", "if", "pass", "comment"]))
        name = draw(NAMES)
        if kind in ("def", "class") and depth < 3:
            header = f"def {name}(x):" if kind == "def" else f"class {name.upper()}:"
            if draw(st.booleans()):
                lines.append(f"{indent}@decorator")
            lines.append(indent + header)
            if draw(st.booleans()):
                lines.append(f'{indent}    """Doc {name}."""')
            lines.append(draw(python_program(depth + 1, indent + "    ")))
        elif kind == "if":
            lines.append(f"{indent}if x or y:")
            lines.append(f"{indent}    x = [i for i in y if i]")
        elif kind == "comment":
            lines.append(f"{indent}# note")
            lines.append("")
            lines.append(f"{indent}pass  # trailing")
        else:
            lines.append(f"{indent}pass")
    return "\n".join(lines)


def ast_functions(text: str) -> list[tuple[str, int, int]]:
    out: list[tuple[str, int, int]] = []

    def visit(node: ast.AST, scope: list[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef):
                out.append((".".join([*scope, child.name]), child.lineno, child.end_lineno or 0))
                visit(child, [*scope, child.name])
            elif isinstance(child, ast.ClassDef):
                visit(child, [*scope, child.name])
            else:
                visit(child, scope)

    visit(ast.parse(text), [])
    return sorted(out, key=lambda f: (f[1], f[0]))


@settings(max_examples=80, deadline=None)
@given(program=python_program())
def test_python_functions_match_ast_on_generated_programs(program: str) -> None:
    text = program + "\n"
    sf = analyze_source("pkg/m.py", text.encode(), "python")
    assert sf.parse_error is None
    assert [(f.qualname, f.start_line, f.end_line) for f in sf.functions] == ast_functions(text)
    # each generated `if x or y:` line adds if, or, comprehension for and if: 4 decisions
    for f in sf.functions:
        own = [
            ln
            for i, ln in enumerate(text.splitlines(), 1)
            if f.start_line <= i <= f.end_line
            and ln.strip() == "if x or y:"
            and not any(
                g is not f and g.start_line > f.start_line and g.start_line <= i <= g.end_line
                for g in sf.functions
            )
        ]
        assert f.complexity == 1 + 4 * len(own)


FALLBACK_FRAGMENTS = [
    *FRAGMENTS,
    "#[tokio::test]\n",
    '#[sqlx::test(\n  migrations = "m"\n)]\n',
    "#[cfg(test)]\nmod tests {\n",
    "proptest! {\n",
    "'{'",
    "'a ",
    "@pytest.mark.skip\n",
    "class TestX:\n",
    "  it 'works' do\n",
    'xit("no") {\n',
    "def test_a\n",
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(
        st.binary(max_size=300),
        st.lists(st.sampled_from(FALLBACK_FRAGMENTS), max_size=40).map(
            lambda xs: "".join(xs).encode()
        ),
    ),
    language=st.sampled_from(["python", "rust", "ruby", "javascript", "go"]),
    is_test=st.booleans(),
)
def test_the_regex_fallback_gives_a_well_formed_result(
    text: bytes, language: str, is_test: bool
) -> None:
    """With every grammar missing, the fallback never crashes and stays within the file."""
    import pytest

    from covgap.source import _ts

    def missing(grammar: str) -> object:
        raise _ts.GrammarMissing(f"{grammar} is not installed")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(_ts, "load_language", missing)
        mp.setattr(_ts, "_PARSERS", {})
        mp.setattr(_ts, "_IDENTITIES", {})
        sf = analyze_source(LANGUAGES[language], text, language, is_test=is_test)
    if b"\0" in text[:8192]:
        return  # binary: not analysed at all
    assert sf.analyser == "regex" and sf.fallback_reason
    assert 0 <= sf.code_lines <= sf.lines
    last = max(sf.lines, 1)
    for f in sf.functions:
        assert 1 <= f.start_line <= f.end_line <= last and f.complexity >= 1
    for t in sf.tests:
        assert 1 <= t.line <= last and t.kind in ("test", "property", "bench", "fuzz")
    assert from_dict(sf.path, to_dict(sf)) == _content_only(sf)


def _count_code_lines_reference(text: bytes, comment_spans: list[tuple[int, int]]) -> int:
    """``_ts.count_code_lines`` before issue 14's round three: a substitution per comment."""
    import re

    if comment_spans:
        buf = bytearray(text)
        for start, end in comment_spans:
            chunk = buf[start:end]
            buf[start:end] = re.sub(rb"[^\n]", b" ", bytes(chunk))
        text = bytes(buf)
    return sum(1 for line in text.split(b"\n") if line.strip())


@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([b"x", b" ", b"\t", b"\n", b"\r", b"\x0b", b"\x0c", b"//c", b"\xc3\xa9"]),
        max_size=40,
    ).map(b"".join),
    spans=st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=6),
)
def test_count_code_lines_equals_the_reference(text: bytes, spans: list[tuple[int, int]]) -> None:
    """Comments blanked by translation, in any order, overlapping or not, past the end."""
    from covgap.source._ts import count_code_lines

    spans = [(a, b) if a <= b else (b, a) for a, b in spans]
    assert count_code_lines(text, spans) == _count_code_lines_reference(text, spans)
