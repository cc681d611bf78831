"""analyze_repo: classification, test-to-source links, skipped files, cache, parallelism."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from covgap.config import validate
from covgap.source import SourceIndex, analyze_repo
from covgap.source import repo as repo_mod
from covgap.source.classify import TestRules, default_is_test, default_test_kind
from covgap.workspace import Workspace

FIXTURE = Path(__file__).parents[1] / "data" / "source" / "repo"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A private copy of the fixture repository (not a git checkout: the tree is walked)."""
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    return root


def load(root: Path, table: dict[str, object] | None = None) -> Workspace:
    return Workspace.load(root, validate(table or {}))


def summary(index: SourceIndex) -> dict[str, tuple[str, str | None, list[str]]]:
    return {p: (f.kind, f.test_kind, f.tested_by) for p, f in index.files.items()}


def test_classification_and_links(tree: Path) -> None:
    index = analyze_repo(load(tree), cache=False, jobs=1)
    assert summary(index) == {
        "go/calc.go": ("source", None, ["go/calc_test.go"]),
        "go/calc_test.go": ("test", "unit", []),
        "python/src/shapes/__init__.py": ("source", None, []),
        "python/src/shapes/area.py": (
            "source",
            None,
            ["python/tests/integration/test_roundtrip.py", "python/tests/test_area.py"],
        ),
        "python/src/shapes/parse.py": (
            "source",
            None,
            ["python/tests/integration/test_roundtrip.py"],
        ),
        "python/src/shapes/render.py": ("source", None, []),
        "python/tests/integration/test_roundtrip.py": ("test", "integration", []),
        "python/tests/test_area.py": ("test", "unit", []),
        "ruby/lib/widgets.rb": ("source", None, ["ruby/spec/widgets/gadget_spec.rb"]),
        "ruby/lib/widgets/catalog.rb": ("source", None, []),
        "ruby/lib/widgets/gadget.rb": (
            "source",
            None,
            ["ruby/spec/widgets/gadget_spec.rb", "ruby/test/test_gadget.rb"],
        ),
        "ruby/spec/widgets/gadget_spec.rb": ("test", "unit", []),
        "ruby/test/test_gadget.rb": ("test", "unit", []),
        "rust-extra/props.rs": ("source", None, []),
        "rust/src/counter.rs": ("source", None, ["rust/tests/counting.rs"]),
        "rust/src/lib.rs": ("source", None, []),
        "rust/src/report.rs": ("source", None, []),
        "rust/tests/counting.rs": ("test", "integration", []),
        "web/e2e/checkout.e2e.ts": ("test", "e2e", []),
        "web/lib/util.js": ("source", None, ["web/test/util.spec.js"]),
        "web/src/cart.test.ts": ("test", "unit", []),
        "web/src/cart.ts": ("source", None, ["web/src/cart.test.ts"]),
        "web/src/view.tsx": ("source", None, []),
        "web/test/util.spec.js": ("test", "unit", []),
    }
    assert index.skipped == []
    # components come from the workspace (detected from the manifests)
    assert index.files["rust/src/lib.rs"].component == "tally-core"
    # three #[test]s of its own; its three doc examples (one ```ignore) are doctests
    lib = index.files["rust/src/lib.rs"]
    assert lib.inline_tests == 3
    assert [(t.kind, t.skipped) for t in lib.doctests] == [("doctest", False)] * 2 + [
        ("doctest", True)
    ]
    assert index.files["rust/tests/counting.rs"].inline_tests == 0


def test_config_globs_override_the_defaults(tree: Path) -> None:
    table = {
        "tests": {
            "e2e": ["python/tests/integration/**"],
            "integration": ["web/src/*.test.ts"],
            "ignore": ["go/**", "rust-extra/**"],
        }
    }
    index = analyze_repo(load(tree, table), cache=False, jobs=1)
    kinds = {p: f.test_kind for p, f in index.files.items() if f.kind == "test"}
    assert kinds["python/tests/integration/test_roundtrip.py"] == "e2e"
    assert kinds["web/src/cart.test.ts"] == "integration"
    assert not any(p.startswith(("go/", "rust-extra/")) for p in index.files)


