"""Regex fallback for languages without a tree-sitter grammar here (C, C++, Java, ...).

Deliberately modest, because a heuristic that pretends to be a parser is worse than
none: it counts physical and code lines (comments stripped by the language's comment
markers, string literals left alone) and finds functions by one definition pattern per
language family. A function's end is its matching closing brace (braces inside strings
and comments ignored), or for indentation and ``end``-delimited languages the last line
before the next definition. Complexity is 1 plus the number of decision keywords and
``&&``/``||`` in the function's comment-free text: an estimate, labelled as such by
``SourceFile.parse_error`` being None but the language having no grammar. No tests, no
error paths, no imports.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from covgap.source._ts import first_sentence_line, strip_comment_markers
from covgap.source.records import FunctionInfo


@dataclass(frozen=True)
class Syntax:
    line_comments: tuple[str, ...]
    block_comments: tuple[tuple[str, str], ...]
    function: re.Pattern[str] | None
    braces: bool = True


_C_FUNC = re.compile(
    r"^[ \t]*(?:(?:[\w:<>,*&\[\]~]+[ \t]+)+[*&]*)?(?P<name>[A-Za-z_~][\w:~]*)[ \t]*\([^;{}()]*"
    r"(?:\([^()]*\)[^;{}()]*)*\)",
    re.MULTILINE,
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
}

_DECISION_WORDS = re.compile(
    r"\b(?:if|for|foreach|while|case|catch|except|elif|elsif|when|guard)\b|&&|\|\||\?\?"
)


_NOT_NEWLINE = re.compile(r"[^\n]")
_STRING_STOPS = {q: re.compile(rf"[\\\n{q}]") for q in "\"'"}
_BRACE_STOPS = re.compile(r"[{}\"';]")


@functools.cache
def _comment_starts(syntax: Syntax) -> re.Pattern[str]:
    """Where something other than plain code may start: a comment marker or a quote.

    The alternatives are in the order the scan must try them at one position (block
    comments, then line comments, then a string's quote), as regex alternation does.
    """
    parts = [re.escape(start) for start, _ in syntax.block_comments]
    parts += [re.escape(marker) for marker in syntax.line_comments]
    if syntax.braces:
        parts.append("[\"']")
    return re.compile("|".join(parts))


def _string_end(text: str, i: int, quote: str) -> int:
    """The offset just past a string opened before ``i``: its closing quote, a newline
    (strings do not span lines here), or the end; a backslash escapes the next character."""
    stops = _STRING_STOPS[quote]
    n = len(text)
    while True:
        m = stops.search(text, i)
        if m is None:
            return n
        j = m.start()
        if text[j] == "\\":
            if j + 1 >= n:
                return n
            i = j + 2
            continue
        return j + 1


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
        elif token in "\"'" and syntax.braces:
            close = _string_end(text, j + 1, token)
            out.append(text[j:close])
            seen_code = True
            i = close
        else:  # "#!" after the start: plain code
            out.append(token)
            seen_code = True
            i = j + len(token)
    return "".join(out), leading


def _brace_end(code: str, start: int) -> int:
    """The offset of the brace closing the first ``{`` at or after ``start`` (or -1).

    Jumps between braces, quotes and semicolons with one regex search each.
    """
    open_at = code.find("{", start)
    if open_at < 0:
        return -1
    depth = 0
    i = open_at
    search = _BRACE_STOPS.search
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
            i = _brace_string_end(code, j + 1, ch)
            continue
        i = j + 1


def _brace_string_end(code: str, i: int, quote: str) -> int:
    """As :func:`_string_end`, but a backslash skips two characters even at the end."""
    stops = _STRING_STOPS[quote]
    while True:
        m = stops.search(code, i)
        if m is None:
            return len(code)
        j = m.start()
        if code[j] == "\\":
            i = j + 2
            continue
        return j + 1


def analyze(text: bytes, language: str) -> tuple[int, list[FunctionInfo], str | None]:
    """Code lines, functions and description of a file in a grammar-less language."""
    decoded = text.decode("utf-8", "replace")
    syntax = SYNTAXES.get(language)
    if syntax is None:
        lines = [ln for ln in decoded.split("\n") if ln.strip()]
        return len(lines), [], None
    code, leading = _strip_comments(decoded, syntax)
    code_lines = sum(1 for ln in code.split("\n") if ln.strip())
    functions: list[FunctionInfo] = []
    if syntax.function is not None:
        matches = list(syntax.function.finditer(code))
        line_starts = [0]
        line_starts.extend(m.end() for m in re.finditer("\n", code))
        total_lines = len(line_starts)

        def line_of(offset: int) -> int:
            lo, hi = 0, len(line_starts) - 1
            while lo < hi:
                mid = (lo + hi + 1) // 2
                if line_starts[mid] <= offset:
                    lo = mid
                else:
                    hi = mid - 1
            return lo + 1

        starts = [m.start() for m in matches if m.group("name") not in _KEYWORD_NAMES]
        inside_until = -1
        for match in matches:
            if match.start() <= inside_until:
                continue  # a call or statement inside the previous function's body
            groups = match.groupdict()
            name = groups.get("name") or groups.get("name2")
            if not name or name in _KEYWORD_NAMES:
                continue
            start = match.start("name")
            pos = bisect.bisect_right(starts, match.start())
            nxt = starts[pos] if pos < len(starts) else len(code)
            if syntax.braces:
                # a definition's body opens before any `;` and before the next definition
                open_at = code.find("{", match.end(), nxt)
                semicolon = code.find(";", match.end(), nxt)
                if open_at < 0 or 0 <= semicolon < open_at:
                    continue  # a declaration or a call, not a definition
                end_offset = _brace_end(code, open_at)
                if end_offset < 0:
                    continue
            else:
                end_offset = max(nxt - 1, start)
            body = code[start : end_offset + 1]
            complexity = 1 + len(_DECISION_WORDS.findall(body))
            end_line = min(line_of(end_offset), total_lines)
            functions.append(FunctionInfo(name, line_of(start), end_line, complexity))
            if syntax.braces:
                inside_until = end_offset
    return code_lines, functions, first_sentence_line(leading)
