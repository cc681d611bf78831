"""Ruby: methods, complexity, ``rescue``/``raise``, RSpec and minitest tests.

Qualified names follow Ruby's documentation convention: ``Module::Class#method`` for
instance methods, ``Module::Class.method`` for ``def self.method``.

Complexity is 1 plus one for each ``if``/``unless``/``elsif``/``while``/``until``/
``for`` (statement or modifier form), each ``when`` and ``in`` arm of a ``case``,
each ``rescue`` (clause or modifier), each ternary, and each ``&&``/``||``/``and``/
``or``. Blocks are part of the method they are written in.

Error paths: ``rescue`` clauses and modifiers (``rescue``), ``raise``/``fail`` calls
(``raise``).

Tests: RSpec ``it``/``specify``/``example``/``scenario``/``its`` calls (skipped when
written ``xit``/``xspecify``/``xexample``/``xscenario``, or ``pending``/``skip`` with a
block, when
given ``skip:``/``pending:`` metadata, with no block, or inside ``xdescribe``/
``xcontext``), named by their ``describe``/``context`` chain; minitest ``def test_*``
methods inside a class and ActiveSupport's ``test "name" do``, skipped when their
body starts with ``skip``. RSpec calls count only in test files.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from covgap.source._ts import Walker, first_sentence_line, unquote

if TYPE_CHECKING:
    from tree_sitter import Language, Node

_DECISIONS = frozenset(
    {
        "if",
        "unless",
        "elsif",
        "while",
        "until",
        "for",
        "when",
        "in_clause",
        "rescue",
        "conditional",
        "if_modifier",
        "unless_modifier",
        "while_modifier",
        "until_modifier",
        "rescue_modifier",
    }
)
_BOOL_OPS = frozenset({"&&", "||", "and", "or"})
_EXAMPLES = frozenset({"it", "specify", "example", "scenario", "its"})
_SKIPPED_EXAMPLES = frozenset({"xit", "xspecify", "xexample", "xscenario", "pending", "skip"})
_GROUPS = frozenset({"describe", "context", "feature", "shared_examples", "shared_context"})
_SKIPPED_GROUPS = frozenset({"xdescribe", "xcontext", "xfeature"})


def _rspec_name(parts: list[str]) -> str:
    """Join descriptions as RSpec does: no space before ``.method``/``#method``/``::X``."""
    out = ""
    for part in parts:
        if out and not part.startswith((".", "#", "::")):
            out += " "
        out += part
    return out


