"""Hostile and broken XML gets a one-line FormatError naming the file and the line.

Covers the shared helpers in ``covgap.formats._xml`` (which the JaCoCo and Clover
readers use too) and the Cobertura reader on both of its paths (the C scanner must
decline every one of these, leaving the verdict to the lxml path).
"""

from __future__ import annotations

import gzip
import io
import time
from pathlib import Path

import pytest

from conftest import DATA
from covgap.errors import FormatError
from covgap.formats import _xml, cobertura, detect, read_report

EDGE = DATA / "edge"

HOSTILE = {
    # file: (line the error names, words the message must hold)
    "cobertura-billion-laughs.xml": (2, "DOCTYPE declares entities"),
    "cobertura-xxe.xml": (2, "DOCTYPE declares entities"),
    "cobertura-parameter-entity.xml": (2, "DOCTYPE declares entities"),
    "cobertura-huge-hits.xml": (5, "hits 99999999999999999999999 is too large"),
    "cobertura-negative-hits.xml": (5, "hits -5 is negative"),
    "cobertura-huge-line.xml": (5, "line number 2147483648 is too large"),
    "cobertura-truncated.xml": (9, "malformed XML"),
    "cobertura-wrong-root.xml": (2, "root element is <report>, expected <coverage>"),
    "cobertura-not-xml.xml": (1, "not XML"),
    "cobertura-bad-condition.xml": (4, "covers more than its total"),
}


@pytest.fixture(params=["lxml", "c"])
def path_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    kind: str = request.param
    if kind == "c" and cobertura._speedups is None:
        pytest.skip("C scanner not built")
    if kind == "lxml":
        monkeypatch.setenv(cobertura.FAST_PATH_ENV, "1")
    else:
        monkeypatch.delenv(cobertura.FAST_PATH_ENV, raising=False)
    return kind


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_report_is_a_one_line_error(name: str, path_kind: str) -> None:
    path = EDGE / name
    line, words = HOSTILE[name]
    start = time.perf_counter()
    with pytest.raises(FormatError) as info:
        read_report(path, format_name="cobertura")
    # Entity expansion or a network fetch would take minutes or fail; this is no speed test.
    assert time.perf_counter() - start < 60
    err = info.value
    message = str(err)
    assert message.startswith(f"{path}:{line}"), message
    assert words in message
    assert "\n" not in message
    assert err.line == line
    assert "root:" not in message  # nothing of /etc/passwd leaks into the message


@pytest.mark.parametrize(
    "name",
    ["cobertura-billion-laughs.xml", "cobertura-xxe.xml", "cobertura-parameter-entity.xml"],
)
def test_entity_attacks_are_sniffed_as_cobertura_and_refused(name: str) -> None:
    """Auto-detection must not turn an attack into "unknown format": say what is wrong."""
    path = EDGE / name
    assert detect(path).name == "cobertura"
    with pytest.raises(FormatError, match="DOCTYPE declares entities"):
        read_report(path)


def test_gzipped_hostile_report(tmp_path: Path, path_kind: str) -> None:
    target = tmp_path / "coverage.xml.gz"
    target.write_bytes(gzip.compress((EDGE / "cobertura-billion-laughs.xml").read_bytes()))
    with pytest.raises(FormatError, match="DOCTYPE declares entities"):
        read_report(target)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty document"),
        (b"   \n", "empty document"),
        (b"\x00\x01\x02binary", "not XML"),
        (b'<?xml version="1.0"?>', "no root element"),
        (b'<?xml version="1.0"?><!-- never closed', "no root element"),
        (b"<coverage><packages></coverage>", "malformed XML"),
        (b"<coverage>&undefined;</coverage>", "malformed XML"),
        (b'<coverage a="1" a="2"/>', "malformed XML"),
        (b"<coverage>\xff\xfe</coverage>", "malformed XML"),
    ],
)
def test_broken_documents(data: bytes, words: str, path_kind: str) -> None:
    with pytest.raises(FormatError) as info:
        cobertura.read(io.BytesIO(data), "in.xml")
    assert words in str(info.value)
    assert str(info.value).startswith("in.xml")


def test_syntax_errors_carry_line_and_column() -> None:
    data = b'<?xml version="1.0"?>\n<coverage>\n  <packages>\n  </pkgs>\n</coverage>\n'
    with pytest.raises(FormatError) as info:
        list(_xml.iterparse(io.BytesIO(data), "x.xml"))
    assert (info.value.line, info.value.column) is not None
    assert info.value.line == 4
    assert str(info.value).startswith("x.xml:4:")


def test_system_doctype_is_accepted_but_never_fetched() -> None:
    """Cobertura itself writes a SYSTEM DOCTYPE; it is fine, and never loaded."""
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE coverage SYSTEM "http://attacker.invalid/x.dtd">\n'
        b'<coverage line-rate="1"><packages/></coverage>'
    )
    cs = cobertura.read(io.BytesIO(data), "ok.xml")
    assert len(cs) == 0


def test_undeclared_entity_under_system_doctype_is_an_error() -> None:
    """With the DTD unloaded, &x; in a number cannot silently become an empty value."""
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE coverage SYSTEM "coverage-04.dtd">\n'
        b'<coverage><packages><package name="p"><classes><class name="a" filename="a">'
        b'<lines><line number="1" hits="&x;"/></lines></class></classes></package></packages>'
        b"</coverage>"
    )
    with pytest.raises(FormatError) as info:
        cobertura.read(io.BytesIO(data), "e.xml")
    assert info.value.line == 3


