"""The regex fallback for languages without a grammar here (C, Java, Kotlin, shell...)."""

from __future__ import annotations

from pathlib import Path

from covgap.source import FunctionInfo, analyze_source

C_CODE = b"""\
/* Arithmetic helpers. */
#include <stdio.h>

static int add(int a, int b) {
  if (a > 0 && b > 0) { return a + b; } // "}" in a comment
  return 0;
}

int declared_only(int a);

int
main(void)
{
  const char *s = "{ not a brace }";
  for (int i = 0; i < 3; i++) {
    while (0) {}
  }
  return add(1, 2) ? 0 : 1;
}
"""


def test_c_functions_end_at_their_closing_brace() -> None:
    sf = analyze_source("src/calc.c", C_CODE, "c")
    assert sf.functions == [
        FunctionInfo("add", 4, 7, 3),  # if, &&
        FunctionInfo("main", 12, 19, 3),  # for, while (the ternary is not counted)
    ]
    assert sf.description == "Arithmetic helpers."
    assert (sf.lines, sf.code_lines) == (19, 15)
    assert sf.tests == [] and sf.error_paths == [] and sf.parse_error is None


def test_java_methods() -> None:
    code = b"""\
// Greeter.
public class Greeter {
    public String greet(String name) throws Exception {
        if (name == null) {
            throw new Exception("no name");
        }
        return "hi " + name;
    }
}
"""
    names = [
        (f.qualname, f.start_line, f.end_line)
        for f in analyze_source("G.java", code, "java").functions
    ]
    assert names == [("greet", 3, 8)]


def test_shell_and_kotlin_definitions() -> None:
    sh = b"#!/bin/sh\n# Deploy.\nbuild() {\n  make\n}\nfunction ship {\n  scp a b\n}\n"
    sf = analyze_source("deploy.sh", sh, "shell")
    assert [(f.qualname, f.start_line, f.end_line) for f in sf.functions] == [
        ("build", 3, 5),
        ("ship", 6, 8),
    ]
    branchy = b"check() {\n  if [ -f a ] && [ -f b ]; then\n    echo ok\n  fi\n}\nx=1\n"
    (check,) = analyze_source("check.sh", branchy, "shell").functions
    assert (check.start_line, check.end_line, check.complexity) == (1, 5, 3)
    assert sf.description == "Deploy."
    kt = (
        b"fun main() {\n    println(1)\n}\n"
        b"private suspend fun <T> List<T>.second(): T {\n    return this[1]\n}\n"
    )
    assert [f.qualname for f in analyze_source("a.kt", kt, "kotlin").functions] == [
        "main",
        "second",
    ]


def test_language_without_any_syntax_counts_non_blank_lines() -> None:
    sf = analyze_source("a.hs", b"main :: IO ()\n\nmain = print 1\n", "haskell")
    assert (sf.lines, sf.code_lines, sf.functions) == (3, 2, [])


def test_display_names_are_accepted() -> None:
    assert analyze_source("a.ts", b"function f() {}\n", "TypeScript").language == "typescript"
    assert analyze_source("a.cc", b"int f() { return 1; }\n", "C++").functions[0].qualname == "f"


# -- the fallback for languages whose grammar wheel is missing (issue 10) ---------------

RUST_TESTS = b"""\
//! Ledger.
pub fn add(a: i64, b: i64) -> i64 {
    if a > 0 { a + b } else { b }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds() {
        let brace = '{';
        assert_eq!(add(1, 2), 3);
    }

    #[tokio::test]
    async fn adds_async() {}

    #[sqlx::test(
        migrations = "./migrations",
        fixtures("users")
    )]
    async fn with_db(pool: PgPool) -> sqlx::Result<()> { Ok(()) }

    #[test]
    #[ignore = "slow"]
    fn slow() {}

    // #[test] in a comment is not a test
    fn helper<'a>(s: &'a str) -> &'a str { s }
}
"""


def test_rust_fallback_counts_tests(missing_grammars) -> None:  # type: ignore[no-untyped-def]
    missing_grammars("rust")
    sf = analyze_source("src/ledger.rs", RUST_TESTS, "rust")
    assert (sf.analyser, sf.fallback_reason) == ("regex", "tree_sitter_rust is not installed")
    assert [(t.name, t.line, t.kind, t.skipped, t.framework) for t in sf.tests] == [
        ("adds", 11, "test", False, "rust"),
        ("adds_async", 17, "test", False, "tokio::test"),
        ("with_db", 23, "test", False, "sqlx::test"),
        ("slow", 27, "test", True, "rust"),
    ]
    assert sf.inline_tests == 4
    # functions inside #[cfg(test)] are test code; `add` is not
    assert [(f.qualname, f.test) for f in sf.functions] == [
        ("add", False),
        ("adds", True),
        ("adds_async", True),
        ("with_db", True),
        ("slow", True),
        ("helper", True),
    ]
    assert sf.parse_error is None


