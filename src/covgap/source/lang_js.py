"""JavaScript, TypeScript and TSX: functions, complexity, error paths and tests.

Every function is a function, as Istanbul counts them: declarations, methods,
function expressions and arrow functions. A function takes its name from its
declaration, or from what it is assigned to (``const f = () => ...``, ``obj.f =
function``, ``{ f: () => ... }``, a class field ``f = () => ...``, ``export default
function () {}`` is ``default``); the rest are ``<anonymous>``. Qualified names join
classes and enclosing functions with ``.``: ``Parser.parse``, ``outer.inner``,
``Parser.parse.<anonymous>``.

Complexity is 1 plus one for each ``if``, ``for``/``for..in``/``for..of``, ``while``,
``do..while``, ``case`` (not ``default``), ``catch``, ternary, each ``&&``/``||``/
``??`` and each ``&&=``/``||=``/``??=``. Optional chaining does not count.

Error paths: ``catch`` clauses (``catch``), ``throw`` statements (``throw``),
``.catch(..)`` calls (``promise_catch``).

Tests: calls of ``it``/``test``/``specify`` (and ``fit``/``ftest``), with modifiers
(``.only``, ``.concurrent``, ``.each(..)`` and ``.each`````, ``.failing``),
named by their ``describe``/``context``/``suite`` chain joined with ``" > "``.
Skipped: ``xit``/``xtest``/``xspecify``, ``.skip``/``.todo`` anywhere in the chain,
a test with no callback, or anything inside ``xdescribe``/``describe.skip``. A test
whose callback calls ``fc.assert``/``fc.property``/``fc.asyncProperty`` (fast-check),
or written ``test.prop(..)`` (@fast-check/vitest/jest), is a ``property`` test;
``bench(..)`` (Vitest) is a ``bench``; ``Deno.test(..)`` a test. The framework comes
from the file's imports (``vitest``, ``bun:test``, ``node:test``, ``mocha``/``chai``,
``@jest/globals``, ``@playwright/test``), else ``jest``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from covgap.source._ts import Walker, first_sentence_line, strip_comment_markers, unquote

if TYPE_CHECKING:
    from tree_sitter import Language, Node

_DECISIONS = frozenset(
    {
        "if_statement",
        "for_statement",
        "for_in_statement",
        "while_statement",
        "do_statement",
        "switch_case",
        "catch_clause",
        "ternary_expression",
    }
)
_FUNCTIONS = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "function_expression",
        "function",
        "generator_function",
        "arrow_function",
        "method_definition",
    }
)
_CLASSES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
_TESTS = frozenset({"it", "test", "specify", "fit", "ftest"})
_SKIPPED_TESTS = frozenset({"xit", "xtest", "xspecify"})
_GROUPS = frozenset({"describe", "context", "suite", "fdescribe"})
_SKIPPED_GROUPS = frozenset({"xdescribe", "xcontext", "xsuite"})
_FRAMEWORKS = (
    ("vitest", "vitest"),
    ("bun:test", "bun"),
    ("node:test", "node:test"),
    ("mocha", "mocha"),
    ("chai", "mocha"),
    ("@jest/globals", "jest"),
    ("@playwright/test", "playwright"),
)
_FAST_CHECK = re.compile(r"\bfc\.(?:assert|property|asyncProperty)\s*\(")


def _is_directive(node: Node) -> bool:
    """``'use strict';`` and friends: a statement that is only a string literal."""
    named = node.named_children
    return node.type == "expression_statement" and len(named) == 1 and named[0].type == "string"


class JsWalker(Walker):
    NARROWED: ClassVar[dict[str, str]] = {
        "binary_expression": '(binary_expression operator: ["&&" "||" "??"])',
        "augmented_assignment_expression": (
            '(augmented_assignment_expression operator: ["&&=" "||=" "??="])'
        ),
        # an export reaches Python only when it re-exports from a module (`from "./x"`)
        "export_statement": "(export_statement source: (_))",
    }

    PLAIN_DECISIONS = (_DECISIONS - {"catch_clause"}) | {
        "binary_expression",
        "augmented_assignment_expression",
    }

    INTERESTING = (
        _DECISIONS
        | _FUNCTIONS
        | _CLASSES
        | {
            "binary_expression",
            "augmented_assignment_expression",
            "comment",
            "throw_statement",
            "call_expression",
            "import_statement",
            "export_statement",
        }
    )

    def __init__(self, text: bytes, is_test: bool) -> None:
        super().__init__(text, is_test)
        self.groups: list[tuple[str, bool]] = []

    def enter(self, node: Node) -> Callable[[], None] | None:
        if not node.is_named:  # the ``function`` keyword token shares a node name
            return None
        kind = node.type
        if kind in _DECISIONS:
            self.decision()
        elif kind == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is not None and op.type in ("&&", "||", "??"):
                self.decision()
        elif kind == "augmented_assignment_expression":
            op = node.child_by_field_name("operator")
            if op is not None and op.type in ("&&=", "||=", "??="):
                self.decision()
        elif kind == "comment":
            self.comment(node)
        if kind == "catch_clause":
            self.error("catch", node)
        elif kind == "throw_statement":
            self.error("throw", node)
        elif kind in _FUNCTIONS:
            return self.open_function(self._function_name(node), node)
        elif kind in _CLASSES:
            name = self.text_of(node.child_by_field_name("name")) or "<anonymous>"
            return self.open_scope(name)
        elif kind == "call_expression":
            return self._call(node)
        elif kind in ("import_statement", "export_statement"):
            source = node.child_by_field_name("source")
            if source is not None:
                self.imports.append(unquote(self.text_of(source)))
        return None

    def _function_name(self, node: Node) -> str:
        name = node.child_by_field_name("name")
        if name is not None:
            return self.text_of(name)
        parent = node.parent
        if parent is None:
            return "<anonymous>"
        if parent.type == "variable_declarator":
            return self.text_of(parent.child_by_field_name("name"))
        if parent.type in ("assignment_expression", "augmented_assignment_expression"):
            left = self.text_of(parent.child_by_field_name("left"))
            return left.rsplit(".", 1)[-1]
        if parent.type == "export_statement":
            return "default"  # export default function () {}
        if parent.type == "pair":
            return unquote(self.text_of(parent.child_by_field_name("key")))
        if parent.type in ("public_field_definition", "field_definition"):
            field = parent.child_by_field_name("name") or parent.child_by_field_name("property")
            return self.text_of(field)
        return "<anonymous>"

    def _call(self, node: Node) -> Callable[[], None] | None:
        func = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if func is None:
            return None
        if func.type == "member_expression":
            prop = self.text_of(func.child_by_field_name("property"))
            if prop == "catch":
                self.error("promise_catch", node)
        if func.type in ("identifier", "import") and args is not None:
            callee = self.text_of(func)
            if callee in ("require", "import"):
                first = args.named_children[0] if args.named_children else None
                if first is not None and first.type == "string":
                    self.imports.append(unquote(self.text_of(first)))
                return None
        if args is None or args.type != "arguments":
            return None
        chain = self._callee_chain(func)
        if not chain:
            return None
        base, modifiers = chain[0], chain[1:]
        values = args.named_children
        name_node = values[0] if values else None
        if name_node is None or name_node.type not in ("string", "template_string"):
            return None
        label = unquote(self.text_of(name_node))
        callback = next(
            (
                v
                for v in values[1:]
                if v.type in ("arrow_function", "function_expression", "function")
            ),
            None,
        )
        outer_skipped = bool(self.groups and self.groups[-1][1])
        skipped_mod = "skip" in modifiers or "todo" in modifiers
        if base in _GROUPS or base in _SKIPPED_GROUPS:
            skipped = outer_skipped or skipped_mod or base in _SKIPPED_GROUPS
            self.groups.append((label, skipped))

            def close() -> None:
                self.groups.pop()

            return close
        if base in _TESTS or base in _SKIPPED_TESTS or base == "bench" or chain == ["Deno", "test"]:
            if base == "Deno":
                modifiers = modifiers[1:]
            kind = "bench" if base == "bench" else "test"
            body = self.text_of(callback) if callback is not None else ""
            if "prop" in modifiers or _FAST_CHECK.search(body):
                kind = "property"
            skipped = outer_skipped or skipped_mod or base in _SKIPPED_TESTS or callback is None
            name = " > ".join([g for g, _ in self.groups] + [label])
            framework = "deno" if base == "Deno" else self.framework()
            self.test(name, node, kind, skipped, framework)
        return None

    def _callee_chain(self, func: Node) -> list[str]:
        """``it.each(t)`` -> [it, each]; ``test.concurrent.skip`` -> [test, concurrent, skip]."""
        parts: list[str] = []
        node: Node | None = func
        while node is not None:
            if node.type == "identifier":
                parts.append(self.text_of(node))
                break
            if node.type == "member_expression":
                parts.append(self.text_of(node.child_by_field_name("property")))
                node = node.child_by_field_name("object")
            elif node.type == "call_expression":
                node = node.child_by_field_name("function")
            else:
                return []
        parts.reverse()
        known = _TESTS | _SKIPPED_TESTS | _GROUPS | _SKIPPED_GROUPS | {"bench"}
        if parts and (parts[0] in known or parts[:2] == ["Deno", "test"]):
            return parts
        return []

    def framework(self) -> str:
        for spec, name in _FRAMEWORKS:
            if any(i == spec or i.startswith(spec + "/") for i in self.imports):
                return name
        return "jest"

    def describe(self, root: Node) -> None:
        """The first meaningful leading comment, after a shebang and ``'use strict'``."""
        for child in root.children:
            if child.type == "hash_bang_line" or _is_directive(child):
                continue
            if child.type != "comment":
                break
            found = first_sentence_line(strip_comment_markers(self.text_of(child)))
            if found:
                self.description = found
                return


def analyze(root: Node, text: bytes, is_test: bool, language: Language | None = None) -> JsWalker:
    walker = JsWalker(text, is_test)
    walker.run(root, language)
    walker.describe(root)
    return walker