def test_unit_glob_turns_a_source_file_into_a_test_file(tree: Path) -> None:
    index = analyze_repo(load(tree, {"tests": {"unit": ["rust-extra/*.rs"]}}), cache=False)
    sf = index.files["rust-extra/props.rs"]
    assert (sf.kind, sf.test_kind, sf.inline_tests) == ("test", "unit", 0)


def test_unanalysable_files_are_skipped_with_a_reason(tree: Path) -> None:
    (tree / "python/src/shapes/blob.py").write_bytes(b"\x00\x01binary")
    (tree / "python/src/shapes/huge.py").write_bytes(b"x = 1\n" * 400_000)
    (tree / "python/src/shapes/broken.py").write_bytes(b"def f(:\n    pass\n")
    index = analyze_repo(load(tree), cache=False, jobs=1)
    assert index.skipped == [
        ("python/src/shapes/blob.py", "binary file"),
        ("python/src/shapes/broken.py", "syntax error at line 1"),
        ("python/src/shapes/huge.py", "larger than 2 MB (generated?)"),
    ]
    assert "python/src/shapes/blob.py" not in index.files
    assert "python/src/shapes/huge.py" not in index.files
    # a file with syntax errors keeps what tree-sitter recovered
    assert index.files["python/src/shapes/broken.py"].lines == 2