PY_TESTS = b"""\
import pytest
import unittest
from hypothesis import given


def test_plain():
    assert True


def helper():
    pass


@pytest.mark.skip(reason="later")
def test_skipped():
    pass


@given(x=1)
def test_property(x):
    pass


class TestThing:
    def test_method(self):
        pass

    def not_a_test(self):
        def test_nested():
            pass


class Cases(unittest.TestCase):
    def test_case(self):
        pass


class Helper:
    def test_not_collected(self):
        pass
"""


def test_python_fallback_counts_tests(missing_grammars) -> None:  # type: ignore[no-untyped-def]
    missing_grammars("python")
    sf = analyze_source("tests/test_thing.py", PY_TESTS, "python")
    assert sf.analyser == "regex"
    assert [(t.name, t.kind, t.skipped, t.framework) for t in sf.tests] == [
        ("test_plain", "test", False, "pytest"),
        ("test_skipped", "test", True, "pytest"),
        ("test_property", "property", False, "hypothesis"),
        ("test_method", "test", False, "pytest"),
        ("test_case", "test", False, "unittest"),
    ]
    # in a source file pytest collects nothing
    assert analyze_source("src/thing.py", PY_TESTS, "python").tests == []


RB_TESTS = b"""\
require "spec_helper"

RSpec.describe Widget do
  it "builds" do
    expect(1).to eq(1)
  end

  it("parses") { expect(2).to eq(2) }

  xit "is pending" do
  end

  specify { expect(3).to eq(3) }
end

class WidgetTest < Minitest::Test
  def test_builds
    assert true
  end

  test "activesupport style" do
    assert true
  end
end
"""


def test_ruby_fallback_counts_tests(missing_grammars) -> None:  # type: ignore[no-untyped-def]
    missing_grammars("ruby")
    sf = analyze_source("spec/widget_spec.rb", RB_TESTS, "ruby")
    assert sf.analyser == "regex"
    assert [(t.name, t.line, t.skipped, t.framework) for t in sf.tests] == [
        ("builds", 4, False, "rspec"),
        ("parses", 8, False, "rspec"),
        ("is pending", 10, True, "rspec"),
        ("specify", 13, False, "rspec"),
        ("test_builds", 17, False, "minitest"),
        ("activesupport style", 21, False, "minitest"),
    ]


JS_TESTS = b"""\
// Cart specs (it("in a comment") is not a test).
const { describe, context, it, xit } = require("mocha");

describe("Cart", function () {
  it("adds", () => { expect(`{${1}}`).toBe("{1}"); });

  context(`when empty`, () => {
    xit("is pending", () => {});
    it.todo("totals zero");
    it("never negative", () => fc.assert(fc.property(fc.nat(), (n) => n >= 0)));
  });

  describe.skip("legacy", () => {
    it.only("does not run", async function () {});
  });

  it.each([
    [1, 2],
    [3, 4],
  ])("sums %i and %i", (a, b) => {});

  test.each`
    a    | b
    ${1} | ${2}
  `("table $a", ({ a }) => {});

  it("no callback");
});

it("top level", (done) => done());
bench("sorting", () => [3, 1].sort());
Deno.test("deno style", () => {});
const notATest = "it('inside a string')";
"""


def _tests(sf: object) -> list[tuple[str, int, str, bool, str]]:
    return [(t.name, t.line, t.kind, t.skipped, t.framework) for t in sf.tests]  # type: ignore[attr-defined]


def test_js_fallback_counts_tests_as_tree_sitter_does(  # type: ignore[no-untyped-def]
    missing_grammars,
) -> None:
    """Issue 10: Jest/Vitest/Mocha/node:test tests without the grammar, as with it."""
    real = analyze_source("test/cart.spec.js", JS_TESTS, "javascript")
    assert real.analyser != "regex"
    missing_grammars("javascript", "typescript", "tsx")
    sf = analyze_source("test/cart.spec.js", JS_TESTS, "javascript")
    assert sf.analyser == "regex"
    assert _tests(sf) == [
        ("Cart > adds", 5, "test", False, "mocha"),
        ("Cart > when empty > is pending", 8, "test", True, "mocha"),
        ("Cart > when empty > totals zero", 9, "test", True, "mocha"),
        ("Cart > when empty > never negative", 10, "property", False, "mocha"),
        ("Cart > legacy > does not run", 14, "test", True, "mocha"),
        ("Cart > sums %i and %i", 17, "test", False, "mocha"),
        ("Cart > table $a", 22, "test", False, "mocha"),
        ("Cart > no callback", 27, "test", True, "mocha"),
        ("top level", 30, "test", False, "mocha"),
        ("sorting", 31, "bench", False, "mocha"),
        ("deno style", 32, "test", False, "deno"),
    ]
    assert _tests(sf) == _tests(real)
    ts = analyze_source(
        "src/cart.test.ts", b'import { test } from "vitest";\ntest("x", () => {});\n', "typescript"
    )
    assert _tests(ts) == [("x", 2, "test", False, "vitest")]


