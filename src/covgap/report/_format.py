"""Number formatting shared by every human-readable report.

Percentages follow coverage.py's rule: a displayed value is never rounded up to 100
nor down to 0, so "100.00 %" always means every line ran and "0.00 %" means none did.
"""

from __future__ import annotations

from collections.abc import Sequence


def percent(covered: int, total: int, digits: int = 2) -> str:
    """Format covered/total as a percentage string, or "n/a" when nothing was measured."""
    if total == 0:
        return "n/a"
    value = 100.0 * covered / total
    text = f"{value:.{digits}f}"
    top = f"{100:.{digits}f}"
    bottom = f"{0:.{digits}f}"
    step = 10.0**-digits
    if covered < total and text == top:
        text = f"{100 - step:.{digits}f}"
    elif covered > 0 and text == bottom:
        text = f"{step:.{digits}f}"
    return text + "%"


def ratio(covered: int, total: int) -> str:
    """ "covered/total (pct)" for tables that show both."""
    return f"{covered:,}/{total:,}" if total else "—"


def ranges(spans: Sequence[tuple[int, int]], limit: int = 8) -> str:
    """Format uncovered ranges like coverage.py's Missing column: ``3-7, 12, 20-22``."""
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in spans[:limit]]
    if len(spans) > limit:
        parts.append(f"… (+{len(spans) - limit})")
    return ", ".join(parts)


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 file``, ``2 files``: the count with the word in the right number."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def verdict(passed: bool | None) -> str:
    return {True: "pass", False: "FAIL", None: "n/a"}[passed]