def test_an_analyser_crash_costs_one_file(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = repo_mod.analyze_source

    def flaky(path: str, text: bytes, language: str, *, is_test: bool | None = None):  # type: ignore[no-untyped-def]
        if path.endswith("render.py"):
            raise RuntimeError("boom")
        return real(path, text, language, is_test=is_test)

    monkeypatch.setattr(repo_mod, "analyze_source", flaky)
    index = analyze_repo(load(tree), cache=False, jobs=1)
    assert ("python/src/shapes/render.py", "analysis failed: RuntimeError: boom") in index.skipped
    assert "python/src/shapes/render.py" not in index.files
    assert "python/src/shapes/area.py" in index.files


@pytest.mark.parametrize("batch", [repo_mod.BATCH, 3])
def test_second_run_is_served_from_the_cache(
    tree: Path, monkeypatch: pytest.MonkeyPatch, batch: int
) -> None:
    """Lookups go :data:`BATCH` keys per query; 3 splits the tree into several batches
    and a shorter last one, each of which must be served whole."""
    monkeypatch.setattr(repo_mod, "BATCH", batch)
    first = analyze_repo(load(tree), jobs=1)
    assert len(first.files) > 2 * batch or batch == repo_mod.BATCH
    assert (tree / ".covgap/cache/.gitignore").read_text() == "*\n"
    assert len(repo_mod.SourceCache(tree)) == len(first.files)

    def no_parsing(*args: object, **kwargs: object) -> object:
        raise AssertionError("a cached file was parsed again")

    monkeypatch.setattr(repo_mod, "_analyze_chunk", no_parsing)
    second = analyze_repo(load(tree), jobs=1)
    assert second == first


def test_changed_content_misses_the_cache_and_deleting_the_cache_is_safe(tree: Path) -> None:
    analyze_repo(load(tree), jobs=1)
    target = tree / "python/src/shapes/render.py"
    target.write_text(target.read_text() + "\n\ndef extra():\n    return 2\n")
    index = analyze_repo(load(tree), jobs=1)
    assert [f.qualname for f in index.files["python/src/shapes/render.py"].functions] == [
        "render",
        "extra",
    ]
    shutil.rmtree(tree / ".covgap")
    assert analyze_repo(load(tree), jobs=1) == index


def test_parallel_and_serial_agree(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repo_mod, "PARALLEL_MIN_FILES", 1)
    serial = analyze_repo(load(tree), cache=False, jobs=1)
    parallel = analyze_repo(load(tree), jobs=2)
    assert parallel == serial
    # every result the workers sent back was written to the cache
    assert len(repo_mod.SourceCache(tree)) == len({f.path for f in serial.files.values()})


def test_results_sent_as_cache_rows_equal_the_analysis(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers send each result as its cache row (issue 14); decoded, it is the analysis
    itself: every field :func:`analyze_source` sets, equal (the others are the repo's)."""
    from dataclasses import replace

    from covgap.source.analyze import analyze_source

    monkeypatch.setattr(repo_mod, "PARALLEL_MIN_FILES", 1)
    ws = load(tree)
    index = analyze_repo(ws, cache=False, jobs=2)
    assert len(index.files) > 10
    functions = 0
    for path, sf in index.files.items():
        language = repo_mod.language_of(ws, path)
        assert language is not None
        direct = analyze_source(
            path, (tree / path).read_bytes(), language, is_test=sf.kind == "test"
        )
        repo_level = {
            "kind": sf.kind,
            "test_kind": sf.test_kind,
            "inline_tests": sf.inline_tests,
            "tested_by": sf.tested_by,
            "component": sf.component,
            "tooling_rule": sf.tooling_rule,
        }
        assert replace(direct, **repo_level) == sf, path
        functions += len(sf.functions)
    assert functions > 10


def test_progress_reports_parsed_files(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repo_mod, "CHUNK", 5)
    calls: list[tuple[int, int]] = []
    index = analyze_repo(
        load(tree), cache=False, jobs=1, progress=lambda d, t: calls.append((d, t))
    )
    total = len(index.files)
    assert calls == [(min(n, total), total) for n in range(5, total + 5, 5)]


def test_paths_limits_the_analysis(tree: Path) -> None:
    index = analyze_repo(load(tree), cache=False, paths=["go/calc.go", "README.md"])
    assert list(index.files) == ["go/calc.go"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("pkg/test_a.py", True),
        ("pkg/a_test.py", True),
        ("pkg/conftest.py", True),
        ("pkg/testing.py", False),
        ("a/b_test.go", True),
        ("spec/models/user_spec.rb", True),
        ("lib/user.rb", False),
        ("src/a.test.tsx", True),
        ("src/a.spec.mjs", True),
        ("src/latest.ts", False),
        ("src/__tests__/a.js", True),
        ("crates/x/tests/it.rs", True),
        ("crates/x/src/parser/tests.rs", True),
        ("crates/x/src/contest.rs", False),
        ("Foo.java", False),
    ],
)
def test_default_is_test(path: str, expected: bool) -> None:
    assert default_is_test(path) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tests/test_a.py", "unit"),
        ("tests/integration/test_a.py", "integration"),
        ("tests/test_db_integration.py", "integration"),
        ("e2e/login.spec.ts", "e2e"),
        ("src/checkout.e2e.ts", "e2e"),
        ("cypress/e2e/a.cy.js", "e2e"),
        ("crates/x/tests/it.rs", "integration"),
        ("crates/x/src/a/tests.rs", "unit"),
        ("tests/data/crate/src/main.rs", "unit"),
    ],
)
def test_default_test_kind(path: str, expected: str) -> None:
    assert default_test_kind(path) == expected


def test_rules_check_e2e_then_integration_then_unit() -> None:
    rules = TestRules.from_config({"unit": ["t/**"], "e2e": ["t/e2e/**"]})
    assert rules.classify("t/e2e/a.py") == ("test", "e2e")
    assert rules.classify("t/a.py") == ("test", "unit")
    assert rules.classify("src/a.py") == ("source", None)


