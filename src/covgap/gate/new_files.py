"""The ``new_files_need_tests`` rule: every source file the diff adds has a test.

Which files are sources and which tests reach them comes from source analysis
(:mod:`covgap.source`), built only when this rule is configured.
"""

from __future__ import annotations

from fractions import Fraction

from covgap.gate.verdict import GateInputs, Offender, Status, Verdict, cap_offenders


def new_files(inp: GateInputs) -> list[Verdict]:
    if not inp.gates.get("new_files_need_tests"):
        return []
    title = "new source files have tests"
    key = "gates.new_files_need_tests"

    def not_measured(why: str, explain: list[str] | None = None) -> list[Verdict]:
        return [
            Verdict.not_measured(
                "new_files_need_tests",
                title,
                None,
                unit="files",
                config_key=key,
                reason=why,
                explain=explain or [why],
            )
        ]

    if inp.diff is None:
        return not_measured(inp.diff_problem or "no diff against a base ref")
    new = sorted(fd.path for fd in inp.diff.files.values() if fd.status == "A" and fd.path)
    if inp.source_index is None:
        return not_measured(
            "source analysis is not available, so covgap cannot tell source from test files here"
        )
    index = inp.source_index()
    sources = [index.files[p] for p in new if p in index.files and index.files[p].kind == "source"]
    if not sources:
        return not_measured(
            "no new source file in the diff",
            [f"{len(new)} new files, none of them a source file the analysis recognises"],
        )
    untested = [sf for sf in sources if not sf.tested_by and not sf.inline_tests]
    tested = len(sources) - len(untested)
    v = Verdict(
        "new_files_need_tests",
        title,
        Status.FAIL if untested else Status.PASS,
        Fraction(tested),
        Fraction(len(sources)),
        unit="files",
        config_key=key,
    )
    v.explain = [
        f"{len(sources)} new source files; {tested} have a test that imports them or "
        "inline tests, found by source analysis"
    ]
    if untested:
        v.reason = f"{len(untested)} new source files have no test"
        cap_offenders(
            v,
            [
                Offender(sf.path, (), "no test imports it and it has no inline tests")
                for sf in untested
            ],
        )
    return [v]
