"""Mutating real XML reports, for the tests that hold a C scanner to the lxml reader.

Why one place: the Cobertura scanner's test (tests/unit/test_cobertura.py) and the
JaCoCo/Clover scanners' test (tests/unit/test_xml_speedups.py) damage their fixtures the
same way (delete a few bytes, insert a token the tokenizers treat specially, overwrite a
byte, cut the rest) and then require the scanner to decline or read what lxml reads.
"""

from __future__ import annotations

from hypothesis import strategies as st

XML_TOKENS = [
    b"<", b">", b"/", b"&", b";", b"&amp;", b"&#x41;", b'"', b"'", b"<!--", b"-->", b"]]>",
    b"<![CDATA[", b"\xff", b"\xc3", b"\x00", b" ", b"\n", b"=", b"line", b"class", b"method",
]  # fmt: skip
"""Tokens the shared tokenizer (src/covgap/_xml_scan.h) must judge; each test adds its
format's element names and numbers."""

Edit = tuple[str, float, int]


def edits() -> st.SearchStrategy[list[Edit]]:
    """One to three edits: (what, where as a fraction of the document, a value)."""
    return st.lists(
        st.tuples(
            st.sampled_from(["delete", "insert", "byte", "cut"]),
            st.floats(0, 1),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=3,
    )


def mutate(seed: bytes, edit_list: list[Edit], tokens: list[bytes]) -> bytes:
    """``seed`` with ``edit_list`` applied in turn (``tokens``: what "insert" inserts)."""
    data = bytearray(seed)
    for op, where, value in edit_list:
        pos = int(where * len(data))
        if op == "delete":
            del data[pos : pos + 1 + value % 5]
        elif op == "insert":
            data[pos:pos] = tokens[value % len(tokens)]
        elif op == "byte" and data:
            data[min(pos, len(data) - 1)] = value
        else:
            del data[pos:]
    return bytes(data)