def test_rust_test_module_files_link_to_their_parent_module(tmp_path: Path) -> None:
    files = {
        "Cargo.toml": '[package]\nname = "k"\n',
        "src/lib.rs": "#[cfg(test)]\nmod tests;\npub mod a;\n",
        "src/tests.rs": "#[test]\nfn t() {}\n",
        "src/a/mod.rs": "#[cfg(test)]\nmod tests;\npub fn f() {}\n",
        "src/a/tests.rs": "use super::*;\n#[test]\nfn t() { f(); }\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    index = analyze_repo(load(tmp_path), cache=False, jobs=1)
    assert index.files["src/lib.rs"].tested_by == ["src/tests.rs"]
    assert index.files["src/a/mod.rs"].tested_by == ["src/a/tests.rs"]
    assert index.files["src/a/tests.rs"].test_kind == "unit"


def test_a_fallback_result_in_the_cache_never_shadows_tree_sitter(  # type: ignore[no-untyped-def]
    tree: Path, missing_grammars, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10: installing the grammars after a fallback run gives the real counts."""
    from covgap.source import _ts

    real_loader = _ts.load_language
    missing_grammars("rust", "python", "ruby")
    before = analyze_repo(load(tree), jobs=1)
    lib = before.files["rust/src/lib.rs"]
    assert (lib.analyser, lib.doctests) == ("regex", [])
    cached = len(repo_mod.SourceCache(tree))
    assert cached
    # the grammars are installed now (same covgap, same files, same cache)
    monkeypatch.setattr(_ts, "load_language", real_loader)
    _ts.reset_grammars()
    after = analyze_repo(load(tree), jobs=1)
    lib = after.files["rust/src/lib.rs"]
    assert lib.analyser == "tree-sitter"
    assert len(lib.doctests) == 3 and lib.error_paths
    assert all(sf.analyser == "tree-sitter" for sf in after.files.values() if sf.language == "rust")
    # both results stay cached, each under its own analyser's key
    assert len(repo_mod.SourceCache(tree)) > cached


def test_cache_key_names_the_analyser_and_grammar_versions(  # type: ignore[no-untyped-def]
    missing_grammars,
) -> None:
    from importlib.metadata import version

    from covgap.source import _ts

    identity = _ts.analyser_identity("rust")
    assert identity == (
        f"tree-sitter {version('tree-sitter')} tree-sitter-rust {version('tree-sitter-rust')}"
    )
    key = repo_mod.cache_key(b"fn main() {}\n", "rust", "src/main.rs", False)
    missing_grammars("rust")
    assert _ts.analyser_identity("rust") == "regex"
    assert repo_mod.cache_key(b"fn main() {}\n", "rust", "src/main.rs", False) != key
    assert _ts.analyser_identity(None) == "regex"


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("eslint.config.mjs", "tool configuration"),
        ("web/vite.config.ts", "tool configuration"),
        ("jest.config.cjs", "tool configuration"),
        ("karma.conf.js", "tool configuration"),
        ("web/.eslintrc.js", "tool configuration"),
        ("gulpfile.js", "gulp tasks"),
        ("setup.py", "Python packaging script"),
        ("tests/conftest.py", "pytest configuration"),
        ("noxfile.py", "nox sessions"),
        ("docs/conf.py", "Sphinx configuration"),
        ("Rakefile", "Rake tasks"),
        ("widgets.gemspec", "gem specification"),
        ("crates/core/build.rs", "Cargo build script"),
        (".github/scripts/release.py", "CI (.github/)"),
        (".ci/lint.sh", "CI (.ci/)"),
        # not tooling
        ("src/config.ts", None),
        ("src/app/config.py", None),
        ("crates/core/src/build.rs", None),  # a module named build, not a build script
        ("app/tasks.py", None),
        ("conf.py", None),
        ("src/setup_wizard.py", None),
    ],
)
def test_default_tooling(path: str, rule: str | None) -> None:
    from covgap.source.classify import default_tooling

    assert default_tooling(path) == rule
    expected = "tooling" if rule else ("test" if "tests/" in path else "source")
    assert TestRules().classify(path)[0] == expected


def test_classify_config_globs_and_their_order() -> None:
    rules = TestRules.from_config(
        {"unit": ["tests/conftest.py"]},
        {"tooling": ["scripts/**", "src/gen.py"], "source": ["setup.py", "src/gen.py"]},
    )
    assert rules.classify("tests/conftest.py") == ("test", "unit")  # [tests] first
    assert rules.classify("scripts/release.py") == ("tooling", None)
    assert rules.tooling_rule("scripts/release.py") == "[classify] tooling"
    assert rules.classify("src/gen.py") == ("tooling", None)  # tooling before source
    assert rules.classify("setup.py") == ("source", None)  # over the default
    assert rules.tooling_rule("setup.py") is None
    assert rules.classify("eslint.config.mjs") == ("tooling", None)


def test_classify_config_is_validated() -> None:
    from covgap.errors import ConfigError

    with pytest.raises(ConfigError, match=r"classify\.tests"):
        validate({"classify": {"tests": ["x"]}})
    with pytest.raises(ConfigError, match=r"classify\.tooling"):
        validate({"classify": {"tooling": "x"}})


def test_a_cache_file_that_is_not_a_database_is_replaced(tree: Path) -> None:
    """A truncated or overwritten cache must cost one cold run, not every run."""
    cache_file = tree / repo_mod.CACHE_FILE
    cache_file.parent.mkdir(parents=True)
    cache_file.write_bytes(b"not a database at all" * 100)
    first = analyze_repo(load(tree), jobs=1)
    assert len(repo_mod.SourceCache(tree)) == len(first.files)
    assert analyze_repo(load(tree), jobs=1) == first


def test_one_transaction_per_run_not_one_file_per_result(tree: Path) -> None:
    analyze_repo(load(tree), jobs=1)
    assert sorted(p.name for p in (tree / ".covgap/cache").iterdir()) == [
        ".gitignore",
        "source-v2.sqlite",
    ]


def test_a_started_analysis_parses_while_the_caller_works(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """start_analysis hands the misses to workers and returns: the result is the same as
    analyze_repo's, and closing an analysis nobody waited for stops its workers."""
    monkeypatch.setattr(repo_mod, "PARALLEL_MIN_FILES", 1)
    expected = analyze_repo(load(tree), cache=False, jobs=1)
    pending = repo_mod.start_analysis(load(tree), cache=False, jobs=2)
    assert pending._runner.pool is not None  # the workers were started already
    assert pending.result() == expected
    assert pending.result() is pending.result()
    assert pending._runner.pool is None
    with repo_mod.start_analysis(load(tree), cache=False, jobs=2) as abandoned:
        runner = abandoned._runner
        assert runner.pool is not None
    assert runner.pool is None


def test_a_cache_path_that_cannot_be_a_database_is_only_a_miss(tree: Path) -> None:
    """A directory where the cache file goes: no cache this run, never an error."""
    (tree / repo_mod.CACHE_FILE).mkdir(parents=True)
    first = analyze_repo(load(tree), jobs=1)
    assert first.files and len(repo_mod.SourceCache(tree)) == 0
    assert analyze_repo(load(tree), jobs=1) == first


def test_type_declarations_are_not_source(tmp_path: Path) -> None:
    """``.d.ts`` and ``.pyi`` hold no statement that runs: never source files owed tests,
    never parsed (tree-sitter-typescript reports ``global {}`` in ``declare module`` as a
    syntax error), whatever their case; a module named ``d.ts``-like stays source."""
    root = tmp_path / "repo"
    files = {
        "src/a.ts": "export function f(a: number): number {\n  return a;\n}\n",
        "src/types.d.ts": 'declare module "x" {\n  global {\n    interface Foo {}\n  }\n}\n',
        "src/esm.d.mts": "export declare function g(): void;\n",
        "src/CJS.D.CTS": "export declare function h(): void;\n",
        "src/odd.ts": "export const d = 1;\n",  # ends in .ts, not .d.ts
        "pkg/mod.py": "def f():\n    return 1\n",
        "pkg/mod.pyi": "def f() -> int: ...\n",
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    ws = load(root)
    index = analyze_repo(ws, cache=False, jobs=1)
    assert sorted(index.files) == ["pkg/mod.py", "src/a.ts", "src/odd.ts"]
    assert index.skipped == []
    assert repo_mod.language_of(ws, "src/types.d.ts") is None
    assert repo_mod.language_of(ws, "pkg/mod.pyi") is None