GO_TESTS = b"""\
package calc

import (
	"testing"
	"testing/quick"
)

var table = `
func TestInsideARawString(t *testing.T) {}
`

func TestAdd(t *testing.T) {
	if Add(1, 2) != 3 { // "}" in a comment
		t.Fatal(`C:\\`)
	}
}

func TestLater(t *testing.T) {
	t.Skip("not yet")
}

func Testhelper(t *testing.T) {}

func TestCommutes(t *testing.T) {
	if err := quick.Check(func(a, b int) bool { return Add(a, b) == Add(b, a) }, nil); err != nil {
		t.Error(err)
	}
}

func BenchmarkAdd(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Add(1, 2)
	}
}

func FuzzAdd(f *testing.F) {
	f.Fuzz(func(t *testing.T, a int) {})
}

func ExampleAdd() {
	fmt.Println(Add(1, 2))
	// Output: 3
}

func ExampleAdd_compileOnly() {
	Add(1, 2)
}

func (s *suite) TestMethod(t *testing.T) {}
"""


def test_go_fallback_counts_tests_as_tree_sitter_does(  # type: ignore[no-untyped-def]
    missing_grammars,
) -> None:
    """Issue 10: go test's functions without the grammar, Benchmark/Fuzz/Example apart."""
    real = analyze_source("calc/calc_test.go", GO_TESTS, "go")
    missing_grammars("go")
    sf = analyze_source("calc/calc_test.go", GO_TESTS, "go")
    assert sf.analyser == "regex"
    assert _tests(sf) == [
        ("TestAdd", 12, "test", False, "go"),
        ("TestLater", 18, "test", True, "go"),
        ("TestCommutes", 24, "property", False, "go"),
        ("BenchmarkAdd", 30, "bench", False, "go"),
        ("FuzzAdd", 36, "fuzz", False, "go"),
        ("ExampleAdd", 40, "example", False, "go"),
        ("ExampleAdd_compileOnly", 45, "example", True, "go"),
    ]
    assert _tests(sf) == _tests(real)
    # go test runs only _test.go files
    assert analyze_source("calc/calc.go", GO_TESTS, "go").tests == []


def test_fallback_finds_as_many_tests_as_tree_sitter_on_the_fixture(  # type: ignore[no-untyped-def]
    missing_grammars,
) -> None:
    """On the fixture repository the fallback's test counts equal tree-sitter's for the
    kinds it claims to find (doctests and proptest! cases are said to be missing)."""
    from covgap.config import validate
    from covgap.source import analyze_repo
    from covgap.workspace import Workspace

    root = Path(__file__).parents[1] / "data" / "source" / "repo"

    def counts() -> dict[str, list[tuple[str, bool | None]]]:
        index = analyze_repo(Workspace.load(root, validate({})), cache=False, jobs=1)
        return {
            path: sorted(
                # Ruby's skips (skip in a body, skip: metadata, xdescribe) are tree-sitter's
                (t.kind, t.skipped if sf.language != "ruby" else None)
                for t in sf.tests
                if t.kind != "doctest" and t.framework != "proptest"
            )
            for path, sf in index.files.items()
            if sf.language in ("rust", "python", "ruby")
        }

    real = counts()
    missing_grammars("rust", "python", "ruby")
    regex = counts()
    assert sum(len(v) for v in real.values()) > 10
    assert regex == real


def test_js_and_go_fallback_equal_tree_sitter_on_the_fixture(  # type: ignore[no-untyped-def]
    missing_grammars,
) -> None:
    """On the fixture's web/ (Vitest, node:test, Playwright) and go/ modules and the real
    Go test file, the fallback finds tree-sitter's tests: names, lines, kinds, skips."""
    from covgap.config import validate
    from covgap.source import analyze_repo
    from covgap.workspace import Workspace

    data = Path(__file__).parents[1] / "data" / "source"

    def tests() -> dict[str, list[tuple[str, int, str, bool, str]]]:
        index = analyze_repo(Workspace.load(data / "repo", validate({})), cache=False, jobs=1)
        found = {
            path: _tests(sf)
            for path, sf in index.files.items()
            if sf.language in ("javascript", "typescript", "go")
        }
        real = data / "real" / "go" / "example_test.go"
        found["real"] = _tests(analyze_source("x_test.go", real.read_bytes(), "go"))
        return found

    real = tests()
    missing_grammars("javascript", "typescript", "tsx", "go")
    regex = tests()
    assert sum(len(v) for v in real.values()) > 15
    assert regex == real


