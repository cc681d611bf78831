"""The query-driven walk (issue 14, round two) equals the full walk it replaced.

:meth:`Walker.walk_all` visits every named node in Python; :meth:`Walker.run` with the
tree's language lets a compiled tree-sitter query pick the interesting nodes in C. Every
analyser must collect exactly the same functions, complexities, error paths, tests,
imports, comments, description and parse error both ways, on every source fixture and
on generated fragments, broken ones included.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from covgap.source import lang_go, lang_js, lang_python, lang_ruby, lang_rust
from covgap.source._ts import Walker, parser_for

DATA = Path(__file__).resolve().parents[1] / "data" / "source"
GRAMMARS: dict[str, tuple[str, ModuleType]] = {
    ".py": ("python", lang_python),
    ".rs": ("rust", lang_rust),
    ".rb": ("ruby", lang_ruby),
    ".js": ("javascript", lang_js),
    ".ts": ("typescript", lang_js),
    ".tsx": ("tsx", lang_js),
    ".go": ("go", lang_go),
}


def _outputs(walker: Walker) -> dict[str, object]:
    return {
        "functions": [dataclasses.astuple(f) for f in walker.functions],
        "errors": [dataclasses.astuple(e) for e in walker.errors],
        "tests": [dataclasses.astuple(t) for t in walker.tests],
        "imports": walker.imports,
        "comments": walker.comments,
        "description": walker.description,
        "parse_error": walker.parse_error,
    }


def _both_ways(suffix: str, text: bytes, is_test: bool) -> tuple[object, object]:
    grammar, module = GRAMMARS[suffix]
    parser = parser_for(grammar)
    root = parser.parse(text).root_node
    full = module.analyze(root, text, is_test)
    queried = module.analyze(root, text, is_test, parser.language)
    return _outputs(full), _outputs(queried)


FILES = sorted(p for p in DATA.rglob("*") if p.suffix in GRAMMARS)


def test_there_are_fixtures_of_every_grammar() -> None:
    assert {p.suffix for p in FILES} == set(GRAMMARS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(DATA)))
@pytest.mark.parametrize("is_test", [False, True])
def test_query_walk_equals_full_walk_on_fixture(path: Path, is_test: bool) -> None:
    full, queried = _both_ways(path.suffix, path.read_bytes(), is_test)
    assert queried == full


FRAGMENTS = [
    "def f(x):\n",
    "    if x and y:\n",
    "        return 1\n",
    "class A:\n",
    "raise E\n",
    "try:\n",
    "except E:\n",
    "fn main() {",
    "}",
    "#[test]\n",
    "match x {",
    "=> 1,",
    'it("a", () => {',
    "describe('x', () => {",
    "});",
    "function g() {",
    "a && b ? c : d",
    "describe 'x' do\n",
    "end\n",
    "def t\n",
    "func TestX(t *testing.T) {",
    "if err != nil {",
    "/* ",
    "*/",
    '"""',
    "# comment\n",
    "// c\n",
    "    ",
    "\n",
    "?",
    "(",
    ")",
    "{",
    "é",
    "x = 1\n",
    "import os\n",
    "pytestmark = pytest.mark.skip\n",
    "pytestmark = [pytest.mark.skipif(True, reason='x')]\n",
    "'''doc'''\n",
    "for i in x:\n",
    "while y {",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(lambda xs: "".join(xs).encode()),
    suffix=st.sampled_from(sorted(GRAMMARS)),
    is_test=st.booleans(),
)
def test_query_walk_equals_full_walk_on_fragments(text: bytes, suffix: str, is_test: bool) -> None:
    full, queried = _both_ways(suffix, text, is_test)
    assert queried == full


