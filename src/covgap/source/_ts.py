"""The tree-sitter machinery every language analyser shares.

Grammars are imported lazily, once per process, so ``import covgap.source`` stays cheap
and a missing grammar wheel only matters for the files that need it. The walk is
iterative: real code nests deeper than Python's recursion limit (a generated 5,000-term
``a + b + ...`` is a 5,000-deep tree), and a :class:`RecursionError` must never be the
way a file fails.
"""

from __future__ import annotations

import importlib
import operator
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from covgap.source.records import ErrorPath, FunctionInfo, TestCase

if TYPE_CHECKING:
    from tree_sitter import Language, Node, Parser, Query

# grammar name -> (wheel module, language function)
GRAMMARS: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "ruby": ("tree_sitter_ruby", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
}

_PARSERS: dict[str, Parser] = {}
_QUERIES: dict[tuple[type[Walker], Language], Query] = {}
_PLAIN_EXACT: dict[tuple[type[Walker], Language], bool] = {}
_IDENTITIES: dict[str, str] = {}


class GrammarMissing(Exception):
    """The grammar wheel for a language is not installed (the fallback takes over)."""


def grammar_distribution(grammar: str) -> str:
    """The PyPI distribution holding ``grammar``'s wheel module (``tree-sitter-rust``)."""
    return GRAMMARS[grammar][0].replace("_", "-")


def load_language(grammar: str) -> Any:
    """The tree-sitter ``Language`` of ``grammar``: the one place grammar wheels are imported.

    Raises :class:`GrammarMissing` when tree-sitter or the wheel cannot be imported.
    Tests replace this function to simulate a missing grammar.
    """
    module_name, func = GRAMMARS[grammar]
    try:
        tree_sitter = importlib.import_module("tree_sitter")
    except ImportError as exc:
        raise GrammarMissing("tree_sitter is not installed") from exc
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise GrammarMissing(f"{module_name} is not installed") from exc
    return tree_sitter.Language(getattr(module, func)())


def parser_for(grammar: str) -> Parser:
    """A cached parser for ``grammar``; raises :class:`GrammarMissing` without its wheel."""
    parser = _PARSERS.get(grammar)
    if parser is None:
        language = load_language(grammar)
        import tree_sitter

        parser = tree_sitter.Parser(language)
        _PARSERS[grammar] = parser
    return parser


