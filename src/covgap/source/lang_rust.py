"""Rust: functions, complexity, error paths, ``#[test]``s, proptest cases and doctests.

Qualified names join modules, impl types and functions with ``::`` as Rust paths do:
``parser::Parser::parse``, ``tests::it_works``. Methods of ``impl Trait for Type`` are
``Type::method`` (generics dropped), trait default methods ``Trait::method``.

Complexity is 1 plus one for each ``if`` (and ``if let``; an ``else if`` is its own
``if``), ``while`` (and ``while let``), ``for``, each ``&&``/``||``, each arm of a
``match`` beyond the first, and each match guard (``Some(n) if n > 0 =>``). ``loop``
is unconditional and ``?`` is an error path, so neither counts. Closures are part of
the function they are written in.

Error paths: ``Err(..)`` constructed anywhere (``err_return``), the ``?`` operator
(``question_mark``), ``.map_err(..)``, ``panic!``/``unreachable!``/``todo!``/
``unimplemented!`` (``panic``), ``bail!`` (``err_return``), ``.unwrap()`` and
``.expect(..)``.

Tests: a function with an attribute whose path ends in ``test`` (``#[test]``,
``#[tokio::test]``, ``#[sqlx::test]``, ``#[async_std::test]``...) or is ``rstest``,
``test_case`` or ``wasm_bindgen_test``; ``#[quickcheck]``/``#[proptest]`` and every
``fn`` inside ``proptest! { }`` are ``property`` tests; ``#[bench]`` is a ``bench``;
``fuzz_target!`` a ``fuzz`` target. ``#[ignore]`` marks a test skipped. Doctests (kind
``doctest``, kept apart from the file's inline tests as ``cargo test`` lists them apart)
are the ```` ``` ```` fences in ``///`` and ``//!`` comments that rustdoc treats as Rust:
an empty info string, or one holding a Rust attribute (``rust``, ``should_panic``,
``no_run``, ``compile_fail``, ``ignore``, ``edition*``, ``E0123``...); ``ignore`` ones are
skipped (listed as ignored by ``cargo test --doc``), ``no_run``/``compile_fail`` ones are
``compile_only`` (compiled, never run); ``text`` and other languages are not tests.
``framework`` is the attribute's path (``test`` is reported as ``rust``). Everything
inside a ``#[cfg(test)]`` module is test code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from covgap.source._ts import Walker, first_sentence_line, strip_comment_markers, strip_generics
from covgap.source.records import TestCase

if TYPE_CHECKING:
    from tree_sitter import Language, Node

_PANICS = frozenset({"panic", "unreachable", "todo", "unimplemented"})
_METHOD_ERRORS = {"map_err": "map_err", "unwrap": "unwrap", "expect": "expect"}
_MACROS = _PANICS | {"bail", "proptest", "fuzz_target"}
"""Every macro name :meth:`RustWalker._macro` acts on."""


def _any_of(capture: str, names: Iterable[str]) -> str:
    """A query predicate: the ``capture``'s text is one of ``names``.

    Predicates go after an alternation, not inside its branches (tree-sitter then ignores
    them); one whose capture a match lacks holds, so each branch is checked by its own.
    """
    quoted = " ".join(f'"{name}"' for name in sorted(names))
    return f"(#any-of? @{capture} {quoted})"


_RUST_FENCE_WORDS = frozenset(
    {"rust", "should_panic", "no_run", "compile_fail", "ignore", "test_harness", "standalone_crate"}
)


def _is_rust_fence_word(word: str) -> bool:
    """A code-block attribute rustdoc knows (``edition2021``, ``ignore-wasm32``, ``E0277``)."""
    return (
        word in _RUST_FENCE_WORDS
        or word.startswith(("edition", "ignore-"))
        or re.fullmatch(r"E\d{4}", word) is not None
    )


def _attr_path(walker: Walker, item: Node) -> tuple[str, str]:
    """The path (``tokio::test``) and the full text of an ``attribute_item``."""
    attr = next((c for c in item.named_children if c.type == "attribute"), None)
    if attr is None:
        return "", ""
    path_node = attr.named_children[0] if attr.named_children else None
    return walker.text_of(path_node).replace(" ", ""), walker.text_of(attr)


def _attributes(walker: Walker, node: Node) -> list[tuple[str, str]]:
    """The attributes written directly above an item (comments in between allowed)."""
    out = []
    prev = node.prev_sibling
    while prev is not None and prev.type in ("attribute_item", "line_comment", "block_comment"):
        if prev.type == "attribute_item":
            out.append(_attr_path(walker, prev))
        prev = prev.prev_sibling
    return out


def _is_cfg_test(attrs: list[tuple[str, str]]) -> bool:
    return any(
        path == "cfg" and re.search(r"\btest\b", text) and "not(test)" not in text.replace(" ", "")
        for path, text in attrs
    )


def rust_test_kind(
    paths: list[str], kind: str | None = None, framework: str = "rust"
) -> tuple[str | None, str]:
    """What a function's attribute paths make it: ``(kind, framework)``, kind None if no test.

    One rule for the tree-sitter analyser and the regex fallback, so both count alike:
    ``#[test]``/``#[tokio::test]``/``#[sqlx::test]`` (any path ending in ``test``),
    rstest/test_case/wasm_bindgen_test, quickcheck/proptest (property), ``#[bench]``.
    ``kind``/``framework`` are what the caller already knows (inside ``proptest!``).
    """
    for path in paths:
        last = path.rsplit("::", 1)[-1]
        if last in ("quickcheck", "proptest"):
            kind, framework = "property", last
        elif last == "bench":
            kind, framework = "bench", "rust"
        elif last == "test" or path in ("rstest", "test_case", "wasm_bindgen_test"):
            kind = kind or "test"
            framework = "rust" if path == "test" else path
    return kind, framework


class RustWalker(Walker):
    NARROWED: ClassVar[dict[str, str]] = {
        "binary_expression": '(binary_expression operator: ["&&" "||"])',
        # only the calls and macros :meth:`_call` and :meth:`_macro` act on (issue 14:
        # every call reached Python before); they still check the text themselves
        "call_expression": "(call_expression function: ["
        "(identifier) @_err (scoped_identifier name: (identifier) @_err) "
        "(field_expression field: (field_identifier) @_method)] "
        f"{_any_of('_err', ['Err'])} {_any_of('_method', _METHOD_ERRORS)})",
        "macro_invocation": "(macro_invocation macro: ["
        "(identifier) @_mac (scoped_identifier name: (identifier) @_mac)] "
        f"{_any_of('_mac', _MACROS)})",
    }

    PLAIN_DECISIONS = frozenset(
        {"if_expression", "while_expression", "for_expression", "binary_expression"}
    )

    INTERESTING = frozenset(
        {
            "if_expression",
            "while_expression",
            "for_expression",
            "binary_expression",
            "match_block",
            "match_pattern",
            "line_comment",
            "block_comment",
            "try_expression",
            "call_expression",
            "macro_invocation",
            "use_declaration",
            "function_item",
            "impl_item",
            "trait_item",
            "mod_item",
        }
    )

    def __init__(self, text: bytes, is_test: bool) -> None:
        super().__init__(text, is_test)
        self.test_mods = 0
        self.fence: str | None = None  # info string of the open doc-comment fence
        self.doc_lines_seen = False

    def enter(self, node: Node) -> Callable[[], None] | None:
        kind = node.type
        if kind in ("if_expression", "while_expression", "for_expression"):
            self.decision()
        elif kind == "binary_expression":
            op = node.child_by_field_name("operator")
            if op is not None and op.type in ("&&", "||"):
                self.decision()
        elif kind == "match_block":
            arms = sum(1 for c in node.named_children if c.type == "match_arm")
            self.decision(max(arms - 1, 0))
        elif kind == "match_pattern" and node.child_by_field_name("condition") is not None:
            self.decision()  # a match guard: `Some(n) if n > 100 =>`
        elif kind in ("line_comment", "block_comment"):
            self.comment(node)
            self._doc_comment(node)
        elif kind == "try_expression":
            self.error("question_mark", node)
        elif kind == "call_expression":
            self._call(node)
        elif kind == "macro_invocation":
            self._macro(node)
        elif kind == "use_declaration":
            arg = node.child_by_field_name("argument")
            self.imports.append(re.sub(r"\s+", "", self.text_of(arg)))
        elif kind == "function_item":
            return self._function(node)
        elif kind == "impl_item":
            type_name = strip_generics(self.text_of(node.child_by_field_name("type")))
            return self.open_scope(type_name)
        elif kind == "trait_item":
            return self.open_scope(self.text_of(node.child_by_field_name("name")))
        elif kind == "mod_item":
            return self._mod(node)
        return None

    def _call(self, node: Node) -> None:
        func = node.child_by_field_name("function")
        if func is None:
            return
        callee = self.text_of(func)
        if (func.type == "identifier" and callee == "Err") or (
            func.type == "scoped_identifier" and callee.endswith("::Err")
        ):
            self.error("err_return", node)
        elif func.type == "field_expression":
            field = self.text_of(func.child_by_field_name("field"))
            if field in _METHOD_ERRORS:
                self.error(_METHOD_ERRORS[field], node)

    def _macro(self, node: Node) -> None:
        name = self.text_of(node.child_by_field_name("macro")).rsplit("::", 1)[-1]
        if name in _PANICS:
            self.error("panic", node)
        elif name == "bail":
            self.error("err_return", node)
        elif name == "proptest":
            self._proptest(node)
        elif name == "fuzz_target":
            self.test("fuzz_target", node, "fuzz", False, "libfuzzer")

    def _proptest(self, node: Node) -> None:
        """Every ``fn name`` in the macro's token tree is one property test."""
        tokens: list[Node] = []
        stack = [node]
        while stack:
            current = stack.pop()
            if current.child_count == 0:
                tokens.append(current)
            else:
                stack.extend(reversed(current.children))
        ignored = False
        for i, tok in enumerate(tokens):
            text = self.text_of(tok)
            if text == "ignore" and i > 0 and self.text_of(tokens[i - 1]) == "[":
                ignored = True
            elif text == "fn" and i + 1 < len(tokens):
                name = self.text_of(tokens[i + 1])
                qual = "::".join([*self.scope, name])
                self.test(qual, tokens[i + 1], "property", ignored, "proptest")
                ignored = False

    def _mod(self, node: Node) -> Callable[[], None] | None:
        body = node.child_by_field_name("body")
        if body is None:
            return None
        cfg_test = _is_cfg_test(_attributes(self, node))
        close_scope = self.open_scope(self.text_of(node.child_by_field_name("name")))
        if cfg_test:
            self.test_mods += 1

        def close() -> None:
            close_scope()
            if cfg_test:
                self.test_mods -= 1

        return close

    def _function(self, node: Node) -> Callable[[], None]:
        name = self.text_of(node.child_by_field_name("name"))
        attrs = _attributes(self, node)
        paths = [p for p, _ in attrs]
        kind, framework = rust_test_kind(paths)
        if kind is not None:
            qual = "::".join([*self.scope, name])
            self.test(qual, node, kind, "ignore" in paths, framework)
        return self.open_function(name, node, test=kind is not None or self.test_mods > 0, sep="::")

    def _doc_comment(self, node: Node) -> None:
        """Track ``` fences across consecutive doc comment lines to find doctests."""
        is_doc = any(
            c.type in ("outer_doc_comment_marker", "inner_doc_comment_marker")
            for c in node.children
        )
        if not is_doc:
            return
        for line in strip_comment_markers(self.text_of(node)):
            stripped = line.strip()
            if not stripped.startswith("```"):
                continue
            if self.fence is not None:
                self.fence = None
                continue
            info = stripped[3:].strip()
            words = {w.strip() for w in re.split(r"[,\s]+", info) if w.strip()}
            self.fence = info
            rust = {w for w in words if _is_rust_fence_word(w)}
            if rust or not words:
                # rustdoc: Rust when a Rust attribute is present or no other tag is
                name = f"{self._documented_item(node)} (doctest)"
                compile_only = bool(rust & {"no_run", "compile_fail"})
                self.tests.append(
                    TestCase(
                        name,
                        node.start_point[0] + 1,
                        "doctest",
                        "ignore" in rust,
                        "rustdoc",
                        compile_only,
                    )
                )

    def _documented_item(self, comment: Node) -> str:
        """``//!`` documents the enclosing module; ``///`` the next item (its path)."""
        if self.text_of(comment).startswith("//!"):
            return "::".join(self.scope) or "crate"
        item = comment.next_named_sibling
        while item is not None and item.type in ("line_comment", "block_comment", "attribute_item"):
            item = item.next_named_sibling
        name = item.child_by_field_name("name") if item is not None else None
        if item is not None and item.type == "impl_item":
            name = item.child_by_field_name("type")
        if name is None:
            return "::".join(self.scope) or "crate"
        return "::".join([*self.scope, strip_generics(self.text_of(name))])

    def describe(self, root: Node) -> None:
        """``//!`` docs first, else the leading ``///``/``//``/``/** */`` comment block."""
        inner: list[str] = []
        leading: list[str] = []
        for child in root.children:
            if child.type not in ("line_comment", "block_comment"):
                break
            text = self.text_of(child)
            if text.startswith(("//!", "/*!")):
                inner.extend(strip_comment_markers(text))
            else:
                leading.extend(strip_comment_markers(text))
        if not inner:
            inner = [
                line
                for child in root.children
                if child.type == "line_comment" and self.text_of(child).startswith("//!")
                for line in strip_comment_markers(self.text_of(child))
            ]
        self.description = first_sentence_line(inner) or first_sentence_line(leading)


def analyze(root: Node, text: bytes, is_test: bool, language: Language | None = None) -> RustWalker:
    walker = RustWalker(text, is_test)
    walker.run(root, language)
    walker.describe(root)
    return walker
