"""Policy rules → verdicts: what CI needs to pass or fail a change, and why.

Each rule of the ``[gates]`` table (and each component ``target``) becomes one
:class:`Verdict` with the measured value, the limit, the status and, for a failure,
the files and lines responsible. The rules, and what each does with an *empty
denominator* (nothing to measure), are:

===================== ========================================== ======================
rule                  passes when                                 nothing to measure
===================== ========================================== ======================
``line``              covered/executable lines ≥ limit            no executable line
``branch``            taken/known branch outcomes ≥ limit         no branch data
``function``          functions run/functions ≥ limit             no function data
component target      the component's own line/branch/function    component has no data
``patch``             covered/executable *changed* lines ≥ limit  no diff, or no changed
                                                                  executable line
``max_drop``          baseline % − current % ≤ limit (points)     no baseline, or either
                                                                  side has no lines
``critical``          per glob: current % ≥ baseline %            no baseline, or no
                                                                  matching line either side
``file_line``         every measured file's line % ≥ limit        no file has lines
``new_files_need_tests`` every new source file has a test         no new source file
===================== ========================================== ======================

"Nothing to measure" is :attr:`Status.NOT_MEASURED`: it neither passes by 100 % nor
fails by 0 %; reports show it with its reason and it does not fail the check.

Thresholds are compared exactly, as fractions: the measured ratio ``covered/total``
against the limit *as written in the config* (``79.999`` is 79999/1000, not the
nearest float), so 79.999 % is below 80 and exactly 80 % meets 80. Displayed values
come from :func:`format_value`, which never shows a failing value as the limit (or a
passing one below it): it truncates toward the failing side and adds decimals until
the shown value is on the same side of the limit as the real one.

``critical`` is decided per glob, on the aggregate of the files it matches (a refactor
that moves covered code between two critical files is not a drop), and the offenders
listed are the matched files whose own coverage dropped. Files renamed in the diff are
compared with their old path's baseline.

The package splits by rule family: :mod:`~covgap.gate.verdict` (what every rule
shares), :mod:`~covgap.gate.totals` (line/branch/function minimums, component
targets, ``file_line``), :mod:`~covgap.gate.patch`, :mod:`~covgap.gate.drop`
(``max_drop`` and ``critical``), :mod:`~covgap.gate.new_files`, and
:mod:`~covgap.gate.ratchet`; :data:`RULES` in :mod:`~covgap.gate.rules` is the one
registry that :func:`evaluate` walks.
"""

from __future__ import annotations

from covgap.gate.ratchet import (
    RatchetChange,
    config_key_line,
    config_prefix,
    ratchet,
    ratchet_targets,
)
from covgap.gate.rules import RULES, Rule, evaluate, figures
from covgap.gate.verdict import (
    MAX_OFFENDERS,
    Figure,
    GateInputs,
    GateResult,
    Offender,
    Status,
    Verdict,
    exact,
    format_value,
    uncovered_ranges_of,
)

__all__ = [
    "MAX_OFFENDERS",
    "RULES",
    "Figure",
    "GateInputs",
    "GateResult",
    "Offender",
    "RatchetChange",
    "Rule",
    "Status",
    "Verdict",
    "config_key_line",
    "config_prefix",
    "evaluate",
    "exact",
    "figures",
    "format_value",
    "ratchet",
    "ratchet_targets",
    "uncovered_ranges_of",
]
