"""The extension → language table: every common spelling, and no extension claimed twice."""

from __future__ import annotations

from collections import Counter

import pytest

from covgap.languages import (
    LANGUAGES,
    canonical_name,
    find_language,
    language_info,
    language_of,
)


@pytest.mark.parametrize(
    ("path", "language"),
    [
        ("crates/core/src/lib.rs", "Rust"),
        ("src/covgap/model.py", "Python"),
        ("stubs/thing.pyi", "Python"),
        ("lib/app.rb", "Ruby"),
        ("lib/tasks/db.rake", "Ruby"),
        ("app.gemspec", "Ruby"),
        ("Rakefile", "Ruby"),
        ("sub/Gemfile", "Ruby"),
        ("web/src/index.ts", "TypeScript"),
        ("web/src/App.tsx", "TypeScript"),
        ("web/src/esm.mts", "TypeScript"),
        ("web/src/cjs.cts", "TypeScript"),
        ("web/src/main.js", "JavaScript"),
        ("web/src/App.jsx", "JavaScript"),
        ("web/src/esm.mjs", "JavaScript"),
        ("web/src/cjs.cjs", "JavaScript"),
        ("cmd/main.go", "Go"),
        ("src/x.c", "C"),
        ("include/x.h", "C"),
        ("src/x.cc", "C++"),
        ("src/x.cpp", "C++"),
        ("include/x.hpp", "C++"),
        ("src/main/java/A.java", "Java"),
        ("src/main/kotlin/A.kt", "Kotlin"),
        ("build.gradle.kts", "Kotlin"),
        ("src/A.scala", "Scala"),
        ("src/A.cs", "C#"),
        ("src/index.php", "PHP"),
        ("Sources/A.swift", "Swift"),
        ("SRC/MAIN.PY", "Python"),
        ("C:\\work\\app\\main.go", "Go"),
    ],
)
def test_language_of_known_extensions(path: str, language: str) -> None:
    assert language_of(path) == language


@pytest.mark.parametrize(
    "path", ["README", "Makefile", ".bashrc", "docs/notes.txt", "data.csv", "dir.d/", ""]
)
def test_language_of_unknown_is_none(path: str) -> None:
    assert language_of(path) is None


def test_no_extension_or_file_name_belongs_to_two_languages() -> None:
    owners: Counter[str] = Counter()
    for lang in LANGUAGES:
        for ext in {e.lower() for e in lang.extensions}:
            owners[ext] += 1
        for name in lang.filenames:
            owners[name] += 1
    assert [key for key, n in owners.items() if n > 1] == []


def test_names_and_keys_are_unique() -> None:
    names = [lang.name for lang in LANGUAGES]
    keys = [lang.key for lang in LANGUAGES]
    assert len(set(names)) == len(names)
    assert len(set(keys)) == len(keys)
    assert all(k == k.lower() and " " not in k for k in keys)


def test_lookup_by_name_or_key_is_case_insensitive() -> None:
    rust = find_language("RUST")
    assert rust is not None and rust.key == "rust"
    cpp = find_language("cpp")
    assert cpp is not None and cpp.name == "C++"
    assert find_language("c++") is cpp
    assert find_language("klingon") is None
    assert canonical_name("typescript") == "TypeScript"
    assert canonical_name("klingon") == "klingon"


def test_language_info_gives_the_record() -> None:
    info = language_info("a/b.tsx")
    assert info is not None
    assert (info.name, info.key) == ("TypeScript", "typescript")
