"""Give the branches of coverage.py's Cobertura XML the identities its JSON report gives.

coverage.py's ``coverage xml`` writes, per branching line, ``condition-coverage="50%
(1/2)"`` and, when an arc was not taken, ``missing-branches="26,exit"``: the
destination lines of the arcs *not* taken (``exit`` for an arc leaving the code
object). The taken arcs' destinations are not written. covgap's coverage.py JSON
reader numbers a line's arms by destination, ``(dst < 0, dst)`` (coverage.py's own
LCOV order), so that two reports of the same code agree arm by arm when merged. A
Cobertura line read as "the first ``covered`` arms taken" would not: a suite that
took the arm to line 29 (arm 1 in JSON) would count as having taken arm 0 in XML, and
the merge of the two would show 2/2 where ``coverage combine`` says 1/2.

What is knowable, and what covgap does with it:

* a line whose arms were all taken, or none, needs no identities: every arm has
  the same value whichever order they are in;
* a *partly* taken line needs the line's full destination set, which only the
  source has. When the source is found (the report's ``<sources>``, the report's
  folder, ``--repo``, the working directory, covgap's ``[paths] fixes`` and
  coverage.py's ``[paths]``: the search the ``.coverage`` reader uses), coverage.py's
  own parser (:class:`coverage.parser.PythonParser`, with the exclusions of the
  coverage.py configuration found beside the report or in the repository) gives
  each line's arcs, as ``coverage report`` computes them; the arms are then ordered
  as the JSON reader orders them, the missing ones not taken and the rest taken. The
  count is checked against ``condition-coverage``; a line whose source disagrees
  (another version of the file, other exclusions) keeps the XML's count and one note
  gives both figures;
* where the source is not found, or ``exit`` cannot be told apart (two exits, one
  missing), the line keeps today's count (the first ``covered`` arms taken) and is
  *unresolved*. Alone that count is exact; merged with other branch data for the same
  line it may count one arm twice, so :func:`merged_unresolved_note` says so.
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from covgap.errors import InputError
from covgap.model import BranchColumns, CoverageSet, FileCoverage
from covgap.types import MAX_LINE

if TYPE_CHECKING:
    from covgap.formats import ReadContext
    from covgap.formats.coveragepy_data import SourceSearch

__all__ = ["PartialLine", "identify", "merged_unresolved_note", "parse_missing"]

MAX_EXAMPLES = 3


def parse_missing(value: str) -> tuple[tuple[int, ...], int]:
    """Parse ``missing-branches``: ``"26,exit"`` → ``((26,), 1)`` (lines sorted, exits).

    Raises :class:`ValueError` naming the bad item: anything but a line number
    (1..MAX_LINE) or ``exit``, or a line listed twice.
    """
    lines: list[int] = []
    exits = 0
    for raw in value.split(","):
        item = raw.strip(" \t\r\n")
        if item == "exit":
            exits += 1
        elif item.isascii() and item.isdigit() and 1 <= int(item) <= MAX_LINE:
            lines.append(int(item))
        else:
            raise ValueError(f"{item[:20]!r} is neither a line number nor 'exit'")
    if len(set(lines)) != len(lines):
        raise ValueError("a line is listed twice")
    return tuple(sorted(lines)), exits


@dataclass(frozen=True)
class PartialLine:
    """A branching line with some arms taken and some not, as the XML writes it."""

    line: int
    covered: int
    total: int
    missing: str


def _exclude_regex(coverage: Any, folders: Sequence[Path]) -> str | None:
    """coverage.py's ``exclude_lines`` as a regex, from the configuration found first."""
    from coverage.misc import join_regex

    from covgap.formats.coveragepy_data import _config_file

    config: str | bool = False
    for folder in folders:
        config = _config_file(folder)
        if config:
            break
    try:
        cov = coverage.Coverage(config_file=config, data_file=None, messages=False)
    except coverage.exceptions.CoverageException:  # pragma: no cover - _search read it first
        # Defaults; a line whose arcs they get wrong disagrees with the XML, and says so.
        cov = coverage.Coverage(config_file=False, data_file=None, messages=False)
    regex: str = join_regex(cov.config.exclude_list)
    return regex or None


def _destinations(text: str, filename: str, exclude: str | None) -> dict[int, list[int]] | None:
    """Each line's arc destinations as coverage.py's analysis counts them, in JSON order."""
    from coverage.exceptions import CoverageException
    from coverage.parser import PythonParser

    parser = PythonParser(text=text, filename=filename, exclude=exclude)
    try:
        parser.parse_source()
        arcs = parser.arcs()
    except (CoverageException, SyntaxError, ValueError):
        return None
    excluded = parser.excluded
    dests: dict[int, set[int]] = {}
    for src, dst in arcs:
        if src in excluded or dst in excluded:
            continue
        dests.setdefault(src, set()).add(dst)
    return {src: sorted(d, key=lambda x: (x < 0, x)) for src, d in dests.items()}


def _locate(path: str, roots: Sequence[str], report_dir: Path, search: SourceSearch) -> Path | None:
    """The source of ``path``: under each ``<source>`` root, then as recorded; each
    tried with the ``.coverage`` reader's search (rules, then tails under the bases)."""
    from covgap.formats.coveragepy_data import locate_sources

    names = [os.path.join(root, path) for root in roots] + [path]
    for name in names:
        found, _missing = locate_sources([name], report_dir, search)
        if name in found:
            return found[name]
    return None