def test_a_tree_with_an_empty_captured_node_takes_the_full_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``x.`` in Ruby has a MISSING (empty) identifier: sorting by range cannot place an
    empty node, so the walk falls back to :meth:`Walker.walk_all`, with the same result."""
    calls: list[int] = []
    original = Walker.walk_all

    def counting(self: Walker, root: object) -> None:
        calls.append(1)
        original(self, root)  # type: ignore[arg-type]

    monkeypatch.setattr(Walker, "walk_all", counting)
    parser = parser_for("ruby")
    text = b"x."
    root = parser.parse(text).root_node
    walker = lang_ruby.analyze(root, text, False, parser.language)
    assert calls == [1]
    assert walker.parse_error is not None
    full, queried = _both_ways(".rb", text, False)
    assert queried == full
    calls.clear()
    lang_ruby.analyze(parser.parse(b"def f\n  x.y\nend\n").root_node, b"", False, parser.language)
    assert calls == []


@pytest.mark.parametrize(
    ("suffix", "source", "expected"),
    [
        # the `||` starts with the inner function but belongs to `outer` (the walk
        # enters it first): counted from ranges, it must not be the inner one's
        (".js", b"function outer() {\n  const v = function () { return 1 }() || 2;\n}\n", 2),
        (".go", b"package p\n\nfunc outer() {\n\t_ = func() bool { return true }() || x\n}\n", 2),
        (".py", b"def outer(x):\n    def inner():\n        return x or 1\n    return x and 2\n", 2),
    ],
)
def test_plain_decisions_counted_from_ranges_go_to_the_function_the_walk_gives(
    suffix: str, source: bytes, expected: int
) -> None:
    """Walker.PLAIN_DECISIONS are counted per function from byte ranges on the query path;
    a decision beginning at a nested function's first byte, and one inside a nested
    function, are the outer function's and the inner one's, as in the full walk."""
    full, queried = _both_ways(suffix, source, False)
    assert queried == full
    functions = queried["functions"]  # type: ignore[index]
    assert {f[0]: f[3] for f in functions}["outer"] == expected


def test_plain_decisions_are_never_entered_on_the_query_path() -> None:
    """The point of PLAIN_DECISIONS: those nodes do not reach Python one by one."""
    parser = parser_for("python")
    text = b"def f(x):\n    if x and y:\n        return 1 if x else 2\n"
    entered: list[str] = []

    class Counting(lang_python.PythonWalker):
        def enter(self, node):  # type: ignore[no-untyped-def]
            entered.append(node.type)
            return super().enter(node)

    walker = Counting(text, False)
    walker.run(parser.parse(text).root_node, parser.language)
    assert entered == ["function_definition"]
    assert [f.complexity for f in walker.functions] == [4]


@pytest.mark.parametrize(
    "source",
    [
        b"'''Module doc.'''\nimport pytest\npytestmark = pytest.mark.skip\n\ndef test_a():\n"
        b"    '''Doc.'''\n    x = 1\n",
        b"# c\n'''doc''' 'more'\npytestmark: list = [pytest.mark.skip]\ndef test_b(): pass\n",
        b"x = 1\npytestmark = 2\n(pytestmark) = pytest.mark.skip\ndef test_c(): pass\n",
    ],
)
def test_narrowed_python_statements_keep_docstrings_and_module_skips(source: bytes) -> None:
    """Only docstrings and `pytestmark = ...` reach Python among expression statements."""
    full, queried = _both_ways(".py", source, True)
    assert queried == full


def test_narrowed_go_calls_keep_every_panic() -> None:
    """Go's query passes on only the calls that end the program; the walk sees the rest."""
    source = (
        b'package p\n\nfunc f() {\n\tpanic(1)\n\tpanicky(2)\n\tlog.Fatalf("x")\n'
        b"\tlogXFatal(1)\n\tlog.Println(1)\n\tlog.PanicX.Y(3)\n\t(panic)(4)\n}\n"
    )
    full, queried = _both_ways(".go", source, False)
    assert queried == full
    assert [e[1] for e in queried["errors"]] == [4, 6, 9]  # type: ignore[index]


def test_narrowed_js_exports_and_logical_assignments() -> None:
    """Only re-exports (`export ... from`) and `&&=`/`||=`/`??=` reach the JS walker's
    count; other exports and compound assignments stay in C."""
    source = (
        b'import d from "./d";\nexport { a } from "./a";\nexport * from \'./b\';\n'
        b"export const x = 1;\nexport function f() {\n  x ||= 1;\n  y += 2;\n  z ??= 3;\n"
        b"  w &&= 4;\n}\n"
    )
    full, queried = _both_ways(".ts", source, False)
    assert queried == full
    assert queried["imports"] == ["./d", "./a", "./b"]  # type: ignore[index]
    assert [f[3] for f in queried["functions"]] == [4]  # type: ignore[index]


def test_plain_decision_kinds_are_never_supertypes_in_the_shipped_grammars() -> None:
    """The query path then takes every ``@d`` capture without checking its kind; a walker
    naming a supertype (whose pattern captures its subtypes) keeps the check."""
    from covgap.source._ts import _plain_kinds_exact

    checked = 0
    for grammar, module in GRAMMARS.values():
        language = parser_for(grammar).language
        for walker in vars(module).values():
            if isinstance(walker, type) and issubclass(walker, Walker) and walker.PLAIN_DECISIONS:
                assert _plain_kinds_exact(walker, language), (grammar, walker)
                checked += 1
    assert checked >= 5  # Python, Rust, JavaScript, TypeScript, TSX, Go (Ruby has none)

    class Supertyped(lang_python.PythonWalker):
        PLAIN_DECISIONS = frozenset({"if_statement", "expression"})

    assert not _plain_kinds_exact(Supertyped, parser_for("python").language)


def test_nodes_sharing_a_range_are_walked_outer_first() -> None:
    """A statement that is just an expression shares its range with it: of captures with
    one range, the walk enters the outer first (the order falls back to depth)."""
    from covgap.source._ts import _document_order

    root = parser_for("python").parse(b"x\ny = 1\n").root_node
    statement = root.named_children[0]
    name = statement.named_children[0]
    second = root.named_children[1]
    assert statement.byte_range == name.byte_range
    nodes = [second, name, statement]
    order = _document_order(nodes, [n.byte_range for n in nodes])
    assert [nodes[i].type for i in order] == [
        "expression_statement",
        "identifier",
        "expression_statement",
    ]
    assert [nodes[i] for i in order] == [statement, name, second]
