"""JUnit XML of the gate rules validates against the Ant JUnit schema."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree

from covgap.gate import GateResult, Offender, Status, Verdict
from covgap.report.junit import render_junit

XSD = Path(__file__).parents[1] / "data" / "schemas" / "junit.xsd"
WHEN = datetime(2026, 1, 2, 3, 4, 5)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.fromstring(data, parser)


def test_rules_become_testcases(schema: etree.XMLSchema) -> None:
    result = GateResult(
        [
            Verdict("line", "overall line coverage", Status.PASS, Fraction(90), Fraction(80)),
            Verdict(
                "patch",
                "coverage of new and changed lines",
                Status.FAIL,
                Fraction(100, 3),
                Fraction(60),
                reason="2 of 3 changed executable lines are not covered",
                offenders=[Offender("src/x\x01y.py", ((4, 5),), "2 of 3 changed lines uncovered")],
                more_offenders=3,
            ),
            Verdict(
                "max_drop", "drop", Status.NOT_MEASURED, None, Fraction(2), reason="no baseline"
            ),
        ],
        notes=["a note"],
    )
    data = render_junit(result, timestamp=WHEN, hostname="ci-runner")
    root = parse(data)
    schema.assertValid(root)
    assert root.get("tests") == "3" and root.get("failures") == "1" and root.get("skipped") == "1"
    assert root.get("timestamp") == "2026-01-02T03:04:05"
    cases = root.findall("testcase")
    assert [c.get("name") for c in cases] == [
        "line: overall line coverage",
        "patch: coverage of new and changed lines",
        "max_drop: drop",
    ]
    failure = cases[1].find("failure")
    assert failure is not None
    assert "33.33 %" in failure.get("message", "")
    assert "src/xy.py:4-5" in (failure.text or "")  # control character dropped
    assert "and 3 more files" in (failure.text or "")
    skipped = cases[2].find("skipped")
    assert skipped is not None and "no baseline" in skipped.get("message", "")
    assert root.find("properties/property").get("value") == "a note"  # type: ignore[union-attr]


def test_no_rules_is_still_valid(schema: etree.XMLSchema) -> None:
    root = parse(render_junit(GateResult([]), timestamp=WHEN))
    schema.assertValid(root)
    assert root.get("tests") == "0"


def test_junit_golden(golden: Callable[[str, str], None]) -> None:
    result = GateResult(
        [
            Verdict("line", "overall line coverage", Status.PASS, Fraction(90), Fraction(80)),
            Verdict(
                "file_line",
                "line coverage of every file",
                Status.FAIL,
                Fraction(25),
                Fraction(40),
                reason="1 files are below 40 % line coverage",
                offenders=[Offender("a.py", ((1, 3),), "25.00 % (1/4)")],
            ),
        ]
    )
    golden("check/rules.junit.xml", render_junit(result, timestamp=WHEN).decode())


def test_testcases_name_the_config_key_and_the_option(schema: etree.XMLSchema) -> None:
    """Issue 10: each rule by its config key and in words, as the terminal names it."""
    result = GateResult(
        [
            Verdict(
                "component:core:line",
                "core line coverage",
                Status.PASS,
                Fraction(90),
                Fraction(80),
                config_key="components.core.target",
            ),
            Verdict(
                "patch",
                "coverage of new and changed lines",
                Status.PASS,
                Fraction(90),
                Fraction(80),
                config_key="gates.patch",
                option="--fail-under-patch",
            ),
        ]
    )
    root = parse(render_junit(result, timestamp=WHEN))
    schema.assertValid(root)
    assert [c.get("name") for c in root.findall("testcase")] == [
        "components.core.target: core line coverage",
        "patch (--fail-under-patch): coverage of new and changed lines",
    ]