def _taken(dests: list[int], missing: tuple[tuple[int, ...], int]) -> list[int] | None:
    """Arms in ``dests`` order, 0 when missing; None when ``exit`` is ambiguous."""
    lines, exits = missing
    n_exits = sum(1 for d in dests if d < 0)
    if exits not in (0, n_exits):
        return None
    gone = set(lines)
    return [0 if (d < 0 and exits) or d in gone else 1 for d in dests]


def identify(
    cs: CoverageSet,
    partial: Mapping[str, list[PartialLine]],
    origin: str,
    context: ReadContext,
) -> tuple[CoverageSet, list[str], dict[str, frozenset[int]]]:
    """Re-number the partly taken lines of ``partial`` where their source is found.

    Returns the set with those lines' arms in the JSON reader's order, the notes
    (source and XML disagreeing), and per file the lines left unresolved.
    """
    if not partial:
        return cs, [], {}
    from covgap.formats.coveragepy_data import _coverage_module, _search

    coverage = _coverage_module()
    report_dir = Path(origin).resolve().parent
    folders = [report_dir] + ([context.repo.resolve()] if context.repo is not None else [])
    try:
        search = _search(coverage, report_dir, context)
    except InputError as exc:  # a broken coverage.py configuration: no sources looked for
        every = {path: frozenset(p.line for p in lines) for path, lines in partial.items()}
        return cs, [f"{origin}: branch arms not identified from the sources: {exc}"], every
    exclude: str | None = None
    exclude_read = False
    files = dict(cs.files)
    unresolved: dict[str, frozenset[int]] = {}
    disagree: list[str] = []
    for path, lines in partial.items():
        fc = files[path]
        source = _locate(path, cs.source_roots, report_dir, search)
        dests: dict[int, list[int]] | None = None
        if source is not None:
            if not exclude_read:
                exclude, exclude_read = _exclude_regex(coverage, folders), True
            try:
                text = source.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = None
            dests = None if text is None else _destinations(text, str(source), exclude)
        if dests is None:
            unresolved[path] = frozenset(p.line for p in lines)
            continue
        taken = array("q", fc.br_taken)
        left: set[int] = set()
        for p in lines:
            line_dests = dests.get(p.line, [])
            parsed = parse_missing(p.missing)  # validated by the reader
            arms = _taken(line_dests, parsed)
            n_missing = len(parsed[0]) + parsed[1]
            if (
                len(line_dests) != p.total
                or n_missing != p.total - p.covered
                or (arms is not None and sum(arms) != p.covered)
                or not set(parsed[0]) <= set(line_dests)
            ):
                disagree.append(
                    f"{path}:{p.line} condition-coverage {p.covered}/{p.total} "
                    f"missing-branches={p.missing!r}, source {len(line_dests)} arc(s)"
                )
                left.add(p.line)
                continue
            if arms is None:
                left.add(p.line)
                continue
            start = bisect_left(fc.br_line, p.line)
            for i, value in enumerate(arms):
                taken[start + i] = value
        if left:
            unresolved[path] = frozenset(left)
        files[path] = FileCoverage.from_columns(
            path,
            fc.lines,
            fc.hits,
            branches=BranchColumns(fc.br_line, fc.br_block, fc.br_branch, taken),
            functions=fc.functions,
        )
    notes = []
    if disagree:
        shown = "; ".join(disagree[:MAX_EXAMPLES])
        more = f"; … {len(disagree) - MAX_EXAMPLES} more" if len(disagree) > MAX_EXAMPLES else ""
        notes.append(
            f"{origin}: {len(disagree)} branch line(s) disagree with their source as "
            f"coverage.py parses it ({shown}{more}); covgap counts them as the XML's "
            "condition-coverage gives them"
        )
    out = CoverageSet(files, cs.inputs, cs.source_roots, cs.notes)
    return out, notes, unresolved


def _same_file(a: str, b: str) -> bool:
    """Whether two recorded paths may name one file once mapped onto the repository
    (equal, or one a tail of the other: ``src/m.py`` and ``python/src/m.py``)."""
    a, b = a.replace("\\", "/"), b.replace("\\", "/")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def merged_unresolved_note(sets: Sequence[CoverageSet]) -> str | None:
    """One note when unresolved coverage.py XML lines meet other branch data on merging.

    Each input's unresolved lines (:func:`identify`) are compared with the branch
    lines of every other input for the same file (the same path, or one a tail of the
    other, as path mapping would merge them): there covgap cannot tell which
    arms are the same, so the merged figure may count one arm twice.
    """
    hits: list[str] = []
    origins: list[str] = []
    for i, cs in enumerate(sets):
        if not cs.unresolved_branches:
            continue
        before = len(hits)
        for path, lines in sorted(cs.unresolved_branches.items()):
            others: set[int] = set()
            for j, other in enumerate(sets):
                if j == i:
                    continue
                for opath, ofc in other.files.items():
                    if len(ofc.br_line) and _same_file(path, opath):
                        others.update(ofc.br_line)
            for line in sorted(lines & others):
                hits.append(f"{path}:{line}")
        if len(hits) > before and cs.inputs and cs.inputs[0].path not in origins:
            origins.append(cs.inputs[0].path)
    if not hits:
        return None
    shown = ", ".join(hits[:MAX_EXAMPLES])
    more = f", … {len(hits) - MAX_EXAMPLES} more" if len(hits) > MAX_EXAMPLES else ""
    where = ", ".join(origins) or "a coverage.py Cobertura XML"
    return (
        f"{where}: {len(hits)} partly covered branch line(s) ({shown}{more}) were merged "
        "with other branch data for the same line, but their source was not found, so "
        "covgap cannot tell which arms are the same; the merged branch figure may count "
        "one arm twice (give --repo the checkout, or a [paths] fix, so covgap reads the "
        "source)"
    )
