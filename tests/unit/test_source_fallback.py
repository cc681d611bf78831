"""The regex fallback for languages without a grammar here (C, Java, Kotlin, shell...)."""

from __future__ import annotations

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
