"""JUnit XML of the gate rules, for GitLab, Jenkins and other CI test-report views.

One ``<testcase>`` per rule, named by its config key and in words (as the terminal
names it: ``line (--fail-under-lines): overall line coverage``): a failing rule
carries a ``<failure>`` with the reason and the files and lines responsible; a rule
that was not measured is ``<skipped>`` with why (neither pass nor fail). The shape
follows the Apache Ant JUnit schema (``junit.xsd``, which the tests validate
against): a single ``<testsuite>`` root with the required ``properties``,
``system-out`` and ``system-err`` children and the ``timestamp``/``hostname``/``time``
attributes.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from covgap.gate import GateResult, Status
from covgap.report._format import ranges

__all__ = ["render_junit"]


def _clean(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (control characters in file names)."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def render_junit(
    result: GateResult,
    *,
    timestamp: datetime,
    hostname: str = "localhost",
    suite: str = "covgap gates",
) -> bytes:
    """The verdicts as a JUnit ``<testsuite>``; ``timestamp`` is passed in for determinism."""
    failures = sum(1 for v in result.verdicts if v.status is Status.FAIL)
    skipped = sum(1 for v in result.verdicts if v.status is Status.NOT_MEASURED)
    root = etree.Element(
        "testsuite",
        name=suite,
        timestamp=timestamp.strftime("%Y-%m-%dT%H:%M:%S"),
        hostname=_clean(hostname) or "localhost",
        tests=str(len(result.verdicts)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time="0",
    )
    props = etree.SubElement(root, "properties")
    for i, note in enumerate(result.notes):
        etree.SubElement(props, "property", name=f"note.{i + 1}", value=_clean(note))
    for v in result.verdicts:
        case = etree.SubElement(
            root,
            "testcase",
            name=_clean(v.label()),
            classname="covgap.gates",
            time="0",
        )
        summary = v.summary()
        if v.status is Status.FAIL:
            body = [v.reason, summary, *v.explain]
            for o in v.offenders:
                where = f":{ranges(list(o.ranges), 50)}" if o.ranges else ""
                body.append(f"{o.path}{where}" + (f" — {o.note}" if o.note else ""))
            if v.more_offenders:
                body.append(f"… and {v.more_offenders} more files")
            failure = etree.SubElement(
                case, "failure", message=_clean(f"{v.reason} ({summary})"), type="CoverageGate"
            )
            failure.text = _clean("\n".join(body))
        elif v.status is Status.NOT_MEASURED:
            etree.SubElement(case, "skipped", message=_clean(f"not measured: {v.reason}"))
    out = etree.SubElement(root, "system-out")
    out.text = _clean("\n".join(line for v in result.verdicts for line in v.explain))
    etree.SubElement(root, "system-err")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
