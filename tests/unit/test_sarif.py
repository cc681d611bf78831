"""SARIF output is valid SARIF 2.1.0 and puts results where code review shows them."""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

from covgap.analysis.diffcov import PatchFile
from covgap.gate import GateResult, Offender, Status, Verdict
from covgap.report.sarif import UNCOVERED_NEW_CODE, render_sarif

SCHEMA = Path(__file__).parents[1] / "data" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    schema = json.loads(SCHEMA.read_text())
    return jsonschema.Draft4Validator(schema)


def sample(patch_status: Status = Status.FAIL) -> GateResult:
    return GateResult(
        [
            Verdict(
                "line",
                "overall line coverage",
                Status.FAIL,
                Fraction(7999, 100),
                Fraction(80),
                config_key="gates.line",
                reason="line coverage 79.99 % is below 80 %",
                offenders=[Offender("src/a b.py", ((3, 5), (9, 9)), "4 uncovered of 10 lines")],
            ),
            Verdict(
                "patch",
                "coverage of new and changed lines",
                patch_status,
                Fraction(50),
                Fraction(60),
                config_key="gates.patch",
                reason="1 of 2 changed executable lines are not covered",
            ),
            Verdict(
                "max_drop",
                "drop",
                Status.NOT_MEASURED,
                None,
                Fraction(2),
                unit="points",
                higher_is_better=False,
                reason="no baseline",
            ),
        ],
        patch=[PatchFile("src/a b.py", 3, (4,), (5,), True)],
    )


def test_sarif_is_valid_and_locates_results(validator: jsonschema.Draft4Validator) -> None:
    data = render_sarif(sample(), config_path="covgap.toml", config_lines={"gates.patch": 3})
    doc = json.loads(data)
    validator.validate(doc)
    run = doc["runs"][0]
    results = run["results"]
    new_code = [r for r in results if r["ruleId"] == UNCOVERED_NEW_CODE]
    assert len(new_code) == 1 and new_code[0]["level"] == "error"
    loc = new_code[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "src/a%20b.py", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {"startLine": 5, "endLine": 5}
    line = [r for r in results if r["ruleId"] == "covgap/line"]
    assert [r["locations"][0]["physicalLocation"]["region"] for r in line] == [
        {"startLine": 3, "endLine": 5},
        {"startLine": 9, "endLine": 9},
    ]
    # The patch failure itself points at the config line that sets its limit.
    (patch,) = [r for r in results if r["ruleId"] == "covgap/patch"]
    assert patch["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "covgap.toml"
    assert patch["locations"][0]["physicalLocation"]["region"]["startLine"] == 3
    assert "79.99" not in patch["message"]["text"] and "50.00 %" in patch["message"]["text"]
    # Not-measured rules are declared but produce no result.
    ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert "covgap/max_drop" in ids
    assert not [r for r in results if r["ruleId"] == "covgap/max_drop"]


def test_passing_patch_makes_new_code_warnings(validator: jsonschema.Draft4Validator) -> None:
    doc = json.loads(render_sarif(sample(Status.PASS), root_uri="file:///repo/"))
    validator.validate(doc)
    new_code = [r for r in doc["runs"][0]["results"] if r["ruleId"] == UNCOVERED_NEW_CODE]
    assert new_code[0]["level"] == "warning"
    assert doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == "file:///repo/"
    assert not [r for r in doc["runs"][0]["results"] if r["ruleId"] == "covgap/patch"]


def test_empty_result_is_valid_and_deterministic(validator: jsonschema.Draft4Validator) -> None:
    a = render_sarif(GateResult([]))
    assert a == render_sarif(GateResult([]))
    validator.validate(json.loads(a))
    assert json.loads(a)["runs"][0]["results"] == []


def test_sarif_golden(golden: Callable[[str, str], None]) -> None:
    data = render_sarif(sample(), config_path="covgap.toml", config_lines={"gates.patch": 3})
    golden("check/sample.sarif.json", data.decode())


def test_rules_and_messages_name_the_config_key(validator: jsonschema.Draft4Validator) -> None:
    """Issue 10: descriptors and results name each rule by config key and in words."""
    result = sample()
    result.verdicts[0].option = "--fail-under-lines"
    doc = json.loads(render_sarif(result, config_path="covgap.toml"))
    validator.validate(doc)
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["covgap/line"]["shortDescription"]["text"] == "line: overall line coverage"
    assert rules["covgap/line"]["properties"] == {"configKey": "gates.line"}
    assert rules["covgap/patch"]["shortDescription"]["text"] == (
        "patch: coverage of new and changed lines"
    )
    assert "properties" not in rules["covgap/max_drop"]  # no config key known
    messages = {r["ruleId"]: r["message"]["text"] for r in doc["runs"][0]["results"]}
    assert messages["covgap/line"].startswith(
        "line (--fail-under-lines): overall line coverage: line coverage 79.99 %"
    )
    assert messages["covgap/patch"].startswith("patch: coverage of new and changed lines: ")
