"""Rust analysis on the fixture crate, asserted exactly (see lang_rust's rules)."""

from __future__ import annotations

from pathlib import Path

from covgap.source import ErrorPath, TestCase, analyze_source

REPO = Path(__file__).parents[1] / "data" / "source" / "repo"


def analyze(rel: str):  # type: ignore[no-untyped-def]
    return analyze_source(rel, (REPO / rel).read_bytes(), "rust")


def test_impl_methods_complexity_and_error_paths() -> None:
    sf = analyze("rust/src/counter.rs")
    got = [(f.qualname, f.start_line, f.end_line, f.complexity) for f in sf.functions]
    assert got == [
        ("Counter::new", 17, 19, 1),
        ("Counter::add", 21, 31, 3),  # if, for
        ("Counter::add_number", 33, 36, 1),  # the closure and ? do not count
        ("Counter::get", 38, 44, 4),  # 3 arms -> +2, one guard
        ("Counter::top", 46, 49, 1),
        ("Counter::default", 53, 55, 1),  # impl Default for Counter
        ("must_be_positive", 58, 62, 2),
    ]
    assert sf.error_paths == [
        ErrorPath("err_return", 23, 23),
        ErrorPath("map_err", 34, 34),
        ErrorPath("question_mark", 34, 34),
        ErrorPath("unwrap", 47, 47),
        ErrorPath("panic", 60, 60),
    ]
    assert sf.description == "A word counter."
    assert sf.tests == [] and sf.inline_tests == 0


def test_inline_test_module_and_doctests() -> None:
    sf = analyze("rust/src/lib.rs")
    assert [(f.qualname, f.complexity, f.test) for f in sf.functions] == [
        ("double", 4, False),  # if, &&, else if
        ("tests::doubles", 1, True),
        ("tests::slow", 1, True),
        ("tests::overflows", 1, True),
        ("tests::helper", 1, True),  # test code, but not a test
    ]
    assert sf.tests == [
        TestCase("crate (doctest)", 3, "doctest", False, "rustdoc"),
        TestCase("double (doctest)", 12, "doctest", False, "rustdoc"),
        TestCase("double (doctest)", 16, "doctest", True, "rustdoc"),  # ```ignore
        TestCase("tests::doubles", 38, "test", False, "rust"),
        TestCase("tests::slow", 44, "test", True, "rust"),  # #[ignore]
        TestCase("tests::overflows", 50, "test", False, "rust"),  # #[should_panic]
    ]
    # the three #[test]s are inline tests; the doc examples are doctests, counted apart
    assert sf.inline_tests == 3
    assert len(sf.doctests) == 3
    assert sf.error_paths == [ErrorPath("expect", 29, 29)]
    assert sf.description == "Tally: count words and report the totals."


def test_test_attributes_proptest_and_fuzz() -> None:
    sf = analyze("rust-extra/props.rs")
    assert [(t.name, t.kind, t.skipped, t.framework) for t in sf.tests] == [
        ("doubling_is_even", "property", False, "proptest"),
        ("slow_property", "property", True, "proptest"),
        ("async_test", "test", False, "tokio::test"),
        ("db_test", "test", False, "sqlx::test"),
        ("param_test", "test", False, "rstest"),
        ("qc", "property", False, "quickcheck"),
        ("bench_double", "bench", False, "rust"),
        ("fuzz_target", "fuzz", False, "libfuzzer"),
    ]


def test_integration_test_file() -> None:
    sf = analyze("rust/tests/counting.rs")
    assert (sf.kind, sf.test_kind) == ("test", "integration")
    assert [(t.name, t.skipped) for t in sf.tests] == [
        ("counts_words", False),
        ("counts_a_corpus", True),  # #[ignore = "reason"]
    ]
    assert sf.imports == ["tally_core::counter::Counter"]


def test_code_lines_skip_doc_and_line_comments() -> None:
    sf = analyze("rust/src/report.rs")
    assert (sf.lines, sf.code_lines) == (9, 7)


def test_cfg_not_test_module_is_not_test_code() -> None:
    code = b"#[cfg(not(test))]\nmod real {\n    fn f() {}\n}\n"
    (f,) = analyze_source("src/a.rs", code, "rust").functions
    assert (f.qualname, f.test) == ("real::f", False)


def test_trait_default_methods_and_generic_impls() -> None:
    code = (
        b"trait T { fn a(&self) {} fn b(&self); }\n"
        b"impl<'a, X: Clone> Wrap<'a, X> { fn c(&self) {} }\n"
    )
    names = [f.qualname for f in analyze_source("src/a.rs", code, "rust").functions]
    assert names == ["T::a", "Wrap::c"]


DISPATCH = b"""\
//! Dispatch channel for FFI step results.

/// Send a result.
///
/// ```ignore
/// channel.send(result).await?;
/// ```
pub async fn send() {}

/// Receive one.
///
/// ```ignore
/// let r = channel.recv().await;
/// ```
///
/// ```no_run
/// tasker::connect("db").unwrap();
/// ```
///
/// ```rust,compile_fail
/// let x: u8 = "no";
/// ```
///
/// ```text
/// not code
/// ```
///
/// ```python
/// print("not rust either")
/// ```
pub async fn recv() {}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a() {}
    #[tokio::test]
    async fn b() {}
    #[tokio::test(flavor = "multi_thread")]
    async fn c() {}
    #[tokio::test]
    async fn d() {}
    #[tokio::test]
    async fn e() {}
    #[tokio::test]
    async fn f() {}
    #[tokio::test]
    #[ignore]
    async fn g() {}
}
"""


def test_doctests_are_not_inline_tests() -> None:
    """Issue 10: 7 #[tokio::test]s and 2 ```ignore examples are 7 inline tests, not 9."""
    sf = analyze_source("src/ffi_dispatch_channel.rs", DISPATCH, "rust")
    assert sf.inline_tests == 7
    assert [(t.name, t.skipped, t.compile_only) for t in sf.doctests] == [
        ("send (doctest)", True, False),
        ("recv (doctest)", True, False),
        ("recv (doctest)", False, True),  # no_run: compiled, not run
        ("recv (doctest)", False, True),  # compile_fail
    ]
    assert sum(t.kind == "test" for t in sf.tests) == 7