def _version(distribution: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


def analyser_identity(grammar: str | None) -> str:
    """What would analyse a file of ``grammar`` in this process, with versions.

    ``tree-sitter 0.25.2 tree-sitter-rust 0.24.0`` when the grammar loads, ``regex``
    otherwise (no grammar in covgap, or its wheel missing). The source cache keys every
    entry by it, so installing or upgrading a grammar re-analyses the files an older
    analyser (or the regex fallback) produced.
    """
    key = grammar or ""
    identity = _IDENTITIES.get(key)
    if identity is None:
        identity = "regex"
        if grammar is not None:
            try:
                parser_for(grammar)
            except GrammarMissing:
                pass
            else:
                dist = grammar_distribution(grammar)
                identity = f"tree-sitter {_version('tree-sitter')} {dist} {_version(dist)}"
        _IDENTITIES[key] = identity
    return identity


def reset_grammars() -> None:
    """Forget loaded parsers and analyser identities (after a grammar was installed)."""
    _PARSERS.clear()
    _IDENTITIES.clear()


def count_lines(text: bytes) -> int:
    """Physical lines, as editors and ``wc -l`` (plus an unterminated last line) count them."""
    if not text:
        return 0
    return text.count(b"\n") + (0 if text.endswith(b"\n") else 1)


def count_code_lines(text: bytes, comment_spans: list[tuple[int, int]]) -> int:
    """Lines holding at least one character that is neither whitespace nor comment.

    Comments (and Python docstrings, which analysers report as comment spans) are blanked
    byte for byte, newlines kept, so a line with code and a trailing comment still counts.
    """
    if comment_spans:
        # the text between comments as it is, each comment translated byte for byte
        # (issue 14: a regex substitution per comment was most of this function)
        parts: list[bytes] = []
        at = 0
        for start, end in sorted(comment_spans):
            if end <= at:
                continue  # inside a comment already blanked
            begin = max(start, at)
            parts.append(text[at:begin])
            parts.append(text[begin:end].translate(_BLANKED))
            at = end
        parts.append(text[at:])
        text = b"".join(parts)
    return sum(map(bool, map(bytes.strip, text.split(b"\n"))))


_BLANKED = bytes(byte if byte == 0x0A else 0x20 for byte in range(256))
"""A ``bytes.translate`` table: a newline stays, every other byte becomes a space."""


_LEADING_NOISE = re.compile(
    r"^(?:-\*-|vim?:|coding[:=]|frozen_string_literal|encoding:|warn_indent|rubocop:|"
    r"eslint|prettier|@ts-|jshint|global |!|/|copyright|\(c\)|spdx-license|license|"
    r"all rights reserved|go:build|\+build|nolint|type: ignore|noqa|pylint:|mypy:)",
    re.IGNORECASE,
)


def first_sentence_line(lines: list[str]) -> str | None:
    """The first meaningful line of a comment or docstring, trimmed; None if there is none.

    Tool directives (``# -*- coding``, ``// eslint-disable``, ``//go:build``) and
    licence headers are not descriptions, so they are passed over.
    """
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        for tag in ("@fileoverview", "@file", "@module", "@packageDocumentation", "@overview"):
            if line.startswith(tag):
                line = line[len(tag) :].strip()
                break
        else:
            if line.startswith("@"):
                continue
        if not line or _LEADING_NOISE.match(line):
            continue
        if set(line) <= set("-=*#/_~ "):
            continue
        return line[:200]
    return None


def strip_comment_markers(text: str) -> list[str]:
    """Turn a comment's text into its content lines (``//!``, ``///``, ``#``, ``/** */``)."""
    out = []
    body = text
    if body.startswith("/*"):
        body = body[2:]
        body = body.removesuffix("*/")
        body = body.lstrip("*!")
    for line in body.splitlines():
        s = line.strip()
        for marker in ("//!", "///", "//", "#", "*"):
            if s.startswith(marker):
                s = s[len(marker) :]
                break
        out.append(s.strip())
    return out


@dataclass
class _Frame:
    qualname: str
    start_line: int
    end_line: int
    complexity: int
    test: bool
    span: tuple[int, int] = (0, 0)
    """The entered node's bytes, for counting :attr:`Walker.PLAIN_DECISIONS` inside."""
    nested: int = 0
    """Plain decisions inside the functions nested in this one (theirs, not its own)."""


class Walker:
    """One pass over a syntax tree, collecting functions, error paths, tests and imports.

    Subclasses implement :meth:`enter`, returning an optional callback run when the walk
    leaves the node (to close a scope). Complexity is per function: :meth:`decision`
    adds to the innermost open function, so a nested function's branches are its own
    and module-level branches belong to no function.
    """

    INTERESTING: frozenset[str] | None = None
    """The node types :meth:`enter` looks at (None: all); the rest are only descended
    into, which saves a Python call on most nodes of a tree."""

    NARROWED: ClassVar[dict[str, str]] = {}
    """Query patterns standing for ``(kind)`` where :meth:`enter` ignores most nodes of a
    kind (a ``binary_expression`` only counts when its operator is ``&&``): the nodes it
    would ignore are then not even captured. Only for kinds that never open a scope."""

    PLAIN_DECISIONS: ClassVar[frozenset[str]] = frozenset()
    """Kinds of :attr:`INTERESTING` whose whole effect in :meth:`enter` is one
    :meth:`decision` (after :attr:`NARROWED`). On the query path they are never entered:
    a second query lists their byte ranges and each function counts those inside it, less
    those inside its nested functions, when it closes (issue 14: they were most of the
    nodes that reached Python). :meth:`walk_all` still enters them, so the reference walk
    checks the count."""

    def __init__(self, text: bytes, is_test: bool) -> None:
        self.text = text
        self.is_test = is_test
        self.functions: list[FunctionInfo] = []
        self.errors: list[ErrorPath] = []
        self.tests: list[TestCase] = []
        self.imports: list[str] = []
        self.comments: list[tuple[int, int]] = []
        self.frames: list[_Frame] = []
        self.scope: list[str] = []
        self.description: str | None = None
        self.parse_error: str | None = None
        self._plain: tuple[list[int], list[int]] | None = None
        """(starts, ends) of the plain decisions, sorted, on the query path only."""

    # -- the walk --------------------------------------------------------------------

    def run(self, root: Node, language: Language | None = None) -> None:
        """Enter the tree's named nodes in document order, leaving each after its subtree.

        With the tree's ``language`` (and :attr:`INTERESTING` set), a tree-sitter query
        compiled once per language finds the interesting nodes in C and only those reach
        Python; without it, :meth:`walk_all` visits every named node (the reference the
        query path is tested against).
        """
        if language is None or self.INTERESTING is None:
            self.walk_all(root)
        else:
            walker = type(self)
            self._walk_captures(
                root, _query_for(walker, language), _plain_kinds_exact(walker, language)
            )
        if root.has_error:
            self.parse_error = f"syntax error at line {first_error_line(root)}"

    def _walk_captures(self, root: Node, query: Query, plain_exact: bool = False) -> None:
        """:meth:`enter` on each captured node; a node's leave callback runs before the
        first later capture outside it, as in :meth:`walk_all`.

        Sorting by start (the longer first, the outer of two equal ranges first) is the
        walk's order for nodes that are not empty; an empty (MISSING) node, which only a
        syntax error makes, could sort before the sibling it follows, so such a tree is
        walked by :meth:`walk_all` instead. ``plain_exact``: the ``@d`` patterns capture
        only nodes of the :attr:`PLAIN_DECISIONS` kinds (none is a supertype), so the
        kind of each need not be checked (:func:`_plain_kinds_exact`).
        """
        import tree_sitter

        captures = tree_sitter.QueryCursor(query).captures(root)
        found = captures.get("n", [])
        ranges = [node.byte_range for node in found]
        if any(start == end for start, end in ranges):
            self.walk_all(root)
            return
        plain = captures.get("d")
        if plain is not None:
            if plain_exact:
                decisions = [node.byte_range for node in plain]
            else:
                kinds = self.PLAIN_DECISIONS
                decisions = [node.byte_range for node in plain if node.type in kinds]
            decisions.sort()
            starts = [start for start, _ in decisions]
            ends = [end for _, end in decisions]
            if any(map(operator.eq, starts, ends)):
                self.walk_all(root)
                return
            self._plain = (starts, ends)
        interesting = self.INTERESTING
        assert interesting is not None
        enter = self.enter
        open_nodes: list[tuple[int, Callable[[], None]]] = []
        for i in _document_order(found, ranges):
            start, end = ranges[i]
            while open_nodes and start >= open_nodes[-1][0]:
                open_nodes.pop()[1]()
            node = found[i]
            if node.type not in interesting:
                continue  # a supertype's pattern matched a subtype the walk passes over
            leave = enter(node)
            if leave is not None:
                open_nodes.append((end, leave))
        while open_nodes:
            open_nodes.pop()[1]()

    def walk_all(self, root: Node) -> None:
        """Walk the whole tree's named nodes in document order.

        Anonymous nodes (punctuation, keywords) are never visited: analysers read
        operators through their parent's fields, and skipping them saves a third of
        the work. The stack holds nodes to enter and, between them, the callbacks to
        run when leaving a node, so no tuple is built per node.
        """
        node_type = type(root)
        stack: list[Any] = [root]
        enter = self.enter
        interesting = self.INTERESTING
        while stack:
            item = stack.pop()
            if type(item) is not node_type:
                item()  # leaving a scope
                continue
            if interesting is None or item.type in interesting:
                leave = enter(item)
                if leave is not None:
                    stack.append(leave)
            if item.named_child_count:
                children = item.named_children
                children.reverse()
                stack.extend(children)

    def enter(self, node: Node) -> Callable[[], None] | None:
        """Look at one node; return what to do when the walk leaves it, if anything."""
        raise NotImplementedError

    # -- helpers for subclasses ------------------------------------------------------

    def text_of(self, node: Node | None) -> str:
        if node is None:
            return ""
        return self.text[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def decision(self, count: int = 1) -> None:
        """Add ``count`` decision points to the function being walked, if any."""
        if self.frames:
            self.frames[-1].complexity += count

    def open_function(
        self, name: str, node: Node, *, test: bool = False, sep: str = "."
    ) -> Callable[[], None]:
        """Start a function scope; the returned callback closes it and records it."""
        qualname = sep.join([*self.scope, name]) if self.scope else name
        in_test = test or bool(self.frames and self.frames[-1].test)
        frame = _Frame(qualname, node.start_point[0] + 1, end_line(node), 1, in_test)
        plain = self._plain
        if plain is not None:
            frame.span = node.byte_range
        self.frames.append(frame)
        self.scope.append(name)

        def close() -> None:
            self.frames.pop()
            self.scope.pop()
            if plain is not None:
                inside = _count_inside(plain, frame.span)
                frame.complexity += inside - frame.nested
                if self.frames:
                    self.frames[-1].nested += inside
            self.functions.append(
                FunctionInfo(
                    frame.qualname, frame.start_line, frame.end_line, frame.complexity, frame.test
                )
            )

        return close

    def open_scope(self, name: str) -> Callable[[], None]:
        """Enter a class/module/impl scope that prefixes the qualified names inside it."""
        self.scope.append(name)

        def close() -> None:
            self.scope.pop()

        return close

    def error(self, kind: str, node: Node) -> None:
        self.errors.append(ErrorPath(kind, node.start_point[0] + 1, node.end_point[0] + 1))

    def test(self, name: str, node: Node, kind: str, skipped: bool, framework: str) -> None:
        self.tests.append(TestCase(name, node.start_point[0] + 1, kind, skipped, framework))

    def comment(self, node: Node) -> None:
        self.comments.append((node.start_byte, node.end_byte))


def _query_for(walker: type[Walker], language: Language) -> Query:
    """One query capturing every node type of ``walker.INTERESTING`` the grammar has,
    compiled once per process (types another dialect's grammar lacks are left out): the
    plain decisions as ``@d``, the rest as ``@n``, in one pass over the tree."""
    key = (walker, language)
    query = _QUERIES.get(key)
    if query is None:
        import tree_sitter

        assert walker.INTERESTING is not None
        source = ""
        for name, wanted in (
            ("n", walker.INTERESTING - walker.PLAIN_DECISIONS),
            ("d", walker.INTERESTING & walker.PLAIN_DECISIONS),
        ):
            kinds = [k for k in sorted(wanted) if language.id_for_node_kind(k, True)]
            if kinds:
                patterns = " ".join(walker.NARROWED.get(kind, f"({kind})") for kind in kinds)
                source += f"[{patterns}] @{name}\n"
        query = tree_sitter.Query(language, source)
        _QUERIES[key] = query
    return query


def _plain_kinds_exact(walker: type[Walker], language: Language) -> bool:
    """Whether every ``@d`` capture of :func:`_query_for` is of a plain decision kind:
    true unless one of those kinds is a supertype in the grammar (a supertype's pattern
    captures its subtypes, which :meth:`Walker._walk_captures` must then leave out).
    Read from ``Language.supertypes``: ``node_kind_is_supertype`` answers true for every
    kind in py-tree-sitter 0.26."""
    key = (walker, language)
    exact = _PLAIN_EXACT.get(key)
    if exact is None:
        ids = [language.id_for_node_kind(kind, True) for kind in walker.PLAIN_DECISIONS]
        exact = not set(ids) & set(language.supertypes)
        _PLAIN_EXACT[key] = exact
    return exact


def _count_inside(plain: tuple[list[int], list[int]], span: tuple[int, int]) -> int:
    """How many of the (sorted) plain decision ranges lie within ``span``.

    Ranges nest, so only one starting at ``span``'s first byte can reach past its end
    (an expression that begins with the function, like ``function () {}() || x``): the
    walk enters that one first, outside the function, so it is not counted here.
    """
    starts, ends = plain
    first, last = span
    lo = bisect_left(starts, first)
    count = bisect_left(starts, last, lo) - lo
    at = lo
    while at < len(starts) and starts[at] == first:
        count -= ends[at] > last
        at += 1
    return count


def _document_order(nodes: list[Node], ranges: list[tuple[int, int]]) -> list[int]:
    """The indexes of ``nodes`` in the order a depth-first walk enters them (captures
    come in the order their matches complete): by start, the longer first, and of
    nodes with the same range (a statement that is just an expression) the outer first."""
    keys = [(start, -end) for start, end in ranges]
    order = sorted(range(len(nodes)), key=keys.__getitem__)
    if len(set(ranges)) == len(ranges):
        return order  # no two nodes share a range: none to order by depth
    at = 0
    while at < len(order) - 1:
        end = at + 1
        while end < len(order) and ranges[order[end]] == ranges[order[at]]:
            end += 1
        if end - at > 1:
            order[at:end] = sorted(order[at:end], key=lambda i: _depth(nodes[i]))
        at = end
    return order


def _depth(node: Node) -> int:
    depth = 0
    parent = node.parent
    while parent is not None:
        depth += 1
        parent = parent.parent
    return depth


_COMMENTS = frozenset({"comment", "line_comment", "block_comment"})


def end_line(node: Node) -> int:
    """The last line of ``node`` without trailing comments (``ast``'s ``end_lineno``).

    tree-sitter puts comments that follow an indented body inside that body; they are
    not part of the function for Python's own parser, nor for coverage tools.
    """
    current = node
    while True:
        # the last children one at a time: a body's statements are never all made into
        # Python objects (issue 14: ``children`` of every function's body did)
        count = current.child_count
        last = current.child(count - 1) if count else None
        while last is not None and last.type in _COMMENTS:
            count -= 1
            last = current.child(count - 1) if count else None
        if last is None:
            return int(current.end_point[0]) + 1
        current = last


def first_error_line(root: Node) -> int:
    """The line of the first ERROR or MISSING node, for the skipped-file message."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return int(node.start_point[0]) + 1
        stack.extend(child for child in reversed(node.children) if child.has_error)
    return int(root.start_point[0]) + 1


def field_text(walker: Walker, node: Node, field: str) -> str:
    return walker.text_of(node.child_by_field_name(field))


def strip_generics(name: str) -> str:
    """``Foo<T, U>`` -> ``Foo``; ``&'a mut Bar`` -> ``Bar`` (for impl/receiver types)."""
    depth = 0
    out = []
    for ch in name:
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(ch)
    cleaned = "".join(out)
    cleaned = re.sub(r"^[&*\s]*(?:'\w+\s+)?(?:mut\s+|dyn\s+)?", "", cleaned)
    return re.sub(r"\s+", "", cleaned)


def unquote(text: str) -> str:
    """The content of a string literal as written (no escape processing)."""
    for quote in ('"""', "'''", '"', "'", "`"):
        if len(text) >= 2 * len(quote) and text.startswith(quote) and text.endswith(quote):
            return text[len(quote) : -len(quote)]
    return text
