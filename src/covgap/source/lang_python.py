"""Python: functions, complexity, error paths and pytest/unittest/hypothesis tests.

Qualified names are ``__qualname__`` without ``<locals>``: ``Class.method``,
``outer.inner``. A function's first line is its ``def`` line (as ``ast`` reports it),
decorators excluded.

Complexity is 1 plus one for each of: ``if``, ``elif``, ``for``, ``while``, ``except``
clause, conditional expression (``a if c else b``), each ``and``/``or``, each ``for``
and ``if`` inside a comprehension, each ``case`` of a ``match`` except the
irrefutable ``case _:``, and each ``case`` guard (``case x if x < 0:``). Lambdas are
part of the function they are written in.

Error paths: ``except`` clauses (kind ``except``) and ``raise`` statements (``raise``).

Tests (only in test files, since pytest only collects there): module-level functions
named ``test*``; methods named ``test*`` of classes named ``Test*`` (pytest) or of
classes deriving from a ``*TestCase`` (unittest). ``@given`` makes a test a
``property`` test (hypothesis); a ``benchmark`` parameter makes it a ``bench``
(pytest-benchmark). Skipped: ``@pytest.mark.skip``, ``@unittest.skip``, and
``skipif``/``skipIf`` whose condition is literally ``True``; the same on the class, or a
module-level ``pytestmark`` holding a skip mark. Conditional skips run somewhere, so
they count as tests. Doctests are not counted: they only run when a project opts in.

Docstrings count as comments for code lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from covgap.source._ts import Walker, first_sentence_line, unquote

if TYPE_CHECKING:
    from tree_sitter import Language, Node

_DECISIONS = frozenset(
    {
        "if_statement",
        "elif_clause",
        "for_statement",
        "while_statement",
        "except_clause",
        "except_group_clause",
        "conditional_expression",
        "boolean_operator",
        "for_in_clause",
        "if_clause",
    }
)
_SKIP_MARKS = ("pytest.mark.skip", "unittest.skip", "mark.skip", "skip")
_COND_SKIPS = ("pytest.mark.skipif", "unittest.skipIf", "mark.skipif", "skipIf", "skipif")


def _decorator_names(walker: Walker, node: Node) -> list[str]:
    """Decorator expressions (as written, without ``@``) on a function or class node."""
    parent = node.parent
    if parent is None or parent.type != "decorated_definition":
        return []
    return [
        walker.text_of(child)[1:].strip() for child in parent.children if child.type == "decorator"
    ]


def _skips(decorators: list[str]) -> bool:
    for deco in decorators:
        head = deco.split("(", 1)[0].strip()
        if head in _SKIP_MARKS:
            return True
        if head in _COND_SKIPS:
            args = deco.split("(", 1)[1] if "(" in deco else ""
            if args.split(",")[0].strip().rstrip(")").strip() == "True":
                return True
    return False


class PythonWalker(Walker):
    PLAIN_DECISIONS = _DECISIONS - {"except_clause", "except_group_clause"}
    NARROWED: ClassVar[dict[str, str]] = {
        # only a docstring (a string statement) or `pytestmark = ...` matter; most
        # expression statements are assignments and calls (issue 14)
        # (the predicate after the alternation: inside a branch tree-sitter ignores it)
        "expression_statement": "(expression_statement [(string) (concatenated_string) "
        '(assignment left: (identifier) @_mark)] (#eq? @_mark "pytestmark"))',
    }
    INTERESTING = _DECISIONS | {
        "case_clause",
        "comment",
        "expression_statement",
        "function_definition",
        "class_definition",
        "raise_statement",
        "import_statement",
        "import_from_statement",
    }

    def __init__(self, text: bytes, is_test: bool) -> None:
        super().__init__(text, is_test)
        # per enclosing class: (is a test class, skipped, framework); None for a
        # non-class scope (a function), whose nested defs are never tests
        self.classes: list[tuple[bool, bool, str] | None] = []
        self.module_skip = False

    def enter(self, node: Node) -> Callable[[], None] | None:
        kind = node.type
        if kind in _DECISIONS:
            self.decision()
        elif kind == "case_clause":
            pattern = node.named_children[0] if node.named_children else None
            if pattern is None or self.text_of(pattern).strip() != "_":
                self.decision()
        elif kind == "comment":
            self.comment(node)
        elif kind == "expression_statement":
            self._maybe_docstring(node)
            self._maybe_pytestmark(node)
        elif kind == "function_definition":
            return self._function(node)
        elif kind == "class_definition":
            return self._class(node)
        elif kind == "raise_statement":
            self.error("raise", node)
        elif kind == "import_statement":
            for child in node.named_children:
                target = (
                    child.child_by_field_name("name") if child.type == "aliased_import" else child
                )
                self.imports.append(self.text_of(target))
        elif kind == "import_from_statement":
            self._import_from(node)
        if kind in {"except_clause", "except_group_clause"}:
            self.error("except", node)
        return None

    def _import_from(self, node: Node) -> None:
        module = self.text_of(node.child_by_field_name("module_name")).replace(" ", "")
        names = [
            self.text_of(c.child_by_field_name("name") if c.type == "aliased_import" else c)
            for c in node.children_by_field_name("name")
        ]
        if not names:  # from x import *
            self.imports.append(module)
        for name in names:
            self.imports.append(f"{module}:{name}")

    def _maybe_docstring(self, node: Node) -> None:
        named = node.named_children
        if len(named) != 1 or named[0].type not in ("string", "concatenated_string"):
            return
        parent = node.parent
        if parent is None or parent.type not in ("module", "block"):
            return
        prev = node.prev_named_sibling
        while prev is not None and prev.type == "comment":
            prev = prev.prev_named_sibling
        if prev is not None:
            return
        self.comment(node)
        if parent.type == "module" and self.description is None:
            body = unquote(self.text_of(named[0]).lstrip("rRbBuUfF"))
            self.description = first_sentence_line(body.splitlines())

    def _maybe_pytestmark(self, node: Node) -> None:
        if node.parent is None or node.parent.type != "module":
            return
        assign = node.named_children[0] if node.named_children else None
        if assign is None or assign.type != "assignment":
            return
        if self.text_of(assign.child_by_field_name("left")) != "pytestmark":
            return
        value = assign.child_by_field_name("right")
        items = value.named_children if value is not None and value.type == "list" else [value]
        if _skips([self.text_of(i) for i in items if i is not None]):
            self.module_skip = True

    def _class(self, node: Node) -> Callable[[], None]:
        name = self.text_of(node.child_by_field_name("name"))
        bases = self.text_of(node.child_by_field_name("superclasses"))
        unittest = "TestCase" in bases
        in_function = bool(self.classes) and self.classes[-1] is None
        is_test = self.is_test and not in_function and (unittest or name.startswith("Test"))
        outer_skip = bool(self.classes and self.classes[-1] and self.classes[-1][1])
        skipped = outer_skip or _skips(_decorator_names(self, node))
        self.classes.append((is_test, skipped, "unittest" if unittest else "pytest"))
        close_scope = self.open_scope(name)

        def close() -> None:
            close_scope()
            self.classes.pop()

        return close

    def _function(self, node: Node) -> Callable[[], None]:
        name = self.text_of(node.child_by_field_name("name"))
        decorators = _decorator_names(self, node)
        owner = self.classes[-1] if self.classes else None
        at_module = not self.classes
        is_test = False
        if self.is_test and name.startswith("test"):
            is_test = at_module or (owner is not None and owner[0])
        if is_test:
            skipped = self.module_skip or _skips(decorators) or bool(owner and owner[1])
            heads = {d.split("(", 1)[0] for d in decorators}
            params = self.text_of(node.child_by_field_name("parameters"))
            framework = owner[2] if owner else "pytest"
            kind = "test"
            if heads & {"given", "hypothesis.given"}:
                kind, framework = "property", "hypothesis"
            elif "benchmark" in re.findall(r"\w+", params):
                kind = "bench"
            test_name = ".".join([*self.scope, name])
            self.test(test_name, node, kind, skipped, framework)
        close_function = self.open_function(name, node, test=is_test)
        self.classes.append(None)

        def close() -> None:
            self.classes.pop()
            close_function()

        return close

    def leading_comment_description(self, root: Node) -> None:
        if self.description is not None:
            return
        lines: list[str] = []
        for child in root.children:
            if child.type != "comment":
                break
            lines.append(self.text_of(child).lstrip("#"))
        self.description = first_sentence_line(lines)


def analyze(
    root: Node, text: bytes, is_test: bool, language: Language | None = None
) -> PythonWalker:
    walker = PythonWalker(text, is_test)
    walker.run(root, language)
    walker.leading_comment_description(root)
    return walker
