"""The tests inventory: the table the gap-analysis document used to tabulate by hand.

"Source files with tests 178/413", "Inline tests: 0", "Integration test files: 115":
this module computes those numbers from a :class:`SourceIndex`, per language and per
component too. Definitions, so the numbers mean one thing:

* a source file **has tests** when it defines at least one inline test that is not
  skipped, or a test file is linked to it (``tested_by``);
* **tests** count test definitions as written (a parametrised test counts once),
  wherever they are defined; **skipped** ones (``#[ignore]``, ``xit``, skip marks...)
  are counted apart, because they cover nothing; **property** tests are the
  ``property`` kind (proptest, hypothesis, fast-check...);
* **doctests** (Rust doc examples, run by ``cargo test --doc``) are counted apart from
  a file's **inline tests** (its own ``#[test]``s...), as cargo lists them apart;
  ``ignore`` ones are *ignored*, ``no_run``/``compile_fail`` ones *compile-only*
  (compiled, never run); both are in ``tests``;
* **tooling** files (``eslint.config.mjs``, ``setup.py``, CI scripts: see
  :mod:`covgap.source.classify`) are neither source nor test files; they are listed apart;
* languages and components are those of the file defining the test.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from covgap.source.records import SourceFile, SourceIndex

NO_COMPONENT = "(root)"


def has_tests(sf: SourceFile) -> bool:
    """Whether a source file is exercised by a test of its own or a linked test file.

    A doctest that is only compiled (``no_run``, ``compile_fail``) exercises nothing.
    """
    return bool(sf.tested_by) or any(not t.skipped and not t.compile_only for t in sf.tests)


@dataclass
class DoctestCount:
    """Doctests of some files: all of them, and how many are ignored or compile-only."""

    total: int = 0
    ignored: int = 0
    no_run: int = 0
    files: int = 0

    def add(self, sf: SourceFile) -> None:
        doctests = sf.doctests
        if not doctests:
            return
        self.files += 1
        self.total += len(doctests)
        self.ignored += sum(t.skipped for t in doctests)
        self.no_run += sum(t.compile_only for t in doctests)


@dataclass
class GroupRow:
    """Counts for one language or one component."""

    name: str
    source_files: int = 0
    tested_source_files: int = 0
    test_files: int = 0
    tests: int = 0
    skipped_tests: int = 0
    property_tests: int = 0
    inline_tests: int = 0
    doctests: int = 0
    tooling_files: int = 0

    def add(self, sf: SourceFile) -> None:
        if sf.kind == "source":
            self.source_files += 1
            self.tested_source_files += has_tests(sf)
            self.inline_tests += sf.inline_tests
        elif sf.kind == "tooling":
            self.tooling_files += 1
        else:
            self.test_files += 1
        self.doctests += len(sf.doctests)
        self.tests += len(sf.tests)
        self.skipped_tests += sum(t.skipped for t in sf.tests)
        self.property_tests += sum(t.kind == "property" for t in sf.tests)


@dataclass
class Inventory:
    """Every number ``covgap tests`` prints, plus the files behind the lists."""

    source_files: int = 0
    tested_source_files: int = 0
    inline_tests: int = 0
    files_with_inline_tests: int = 0
    test_files: int = 0
    test_files_by_kind: dict[str, int] = field(default_factory=dict)
    tests: int = 0
    skipped_tests: int = 0
    property_tests: int = 0
    tests_by_kind: dict[str, int] = field(default_factory=dict)
    languages: list[GroupRow] = field(default_factory=list)
    components: list[GroupRow] = field(default_factory=list)
    inline: list[SourceFile] = field(default_factory=list)
    integration_files: list[SourceFile] = field(default_factory=list)
    e2e_files: list[SourceFile] = field(default_factory=list)
    untested_largest: list[SourceFile] = field(default_factory=list)
    doctests: DoctestCount = field(default_factory=DoctestCount)
    tooling: list[SourceFile] = field(default_factory=list)
    index: SourceIndex = field(default_factory=SourceIndex)


def build_inventory(index: SourceIndex, *, top: int = 10) -> Inventory:
    """Summarise ``index``; ``top`` bounds the list of largest files without tests."""
    inv = Inventory(index=index)
    languages: dict[str, GroupRow] = {}
    components: dict[str, GroupRow] = {}
    kinds: Counter[str] = Counter()
    file_kinds: Counter[str] = Counter({"unit": 0, "integration": 0, "e2e": 0})
    for sf in index.files.values():
        lang = sf.language or "unknown"
        languages.setdefault(lang, GroupRow(lang)).add(sf)
        comp = sf.component or NO_COMPONENT
        components.setdefault(comp, GroupRow(comp)).add(sf)
        inv.tests += len(sf.tests)
        inv.skipped_tests += sum(t.skipped for t in sf.tests)
        inv.property_tests += sum(t.kind == "property" for t in sf.tests)
        kinds.update(t.kind for t in sf.tests)
        inv.doctests.add(sf)
        if sf.kind == "tooling":
            inv.tooling.append(sf)
        elif sf.kind == "source":
            inv.source_files += 1
            inv.tested_source_files += has_tests(sf)
            if sf.inline_tests:
                inv.inline_tests += sf.inline_tests
                inv.inline.append(sf)
        else:
            inv.test_files += 1
            file_kinds[sf.test_kind or "unit"] += 1
            if sf.test_kind == "integration":
                inv.integration_files.append(sf)
            elif sf.test_kind == "e2e":
                inv.e2e_files.append(sf)
    inv.files_with_inline_tests = len(inv.inline)
    inv.inline.sort(key=lambda f: (-f.inline_tests, f.path))
    inv.test_files_by_kind = dict(file_kinds)
    inv.tests_by_kind = dict(sorted(kinds.items()))
    inv.languages = sorted(
        languages.values(), key=lambda r: (-r.source_files - r.test_files, r.name)
    )
    inv.components = sorted(components.values(), key=lambda r: r.name.casefold())
    untested = [sf for sf in index.files.values() if sf.kind == "source" and not has_tests(sf)]
    untested.sort(key=lambda f: (-f.lines, f.path))
    inv.untested_largest = untested[:top]
    return inv
