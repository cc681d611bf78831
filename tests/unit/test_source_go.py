"""Go analysis on the fixture package, asserted exactly (see lang_go's rules)."""

from __future__ import annotations

from pathlib import Path

from covgap.source import ErrorPath, TestCase, analyze_source

REPO = Path(__file__).parents[1] / "data" / "source" / "repo"


def analyze(rel: str):  # type: ignore[no-untyped-def]
    return analyze_source(rel, (REPO / rel).read_bytes(), "go")


def test_functions_methods_complexity_and_error_paths() -> None:
    sf = analyze("go/calc.go")
    got = [(f.qualname, f.start_line, f.end_line, f.complexity) for f in sf.functions]
    assert got == [
        ("Stack.Push", 18, 20, 1),
        ("Stack.Pop", 23, 30, 2),
        ("Eval", 33, 60, 8),  # for, case, 3 ifs, if with &&: default does not count
        ("MustEval", 63, 69, 2),
    ]
    assert sf.error_paths == [
        ErrorPath("if_err", 39, 41),
        ErrorPath("if_err", 43, 45),
        ErrorPath("if_err", 53, 55),
        ErrorPath("if_err", 65, 67),
        ErrorPath("panic", 66, 66),
    ]
    # the copyright header is separated by a blank line: not the package doc
    assert sf.description == "Package calc evaluates tiny arithmetic expressions."


def test_go_test_functions() -> None:
    sf = analyze("go/calc_test.go")
    assert sf.tests == [
        TestCase("TestEval", 8, "test", False, "go"),
        TestCase("TestSkipped", 15, "test", True, "go"),
        TestCase("BenchmarkEval", 21, "bench", False, "go"),
        TestCase("ExampleEval", 27, "example", False, "go"),
        TestCase("ExampleMustEval", 33, "example", True, "go"),  # no // Output: never runs
        TestCase("FuzzEval", 37, "fuzz", False, "go"),
    ]


def test_tests_only_in_test_files_and_generic_receivers() -> None:
    code = b"package p\nfunc TestX(t *testing.T) {}\nfunc (l *List[T]) Len() int { return 0 }\n"
    sf = analyze_source("p/p.go", code, "go")
    assert sf.tests == []
    assert [f.qualname for f in sf.functions] == ["TestX", "List.Len"]


def test_integration_build_tag() -> None:
    code = b"//go:build integration\n\npackage p\n\nfunc TestDB(t *testing.T) {}\n"
    sf = analyze_source("p/db_test.go", code, "go")
    assert (sf.kind, sf.test_kind) == ("test", "integration")
