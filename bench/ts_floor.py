"""What tree-sitter alone costs on a repository: the floor under any analyser built on it.

Issue 14's cold targets (``covgap gaps`` in 20 s, the HTML report in a tenth of genhtml's
time) are bounded by the source analysis, and most of that is tree-sitter's own work. This
measures that work with no covgap code in it: for every repository file covgap would parse
(:func:`covgap.source.analyze.grammar_for`), the parse, plus one visit of every node of the
tree, timed as a query that matches nothing (``(ERROR) @e`` on a tree without errors):
tree-sitter's query engine walks the whole tree in C with the tree cursor a hand-written C
walk would use, so an analyser that looked at every node in C would still pay at least
this. Dividing by the cores gives the wall clock no scheduling can beat; the bench scripts
add what the rest of the run measured and say whether the target is within reach.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any


def tree_sitter_floor(repo: Path) -> float:
    """CPU s of parsing every file covgap parses in ``repo`` and visiting every node once."""
    import tree_sitter

    from covgap.config import load_config
    from covgap.source import _ts
    from covgap.source import analyze as analyze_mod
    from covgap.source import repo as repo_mod
    from covgap.workspace import Workspace

    ws = Workspace.load(repo, load_config(repo))
    visits: dict[Any, Any] = {}
    clock = time.process_time
    total = 0.0
    for path in sorted(ws.files):
        language = repo_mod.language_of(ws, path)
        grammar = analyze_mod.grammar_for(language, path) if language else None
        if grammar is None:
            continue
        try:
            parser = _ts.parser_for(grammar)
        except _ts.GrammarMissing:
            continue
        text = (repo / path).read_bytes()
        visit = visits.get(grammar)
        if visit is None:
            visit = visits[grammar] = tree_sitter.Query(parser.language, "(ERROR) @e")
        started = clock()
        tree = parser.parse(text)
        tree_sitter.QueryCursor(visit).captures(tree.root_node)
        total += clock() - started
    return total


def floor_lines(floor: float, rest: float, cores: int, limit: float, what: str) -> list[str]:
    """Markdown lines: the floor's wall on ``cores``, and with the ``rest`` of the run.

    ``rest`` is the CPU the run spends outside source analysis, as the caller measured
    it; an analyser with no cost of its own beyond tree-sitter would still need
    ``(floor + rest) / cores`` of wall clock, and that is compared with ``limit``.
    """
    best = (floor + rest) / cores
    reach = "within reach" if best <= limit else "out of reach on this machine"
    return [
        f"- tree-sitter's own work on every parsed file (parse + one visit of every node, "
        f"no covgap code): {floor:.1f} CPU s, {floor / cores:.1f} s wall on {cores} cores "
        f"at best: {floor / cores / limit:.0%} of the {limit:.1f} s limit",
        f"- with the rest of the run as measured ({rest:.1f} CPU s outside source "
        f"analysis), an analyser costing nothing beyond tree-sitter needs >= {best:.1f} s "
        f"wall for {what}: the limit is {reach}",
    ]
