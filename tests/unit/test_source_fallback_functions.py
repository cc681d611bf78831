"""The fallback's function finder equals the per-function one it replaced (issue 14).

The reference below is the finder as it was before round three of issue 14: the C
definition pattern without possessive quantifiers, a brace scan from each function's
``{`` (:func:`_brace_end`, itself checked against a character-wise scan in
``test_source_fallback_scan.py``) and the decision words counted in a copy of each
function's text. The fast finder pairs every brace in one pass and counts decision words
in place; it must find the same functions, lines and complexities on every syntax, for
any text, including strings holding braces, words running into a function's name and
unbalanced braces.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.source.fallback import (
    _C_FUNC,
    _DECISION_WORDS,
    _KEYWORD_NAMES,
    SYNTAXES,
    Syntax,
    _brace_end,
    _brace_pairs,
    _decisions,
    _functions,
    _name_group,
    _strip_comments,
)
from covgap.source.records import FunctionInfo

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "source"

_C_FUNC_REFERENCE = re.compile(
    r"^[ \t]*(?:(?:[\w:<>,*&\[\]~]+[ \t]+)+[*&]*)?(?P<name>[A-Za-z_~][\w:~]*)[ \t]*\([^;{}()]*"
    r"(?:\([^()]*\)[^;{}()]*)*\)",
    re.MULTILINE,
)


def _functions_reference(code: str, syntax: Syntax) -> list[FunctionInfo]:
    """The function finder of ``fallback.analyze`` before issue 14's round three."""
    pattern = syntax.function
    assert pattern is not None
    if pattern is _C_FUNC:
        pattern = _C_FUNC_REFERENCE
    functions: list[FunctionInfo] = []
    matches = list(pattern.finditer(code))
    line_starts = [0]
    line_starts.extend(m.end() for m in re.finditer("\n", code))
    total_lines = len(line_starts)

    def line_of(offset: int) -> int:
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    starts = [m.start() for m in matches if _name_group(m)[0] not in _KEYWORD_NAMES]
    inside_until = -1
    for match in matches:
        if match.start() <= inside_until:
            continue
        name, group = _name_group(match)
        if not name or name in _KEYWORD_NAMES:
            continue
        start = match.start(group)
        pos = bisect.bisect_right(starts, match.start())
        nxt = starts[pos] if pos < len(starts) else len(code)
        if syntax.braces:
            open_at = code.find("{", match.end(), nxt)
            semicolon = code.find(";", match.end(), nxt)
            if open_at < 0 or 0 <= semicolon < open_at:
                continue
            end_offset = _brace_end(code, open_at, syntax.quotes, syntax.raw_quotes)
            if end_offset < 0:
                continue
        else:
            end_offset = max(nxt - 1, start)
        body = code[start : end_offset + 1]
        complexity = 1 + len(_DECISION_WORDS.findall(body))
        end_line = min(line_of(end_offset), total_lines)
        functions.append(FunctionInfo(name, line_of(start), end_line, complexity))
        if syntax.braces:
            inside_until = end_offset
    return functions


PIECES = [
    "int f(int a) {",
    "static long *g(const char *s, size_t n)\n{",
    "void h(void);",
    "  if (a && b) {",
    "for (i = 0; i < n; i++) {",
    "while (x || y) ",
    "return a ? b : c;",
    "foo(bar);",
    "}",
    "{",
    ";",
    "\n",
    " ",
    "\t",
    '"{"',
    "'}'",
    '"',
    "'",
    "`",
    "\\",
    "if",
    "case",
    "foreach",
    "elsif",
    "ifx",
    "_for",
    "&&",
    "||",
    "??",
    "x",
    "é",
    "def k(a):",
    "fn r() {",
    "func G() {",
    "function j() {",
    "sub p {",
    "fun q() {",
    "(",
    ")",
    "/*",
    "*/",
    "//",
    "#",
    "name() {",
    "function n {",
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)


@settings(max_examples=400, deadline=None)
@given(text=TEXTS, language=st.sampled_from(sorted(SYNTAXES)))
def test_functions_equal_reference(text: str, language: str) -> None:
    syntax = SYNTAXES[language]
    if syntax.function is None:
        return
    code = _strip_comments(text, syntax)[0]
    assert _functions(code, syntax) == _functions_reference(code, syntax)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, start=st.integers(0, 80), stop=st.integers(0, 80))
def test_decisions_count_the_slice(text: str, start: int, stop: int) -> None:
    start, stop = sorted((min(start, len(text)), min(stop, len(text))))
    assert _decisions(text, start, stop) == len(_DECISION_WORDS.findall(text[start:stop]))


@settings(max_examples=300, deadline=None)
@given(
    text=TEXTS,
    quotes=st.sampled_from(["\"'", '"', "\"'`"]),
    raw=st.sampled_from(["", "`"]),
)
def test_brace_pairs_equal_brace_end(text: str, quotes: str, raw: str) -> None:
    """Every ``{`` the one-pass pairing knows closes where a scan from it says; the
    others are inside a string for a scan from the top (the finder then scans)."""
    pairs = _brace_pairs(text, quotes, raw)
    for at, close in pairs.items():
        assert text[at] == "{"
        assert close == _brace_end(text, at, quotes, raw)


def test_a_word_running_into_a_slice_is_counted_as_the_slice_sees_it() -> None:
    # "if" is a word of its own in the slice, not in the text ("xif")
    assert _decisions("xif (a) {}", 1, 10) == 1
    assert len(_DECISION_WORDS.findall("xif (a) {}")) == 0


def test_c_pattern_equals_reference_on_c_like_text() -> None:
    text = "\n".join(
        [
            "static unsigned long *alloc_table(struct table *t, size_t n)",
            "{",
            "    for (size_t i = 0; i < n; i++) { call(x, (y), z); }",
            "    int (*fp)(int) = g;",
            "}",
            "Foo::~Foo() {}",
            "template <class T> std::vector<T> make(T a, int (b)) {",
        ]
    )
    want = [m.span() for m in _C_FUNC_REFERENCE.finditer(text)]
    assert [m.span() for m in _C_FUNC.finditer(text)] == want
    assert len(want) >= 4


def _fixture_texts() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.stat().st_size < 200_000)


@pytest.mark.parametrize("language", sorted(k for k, v in SYNTAXES.items() if v.function))
def test_functions_equal_reference_on_every_fixture_file(language: str) -> None:
    """Real files (every fixture, read in every syntax) give the same functions."""
    syntax = SYNTAXES[language]
    files = _fixture_texts()
    assert files
    for path in files:
        code = _strip_comments(path.read_bytes().decode("utf-8", "replace"), syntax)[0]
        assert _functions(code, syntax) == _functions_reference(code, syntax), path


def test_fixtures_have_functions_in_the_main_syntaxes() -> None:
    """The fixture comparison above is not vacuous: C, Rust, Go, Python find functions."""
    for language in ("c", "rust", "go", "python"):
        syntax = SYNTAXES[language]
        found = sum(
            len(
                _functions(
                    _strip_comments(p.read_bytes().decode("utf-8", "replace"), syntax)[0], syntax
                )
            )
            for p in _fixture_texts()
        )
        assert found > 5, language
