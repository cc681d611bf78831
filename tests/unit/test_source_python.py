"""Python analysis on the fixture repository, asserted exactly (see lang_python's rules)."""

from __future__ import annotations

from pathlib import Path

import pytest

from covgap.source import ErrorPath, TestCase, analyze_source

REPO = Path(__file__).parents[1] / "data" / "source" / "repo"


def analyze(rel: str, is_test: bool | None = None):  # type: ignore[no-untyped-def]
    return analyze_source(rel, (REPO / rel).read_bytes(), "python", is_test=is_test)


def test_functions_qualnames_spans_and_complexity() -> None:
    sf = analyze("python/src/shapes/area.py")
    got = [(f.qualname, f.start_line, f.end_line, f.complexity) for f in sf.functions]
    assert got == [
        ("area", 15, 24, 6),  # if, elif, and, elif, conditional expression
        ("Polygon.__init__", 28, 29, 3),  # comprehension for + if
        ("Polygon.perimeter", 31, 35, 2),  # for
        ("Polygon.safe_area", 37, 43, 3),  # two except clauses
        ("Polygon._shoelace", 45, 50, 2),  # generator for (cross is its own function)
        ("Polygon._shoelace.cross", 46, 47, 1),
        ("classify", 53, 60, 4),  # case 0, case int() + its guard; case _ does not count
    ]
    assert not any(f.test for f in sf.functions)


def test_error_paths() -> None:
    sf = analyze("python/src/shapes/area.py")
    assert sf.error_paths == [
        ErrorPath("raise", 24, 24),
        ErrorPath("except", 40, 41),
        ErrorPath("except", 42, 43),
        ErrorPath("raise", 43, 43),
    ]


def test_description_skips_shebang_and_coding_and_takes_docstring_first_line() -> None:
    assert analyze("python/src/shapes/area.py").description == (
        "Compute the area of a shape described by a dict."
    )


def test_lines_and_code_lines_exclude_comments_docstrings_and_blanks() -> None:
    sf = analyze("python/src/shapes/parse.py")
    # 9 lines: docstring, 2 blanks; the rest is code
    assert (sf.lines, sf.code_lines) == (9, 6)


def test_pytest_unittest_and_hypothesis_tests() -> None:
    sf = analyze("python/tests/test_area.py")
    assert sf.kind == "test" and sf.test_kind == "unit"
    assert sf.tests == [
        TestCase("test_circle", 10, "test", False, "pytest"),
        TestCase("test_unknown", 14, "test", False, "pytest"),
        TestCase("test_skipped", 20, "test", True, "pytest"),
        TestCase("test_always_skipped", 25, "test", True, "pytest"),
        TestCase("test_conditionally_skipped", 30, "test", False, "pytest"),
        TestCase("test_square", 35, "test", False, "pytest"),
        TestCase("test_circle_positive", 40, "property", False, "hypothesis"),
        TestCase("TestPolygon.test_perimeter", 45, "test", False, "pytest"),
        TestCase("PolygonCase.test_area", 53, "test", False, "unittest"),
        TestCase("PolygonCase.test_broken", 57, "test", True, "unittest"),
    ]
    assert all(f.test for f in sf.functions)
    assert sf.inline_tests == 0


def test_test_functions_in_source_files_are_not_tests() -> None:
    code = b"def test_connection():\n    return True\n"
    assert analyze_source("pkg/db.py", code, "python").tests == []
    assert len(analyze_source("pkg/test_db.py", code, "python").tests) == 1
    assert len(analyze_source("pkg/db.py", code, "python", is_test=True).tests) == 1


def test_module_pytestmark_skip_and_benchmark_fixture() -> None:
    code = b"import pytest\npytestmark = [pytest.mark.skip]\n\ndef test_a(benchmark):\n    pass\n"
    (case,) = analyze_source("tests/test_b.py", code, "python").tests
    assert (case.kind, case.skipped) == ("bench", True)


def test_imports_recorded_for_linking() -> None:
    sf = analyze("python/tests/test_area.py")
    assert sf.imports == [
        "unittest",
        "pytest",
        "hypothesis:given",
        "hypothesis:strategies",
        "shapes.area:Polygon",
        "shapes.area:ShapeError",
        "shapes.area:area",
    ]


def test_syntax_error_is_reported_not_raised() -> None:
    sf = analyze_source("a.py", b"def ok():\n    return 1\n\ndef broken(:\n", "python")
    assert sf.parse_error == "syntax error at line 4"
    assert [f.qualname for f in sf.functions][:1] == ["ok"]


@pytest.mark.parametrize("text", [b"", b"\n", b"# only a comment\n", b'"""Doc."""\n'])
def test_trivial_files(text: bytes) -> None:
    sf = analyze_source("m.py", text, "python")
    assert sf.functions == [] and sf.code_lines == 0 and sf.parse_error is None


def test_nested_test_classes_async_tests_and_helpers_in_functions() -> None:
    code = (
        b"class TestOuter:\n"
        b"    class TestInner:\n"
        b"        async def test_deep(self):\n"
        b"            def test_not_collected():\n"
        b"                pass\n"
        b"    def test_top(self):\n"
        b"        pass\n"
    )
    tests = analyze_source("tests/test_n.py", code, "python").tests
    assert [t.name for t in tests] == ["TestOuter.TestInner.test_deep", "TestOuter.test_top"]
