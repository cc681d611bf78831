"""One way for every reader to say that a report's own totals disagree with covgap's count.

Many formats carry their own summary beside the per-line data: LCOV's ``LF``/``LH``,
llvm-cov's per-file ``summary`` and ``totals``, Cobertura's ``lines-valid``, JaCoCo's
``<counter>``, Clover's ``<metrics>``, coverage.py JSON's ``totals``. covgap always
reports what it counts from the per-line data (it is what merges, maps and diffs), so
when the producer's own figure differs the user must be told both figures and why,
once per input, never silently. Each reader feeds :class:`TotalsCheck` the places it
compared (a file, a record, the whole report) and adds the one note it returns to
:attr:`covgap.model.CoverageSet.notes`, which every command prints on stderr and puts
in its JSON and Markdown outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["TotalsCheck"]

MAX_EXAMPLES = 3
"""How many disagreeing places a note names (the count says how many there are)."""

KINDS = ("lines", "branches", "functions")


@dataclass
class _Kind:
    declared: list[int] = field(default_factory=lambda: [0, 0])  # total, covered
    counted: list[int] = field(default_factory=lambda: [0, 0])
    places: int = 0
    examples: list[str] = field(default_factory=list)


def _pair(covered: int, total: int) -> str:
    return f"{covered:,}/{total:,}"


class TotalsCheck:
    """Collect the comparisons of one input and describe their disagreements in one note.

    ``summary`` names the producer's figures ("the export's own summary", "its
    <counter> elements"); ``why`` says why covgap's count differs and which one it
    reports. :meth:`compare` may be given a ``why`` of its own per kind when the
    reason is specific (a reader that knows why lines differ but not branches).
    """

    def __init__(self, origin: str, summary: str, why: str) -> None:
        self.origin = origin
        self.summary = summary
        self.why = why
        self._kinds: dict[str, _Kind] = {}
        self._reasons: dict[str, str] = {}

    def agree(self, kind: str, total: int, covered: int) -> None:
        """Count a place whose declared figures equal covgap's (the common case, kept
        cheap: a reader may call this for every file of a large report)."""
        acc = self._kinds.get(kind)
        if acc is None:
            if kind not in KINDS:
                raise ValueError(f"unknown kind {kind!r}")
            acc = self._kinds[kind] = _Kind()
        acc.declared[0] += total
        acc.declared[1] += covered
        acc.counted[0] += total
        acc.counted[1] += covered

    def compare(
        self,
        kind: str,
        declared: tuple[int, int],
        counted: tuple[int, int],
        *,
        where: str | None = None,
        as_written: str | None = None,
        why: str | None = None,
    ) -> bool:
        """Compare ``(total, covered)`` as declared with covgap's; True when they agree.

        ``where`` names the place (a file, a record) for the note's examples;
        ``as_written`` shows the declared figure in the format's own words
        (``"LF:34 LH:28"``) instead of ``covered/total``.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        acc = self._kinds.setdefault(kind, _Kind())
        acc.declared[0] += declared[0]
        acc.declared[1] += declared[1]
        acc.counted[0] += counted[0]
        acc.counted[1] += counted[1]
        if declared == counted:
            return True
        acc.places += 1
        if why is not None:
            self._reasons.setdefault(kind, why)
        if where is not None and len(acc.examples) < MAX_EXAMPLES:
            shown = as_written or f"{_pair(declared[1], declared[0])} {kind}"
            acc.examples.append(f"{where}: {shown} vs {_pair(counted[1], counted[0])}")
        return False

    def disagrees(self) -> bool:
        return any(k.places for k in self._kinds.values())

    def note(self) -> str | None:
        """The one line for this input, or None when every comparison agreed."""
        parts: list[str] = []
        for kind in KINDS:
            acc = self._kinds.get(kind)
            if acc is None or not acc.places:
                continue
            text = (
                f"{kind} {_pair(acc.declared[1], acc.declared[0])} in the report, "
                f"{_pair(acc.counted[1], acc.counted[0])} counted by covgap"
            )
            if acc.examples:
                text += f" ({acc.places} place(s), e.g. {'; '.join(acc.examples)})"
            reason = self._reasons.get(kind)
            if reason:
                text += f" [{reason}]"
            parts.append(text)
        if not parts:
            return None
        return (
            f"{self.origin}: the report's own figures ({self.summary}) differ from "
            "covgap's count (covered/total): " + "; ".join(parts) + f"; {self.why}"
        )

    def notes(self) -> list[str]:
        """:meth:`note` as a list, ready to extend a reader's notes."""
        found = self.note()
        return [] if found is None else [found]
