"""``--ratchet``: raise the written minimums to today's values, editing TOML in place.

Also finds the line that sets a config key, so that reports can point at it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from covgap.errors import ConfigError
from covgap.gate.verdict import GateResult, decimals, exact


@dataclass(frozen=True)
class RatchetChange:
    """One minimum raised by ``--ratchet``: the dotted key, the old and the new value."""

    key: str
    old: Fraction
    new: Fraction
    line: int


_HEADER_RE = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.\"' -]+?)\s*\]\]?\s*(#.*)?$")
_NUMBER = r"[+-]?(?:\d[\d_]*)(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?"


def _ratchet_value(current: Fraction) -> Fraction:
    """Today's value cut down to two decimals, so that today's run still passes."""
    return decimals(current, 2, up=False)


def ratchet_targets(result: GateResult) -> dict[str, Fraction]:
    """The minimums ``--ratchet`` may raise: measured overall and component minimums.

    ``patch``, ``max_drop``, ``critical`` and ``file_line`` describe changes or
    extremes rather than levels, so they are left as written.
    """
    out: dict[str, Fraction] = {}
    for v in result.verdicts:
        if v.measured is None or v.limit is None:
            continue
        if v.rule in ("line", "branch", "function"):
            out[f"gates.{v.rule}"] = _ratchet_value(v.measured)
        elif v.rule.startswith("component:"):
            name, metric = v.rule.removeprefix("component:").rsplit(":", 1)
            out[f"components.{name}.{metric}"] = _ratchet_value(v.measured)
    return out


def _format_number(value: Fraction, like: str) -> str:
    if value.denominator == 1 and "." not in like:
        return str(value.numerator)
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class _Block:
    """A TOML table's lines: ``[start, end)`` of the header's table, and a component's name."""

    table: str
    start: int
    end: int
    name: str | None


def _blocks(lines: Sequence[str]) -> list[_Block]:
    """Split TOML text into its tables by header lines (``[x]`` / ``[[x]]``)."""
    heads: list[tuple[int, str]] = [(0, "")]
    for i, raw in enumerate(lines):
        m = _HEADER_RE.match(raw)
        if m and raw.lstrip().startswith("["):
            heads.append((i, m.group(1).replace(" ", "").replace('"', "").replace("'", "")))
    out = []
    for k, (start, table) in enumerate(heads):
        end = heads[k + 1][0] if k + 1 < len(heads) else len(lines)
        name = None
        for raw in lines[start:end]:
            nm = re.match(r'^\s*name\s*=\s*"([^"]*)"', raw)
            if nm:
                name = nm.group(1)
                break
        out.append(_Block(table, start, end, name))
    return out


def ratchet(
    text: str,
    targets: dict[str, Fraction],
    *,
    prefix: str = "",
    origin: str = "config",
) -> tuple[str, list[RatchetChange]]:
    """Raise the minimums in a TOML document's text to ``targets``; never lower one.

    Edits the number tokens in place, keeping comments, spacing and key order, and
    only for keys the document already has (``line = 80`` in ``[gates]``, or a
    component's ``target = 80`` / ``target = { line = 80, ... }`` in its
    ``[[components]]`` block). ``prefix`` is ``"tool.covgap."`` for ``pyproject.toml``.
    The result is parsed again and checked to differ from the original in exactly the
    changed values; anything else is a :class:`ConfigError` and nothing is written.
    """
    lines = text.splitlines(keepends=True)
    changes: list[RatchetChange] = []

    def bump(i: int, key: str, pattern: str) -> None:
        target = targets.get(key)
        if target is None:
            return
        m = re.search(pattern, lines[i])
        if m is None:
            return
        old = exact(m.group("num").replace("_", ""))
        if target <= old:
            return
        new_num = _format_number(target, m.group("num"))
        lines[i] = lines[i][: m.start("num")] + new_num + lines[i][m.end("num") :]
        changes.append(RatchetChange(key, old, exact(new_num), i + 1))

    for block in _blocks(lines):
        rows = range(block.start, block.end)
        if block.table == f"{prefix}gates":
            for i in rows:
                for metric in ("line", "branch", "function"):
                    bump(i, f"gates.{metric}", rf"^\s*{metric}\s*=\s*(?P<num>{_NUMBER})\s*(#.*)?$")
        elif block.table == f"{prefix}components" and block.name is not None:
            for i in rows:
                if re.match(r"^\s*target\s*=\s*\{", lines[i]):
                    for metric in ("line", "branch", "function"):
                        bump(
                            i,
                            f"components.{block.name}.{metric}",
                            rf"\b{metric}\s*=\s*(?P<num>{_NUMBER})",
                        )
                else:
                    bump(
                        i,
                        f"components.{block.name}.line",
                        rf"^\s*target\s*=\s*(?P<num>{_NUMBER})\s*(#.*)?$",
                    )
    new_text = "".join(lines)
    _check_all_due_made(text, targets, changes, prefix, origin)
    if changes:
        _verify(text, new_text, changes, prefix, origin)
    return new_text, changes


