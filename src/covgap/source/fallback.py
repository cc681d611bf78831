"""Regex fallback for languages without a tree-sitter grammar (C, C++, Java, ...), and for
Python, Rust, Ruby, JavaScript/TypeScript and Go files when their grammar wheel is missing.

Deliberately modest, because a heuristic that pretends to be a parser is worse than
none: it counts physical and code lines (comments stripped by the language's comment
markers, string literals left alone) and finds functions by one definition pattern per
language family. A function's end is its matching closing brace (braces inside strings
and comments ignored), or for indentation and ``end``-delimited languages the last line
before the next definition. Complexity is 1 plus the number of decision keywords and
``&&``/``||`` in the function's comment-free text: an estimate.

Tests are found where a definition has one unmistakable spelling (:data:`TEST_FINDERS`):

* Rust: a ``fn`` under an attribute whose path ends in ``test`` (``#[test]``,
  ``#[tokio::test]``, ``#[sqlx::test(...)]``) or is ``rstest``/``test_case``/
  ``wasm_bindgen_test``; ``#[quickcheck]``/``#[proptest]`` are ``property`` tests,
  ``#[bench]`` a ``bench``; ``#[ignore]`` marks one skipped; functions inside a
  ``#[cfg(test)]`` module are test code; every ``fn`` in ``proptest! { }`` is a
  ``property`` test and ``fuzz_target!`` a ``fuzz`` target, as with tree-sitter.
  Doctests are not found.
* Python (test files only, as pytest collects): ``def test*`` at module level or in a
  class named ``Test*`` or deriving from ``*TestCase``; ``@pytest.mark.skip``/
  ``@unittest.skip`` (or ``skipif(True``) mark one skipped, ``@given`` makes it a
  ``property`` test.
* Ruby (test files only): RSpec ``it``/``specify``/``example``/``scenario``/``its``
  (``x``-prefixed ones skipped), minitest ``def test_*`` and ActiveSupport ``test "..."``.
* JavaScript/TypeScript (any file, as with tree-sitter): Jest/Vitest/Mocha/node:test/
  Playwright/Bun ``it``/``test``/``specify`` calls with a string name, named by their
  ``describe``/``context``/``suite`` chain; ``xit``/``.skip``/``.todo``, no callback or a
  skipped group make one skipped; ``fc.assert``/``test.prop`` a ``property`` test;
  ``bench`` and ``Deno.test`` too; the framework from the imports (:func:`js_tests`).
* Go (``_test.go`` files only): ``TestXxx``, and ``BenchmarkXxx``/``FuzzXxx``/
  ``ExampleXxx`` as ``bench``/``fuzz``/``example``; ``t.Skip`` first, or an example
  without ``// Output:``, is skipped (:func:`go_tests`).

Each finder equals the tree-sitter analyser on the fixture repository
(``tests/data/source``); the Go finder was also checked on 600 randomly chosen
``_test.go`` files of Go 1.19's standard library (4,000+ tests: every name, line, kind
and skip equal).

No error paths and no imports in any language. Every file the fallback analyses is
marked ``analyser = "regex"``; :func:`covgap.source.notes.analysis_notes` turns them into
one note per language saying what was not found (:func:`capabilities`).
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from covgap.source._ts import first_sentence_line, strip_comment_markers
from covgap.source.lang_rust import rust_test_kind
from covgap.source.records import FunctionInfo, TestCase


@dataclass(frozen=True)
class Syntax:
    line_comments: tuple[str, ...]
    block_comments: tuple[tuple[str, str], ...]
    function: re.Pattern[str] | None
    braces: bool = True
    quotes: str = "\"'"
    """Characters that open a string literal (Rust: ``"`` only, ``'a`` is a lifetime)."""
    raw_quotes: str = ""
    """Of those, the ones whose strings have no escapes (Go's raw strings: `C:\\`)."""


_C_FUNC = re.compile(
    r"^[ \t]*+(?:(?:[\w:<>,*&\[\]~]++[ \t]++)+[*&]*+)?(?P<name>[A-Za-z_~][\w:~]*+)[ \t]*+"
    r"\([^;{}()]*+(?:\([^()]*+\)[^;{}()]*+)*+\)",
    re.MULTILINE,
)
"""A C-family definition's head: ``type name(params)`` at the start of a line.

The possessive quantifiers (``*+``, ``++``) only give up retries that cannot match:
each is followed by a character its own class excludes (issue 14: the retries through
every ``for (...;`` were most of the pattern's time). Only the type words' repetition
backtracks, to leave the last word to ``name``."""
_JS_FUNC = re.compile(
    r"^[ \t]*(?:export[ \t]+)?(?:default[ \t]+)?(?:async[ \t]+)?function\*?[ \t]*(?P<name>\w+)",
    re.M,
)
_KEYWORD_NAMES = frozenset(
    {"if", "for", "while", "switch", "return", "else", "catch", "sizeof", "new", "delete", "case"}
)

SYNTAXES: dict[str, Syntax] = {
    "c": Syntax(("//",), (("/*", "*/"),), _C_FUNC),
    "cpp": Syntax(("//",), (("/*", "*/"),), _C_FUNC),
    "objc": Syntax(("//",), (("/*", "*/"),), _C_FUNC),
    "java": Syntax(("//",), (("/*", "*/"),), _C_FUNC),
    "csharp": Syntax(("//",), (("/*", "*/"),), _C_FUNC),
    "kotlin": Syntax(
        ("//",),
        (("/*", "*/"),),
        re.compile(
            r"^[ \t]*(?:[\w@]+[ \t]+)*fun[ \t]+(?:<[^>]*>[ \t]*)?(?:[\w.<>, ?]+\.)?(?P<name>\w+)",
            re.M,
        ),
    ),
    "scala": Syntax(
        ("//",), (("/*", "*/"),), re.compile(r"^[ \t]*(?:[\w]+[ \t]+)*def[ \t]+(?P<name>\w+)", re.M)
    ),
    "swift": Syntax(
        ("//",),
        (("/*", "*/"),),
        re.compile(r"^[ \t]*(?:[\w@]+[ \t]+)*func[ \t]+(?P<name>\w+)", re.M),
    ),
    "php": Syntax(
        ("//", "#"),
        (("/*", "*/"),),
        re.compile(r"^[ \t]*(?:\w+[ \t]+)*function[ \t]+&?(?P<name>\w+)", re.M),
    ),
    "shell": Syntax(
        ("#",),
        (),
        re.compile(
            r"^[ \t]*(?:function[ \t]+(?P<name>[\w.:-]+)|(?P<name2>[\w.:-]+)[ \t]*\(\))", re.M
        ),
    ),
    "lua": Syntax(
        ("--",),
        (("--[[", "]]"),),
        re.compile(r"^[ \t]*(?:local[ \t]+)?function[ \t]+(?P<name>[\w.:]+)", re.M),
        braces=False,
    ),
    "perl": Syntax(("#",), (), re.compile(r"^[ \t]*sub[ \t]+(?P<name>\w+)", re.M)),
    "elixir": Syntax(
        ("#",), (), re.compile(r"^[ \t]*defp?[ \t]+(?P<name>[\w?!]+)", re.M), braces=False
    ),
    # Languages covgap parses with tree-sitter: used only when the grammar wheel is missing.
    "rust": Syntax(
        ("//",),
        (("/*", "*/"),),
        re.compile(
            r"^[ \t]*(?:pub(?:[ \t]*\([^)]*\))?[ \t]+)?(?:(?:const|async|unsafe|default)[ \t]+)*"
            r'(?:extern[ \t]+"[^"]*"[ \t]+)?fn[ \t]+(?P<name>[A-Za-z_]\w*)',
            re.M,
        ),
        quotes='"',
    ),
    "python": Syntax(
        ("#",),
        (),
        re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(?P<name>\w+)", re.M),
        braces=False,
    ),
    "ruby": Syntax(
        ("#",),
        (("=begin", "=end"),),
        re.compile(r"^[ \t]*def[ \t]+(?:self\.)?(?P<name>[\w?!=]+)", re.M),
        braces=False,
    ),
    "go": Syntax(
        ("//",),
        (("/*", "*/"),),
        re.compile(r"^func[ \t]+(?:\([^)]*\)[ \t]*)?(?P<name>\w+)", re.M),
        quotes="\"'`",
        raw_quotes="`",
    ),
    "javascript": Syntax(("//",), (("/*", "*/"),), _JS_FUNC, quotes="\"'`"),
    "typescript": Syntax(("//",), (("/*", "*/"),), _JS_FUNC, quotes="\"'`"),
}

_DECISION_WORDS = re.compile(
    r"\b(?:if|for|foreach|while|case|catch|except|elif|elsif|when|guard)\b|&&|\|\||\?\?"
)


_NOT_NEWLINE = re.compile(r"[^\n]")


@functools.cache
def _string_stops(quote: str, raw: bool) -> re.Pattern[str]:
    """Where a string opened by ``quote`` may end: its quote, a newline (except in a
    backtick string: Go raw strings and JS template literals span lines) and, unless
    the string is raw (no escapes), a backslash."""
    chars = re.escape(quote)
    if not raw:
        chars += r"\\"
    if quote != "`":
        chars += r"\n"
    return re.compile("[" + chars + "]")


@functools.cache
def _brace_stops(quotes: str) -> re.Pattern[str]:
    """Braces, semicolons and the string quotes of a language (for :func:`_brace_end`)."""
    return re.compile("[{};" + re.escape(quotes) + "]")


@functools.cache
def _comment_starts(syntax: Syntax) -> re.Pattern[str]:
    """Where something other than plain code starts: a comment marker, or a whole string.

    The alternatives are in the order the scan must try them at one position (block
    comments, then line comments, then a string's quote), as regex alternation does.
    One character class comes first, the first characters of them all, so the regex
    engine skips plain code quickly; a string (group ``s``) is matched to its end by
    :func:`_string_rest` (issue 14: a Python call per string literal before).
    """
    markers = [start for start, _ in syntax.block_comments] + list(syntax.line_comments)
    parts = ["(?<=" + re.escape(m[0]) + ")" + re.escape(m[1:]) for m in markers]
    firsts = "".join(m[0] for m in markers)
    if syntax.braces and syntax.quotes:
        parts.append("(?P<s>" + _string_rest(syntax.quotes, syntax.raw_quotes) + ")")
        firsts += syntax.quotes
    return re.compile("[" + re.escape(firsts) + "](?:" + "|".join(parts) + ")")


def _string_rest(quotes: str, raw: str) -> str:
    """After a string's opening quote, the rest of it: up to its quote, a newline (not
    in a backtick string: Go raw strings and JS templates span lines) or the end, where a
    trailing backslash is kept; a backslash escapes the next character (a newline too)
    unless the quote is raw (Go's raw strings). :func:`_brace_string_end` scans the same."""
    parts = []
    for quote in quotes:
        stops = quote + ("" if quote in raw else "\\") + ("" if quote == "`" else "\n")
        plain = "[^" + re.escape(stops) + "]*+"
        body = plain if quote in raw else plain + r"(?:\\[\s\S]" + plain + ")*+"
        ends = "[" + re.escape(quote + ("" if quote == "`" else "\n")) + "]"
        tail = r"\Z" if quote in raw else r"\\?\Z"
        parts.append("(?<=" + re.escape(quote) + ")" + body + "(?:" + ends + "|" + tail + ")")
    return "|".join(parts)


def _strip_comments(text: str, syntax: Syntax) -> tuple[str, list[str]]:
    """Blank out comments (newlines kept); also return the leading comment's lines.

    Jumps from one possible comment or string start to the next with one regex
    search (issue 14: a character-at-a-time loop was a third of a cold ``covgap
    gaps`` on C sources); plain code between them is copied as one slice.
    """
    out: list[str] = []
    leading: list[str] = []
    n = len(text)
    seen_code = False
    starts = _comment_starts(syntax)
    blocks = dict(syntax.block_comments)
    i = 0
    while i < n:
        m = starts.search(text, i)
        j = n if m is None else m.start()
        if j > i:
            chunk = text[i:j]
            out.append(chunk)
            if not seen_code and not chunk.isspace():
                seen_code = True
        if m is None:
            break
        if m.lastgroup == "s":  # a whole string literal, kept as it is
            out.append(m.group())
            seen_code = True
            i = m.end()
            continue
        token = m.group()
        if token in blocks:
            close = text.find(blocks[token], j + len(token))
            close = n if close < 0 else close + len(blocks[token])
            chunk = text[j:close]
            if not seen_code:
                leading.extend(strip_comment_markers(chunk))
            out.append(_NOT_NEWLINE.sub(" ", chunk))
            i = close
        elif token in syntax.line_comments and not (
            token == "#" and text.startswith("#!", j) and j
        ):
            close = text.find("\n", j)
            close = n if close < 0 else close
            if not seen_code:
                leading.append(text[j + len(token) : close].strip())
            out.append(" " * (close - j))
            i = close
        else:  # "#!" after the start: plain code
            out.append(token)
            seen_code = True
            i = j + len(token)
    return "".join(out), leading


def _brace_end(code: str, start: int, quotes: str = "\"'", raw: str = "") -> int:
    """The offset of the brace closing the first ``{`` at or after ``start`` (or -1).

    Jumps between braces, quotes (those of ``quotes``: Rust has no ``'`` strings)
    and semicolons with one regex search each; strings opened by a quote in ``raw``
    have no escapes (Go's raw strings), and backtick strings span lines.
    """
    open_at = code.find("{", start)
    if open_at < 0:
        return -1
    depth = 0
    i = open_at
    search = _brace_stops(quotes).search
    while True:
        m = search(code, i)
        if m is None:
            return -1
        j = m.start()
        ch = code[j]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return j
        elif ch == ";":
            if depth == 0:
                return -1
        else:
            i = _brace_string_end(code, j + 1, ch, ch in raw)
            continue
        i = j + 1


def _brace_string_end(code: str, i: int, quote: str, raw: bool = False) -> int:
    """The offset just past a string opened before ``i`` (see :func:`_string_rest`)."""
    stops = _string_stops(quote, raw)
    while True:
        m = stops.search(code, i)
        if m is None:
            return len(code)
        j = m.start()
        if code[j] == "\\":
            i = j + 2
            continue
        return j + 1


@dataclass
class FallbackResult:
    """What the regex fallback found in one file."""

    code_lines: int
    functions: list[FunctionInfo] = field(default_factory=list)
    description: str | None = None
    tests: list[TestCase] = field(default_factory=list)


_RUST_CHAR = re.compile(r"'(?:\\(?:x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|.)|[^\\'\n])'")


def _blank(match: re.Match[str]) -> str:
    return "'" + " " * (len(match.group(0)) - 2) + "'"


def analyze(text: bytes, language: str, is_test: bool = False) -> FallbackResult:
    """Code lines, functions, description and (where :data:`TEST_FINDERS` knows how)
    tests of a file analysed without tree-sitter."""
    decoded = text.decode("utf-8", "replace")
    syntax = SYNTAXES.get(language)
    if syntax is None:
        lines = [ln for ln in decoded.split("\n") if ln.strip()]
        return FallbackResult(len(lines))
    if "'" not in syntax.quotes:
        # Rust: a char literal may hold a quote or a brace; blank it (same length)
        decoded = _RUST_CHAR.sub(_blank, decoded)
    code, leading = _strip_comments(decoded, syntax)
    code_lines = sum(1 for ln in code.split("\n") if ln.strip())
    functions = _functions(code, syntax) if syntax.function is not None else []
    result = FallbackResult(code_lines, functions, first_sentence_line(leading))
    finder = TEST_FINDERS.get(language)
    if finder is not None:
        result.tests, test_spans = finder(code, is_test, decoded)
        if test_spans:
            result.functions = [
                f
                if f.test or not any(a <= f.start_line <= b for a, b in test_spans)
                else FunctionInfo(f.qualname, f.start_line, f.end_line, f.complexity, True)
                for f in result.functions
            ]
    return result


def _functions(code: str, syntax: Syntax) -> list[FunctionInfo]:
    """The functions the definition pattern finds in comment-free ``code``.

    A match is a definition when (brace languages) its body's ``{`` comes before any
    ``;`` and before the next match, and the body's brace closes; matches inside the
    previous definition's body are calls. Complexity is 1 plus the decision words in
    the function's text. Braces are paired in one pass over the whole file and decision
    words counted in place, not in a copy of the function's text (issue 14: scanning
    each function's braces and semicolons was most of the fallback's time on C; see
    :func:`_brace_pairs`, :func:`_decisions`).
    """
    assert syntax.function is not None
    matches = list(syntax.function.finditer(code))
    functions: list[FunctionInfo] = []
    if not matches:
        return functions
    line_starts = _line_starts(code)
    total_lines = len(line_starts)
    pairs: dict[int, int] | None = None
    starts = [m.start() for m in matches if _name_group(m)[0] not in _KEYWORD_NAMES]
    inside_until = -1
    for match in matches:
        if match.start() <= inside_until:
            continue  # a call or statement inside the previous function's body
        name, group = _name_group(match)
        if not name or name in _KEYWORD_NAMES:
            continue
        start = match.start(group)
        pos = bisect.bisect_right(starts, match.start())
        nxt = starts[pos] if pos < len(starts) else len(code)
        if syntax.braces:
            # a definition's body opens before any `;` and before the next definition
            open_at = code.find("{", match.end(), nxt)
            semicolon = code.find(";", match.end(), nxt)
            if open_at < 0 or 0 <= semicolon < open_at:
                continue  # a declaration or a call, not a definition
            if pairs is None:
                pairs = _brace_pairs(code, syntax.quotes, syntax.raw_quotes)
            end_offset = pairs.get(open_at)
            if end_offset is None:  # the `{` is inside a string for a scan from the top
                end_offset = _brace_end(code, open_at, syntax.quotes, syntax.raw_quotes)
            if end_offset < 0:
                continue
        else:
            end_offset = max(nxt - 1, start)
        complexity = 1 + _decisions(code, start, end_offset + 1)
        end_line = min(bisect.bisect_right(line_starts, end_offset), total_lines)
        start_line = max(bisect.bisect_right(line_starts, start), 1)
        functions.append(FunctionInfo(name, start_line, end_line, complexity))
        if syntax.braces:
            inside_until = end_offset
    return functions


def _name_group(match: re.Match[str]) -> tuple[str | None, str]:
    """A definition's name and the group that holds it: shell's ``name()`` form names
    it in ``name2`` (taking ``name``'s start there gave -1: line 1 and the complexity
    of the whole file's last character only)."""
    name = match.group("name")
    if name is None and "name2" in match.re.groupindex:
        return match.group("name2"), "name2"
    return name, "name"


_DECISIONS_FAST = re.compile(r"(?=[cefgiw&|?])(?:" + _DECISION_WORDS.pattern + ")")
""":data:`_DECISION_WORDS` with the first characters its alternatives can start with
tried first: the same matches, in half the time."""
_WORD = re.compile(r"\w")


def _decisions(code: str, start: int, stop: int) -> int:
    """``len(_DECISION_WORDS.findall(code[start:stop]))`` without copying the slice.

    Searching ``code`` between ``start`` and ``stop`` sees the same text as searching the
    slice, except that ``\\b`` at ``start`` looks at the character before it: the two
    differ only when a word runs across ``start``, and then the slice is searched.
    """
    if 0 < start < len(code) and _WORD.match(code, start - 1) and _WORD.match(code, start):
        return len(_DECISION_WORDS.findall(code[start:stop]))
    return len(_DECISIONS_FAST.findall(code, start, stop))


@functools.cache
def _brace_tokens(quotes: str, raw: str) -> re.Pattern[str]:
    """A brace, or a whole string literal as :func:`_brace_string_end` delimits it.

    One character class first (the regex engine skips to it quickly), then the rest of
    a string, chosen by its quote (:func:`_string_rest`).
    """
    return re.compile("[{}" + re.escape(quotes) + "](?:" + _string_rest(quotes, raw) + ")?")


def _brace_pairs(code: str, quotes: str, raw: str) -> dict[int, int]:
    """Each ``{`` outside strings (scanning from the top) -> its closing ``}``, or -1.

    For such a ``{`` this is :func:`_brace_end` from it: a scan that starts outside a
    string at a brace sees the same strings and braces after it as one from the top,
    and from a ``{`` its depth reaches 0 only at the matching ``}`` (so a ``;`` never
    stops it). A ``{`` not in the mapping is inside a string for the top scan.
    """
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for m in _brace_tokens(quotes, raw).finditer(code):
        at = m.start()
        ch = code[at]
        if ch == "{":
            stack.append(at)
        elif ch == "}" and stack:
            pairs[stack.pop()] = at
    for at in stack:
        pairs[at] = -1
    return pairs


def _line_starts(code: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", code))
    return starts


def _line_at(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset)


_RUST_ATTR = re.compile(r"#\[[ \t]*(?P<path>[\w:]+(?:[ \t]*::[ \t]*\w+)*)")
_RUST_FN = re.compile(r"\bfn[ \t\r\n]+(?P<name>[A-Za-z_]\w*)")
_RUST_QUALIFIERS = re.compile(
    r'\s*(?:pub(?:\s*\([^)]*\))?\s+)?(?:(?:const|async|unsafe|default)\s+)*(?:extern\s+"[^"]*"\s+)?'
)
_RUST_PROPTEST = re.compile(r"\bproptest!\s*\{")
_RUST_FUZZ = re.compile(r"\bfuzz_target!\s*\(")
_RUST_TEST_MOD = re.compile(r"\s*(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+\w+\s*\{")


def _bracket_end(code: str, open_at: int) -> int:
    """The offset just past the ``]`` closing the ``[`` at ``open_at`` (or len(code))."""
    depth = 0
    in_string = False
    i = open_at
    while i < len(code):
        ch = code[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return len(code)


def rust_tests(
    code: str, is_test: bool, text: str = ""
) -> tuple[list[TestCase], list[tuple[int, int]]]:
    """Rust ``#[test]``-like functions, and the line spans of ``#[cfg(test)]`` modules.

    Works on comment-free code. Attributes attach to the ``fn`` that follows them when
    only other attributes and qualifiers (``pub``, ``async``, ``unsafe``...) come between,
    as rustc reads them.
    """
    del is_test  # #[test] functions run wherever they are written
    attrs: list[tuple[int, int, str]] = []  # (start, end, path)
    for match in _RUST_ATTR.finditer(code):
        end = _bracket_end(code, match.start() + 1)
        attrs.append((match.start(), end, re.sub(r"\s+", "", match.group("path"))))
    starts = _line_starts(code)
    spans: list[tuple[int, int]] = []
    for start, end, path in attrs:
        text = code[start:end]
        if (
            path == "cfg"
            and re.search(r"\btest\b", text)
            and "not(test)" not in text.replace(" ", "")
        ):
            mod = _RUST_TEST_MOD.match(code, end)
            if mod is not None:
                close = _brace_end(code, mod.end() - 1, '"')
                body_end = close if close >= 0 else len(code) - 1
                spans.append((_line_at(starts, mod.start()), _line_at(starts, body_end)))
    props: list[tuple[int, int]] = []  # offsets of proptest! { } bodies
    for macro in _RUST_PROPTEST.finditer(code):
        close = _brace_end(code, macro.end() - 1, '"')
        props.append((macro.end(), close if close >= 0 else len(code)))
    ends = [a[1] for a in attrs]
    tests: list[TestCase] = [
        TestCase("fuzz_target", _line_at(starts, m.start()), "fuzz", False, "libfuzzer")
        for m in _RUST_FUZZ.finditer(code)
    ]
    for fn in _RUST_FN.finditer(code):
        # the attributes directly above: walk back while only whitespace separates them
        pos = bisect.bisect_right(ends, fn.start()) - 1
        paths: list[str] = []
        gap_end = fn.start()
        while pos >= 0:
            start, end, path = attrs[pos]
            between = code[end:gap_end]
            allowed = _RUST_QUALIFIERS if gap_end == fn.start() else re.compile(r"\s*")
            if allowed.fullmatch(between) is None:
                break
            paths.append(path)
            gap_end = start
            pos -= 1
        kind: str | None = None
        framework = "rust"
        if any(a <= fn.start() < b for a, b in props):
            kind, framework = "property", "proptest"  # every fn of proptest! is a case
            paths = [p for p in paths if p == "ignore"]
        kind, framework = rust_test_kind(paths, kind, framework)
        if kind is not None:
            line = _line_at(starts, fn.start())
            tests.append(TestCase(fn.group("name"), line, kind, "ignore" in paths, framework))
    return tests, spans


_PY_DEF = re.compile(r"^(?P<indent>[ \t]*)(?:async[ \t]+)?def[ \t]+(?P<name>\w+)")
_PY_CLASS = re.compile(
    r"^(?P<indent>[ \t]*)class[ \t]+(?P<name>\w+)[ \t]*(?:\((?P<bases>[^)]*)\))?"
)
_PY_SKIP = re.compile(
    r"^@(?:pytest\.mark\.|mark\.|unittest\.)?(?:skip\b(?!if|If)|skip[iI]f\(\s*True\b)"
)


def python_tests(
    code: str, is_test: bool, text: str = ""
) -> tuple[list[TestCase], list[tuple[int, int]]]:
    """pytest and unittest tests of a test file, found by indentation (comment-free code)."""
    if not is_test:
        return [], []
    tests: list[TestCase] = []
    # open scopes: (indent, is a test class (None for a function), skipped, framework)
    scopes: list[tuple[int, bool | None, bool, str]] = []
    decorators: list[str] = []
    for number, line in enumerate(code.split("\n"), 1):
        stripped = line.strip()
        if not stripped:
            continue
        indent = len(line) - len(line.lstrip())
        while scopes and indent <= scopes[-1][0] and not stripped.startswith(("@", ")", "]")):
            scopes.pop()
        if stripped.startswith("@"):
            decorators.append(stripped)
            continue
        cls = _PY_CLASS.match(line)
        fn = _PY_DEF.match(line)
        if cls is not None:
            bases = cls.group("bases") or ""
            unittest = "TestCase" in bases
            outer = scopes[-1] if scopes else None
            is_class = outer is None or bool(outer[1])
            test_class = is_class and (unittest or cls.group("name").startswith("Test"))
            skipped = any(_PY_SKIP.match(d) for d in decorators) or bool(outer and outer[2])
            scopes.append((indent, test_class, skipped, "unittest" if unittest else "pytest"))
        elif fn is not None:
            owner = scopes[-1] if scopes else None
            name = fn.group("name")
            if name.startswith("test") and (owner is None or owner[1]):
                skipped = any(_PY_SKIP.match(d) for d in decorators) or bool(owner and owner[2])
                prop = any(d.startswith(("@given", "@hypothesis.given")) for d in decorators)
                tests.append(
                    TestCase(
                        name,
                        number,
                        "property" if prop else "test",
                        skipped,
                        "hypothesis" if prop else (owner[3] if owner else "pytest"),
                    )
                )
            scopes.append((indent, None, False, ""))
        decorators = []
    return tests, []


_RB_EXAMPLE = re.compile(
    r"^[ \t]*(?P<kw>x?(?:it|specify|example|scenario)|its)"
    r"(?=[ \t]*\(|[ \t]+['\"]|[ \t]*\{|[ \t]+do\b|[ \t]*$)"
    r"[ \t]*\(?[ \t]*(?:['\"](?P<name>[^'\"\n]*)['\"])?",
    re.M,
)
_RB_MINITEST = re.compile(r"^[ \t]*def[ \t]+(?P<name>test_\w*)", re.M)
_RB_AS_TEST = re.compile(r"^[ \t]*test[ \t]*\(?[ \t]*['\"](?P<name>[^'\"]*)['\"]", re.M)


def ruby_tests(
    code: str, is_test: bool, text: str = ""
) -> tuple[list[TestCase], list[tuple[int, int]]]:
    """RSpec examples, minitest methods and ActiveSupport ``test "..."`` of a test file."""
    if not is_test:
        return [], []
    starts = _line_starts(code)
    tests = []
    for m in _RB_EXAMPLE.finditer(code):
        kw = m.group("kw")
        name = m.group("name") or kw
        line = _line_at(starts, m.start("kw"))
        tests.append(TestCase(name, line, "test", kw.startswith("x"), "rspec"))
    for m in _RB_MINITEST.finditer(code):
        tests.append(
            TestCase(m.group("name"), _line_at(starts, m.start("name")), "test", False, "minitest")
        )
    for m in _RB_AS_TEST.finditer(code):
        tests.append(
            TestCase(m.group("name"), _line_at(starts, m.start("name")), "test", False, "minitest")
        )
    tests.sort(key=lambda t: (t.line, t.name))
    return tests, []


_JS_START = re.compile(
    r"(?<![\w$.])(?P<base>Deno[ \t]*\.[ \t]*test|x?(?:it|test|specify)|f(?:it|test)"
    r"|f?describe|xdescribe|x?context|x?suite|bench)\b"
)
_JS_TESTS = frozenset({"it", "test", "specify", "fit", "ftest"})
_JS_SKIPPED_TESTS = frozenset({"xit", "xtest", "xspecify"})
_JS_GROUPS = frozenset({"describe", "context", "suite", "fdescribe"})
_JS_SKIPPED_GROUPS = frozenset({"xdescribe", "xcontext", "xsuite"})
_JS_IMPORT = re.compile(
    r"(?:\bfrom|\bimport|\b(?:require|import)[ \t]*\()[ \t\r\n]*"
    r"""(?P<q>["'`])(?P<spec>[^"'`\n]+)(?P=q)"""
)
_JS_FRAMEWORKS = (
    ("vitest", "vitest"),
    ("bun:test", "bun"),
    ("node:test", "node:test"),
    ("mocha", "mocha"),
    ("chai", "mocha"),
    ("@jest/globals", "jest"),
    ("@playwright/test", "playwright"),
)
_JS_FAST_CHECK = re.compile(r"\bfc\.(?:assert|property|asyncProperty)\s*\(")
_JS_IDENT = re.compile(r"\s*\.\s*(?P<name>[A-Za-z_$][\w$]*)")
_JS_CALLBACK = re.compile(r"=>|\bfunction\b")


def _js_close(code: str, open_at: int) -> int:
    """The offset of the bracket closing the one at ``open_at`` (strings skipped), or -1."""
    pairs = {"(": ")", "[": "]", "{": "}"}
    stack: list[str] = []
    in_string: str | None = None
    i = open_at
    while i < len(code):
        ch = code[i]
        if in_string is not None:
            if ch == "\\":
                i += 2
                continue
            if ch == in_string or (ch == "\n" and in_string != "`"):
                in_string = None
        elif ch in "\"'`":
            in_string = ch
        elif ch in pairs:
            stack.append(pairs[ch])
        elif ch in ")]}":
            if not stack or stack.pop() != ch:
                return -1
            if not stack:
                return i
        i += 1
    return -1


def _js_string(code: str, at: int) -> tuple[str, int] | None:
    """The string literal starting at ``at`` (quotes dropped) and the offset after it."""
    quote = code[at : at + 1]
    if quote not in ("'", '"', "`"):
        return None
    i = at + 1
    out: list[str] = []
    while i < len(code):
        ch = code[i]
        if ch == "\\" and i + 1 < len(code):
            out.append(code[i + 1])
            i += 2
            continue
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\n" and quote != "`":
            return None
        out.append(ch)
        i += 1
    return None


def _js_framework(code: str) -> str:
    specs = [m.group("spec") for m in _JS_IMPORT.finditer(code)]
    for spec, name in _JS_FRAMEWORKS:
        if any(s == spec or s.startswith(spec + "/") for s in specs):
            return name
    return "jest"


def js_tests(
    code: str, is_test: bool, text: str = ""
) -> tuple[list[TestCase], list[tuple[int, int]]]:
    """Jest/Vitest/Mocha/node:test/Playwright/Bun/Deno tests, as the tree-sitter analyser
    finds them (:mod:`covgap.source.lang_js`), on comment-free code.

    A test is a call ``it|test|specify|fit|ftest|xit|xtest|xspecify|bench|Deno.test``
    with modifiers (``.skip``, ``.only``, ``.each(table)``, ``.each`table```...) whose
    first argument is a string; it is named by the enclosing ``describe``/``context``/
    ``suite`` calls (their span is their argument list) joined with ``" > "``. Skipped:
    ``x``-prefixed, ``.skip``/``.todo``, no callback, or inside a skipped group.
    """
    del is_test, text  # tests written in a source file run too (Vitest in-source tests)
    starts = _line_starts(code)
    framework = _js_framework(code)
    groups: list[tuple[str, bool, int]] = []  # (label, skipped, end offset)
    tests: list[TestCase] = []
    bare = _blank_strings(code, "\"'`", "")  # no `it(` inside a string counts
    for m in _JS_START.finditer(bare):
        while groups and m.start() > groups[-1][2]:
            groups.pop()
        base = re.sub(r"\s+", "", m.group("base"))
        modifiers: list[str] = []
        i = m.end()
        while True:  # modifiers, and the table call of .each(table) / .each`table`
            ident = _JS_IDENT.match(code, i)
            if ident is not None:
                modifiers.append(ident.group("name"))
                i = ident.end()
                continue
            j = i
            while j < len(code) and code[j] in " \t\r\n":
                j += 1
            if j < len(code) and code[j] == "`" and modifiers:
                literal = _js_string(code, j)
                if literal is None:
                    break
                i = literal[1]
                continue
            if j < len(code) and code[j] == "(":
                close = _js_close(code, j)
                if close < 0:
                    break
                k = close + 1
                while k < len(code) and code[k] in " \t\r\n":
                    k += 1
                if modifiers and k < len(code) and code[k] == "(":
                    i = k  # it.each([...])( ... ): the table, then the call itself
                    continue
                i = j
            break
        if i >= len(code) or code[i] != "(":
            continue
        close = _js_close(code, i)
        end = close if close >= 0 else len(code)
        k = i + 1
        while k < len(code) and code[k] in " \t\r\n":
            k += 1
        literal = _js_string(code, k)
        if literal is None:
            continue
        label, after = literal
        outer_skipped = bool(groups and groups[-1][1])
        skipped_mod = "skip" in modifiers or "todo" in modifiers
        if base in _JS_GROUPS or base in _JS_SKIPPED_GROUPS:
            skipped = outer_skipped or skipped_mod or base in _JS_SKIPPED_GROUPS
            groups.append((label, skipped, end))
            continue
        rest = code[after:end]
        callback = _JS_CALLBACK.search(rest)
        kind = "bench" if base == "bench" else "test"
        if "prop" in modifiers or (callback is not None and _JS_FAST_CHECK.search(rest)):
            kind = "property"
        skipped = outer_skipped or skipped_mod or base in _JS_SKIPPED_TESTS or callback is None
        name = " > ".join([g for g, _, _ in groups] + [label])
        tests.append(
            TestCase(
                name,
                _line_at(starts, m.start()),
                kind,
                skipped,
                "deno" if base.startswith("Deno") else framework,
            )
        )
    return tests, []


def _blank_strings(code: str, quotes: str, raw: str) -> str:
    """``code`` with the insides of its string literals blanked (same offsets, newlines kept).

    Strings opened by a character of ``raw`` have no escapes (Go's raw strings).
    """
    out = list(code)
    in_string: str | None = None
    i = 0
    while i < len(code):
        ch = code[i]
        if in_string is not None:
            if ch == "\\" and in_string not in raw and i + 1 < len(code):
                out[i] = " "
                if code[i + 1] != "\n":
                    out[i + 1] = " "
                i += 2
                continue
            if ch == in_string or (ch == "\n" and in_string != "`"):
                in_string = None
            elif ch != "\n":
                out[i] = " "
        elif ch in quotes:
            in_string = ch
        i += 1
    return "".join(out)


_GO_TEST_FUNC = re.compile(
    r"^func[ \t]+(?P<name>(?:Test|Benchmark|Fuzz|Example)\w*)[ \t]*(?:\[[^\]\n]*\][ \t]*)?\(",
    re.M,
)
_GO_KINDS = (("Test", "test"), ("Benchmark", "bench"), ("Fuzz", "fuzz"), ("Example", "example"))
_GO_OUTPUT = re.compile(r"//\s*(?:Unordered output|Output):")
_GO_SKIP = re.compile(r"\s*\w+\.Skip(?:f|Now)?\(")
_GO_PROPERTY = re.compile(r"\b(?:quick|rapid)\.Check\s*\(")


def go_tests(
    code: str, is_test: bool, text: str = ""
) -> tuple[list[TestCase], list[tuple[int, int]]]:
    """``go test``'s functions of a ``_test.go`` file, as :mod:`covgap.source.lang_go`.

    ``TestXxx``/``BenchmarkXxx``/``FuzzXxx``/``ExampleXxx`` (``Xxx`` not starting with
    a lower-case letter) at top level, no receiver: ``test``, ``bench``, ``fuzz`` and
    ``example``. A test whose body starts with ``t.Skip*`` is skipped, and so is an
    example without an ``// Output:`` comment (compiled, never run; read from ``text``,
    the source with its comments, which has the same offsets as ``code``); a test
    calling ``quick.Check``/``rapid.Check`` is a ``property`` test.
    """
    if not is_test:
        return [], []
    starts = _line_starts(code)
    tests: list[TestCase] = []
    bare = _blank_strings(code, "\"'`", "`")  # no `func TestX` inside a raw string counts
    for m in _GO_TEST_FUNC.finditer(bare):
        name = m.group("name")
        kind = next(k for prefix, k in _GO_KINDS if name.startswith(prefix))
        rest = name[len(next(p for p, k in _GO_KINDS if k == kind)) :]
        if rest and rest[0].islower():
            continue
        open_at = bare.find("{", m.end())
        close = _brace_end(bare, open_at, "\"'`", "`") if open_at >= 0 else -1
        if close < 0:
            continue
        body = code[open_at + 1 : close]
        if kind == "example":
            skipped = not _GO_OUTPUT.search((text or code)[open_at + 1 : close])
        else:
            skipped = _GO_SKIP.match(body) is not None
        if kind == "test" and _GO_PROPERTY.search(body):
            kind = "property"
        tests.append(TestCase(name, _line_at(starts, m.start()), kind, skipped, "go"))
    return tests, []


TEST_FINDERS: dict[
    str, Callable[[str, bool, str], tuple[list[TestCase], list[tuple[int, int]]]]
] = {
    "rust": rust_tests,
    "python": python_tests,
    "ruby": ruby_tests,
    "javascript": js_tests,
    "typescript": js_tests,
    "go": go_tests,
}
"""Languages whose tests the fallback finds, and how (see the module docstring)."""

_NOT_FOUND_EXTRA = {"rust": ["doctests"]}


def capabilities(language: str) -> tuple[list[str], list[str]]:
    """What the fallback finds for ``language``, and what it does not (for notes)."""
    syntax = SYNTAXES.get(language)
    found: list[str] = []
    missing: list[str] = []
    if language in TEST_FINDERS:
        found.append("tests")
    else:
        missing.append("tests")
    if syntax is not None and syntax.function is not None:
        found.append("functions (complexity estimated)")
    else:
        missing.append("functions")
    missing += _NOT_FOUND_EXTRA.get(language, [])
    missing += ["error paths", "imports"]
    return found, missing