def test_notes_say_what_each_fallback_misses(missing_grammars) -> None:  # type: ignore[no-untyped-def]
    from covgap.source import SourceIndex
    from covgap.source.notes import analysis_notes

    missing_grammars("javascript", "go")  # issue 10: their tests are counted, and said so
    index = SourceIndex()
    for path, text, language in (
        ("src/calc.c", C_CODE, "c"),
        ("src/calc.h", b"int add(int a, int b);\n", "c"),
        ("ext/fast.pyx", b"def test_x():\n    pass\n", "python"),
        ("data.weird", b"x\n", "weird"),
        ("web/app.mjs", b"export function f() {}\n", "javascript"),
        ("tool/main.go", b"package main\n", "go"),
    ):
        index.files[path] = analyze_source(path, text, language)
    assert [n.message for n in analysis_notes(index)] == [
        "C: 2 files analysed without tree-sitter (covgap has no tree-sitter grammar for C): "
        "functions (complexity estimated) found by regex; tests not counted; error paths and "
        "imports not found",
        "Go: 1 file analysed without tree-sitter (tree_sitter_go is not installed): tests and "
        "functions (complexity estimated) found by regex; error paths and imports not found",
        "JavaScript: 1 file analysed without tree-sitter (tree_sitter_javascript is not "
        "installed): tests and functions (complexity estimated) found by regex; error paths "
        "and imports not found",
        "Python: 1 file analysed without tree-sitter (no tree-sitter grammar for .pyx files): "
        "tests and functions (complexity estimated) found by regex; error paths and imports "
        "not found",
        "weird: 1 file analysed without tree-sitter (covgap has no tree-sitter grammar for "
        "weird): tests not counted; functions, error paths and imports not found",
    ]


def test_syntax_error_notes_name_the_first_files() -> None:
    from covgap.source import SourceIndex
    from covgap.source.notes import analysis_notes

    index = SourceIndex()
    for n in range(5):
        path = f"pkg/m{n}.py"
        index.files[path] = analyze_source(path, b"def broken(:\n", "python")
    (note,) = analysis_notes(index)
    assert note.message == (
        "Python: 5 files with syntax errors, analysed as far as tree-sitter recovered; "
        "functions, tests and error paths near the errors may be missing "
        "(pkg/m0.py: syntax error at line 1; pkg/m1.py: syntax error at line 1; "
        "pkg/m2.py: syntax error at line 1; … 2 more)"
    )
    assert note.as_dict()["analyser"] == "tree-sitter"


def test_a_missing_wheel_is_grammar_missing(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from covgap.source import _ts

    monkeypatch.setitem(_ts.GRAMMARS, "nope", ("tree_sitter_nope_missing", "language"))
    with pytest.raises(_ts.GrammarMissing, match="tree_sitter_nope_missing is not installed"):
        _ts.load_language("nope")
    monkeypatch.setattr(_ts, "_IDENTITIES", {})
    assert _ts.analyser_identity("nope") == "regex"
    assert _ts._version("tree-sitter-nope-missing") == "unknown"


# The scanners' equivalence with the character loops they replaced (issue 14) is tested
# in test_source_fallback_scan.py.


def test_js_and_go_fallback_on_broken_code(missing_grammars) -> None:  # type: ignore[no-untyped-def]
    """Unbalanced or unterminated code: what can be read is, the rest is not guessed."""
    missing_grammars("javascript", "go")
    js = (
        b'it("esc\\"aped", () => {});\n'  # an escaped quote in the name
        b'it.each`\n  a\n`("tagged", () => {});\n'  # a tagged-template table
        b"test(name, () => {});\n"  # no string name: not a test (as tree-sitter)
        b'it("unterminated\n);\n'
        b'it.each([1)("mismatched", () => {});\n'
        b'describe("open", () => {\n  it("inside", () => {\n'  # the file ends inside
    )
    sf = analyze_source("a.test.js", js, "javascript")
    assert _tests(sf) == [
        ('esc"aped', 1, "test", False, "jest"),
        ("tagged", 2, "test", False, "jest"),
        ("open > inside", 10, "test", False, "jest"),
    ]
    go = (
        b"package x\n\nfunc Testlower(t *testing.T) {}\n"  # lower case: not a test
        b'func TestUnclosed(t *testing.T) {\n\tx := "a\\"b"\n'  # the file ends inside
    )
    assert analyze_source("x_test.go", go, "go").tests == []
