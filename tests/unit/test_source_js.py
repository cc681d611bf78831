"""JavaScript/TypeScript/TSX analysis on the fixture app, asserted exactly (see lang_js)."""

from __future__ import annotations

from pathlib import Path

import pytest

from covgap.source import ErrorPath, TestCase, analyze_source

REPO = Path(__file__).parents[1] / "data" / "source" / "repo"


def analyze(rel: str, language: str = "typescript"):  # type: ignore[no-untyped-def]
    return analyze_source(rel, (REPO / rel).read_bytes(), language)


def test_class_methods_field_arrows_and_functions() -> None:
    sf = analyze("web/src/cart.ts")
    got = [(f.qualname, f.start_line, f.end_line, f.complexity) for f in sf.functions]
    assert got == [
        ("Cart.add", 14, 19, 4),  # if, ||, ??
        ("Cart.total", 21, 27, 3),  # for..of, ??
        ("Cart.discount", 29, 38, 4),  # two cases (default does not count), ternary
        ("load", 41, 48, 2),  # catch
        ("loadLater", 50, 52, 1),
        ("loadLater.<anonymous>", 51, 51, 1),
    ]
    assert sf.error_paths == [
        ErrorPath("throw", 16, 16),
        ErrorPath("catch", 45, 47),
        ErrorPath("promise_catch", 51, 51),
    ]
    assert sf.description == "A shopping cart with discounts."


def test_vitest_describe_nesting_each_skip_todo_and_fast_check() -> None:
    sf = analyze("web/src/cart.test.ts")
    assert sf.tests == [
        TestCase("Cart > adds items", 6, "test", False, "vitest"),
        TestCase("Cart > is skipped", 12, "test", True, "vitest"),
        TestCase("Cart > totals %i", 14, "test", False, "vitest"),
        TestCase("Cart > discounts > half", 19, "test", False, "vitest"),
        TestCase("Cart > discounts > ten", 23, "test", True, "vitest"),
        TestCase("Cart > discounts > never negative", 25, "property", False, "vitest"),
    ]


def test_node_test_with_skipped_group() -> None:
    sf = analyze("web/test/util.spec.js", "javascript")
    assert [(t.name, t.skipped, t.framework) for t in sf.tests] == [
        ("clamp > clamps low", False, "node:test"),
        ("clamp > clamps high", False, "node:test"),
        ("clamp > skipped group > does not run", True, "node:test"),
    ]
    assert sf.imports == ["node:assert", "node:test", "../lib/util"]


def test_tsx_component_and_leading_line_comment() -> None:
    sf = analyze("web/src/view.tsx")
    assert [(f.qualname, f.start_line, f.end_line, f.complexity) for f in sf.functions] == [
        ("Summary", 4, 7, 3),  # ternary, && (inside JSX)
    ]
    assert sf.description == "Render a cart summary."
    assert sf.parse_error is None


def test_use_strict_directive_before_the_leading_comment() -> None:
    sf = analyze("web/lib/util.js", "javascript")
    assert sf.description == "Small helpers shared by the web app."
    assert [(f.qualname, f.complexity) for f in sf.functions] == [
        ("clamp", 3),
        ("pick", 1),
        ("pick.<anonymous>", 1),
        ("pick.<anonymous>", 1),
    ]


def test_playwright_e2e() -> None:
    sf = analyze("web/e2e/checkout.e2e.ts")
    assert (sf.kind, sf.test_kind) == ("test", "e2e")
    assert sf.tests == [TestCase("checkout flow", 3, "test", False, "playwright")]


def test_regex_test_calls_are_not_tests() -> None:
    code = b"const ok = /a/.test(s);\nfunction test(x) { return x; }\ntest(1);\n"
    assert analyze_source("src/a.js", code, "javascript").tests == []


def test_jest_default_framework_xit_and_focus() -> None:
    code = b'xit("a", () => {});\nfit("b", () => {});\ntest.concurrent.skip("c", async () => {});\n'
    tests = analyze_source("src/a.test.js", code, "javascript").tests
    assert [(t.name, t.skipped, t.framework) for t in tests] == [
        ("a", True, "jest"),
        ("b", False, "jest"),
        ("c", True, "jest"),
    ]


def test_names_from_assignments_pairs_and_default_exports() -> None:
    code = (
        b"export default function () {}\n"
        b"module.exports.run = function () {};\n"
        b"const api = { get: () => 1, put() { return 2; } };\n"
    )
    names = [f.qualname for f in analyze_source("src/a.js", code, "javascript").functions]
    assert names == ["default", "run", "get", "put"]


@pytest.mark.parametrize(
    ("imports", "framework"),
    [
        ('import { it } from "vitest";', "vitest"),
        ('import { test } from "bun:test";', "bun"),
        ('const { it } = require("node:test");', "node:test"),
        ('const { expect } = require("chai");', "mocha"),
        ('import { it } from "@jest/globals";', "jest"),
        ("", "jest"),
    ],
)
def test_framework_from_imports(imports: str, framework: str) -> None:
    code = f'{imports}\nit("works", () => {{}});\n'.encode()
    (case,) = analyze_source("src/a.test.js", code, "javascript").tests
    assert case.framework == framework
