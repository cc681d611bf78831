"""What the source analysis could not do, said once per language.

A degraded answer must never look like a complete one: when files were analysed by the
regex fallback (a language covgap has no grammar for, or a grammar wheel that is not
installed) or tree-sitter met syntax errors, every command that shows the analysis
says so — one line per language on stderr, and the same notes in its JSON and
Markdown — naming what is missing ("Rust: 3 files analysed without tree-sitter
(tree_sitter_rust is not installed): ...; doctests, error paths and imports not found").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from covgap.languages import find_language
from covgap.source import fallback
from covgap.source.records import SourceIndex

MAX_EXAMPLES = 3


def _language_name(key: str | None) -> str:
    lang = find_language(key) if key else None
    return lang.name if lang is not None else (key or "unknown")


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


@dataclass(frozen=True)
class AnalysisNote:
    """One language's fallback (``kind="fallback"``) or syntax errors (``"syntax_errors"``)."""

    language: str
    kind: str
    reason: str
    files: int
    found: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    examples: tuple[str, ...] = field(default_factory=tuple)

    @property
    def message(self) -> str:
        name = _language_name(self.language)
        count = f"{self.files:,} file{'s' if self.files != 1 else ''}"
        if self.kind == "syntax_errors":
            shown = "; ".join(self.examples)
            more = (
                f"; … {self.files - len(self.examples)} more"
                if self.files > len(self.examples)
                else ""
            )
            return (
                f"{name}: {count} with syntax errors, analysed as far as tree-sitter "
                f"recovered; functions, tests and error paths near the errors may be "
                f"missing ({shown}{more})"
            )
        parts = []
        if self.found:
            parts.append(f"{_join(list(self.found))} found by regex")
        missing = list(self.missing)
        if "tests" in missing:
            parts.append("tests not counted")
            missing.remove("tests")
        if missing:
            parts.append(f"{_join(missing)} not found")
        return f"{name}: {count} analysed without tree-sitter ({self.reason}): " + "; ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": _language_name(self.language),
            "kind": self.kind,
            "analyser": "regex" if self.kind == "fallback" else "tree-sitter",
            "reason": self.reason,
            "files": self.files,
            "found": list(self.found),
            "missing": list(self.missing),
            "message": self.message,
        }


def analysis_notes(index: SourceIndex) -> list[AnalysisNote]:
    """The fallbacks and syntax errors of ``index``, one note per language and reason."""
    fallbacks: dict[tuple[str, str], list[str]] = {}
    broken: dict[str, list[str]] = {}
    for sf in index.files.values():
        language = sf.language or "unknown"
        if sf.analyser == "regex":
            fallbacks.setdefault((language, sf.fallback_reason or "no grammar"), []).append(sf.path)
        elif sf.parse_error is not None and sf.parse_error.startswith("syntax error"):
            broken.setdefault(language, []).append(f"{sf.path}: {sf.parse_error}")
    notes = []
    for (language, reason), paths in sorted(fallbacks.items()):
        found, missing = fallback.capabilities(language)
        notes.append(
            AnalysisNote(
                language,
                "fallback",
                reason,
                len(paths),
                tuple(found),
                tuple(missing),
                tuple(sorted(paths)[:MAX_EXAMPLES]),
            )
        )
    for language, problems in sorted(broken.items()):
        notes.append(
            AnalysisNote(
                language,
                "syntax_errors",
                "tree-sitter met syntax errors",
                len(problems),
                examples=tuple(sorted(problems)[:MAX_EXAMPLES]),
            )
        )
    return notes