def _written_minimums(doc: dict[str, Any]) -> dict[str, Fraction]:
    """The minimums a parsed config sets, by ratchet key (``gates.line``, ``components.x.line``)."""
    out: dict[str, Fraction] = {}
    gates = doc.get("gates", {})
    if isinstance(gates, dict):
        for metric in ("line", "branch", "function"):
            value = gates.get(metric)
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[f"gates.{metric}"] = exact(value)
    comps = doc.get("components", [])
    for comp in comps if isinstance(comps, list) else []:
        if not isinstance(comp, dict) or not isinstance(comp.get("name"), str):
            continue
        target = comp.get("target")
        if isinstance(target, dict):
            for metric, value in target.items():
                if isinstance(value, int | float) and not isinstance(value, bool):
                    out[f"components.{comp['name']}.{metric}"] = exact(value)
        elif isinstance(target, int | float) and not isinstance(target, bool):
            out[f"components.{comp['name']}.line"] = exact(target)
    return out


def _check_all_due_made(
    text: str,
    targets: dict[str, Fraction],
    changes: list[RatchetChange],
    prefix: str,
    origin: str,
) -> None:
    """Refuse to pretend: a minimum that is due a raise but was not edited is an error.

    That happens when the value is spelled in a way the in-place editor does not touch
    (``gates = { line = 80 }``, a dotted ``gates.line = 80``); saying "nothing to
    raise" then would be false.
    """
    try:
        doc = _dig(tomllib.loads(text), prefix.rstrip("."))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot ratchet: {exc}", path=origin) from None
    made = {c.key for c in changes}
    for key, written in sorted(_written_minimums(doc).items()):
        due = targets.get(key)
        if due is not None and due > written and key not in made:
            raise ConfigError(
                f"cannot ratchet {key} in place: write it as `{key.rsplit('.', 1)[-1]} = "
                "<number>` on its own line of the table (or `target = <number>` / "
                "`target = { ... }` in the component's block)",
                path=origin,
            )


def _dig(doc: dict[str, Any], dotted: str) -> dict[str, Any]:
    node: Any = doc
    for part in dotted.split(".") if dotted else []:
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def _verify(
    old_text: str, new_text: str, changes: list[RatchetChange], prefix: str, origin: str
) -> None:
    """Re-parse the edited text and check only the ratcheted values changed."""
    try:
        before = tomllib.loads(old_text)
        after = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"cannot ratchet: the edited file would not parse ({exc})", path=origin
        ) from None
    root_before = _dig(before, prefix.rstrip("."))
    root_after = _dig(after, prefix.rstrip("."))
    for ch in changes:
        section, *rest = ch.key.split(".")
        if section == "gates":
            root_before.setdefault("gates", {})[rest[0]] = "*"
            root_after.setdefault("gates", {})[rest[0]] = "*"
        else:
            name, metric = rest[0], rest[1]
            for root in (root_before, root_after):
                for comp in root.get("components", []):
                    if comp.get("name") == name:
                        if isinstance(comp.get("target"), dict):
                            comp["target"][metric] = "*"
                        else:
                            comp["target"] = "*"
    if before != after:
        raise ConfigError(
            "cannot ratchet: editing the minimums in place would change other values; "
            "edit the file by hand",
            path=origin,
        )


def config_key_line(text: str, key: str, prefix: str = "") -> int | None:
    """The 1-based line of ``key`` (``gates.patch``, ``components.core.target``) in ``text``.

    Reports point at the line that sets a failing rule's limit; None when the key is
    not written in the file (a default, or a detected component).
    """
    lines = text.splitlines()
    section, *rest = key.split(".")
    for block in _blocks(lines):
        if section == "gates" and block.table == f"{prefix}gates" and rest:
            for i in range(block.start, block.end):
                if re.match(rf"^\s*{re.escape(rest[0])}\s*=", lines[i]):
                    return i + 1
            return block.start + 1
        if section == "components" and block.table == f"{prefix}components" and rest:
            if block.name != rest[0]:
                continue
            attr = rest[1] if len(rest) > 1 else "name"
            for i in range(block.start, block.end):
                if re.match(rf"^\s*{re.escape(attr)}\s*=", lines[i]):
                    return i + 1
            return block.start + 1
    return None


def config_prefix(path: Path | None) -> str:
    """``tool.covgap.`` for ``pyproject.toml``, nothing for ``covgap.toml``."""
    return "tool.covgap." if path is not None and path.name == "pyproject.toml" else ""
