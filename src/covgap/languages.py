"""The one table of programming languages covgap knows, keyed by file extension.

Reports, component summaries and source analysis all need "what language is this
file?"; answering it in one place keeps a ``.mts`` file TypeScript in the terminal
table, the JSON report and the tree-sitter dispatch alike. Languages are identified by
their display ``name`` (``"TypeScript"``, ``"C++"``) in reports and by a lowercase
``key`` (``"typescript"``, ``"cpp"``) where code needs an identifier.

Only the extension (or, for extension-less files such as ``Rakefile``, the exact base
name) decides; contents are never read, so classifying 100,000 paths costs a dict
lookup each. A header ``.h`` counts as C: it is C++ as often, but without reading it
there is no better answer, and C is what gcov/lcov reports for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """A programming language: display name, identifier, and how its files are named."""

    name: str
    key: str
    extensions: tuple[str, ...]
    filenames: tuple[str, ...] = ()


LANGUAGES: tuple[Language, ...] = (
    Language("Rust", "rust", (".rs",)),
    Language("Python", "python", (".py", ".pyi", ".pyw", ".pyx", ".pxd")),
    Language(
        "Ruby",
        "ruby",
        (".rb", ".rake", ".gemspec", ".ru", ".erb", ".jbuilder"),
        ("Rakefile", "Gemfile", "Guardfile", "Capfile", "Vagrantfile"),
    ),
    Language("TypeScript", "typescript", (".ts", ".tsx", ".mts", ".cts")),
    Language("JavaScript", "javascript", (".js", ".jsx", ".mjs", ".cjs")),
    Language("Go", "go", (".go",)),
    Language("C", "c", (".c", ".h")),
    Language(
        "C++", "cpp", (".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", ".ipp", ".tpp")
    ),
    Language("Objective-C", "objc", (".m", ".mm")),
    Language("Java", "java", (".java",)),
    Language("Kotlin", "kotlin", (".kt", ".kts")),
    Language("Scala", "scala", (".scala", ".sc")),
    Language("Groovy", "groovy", (".groovy", ".gradle")),
    Language("C#", "csharp", (".cs", ".csx")),
    Language("F#", "fsharp", (".fs", ".fsi", ".fsx")),
    Language("Visual Basic", "vb", (".vb",)),
    Language("PHP", "php", (".php", ".phtml")),
    Language("Swift", "swift", (".swift",)),
    Language("Dart", "dart", (".dart",)),
    Language("Elixir", "elixir", (".ex", ".exs")),
    Language("Erlang", "erlang", (".erl", ".hrl")),
    Language("Haskell", "haskell", (".hs", ".lhs")),
    Language("OCaml", "ocaml", (".ml", ".mli")),
    Language("Clojure", "clojure", (".clj", ".cljs", ".cljc")),
    Language("Lua", "lua", (".lua",)),
    Language("Perl", "perl", (".pl", ".pm", ".t")),
    Language("R", "r", (".r", ".R")),
    Language("Julia", "julia", (".jl",)),
    Language("Zig", "zig", (".zig",)),
    Language("Nim", "nim", (".nim",)),
    Language("Crystal", "crystal", (".cr",)),
    Language("Fortran", "fortran", (".f", ".f90", ".f95", ".f03", ".for")),
    Language("Solidity", "solidity", (".sol",)),
    Language("Shell", "shell", (".sh", ".bash", ".zsh")),
    Language("Vue", "vue", (".vue",)),
    Language("Svelte", "svelte", (".svelte",)),
)

_BY_EXTENSION: dict[str, Language] = {}
_BY_FILENAME: dict[str, Language] = {}
_BY_NAME: dict[str, Language] = {}
for _lang in LANGUAGES:
    _BY_NAME[_lang.name.lower()] = _lang
    _BY_NAME[_lang.key] = _lang
    for _ext in _lang.extensions:
        # Extensions are case-sensitive only where case carries meaning (none here but
        # R's .r/.R, which agree); store them lowercased and look up lowercased.
        _BY_EXTENSION.setdefault(_ext.lower(), _lang)
    for _fname in _lang.filenames:
        _BY_FILENAME[_fname] = _lang
del _lang


def language_info(path: str) -> Language | None:
    """The language of ``path`` (any separator style), or None when unknown."""
    slash = max(path.rfind("/"), path.rfind("\\"))
    base = path[slash + 1 :]
    by_name = _BY_FILENAME.get(base)
    if by_name is not None:
        return by_name
    dot = base.rfind(".")
    if dot <= 0:  # no extension, or a dot-file such as ".bashrc"
        return None
    return _BY_EXTENSION.get(base[dot:].lower())


def language_of(path: str) -> str | None:
    """The display name of the language of ``path`` (``"TypeScript"``), or None."""
    lang = language_info(path)
    return lang.name if lang is not None else None


def find_language(name: str) -> Language | None:
    """Look a language up by display name or key, case-insensitively (for config values)."""
    return _BY_NAME.get(name.lower())


def canonical_name(name: str) -> str:
    """The display name for a user-written language (``"ts"`` stays ``"ts"``: unknown)."""
    lang = find_language(name)
    return lang.name if lang is not None else name


__all__ = [
    "LANGUAGES",
    "Language",
    "canonical_name",
    "find_language",
    "language_info",
    "language_of",
]
