"""The fallback's pattern-driven scanners equal the character-wise ones they replaced.

The reference implementations below are the scanners as they were before round two of
issue 14 (one Python step per character); the fast ones must give the same output on
every syntax, for any text, including unterminated strings and comments, escapes at the
end of the text and ``#!`` past the first character.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from covgap.source._ts import strip_comment_markers
from covgap.source.fallback import SYNTAXES, Syntax, _brace_end, _strip_comments

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "source"


def _strip_comments_reference(text: str, syntax: Syntax) -> tuple[str, list[str]]:
    """Blank out comments (newlines kept); also return the leading comment's lines."""
    out: list[str] = []
    leading: list[str] = []
    i = 0
    n = len(text)
    seen_code = False
    in_string: str | None = None
    while i < n:
        ch = text[i]
        if in_string is not None:
            out.append(ch)
            if ch == "\\" and i + 1 < n and in_string not in syntax.raw_quotes:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == in_string or (ch == "\n" and in_string != "`"):
                in_string = None  # a backtick string (Go raw, JS template) spans lines
            i += 1
            continue
        matched = False
        for start, end in syntax.block_comments:
            if text.startswith(start, i):
                close = text.find(end, i + len(start))
                close = n if close < 0 else close + len(end)
                chunk = text[i:close]
                if not seen_code:
                    leading.extend(strip_comment_markers(chunk))
                out.append(re.sub(r"[^\n]", " ", chunk))
                i = close
                matched = True
                break
        if matched:
            continue
        for marker in syntax.line_comments:
            if text.startswith(marker, i) and not (
                marker == "#" and text.startswith("#!", i) and i
            ):
                close = text.find("\n", i)
                close = n if close < 0 else close
                if not seen_code:
                    leading.append(text[i + len(marker) : close].strip())
                out.append(" " * (close - i))
                i = close
                matched = True
                break
        if matched:
            continue
        if ch in syntax.quotes and syntax.braces:
            in_string = ch
        if not ch.isspace():
            seen_code = True
        out.append(ch)
        i += 1
    return "".join(out), leading


def _brace_end_reference(code: str, start: int, quotes: str = "\"'", raw: str = "") -> int:
    """The offset of the brace closing the first ``{`` at or after ``start`` (or -1)."""
    open_at = code.find("{", start)
    if open_at < 0:
        return -1
    depth = 0
    in_string: str | None = None
    i = open_at
    while i < len(code):
        ch = code[i]
        if in_string is not None:
            if ch == "\\" and in_string not in raw:
                i += 2
                continue
            if ch == in_string or (ch == "\n" and in_string != "`"):
                in_string = None
        elif ch in quotes:
            in_string = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        elif ch == ";" and depth == 0:
            return -1
        i += 1
    return -1


PIECES = [
    "/*",
    "*/",
    "//",
    "#",
    "#!",
    "--",
    "--[[",
    "]]",
    "=begin",
    "=end",
    "\n",
    " ",
    "\\",
    '"',
    "'",
    "`",
    "{",
    "}",
    ";",
    "a",
    "x = 1",
    "é",
    "\t",
    "if (a) {",
    "'''",
    '"""',
]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, language=st.sampled_from(sorted(SYNTAXES)))
def test_strip_comments_equals_reference(text: str, language: str) -> None:
    syntax = SYNTAXES[language]
    assert _strip_comments(text, syntax) == _strip_comments_reference(text, syntax)


@settings(max_examples=300, deadline=None)
@given(
    text=TEXTS,
    start=st.integers(min_value=0, max_value=60),
    quotes=st.sampled_from(["\"'", '"', "\"'`"]),
    raw=st.sampled_from(["", "`"]),
)
def test_brace_end_equals_reference(text: str, start: int, quotes: str, raw: str) -> None:
    assert _brace_end(text, start, quotes, raw) == _brace_end_reference(text, start, quotes, raw)


def _fixture_texts() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and p.stat().st_size < 200_000)


@pytest.mark.parametrize("language", sorted(SYNTAXES))
def test_scanners_equal_reference_on_every_fixture_file(language: str) -> None:
    """Real files (every fixture, read in every syntax) scan the same both ways."""
    syntax = SYNTAXES[language]
    files = _fixture_texts()
    assert files
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        assert _strip_comments(text, syntax) == _strip_comments_reference(text, syntax), path
        code = _strip_comments(text, syntax)[0]
        for start in range(0, len(code), max(1, len(code) // 8)):
            got = _brace_end(code, start, syntax.quotes, syntax.raw_quotes)
            want = _brace_end_reference(code, start, syntax.quotes, syntax.raw_quotes)
            assert got == want, (path, start)