def test_prolog_longer_than_the_limit_is_refused() -> None:
    data = b"<?xml version='1.0'?>" + b"<!--" + b"x" * (_xml.PROLOG_LIMIT + 10) + b"--><coverage/>"
    with pytest.raises(FormatError, match="prolog longer than 1 MiB"):
        _xml.prolog_stream(io.BytesIO(data), "long.xml")


def test_prolog_stream_replays_every_byte() -> None:
    data = (
        b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- c -->\n<!DOCTYPE a SYSTEM 'x'>\n<a>"
        + b"y" * 200_000
        + b"</a>"
    )
    head, stream = _xml.prolog_stream(io.BytesIO(data), "r.xml")
    assert data.startswith(head)
    assert stream.read() == data


def test_check_prolog_finds_the_root_and_waits_for_more() -> None:
    assert _xml.check_prolog(b"<?xml version='1.0'?>\n<coverage/>", "p") == 22
    assert _xml.check_prolog(b"<?xml version='1.0'?>\n<!DOCTYPE cov", "p") == -1
    with pytest.raises(FormatError, match="no root element"):
        _xml.check_prolog(b"<?xml version='1.0'?>\n<!DOCTYPE cov", "p", complete=True)
    with pytest.raises(FormatError, match="DOCTYPE declares entities") as info:
        _xml.check_prolog(b"<?xml version='1.0'?>\n\n<!DOCTYPE c [<!entity x 'y'>]><c/>", "p")
    assert info.value.line == 3


def test_parse_document_is_hardened(tmp_path: Path) -> None:
    ok = _xml.parse_document(io.BytesIO(b"<report><a/></report>"), "r.xml", root="report")
    assert ok.tag == "report"
    for name in ("cobertura-billion-laughs.xml", "cobertura-xxe.xml"):
        with pytest.raises(FormatError, match="DOCTYPE declares entities"):
            _xml.parse_document(io.BytesIO((EDGE / name).read_bytes()), name)
    with pytest.raises(FormatError, match="root element is <coverage>, expected <report>"):
        _xml.parse_document(io.BytesIO(b"<coverage/>"), "r.xml", root="report")
    with pytest.raises(FormatError, match="malformed XML"):
        _xml.parse_document(io.BytesIO(b"<report>"), "r.xml")


def test_safe_parser_cannot_be_loosened() -> None:
    with pytest.raises(ValueError, match="resolve_entities"):
        _xml.safe_parser(resolve_entities=True)
    parser = _xml.safe_parser(remove_blank_text=True)
    assert parser is not None


def test_iterparse_checks_the_root_even_without_matching_tags() -> None:
    with pytest.raises(FormatError, match="expected <coverage>"):
        list(
            _xml.iterparse(io.BytesIO(b"<other><x/></other>"), "o.xml", tag="line", root="coverage")
        )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("42", 42), (" 7 ", 7), ("007", 7), ("9223372036854775807", 2**63 - 1), ("3.0", 3)],
)
def test_parse_count_accepts(value: str, expected: int) -> None:
    assert _xml.parse_count(value, "f", 1, "hits", allow_float=True) == expected


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "missing hits"),
        ("", "not a whole number"),
        ("-1", "negative"),
        ("-0.5", "negative"),
        ("9223372036854775808", "too large"),
        ("99999999999999999999999", "too large"),
        ("1e400", "too large"),
        ("nan", "not a whole number"),
        ("1.5", "not a whole number"),
        ("0x10", "not a whole number"),
        ("١٢", "not a whole number"),  # Arabic-Indic digits are not XML numbers
    ],
)
def test_parse_count_refuses(value: str | None, words: str) -> None:
    with pytest.raises(FormatError) as info:
        _xml.parse_count(value, "f.xml", 9, "hits", allow_float=True)
    assert words in str(info.value)
    assert str(info.value).startswith("f.xml:9:")


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('<class filename="a"><class filename="b"/></class>', "<class> inside a <class>"),
        (
            '<class filename="a"><method name="m"><method name="n"/></method></class>',
            "inside a <method>",
        ),
        ('<line number="1" hits="1"/>', "<line> outside a <class>"),
        ('<method name="m"/>', "<method> outside a <class>"),
        ('<class name="no-file"/>', "without a filename"),
        ('<class filename="a"><lines><line number="0" hits="1"/></lines></class>', "line number 0"),
        ('<class filename="a"><lines><line hits="1"/></lines></class>', "missing line number"),
        (
            '<class filename="a"><lines><line number="1" hits="1" '
            'condition-coverage="x"/></lines></class>',
            "is not 'P% (covered/total)'",
        ),
        (
            '<class filename="a"><lines><line number="1" hits="1" '
            'condition-coverage="0% (0/99999999)"/></lines></class>',
            "outcomes per line",
        ),
    ],
)
def test_misplaced_or_malformed_records(body: str, words: str, path_kind: str) -> None:
    data = f'<?xml version="1.0"?>\n<coverage>\n{body}\n</coverage>'.encode()
    with pytest.raises(FormatError) as info:
        cobertura.read(io.BytesIO(data), "m.xml")
    assert words in str(info.value)
    assert info.value.line == 3


def test_error_lines_past_libxml2_exact_range_say_so(path_kind: str) -> None:
    filler = "".join(f'<line number="{n}" hits="1"/>\n' for n in range(1, 70_000))
    data = (
        '<?xml version="1.0"?>\n<coverage>\n<class filename="a"><lines>\n'
        + filler
        + '<line number="5" hits="-1"/>\n</lines></class></coverage>\n'
    ).encode()
    with pytest.raises(FormatError) as info:
        cobertura.read(io.BytesIO(data), "big.xml")
    assert "hits -1 is negative" in str(info.value)
    assert "approximate" in str(info.value)
    assert abs((info.value.line or 0) - 70_003) <= 1