class RubyWalker(Walker):
    INTERESTING = _DECISIONS | {
        "binary",
        "comment",
        "identifier",
        "call",
        "class",
        "module",
        "method",
        "singleton_method",
    }

    def __init__(self, text: bytes, is_test: bool) -> None:
        super().__init__(text, is_test)
        self.groups: list[tuple[str, bool]] = []  # RSpec describe chain: (name, skipped)
        self.classes = 0

    def enter(self, node: Node) -> Callable[[], None] | None:
        if not node.is_named:  # keyword tokens share their node's name ("if", "rescue")
            return None
        kind = node.type
        if kind in _DECISIONS:
            self.decision()
        elif kind == "binary":
            op = node.child_by_field_name("operator")
            if op is not None and op.type in _BOOL_OPS:
                self.decision()
        elif kind == "comment":
            self.comment(node)
        if kind in ("rescue", "rescue_modifier"):
            self.error("rescue", node)
        elif kind == "identifier" and node.parent is not None and node.parent.type != "call":
            if self.text_of(node) in ("raise", "fail") and node.parent.type != "method":
                self.error("raise", node)
        elif kind == "call":
            return self._call(node)
        elif kind in ("class", "module"):
            return self._class(node)
        elif kind == "method":
            return self._method(node, "#")
        elif kind == "singleton_method":
            return self._method(node, ".")
        return None

    def _class(self, node: Node) -> Callable[[], None]:
        name = self.text_of(node.child_by_field_name("name"))
        close_scope = self.open_scope(name)
        self.classes += 1

        def close() -> None:
            self.classes -= 1
            close_scope()

        return close

    def _method(self, node: Node, sep: str) -> Callable[[], None]:
        name = self.text_of(node.child_by_field_name("name"))
        owner = "::".join(self.scope)
        qual = f"{owner}{sep}{name}" if owner else name
        is_test = self.is_test and sep == "#" and self.classes > 0 and name.startswith("test_")
        if is_test:
            self.test(qual, node, "test", self._body_skips(node), "minitest")
        saved = self.scope
        self.scope = []
        close_function = self.open_function(qual, node, test=is_test)

        def close() -> None:
            close_function()
            self.scope = saved

        return close

    def _body_skips(self, node: Node) -> bool:
        body = node.child_by_field_name("body")
        if body is None:
            return False
        first = body.named_children[0] if body.named_children else None
        while first is not None and first.type == "comment":
            first = first.next_named_sibling
        if first is None:
            return False
        head = first.child_by_field_name("method") if first.type == "call" else first
        return self.text_of(head) == "skip" and (
            first.type != "call" or first.child_by_field_name("receiver") is None
        )

    def _call(self, node: Node) -> Callable[[], None] | None:
        method = self.text_of(node.child_by_field_name("method"))
        receiver = node.child_by_field_name("receiver")
        args = node.child_by_field_name("arguments")
        first_arg = args.named_children[0] if args is not None and args.named_children else None
        if receiver is None and method in ("raise", "fail"):
            self.error("raise", node)
        if receiver is None and method in ("require", "require_relative", "load"):
            if first_arg is not None and first_arg.type == "string":
                self.imports.append(f"{method}:{unquote(self.text_of(first_arg))}")
            return None
        receiver_text = self.text_of(receiver) if receiver is not None else ""
        if not self.is_test or receiver_text not in ("", "RSpec"):
            return None
        block = node.child_by_field_name("block")
        label = self._label(first_arg)
        if method in _GROUPS or method in _SKIPPED_GROUPS:
            if first_arg is not None and first_arg.type in ("constant", "scope_resolution"):
                self.imports.append(f"const:{self.text_of(first_arg)}")
            if block is None:
                return None
            skipped = method in _SKIPPED_GROUPS or bool(self.groups and self.groups[-1][1])
            skipped = skipped or self._meta_skip(args)
            self.groups.append((label, skipped))

            def close() -> None:
                self.groups.pop()

            return close
        if receiver is None and (method in _EXAMPLES or method in _SKIPPED_EXAMPLES):
            if method in ("skip", "pending") and block is None:
                return None  # inside an example: marks that example, defines none
            skipped = (
                method in _SKIPPED_EXAMPLES
                or block is None
                or bool(self.groups and self.groups[-1][1])
                or self._meta_skip(args)
            )
            name = _rspec_name([g for g, _ in self.groups] + ([label] if label else []))
            self.test(name or method, node, "test", skipped, "rspec")
        elif receiver is None and method == "test" and block is not None and self.classes:
            self.test(label, node, "test", False, "minitest")
        return None

    def _label(self, arg: Node | None) -> str:
        if arg is None:
            return ""
        text = self.text_of(arg)
        return unquote(text) if arg.type == "string" else text

    def _meta_skip(self, args: Node | None) -> bool:
        if args is None:
            return False
        for child in args.named_children:
            if child.type == "pair":
                key = self.text_of(child.child_by_field_name("key")).strip(":")
                value = self.text_of(child.child_by_field_name("value"))
                if key in ("skip", "pending") and value not in ("false", "nil"):
                    return True
            elif child.type == "simple_symbol" and self.text_of(child) in (":skip", ":pending"):
                return True
        return False

    def describe(self, root: Node) -> None:
        lines: list[str] = []
        for child in root.children:
            if child.type != "comment":
                break
            text = self.text_of(child)
            if text.startswith("=begin"):
                lines.extend(text.splitlines()[1:-1])
            else:
                lines.append(text.lstrip("#"))
        self.description = first_sentence_line(lines) or self._first_class_doc(root)

    def _first_class_doc(self, root: Node) -> str | None:
        """The comment block right above the first documented class or module (its RDoc).

        Found by rows, not siblings: tree-sitter attaches a comment that opens a
        ``module`` body to the module node rather than to the body.
        """
        by_end_row: dict[int, Node] = {}
        stack = [root]
        classes: list[Node] = []
        while stack:
            node = stack.pop()
            for child in node.named_children:
                if child.type == "comment":
                    by_end_row[child.end_point[0]] = child
                elif child.type in ("class", "module"):
                    classes.append(child)
                    stack.append(child)
                elif child.type == "body_statement":
                    stack.append(child)
        for cls in sorted(classes, key=lambda n: n.start_byte):
            block: list[str] = []
            row = cls.start_point[0] - 1
            while row in by_end_row:
                comment = by_end_row[row]
                block.insert(0, self.text_of(comment).lstrip("#"))
                row = comment.start_point[0] - 1
            found = first_sentence_line(block)
            if found:
                return found
        return None


def analyze(root: Node, text: bytes, is_test: bool, language: Language | None = None) -> RubyWalker:
    walker = RubyWalker(text, is_test)
    walker.run(root, language)
    walker.describe(root)
    return walker
