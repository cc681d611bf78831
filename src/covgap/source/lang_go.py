"""Go: functions, complexity, ``if err != nil`` paths and ``go test`` functions.

Qualified names are ``Func`` and ``Type.Method`` (pointer receivers drop the ``*``,
type parameters are dropped), as ``go test -coverprofile`` and ``go tool cover -func``
name them. Function literals are part of the function they are written in.

Complexity is 1 plus one for each ``if``, ``for``, ``case`` of an expression or type
switch and of a ``select`` (``default`` does not count), and each ``&&``/``||``
(gocyclo's definition).

Error paths: ``if`` statements whose condition compares an error variable (``err``,
``*Err``, ``*err``) with ``!= nil``, alone or within ``&&``/``||`` (``if_err``, the
whole ``if``), and ``panic(..)``
and ``log.Fatal*``/``log.Panic*`` calls (``panic``).

Tests, in ``_test.go`` files only (as ``go test`` does): ``TestXxx``, ``BenchmarkXxx``,
``FuzzXxx`` and ``ExampleXxx`` functions where ``Xxx`` does not start with a lower-case
letter. An example without an ``// Output:`` comment is compiled but never run, so it is
skipped; so is a test whose body starts with ``t.Skip*``. A test calling
``quick.Check``/``rapid.Check`` is a ``property`` test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from covgap.source._ts import (
    Walker,
    first_sentence_line,
    strip_comment_markers,
    strip_generics,
    unquote,
)

if TYPE_CHECKING:
    from tree_sitter import Language, Node

_DECISIONS = frozenset(
    {"if_statement", "for_statement", "expression_case", "type_case", "communication_case"}
)
_PREFIXES = (("Test", "test"), ("Benchmark", "bench"), ("Fuzz", "fuzz"), ("Example", "example"))
_ERR_NAME = re.compile(r"^(?:err|\w*Err|\w*err)$")
_BACKSLASH = "\\"
_PANIC_CALL = re.compile(r"^(?:panic$|log\.(?:Fatal|Panic))")
"""Calls that end the program: ``panic(...)``, ``log.Fatal*`` and ``log.Panic*``."""
_PROPERTY = re.compile(r"\b(?:quick|rapid)\.Check\s*\(")


def _test_kind(name: str) -> str | None:
    for prefix, kind in _PREFIXES:
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            if not rest or not rest[0].islower():
                return kind
    return None


class GoWalker(Walker):
    NARROWED: ClassVar[dict[str, str]] = {
        "binary_expression": '(binary_expression operator: ["&&" "||"])',
        # only the calls :meth:`enter` acts on (issue 14): the same test of the callee's
        # text, in the query, so every other call stays in C
        "call_expression": "(call_expression function: (_) @_callee "
        f'(#match? @_callee "{_PANIC_CALL.pattern.replace(_BACKSLASH, _BACKSLASH * 2)}"))',
    }

    PLAIN_DECISIONS = (_DECISIONS - {"if_statement"}) | {"binary_expression"}

    INTERESTING = _DECISIONS | {
        "binary_expression",
        "comment",
        "call_expression",
        "import_spec",
        "function_declaration",
        "method_declaration",
    }

    def enter(self, node: Node) -> Callable[[], None] | None:
        kind = node.type
        if kind in _DECISIONS:
            self.decision()
            if kind == "if_statement":
                self._if_err(node)
        elif kind == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is not None and op.type in ("&&", "||"):
                self.decision()
        elif kind == "comment":
            self.comment(node)
        elif kind == "call_expression":
            func = self.text_of(node.child_by_field_name("function"))
            if _PANIC_CALL.search(func):
                self.error("panic", node)
        elif kind == "import_spec":
            self.imports.append(unquote(self.text_of(node.child_by_field_name("path"))))
        elif kind == "function_declaration":
            name = self.text_of(node.child_by_field_name("name"))
            return self._function(name, name, node)
        elif kind == "method_declaration":
            receiver = node.child_by_field_name("receiver")
            rtype = ""
            if receiver is not None:
                params = [c for c in receiver.named_children if c.type == "parameter_declaration"]
                if params:
                    rtype = self.text_of(params[0].child_by_field_name("type"))
                    rtype = strip_generics(re.sub(r"\[.*\]", "", rtype))
            name = self.text_of(node.child_by_field_name("name"))
            return self._function(f"{rtype}.{name}" if rtype else name, name, node)
        return None

    def _if_err(self, node: Node) -> None:
        """``if err != nil``, also inside ``&&``/``||`` chains and parentheses."""
        stack = [node.child_by_field_name("condition")]
        while stack:
            cond = stack.pop()
            if cond is None:
                continue
            if cond.type == "parenthesized_expression":
                stack.extend(cond.named_children)
                continue
            if cond.type != "binary_expression":
                continue
            op = cond.child_by_field_name("operator")
            left = cond.child_by_field_name("left")
            right = cond.child_by_field_name("right")
            if op is None or left is None or right is None:
                continue
            if op.type in ("&&", "||"):
                stack.extend((left, right))
            elif op.type == "!=":
                names = {self.text_of(left), self.text_of(right)}
                if "nil" in names and any(_ERR_NAME.match(n) for n in names - {"nil"}):
                    self.error("if_err", node)
                    return

    def _function(self, qual: str, name: str, node: Node) -> Callable[[], None]:
        kind = _test_kind(name) if self.is_test and "." not in qual else None
        if kind is not None:
            body = node.child_by_field_name("body")
            body_text = self.text_of(body)
            skipped = False
            if kind == "example":
                skipped = not re.search(r"//\s*(?:Unordered output|Output):", body_text)
            else:
                first = body.named_children[0] if body is not None and body.named_children else None
                if first is not None and first.type == "statement_list":
                    first = first.named_children[0] if first.named_children else None
                skipped = bool(
                    first is not None and re.match(r"^\w+\.Skip(?:f|Now)?\(", self.text_of(first))
                )
            if kind == "test" and _PROPERTY.search(body_text):
                kind = "property"
            self.test(qual, node, kind, skipped, "go")
        return self.open_function(qual, node, test=kind is not None)

    def describe(self, root: Node) -> None:
        """The doc comment directly above ``package`` (Go's package documentation)."""
        children = root.children
        for i, child in enumerate(children):
            if child.type != "package_clause":
                continue
            block: list[str] = []
            j = i - 1
            expected_row = child.start_point[0] - 1
            while (
                j >= 0
                and children[j].type == "comment"
                and children[j].end_point[0] == expected_row
            ):
                block[:0] = strip_comment_markers(self.text_of(children[j]))
                expected_row = children[j].start_point[0] - 1
                j -= 1
            self.description = first_sentence_line(block)
            return


def analyze(root: Node, text: bytes, is_test: bool, language: Language | None = None) -> GoWalker:
    walker = GoWalker(text, is_test)
    walker.run(root, language)
    walker.describe(root)
    return walker
