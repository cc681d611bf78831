"""SARIF 2.1.0 for code scanning: failing gates and uncovered new lines as results.

Specification: OASIS SARIF 2.1.0 (errata 01); the output is validated against the
official JSON schema in the tests. GitHub code scanning shows a result on the line of
its ``physicalLocation``, so:

* every uncovered new or changed line range is one ``covgap/uncovered-new-code``
  result (``error`` when the ``patch`` gate failed, else ``warning``);
* every file and line range a failing rule blames is one result of that rule;
* each rule is named by its config key and in words, as the terminal names it
  (``patch: coverage of new and changed lines``; the descriptor's
  ``properties.configKey`` holds the dotted key, ``gates.patch``);
* a failing rule that blames no lines (an overall minimum with no offender list, a
  drop with no detail) is one result on the config line that sets its limit, or one
  without a location when the limit is not written in a file.

Paths are repository-relative URIs against ``%SRCROOT%``; the output is deterministic
(no timestamps, no absolute paths unless ``root_uri`` is given).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson

from covgap import __version__
from covgap.gate import GateResult, Offender, Status, Verdict

__all__ = ["SARIF_SCHEMA", "UNCOVERED_NEW_CODE", "render_sarif"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
UNCOVERED_NEW_CODE = "covgap/uncovered-new-code"
_INFO_URI = "https://github.com/covgap/covgap/blob/main/docs/gates.md"


def _rule_id(rule: str) -> str:
    return "covgap/" + rule


def _location(path: str, first: int | None = None, last: int | None = None) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": quote(path), "uriBaseId": "%SRCROOT%"}}
    if first is not None:
        physical["region"] = {"startLine": max(1, first), "endLine": max(1, last or first)}
    return {"physicalLocation": physical}


def _descriptor(
    rule_id: str, name: str, text: str, level: str, config_key: str = ""
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule_id,
        "name": name,
        "shortDescription": {"text": text},
        "helpUri": _INFO_URI,
        "defaultConfiguration": {"level": level},
    }
    if config_key:
        out["properties"] = {"configKey": config_key}
    return out


def _offender_results(v: Verdict, offenders: list[Offender]) -> list[dict[str, Any]]:
    out = []
    for o in offenders:
        spans: list[tuple[int, int] | None] = list(o.ranges) or [None]
        for span in spans:
            loc = _location(o.path, *(span if span else (None, None)))
            text = f"{v.label()}: {v.reason}" + (f" ({o.note})" if o.note else "")
            out.append(
                {
                    "ruleId": _rule_id(v.rule),
                    "level": "error",
                    "message": {"text": text},
                    "locations": [loc],
                }
            )
    return out


def render_sarif(
    result: GateResult,
    *,
    config_path: str | None = None,
    config_lines: dict[str, int] | None = None,
    root_uri: str | None = None,
) -> bytes:
    """Build the SARIF log.

    ``config_path`` (repository-relative) and ``config_lines`` (config key → line)
    place the results of failing rules that blame no line; ``root_uri`` (a
    ``file://`` URI ending in ``/``) resolves ``%SRCROOT%`` for viewers that need it.
    """
    patch_failed = any(v.rule == "patch" and v.status is Status.FAIL for v in result.verdicts)
    rules = [
        _descriptor(
            UNCOVERED_NEW_CODE,
            "UncoveredNewCode",
            "A new or changed executable line that no test runs",
            "error" if patch_failed else "warning",
        )
    ]
    results: list[dict[str, Any]] = []
    for o in result.uncovered_new_lines():
        for first, last in o.ranges:
            n = last - first + 1
            what = "line is" if n == 1 else f"{n} lines are"
            results.append(
                {
                    "ruleId": UNCOVERED_NEW_CODE,
                    "level": "error" if patch_failed else "warning",
                    "message": {"text": f"New or changed {what} not covered by any test"},
                    "locations": [_location(o.path, first, last)],
                }
            )
    seen: set[str] = set()
    for v in result.verdicts:
        rid = _rule_id(v.rule)
        if rid not in seen:
            seen.add(rid)
            rules.append(_descriptor(rid, v.rule, f"{v.key()}: {v.title}", "error", v.config_key))
        if v.status is not Status.FAIL:
            continue
        if v.rule != "patch" and v.offenders:
            results.extend(_offender_results(v, v.offenders))
            continue
        entry: dict[str, Any] = {
            "ruleId": rid,
            "level": "error",
            "message": {"text": f"{v.label()}: {v.reason} ({v.summary()})"},
        }
        line = (config_lines or {}).get(v.config_key)
        if config_path is not None:
            entry["locations"] = [_location(config_path, line, line)]
        results.append(entry)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "covgap",
                "version": __version__,
                "informationUri": _INFO_URI,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if root_uri is not None:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": root_uri}}
    doc = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"
