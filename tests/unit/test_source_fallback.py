"""The regex fallback for languages without a grammar here (C, Java, Kotlin, shell...)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.source import FunctionInfo, analyze_source, fallback
from covgap.source._ts import strip_comment_markers

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
    assert [f.qualname for f in sf.functions] == ["build", "ship"]
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


# -- issue 14: the regex-jumping scanners equal the character loops they replaced -------


def _strip_comments_reference(text: str, syntax: fallback.Syntax) -> tuple[str, list[str]]:
    """The character-at-a-time scanner covgap used before issue 14 (the specification)."""
    out: list[str] = []
    leading: list[str] = []
    i = 0
    n = len(text)
    seen_code = False
    in_string: str | None = None
    while i < n:
        ch = text[i]
        if in_string is not None:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch in (in_string, "\n"):
                in_string = None
            i += 1
            continue
        matched = False
        for start, end in syntax.block_comments:
            if text.startswith(start, i):
                close = text.find(end, i + len(start))
                close = n if close < 0 else close + len(end)
                chunk = text[i:close]
                if not seen_code:
                    leading.extend(strip_comment_markers(chunk))
                out.append(re.sub(r"[^\n]", " ", chunk))
                i = close
                matched = True
                break
        if matched:
            continue
        for marker in syntax.line_comments:
            if text.startswith(marker, i) and not (
                marker == "#" and text.startswith("#!", i) and i
            ):
                close = text.find("\n", i)
                close = n if close < 0 else close
                if not seen_code:
                    leading.append(text[i + len(marker) : close].strip())
                out.append(" " * (close - i))
                i = close
                matched = True
                break
        if matched:
            continue
        if ch in "\"'" and syntax.braces:
            in_string = ch
        if not ch.isspace():
            seen_code = True
        out.append(ch)
        i += 1
    return "".join(out), leading


def _brace_end_reference(code: str, start: int) -> int:
    open_at = code.find("{", start)
    if open_at < 0:
        return -1
    depth = 0
    in_string: str | None = None
    i = open_at
    while i < len(code):
        ch = code[i]
        if in_string is not None:
            if ch == "\\":
                i += 2
                continue
            if ch in (in_string, "\n"):
                in_string = None
        elif ch in "\"'":
            in_string = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        elif ch == ";" and depth == 0:
            return -1
        i += 1
    return -1


_SCANNER_TEXT = st.text(alphabet=st.sampled_from(list("ab #!/*-[]{};\"'\\\n\t")), max_size=80)


@settings(max_examples=400, deadline=None)
@given(text=_SCANNER_TEXT, language=st.sampled_from(sorted(fallback.SYNTAXES)))
def test_strip_comments_equals_the_character_loop(text: str, language: str) -> None:
    syntax = fallback.SYNTAXES[language]
    assert fallback._strip_comments(text, syntax) == _strip_comments_reference(text, syntax)


@settings(max_examples=400, deadline=None)
@given(code=_SCANNER_TEXT, start=st.integers(min_value=0, max_value=80))
def test_brace_end_equals_the_character_loop(code: str, start: int) -> None:
    assert fallback._brace_end(code, start) == _brace_end_reference(code, start)
