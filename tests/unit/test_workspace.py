"""Workspace: files from git or the tree, languages, declared and detected components."""

from __future__ import annotations

import functools
import json
import subprocess
import time
from pathlib import Path

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import require_tool
from covgap.config import Config, validate
from covgap.errors import InputError
from covgap.workspace import (
    OUTSIDE_GROUP,
    ROOT_GROUP,
    Component,
    Workspace,
    git_files,
    walk_files,
)


def make_tree(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` (relative path → content) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=root,
        check=True,
        capture_output=True,
    )


def git_repo(root: Path, files: dict[str, str]) -> Path:
    require_tool("git")
    make_tree(root, files)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


def load(root: Path, toml: str = "") -> Workspace:
    import tomllib

    return Workspace.load(root, validate(tomllib.loads(toml)) if toml else Config())


def names(ws: Workspace) -> dict[str, tuple[str, ...]]:
    return {c.name: c.paths for c in ws.components}


# -- files -----------------------------------------------------------------------------


def test_git_lists_tracked_and_untracked_but_not_ignored_or_deleted(tmp_path: Path) -> None:
    repo = git_repo(
        tmp_path,
        {
            ".gitignore": "build/\n*.log\n",
            "src/a.py": "",
            "src/gone.py": "",
            "README.md": "",
        },
    )
    make_tree(repo, {"src/new.py": "", "build/out.py": "", "debug.log": ""})
    (repo / "src/gone.py").unlink()
    # A sparse checkout's skip-worktree file is not in the work tree either.
    git(repo, "update-index", "--skip-worktree", "README.md")
    (repo / "README.md").unlink()
    ws = load(repo)
    assert ws.from_git
    assert ws.files == [".gitignore", "src/a.py", "src/new.py"]


def test_git_root_below_the_top_of_the_work_tree_lists_its_own_subtree(tmp_path: Path) -> None:
    repo = git_repo(tmp_path, {"top.py": "", "sub/pkg/a.py": "", "sub/b.rs": ""})
    make_tree(repo, {"sub/untracked.ts": ""})
    ws = load(repo / "sub")
    assert ws.from_git
    assert ws.files == ["b.rs", "pkg/a.py", "untracked.ts"]


def test_git_submodule_entries_are_not_files(tmp_path: Path) -> None:
    repo = git_repo(tmp_path / "main", {"a.py": ""})
    inner = git_repo(tmp_path / "inner", {"b.py": ""})
    git(repo, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(inner), "lib")
    files = git_files(repo)
    assert files is not None
    assert "lib" not in files
    assert "a.py" in files and ".gitmodules" in files


def test_outside_git_the_tree_is_walked_skipping_generated_dirs(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "src/a.py": "",
            "src/sub/b.rs": "",
            "node_modules/x/index.js": "",
            "target/debug/x.rs": "",
            ".venv/lib/x.py": "",
            "venv/lib/x.py": "",
            "src/__pycache__/a.pyc": "",
            "dist/x.js": "",
            "build/x.c": "",
            ".covgap/cache": "",
            ".git/HEAD": "",
        },
    )
    ws = load(tmp_path)
    assert not ws.from_git
    assert ws.files == ["src/a.py", "src/sub/b.rs"]


def test_walk_does_not_follow_directory_symlinks(tmp_path: Path) -> None:
    make_tree(tmp_path, {"real/a.py": ""})
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert walk_files(tmp_path) == ["real/a.py"]


# -- languages -------------------------------------------------------------------------


def test_language_of_uses_the_shared_table(tmp_path: Path) -> None:
    ws = Workspace(tmp_path, ["a.tsx", "b.pyi", "c.txt"])
    assert [ws.language_of(p) for p in ws.files] == ["TypeScript", "Python", None]


# -- component detection ---------------------------------------------------------------

CARGO = {
    "Cargo.toml": (
        '[workspace]\nmembers = ["crates/*", "tools/gen"]\nexclude = ["crates/skipped"]\n'
        '[package]\nname = "app"\n'
    ),
    "src/main.rs": "",
    "crates/core/Cargo.toml": '[package]\nname = "app-core"\nversion = "0.1.0"\n',
    "crates/core/src/lib.rs": "",
    "crates/cli/Cargo.toml": '[package]\nname = "app-cli"\n',
    "crates/cli/src/main.rs": "",
    "crates/skipped/Cargo.toml": '[package]\nname = "skipped"\n',
    "tools/gen/Cargo.toml": '[package]\nname = "gen"\n',
    "tools/gen/src/main.rs": "",
    "tools/other/Cargo.toml": '[package]\nname = "not-a-member"\n',
}


def test_cargo_workspace_members_globs_exclude_and_root_package(tmp_path: Path) -> None:
    ws = load(make_tree(tmp_path, CARGO))
    assert names(ws) == {
        "app": ("**",),
        "app-cli": ("crates/cli/**",),
        "app-core": ("crates/core/**",),
        "gen": ("tools/gen/**",),
    }
    assert {c.origin for c in ws.components} == {"cargo"}
    assert all(c.language == "Rust" for c in ws.components)


def test_stand_alone_crate_and_fixture_crates(tmp_path: Path) -> None:
    ws = load(
        make_tree(
            tmp_path,
            {
                "rust/engine/Cargo.toml": '[package]\nname = "engine"\n',
                "rust/engine/src/lib.rs": "",
                "tests/fixtures/demo/Cargo.toml": '[package]\nname = "demo"\n',
                "virtual/Cargo.toml": "[workspace]\nmembers = []\n",
            },
        )
    )
    assert names(ws) == {"engine": ("rust/engine/**",)}


def test_npm_workspaces_array_object_and_pnpm(tmp_path: Path) -> None:
    ws = load(
        make_tree(
            tmp_path,
            {
                "package.json": (
                    '{"name": "monorepo", "private": true, "workspaces": ["packages/*"]}'
                ),
                "packages/ui/package.json": '{"name": "@acme/ui"}',
                "packages/ui/src/button.tsx": "",
                "packages/noname/package.json": "{}",
                "packages/noname/index.js": "",
                "apps/package.json": '{"workspaces": {"packages": ["web", "!legacy"]}}',
                "apps/web/package.json": '{"name": "web-app"}',
                "apps/web/main.mjs": "",
                "apps/legacy/package.json": '{"name": "legacy"}',
                "js/pnpm-workspace.yaml": "packages:\n  - 'libs/**'\n  - \"!libs/old\"\n",
                "js/package.json": '{"name": "pnpm-root"}',
                "js/libs/a/package.json": '{"name": "lib-a"}',
                "js/libs/nested/b/package.json": '{"name": "lib-b"}',
                "js/libs/old/package.json": '{"name": "old"}',
                "site/package.json": '{"name": "site"}',
                "site/src/index.ts": "",
                "node_modules/dep/package.json": '{"name": "dep"}',
            },
        )
    )
    assert names(ws) == {
        "@acme/ui": ("packages/ui/**",),
        "noname": ("packages/noname/**",),
        "web-app": ("apps/web/**",),
        "lib-a": ("js/libs/a/**",),
        "lib-b": ("js/libs/nested/b/**",),
        "site": ("site/**",),
    }
    langs = {c.name: c.language for c in ws.components}
    assert langs["@acme/ui"] == "TypeScript"
    assert langs["web-app"] == "JavaScript"
    assert langs["lib-a"] == "JavaScript"  # no sources: the manifest's language


def test_pyproject_project_and_poetry_names(tmp_path: Path) -> None:
    ws = load(
        make_tree(
            tmp_path,
            {
                "python/tool/pyproject.toml": '[project]\nname = "tool"\n',
                "python/tool/src/tool/__init__.py": "",
                "python/old/pyproject.toml": '[tool.poetry]\nname = "old-style"\n',
                "python/old/old_style/x.py": "",
                "python/config-only/pyproject.toml": "[tool.ruff]\nline-length = 100\n",
            },
        )
    )
    assert names(ws) == {"tool": ("python/tool/**",), "old-style": ("python/old/**",)}
    assert {c.origin for c in ws.components} == {"pyproject"}


def test_go_modules_names_and_module_paths(tmp_path: Path) -> None:
    ws = load(
        make_tree(
            tmp_path,
            {
                "services/api/go.mod": "module github.com/acme/api/v2\n\ngo 1.21\n",
                "services/api/main.go": "",
                "services/worker/go.mod": '// comment\nmodule "github.com/acme/worker"\n',
                "services/worker/w.go": "",
                "lib/api/go.mod": "module example.com/lib/api\n",
                "cmd/testdata/go.mod": "module example.com/fixture\n",
            },
        )
    )
    assert names(ws) == {
        "github.com/acme/api/v2": ("services/api/**",),
        "example.com/lib/api": ("lib/api/**",),
        "worker": ("services/worker/**",),
    }
    assert ws.go_modules == {
        "github.com/acme/api/v2": "services/api",
        "github.com/acme/worker": "services/worker",
        "example.com/lib/api": "lib/api",
    }


def test_gemspec_name_by_regex_or_file_stem(tmp_path: Path) -> None:
    ws = load(
        make_tree(
            tmp_path,
            {
                "ruby/billing/billing.gemspec": (
                    "Gem::Specification.new do |spec|\n  spec.name = 'acme-billing'\nend\n"
                ),
                "ruby/billing/lib/billing.rb": "",
                "ruby/dyn/dyn.gemspec": "Gem::Specification.new do |s|\n  s.name = NAME\nend\n",
                "vendor/bundle/x/x.gemspec": 's.name = "vendored"\n',
            },
        )
    )
    assert names(ws) == {"acme-billing": ("ruby/billing/**",), "dyn": ("ruby/dyn/**",)}
    assert {c.language for c in ws.components} == {"Ruby"}


def test_same_directory_manifests_make_one_component(tmp_path: Path) -> None:
    # A maturin crate: Cargo.toml and pyproject.toml side by side.
    ws = load(
        make_tree(
            tmp_path,
            {
                "ext/Cargo.toml": '[package]\nname = "fastext"\n',
                "ext/pyproject.toml": '[project]\nname = "fastext-py"\n',
                "ext/src/lib.rs": "",
            },
        )
    )
    assert [(c.name, c.origin) for c in ws.components] == [("fastext", "cargo")]


def test_same_name_in_two_places_is_told_apart_by_directory(tmp_path: Path) -> None:
    ws = load(
        make_tree(
            tmp_path,
            {
                "a/package.json": '{"name": "utils"}',
                "b/pyproject.toml": '[project]\nname = "utils"\n',
            },
        )
    )
    assert sorted(names(ws)) == ["utils (a)", "utils (b)"]


def test_broken_manifest_is_noted_not_fatal(tmp_path: Path) -> None:
    ws = load(
        make_tree(
            tmp_path,
            {"bad/Cargo.toml": "[package\nname=", "ok/package.json": '{"name": "ok"}'},
        )
    )
    assert names(ws) == {"ok": ("ok/**",)}
    assert len(ws.notes) == 1 and ws.notes[0].startswith("bad/Cargo.toml: invalid TOML")


def test_detection_can_be_switched_off(tmp_path: Path) -> None:
    make_tree(tmp_path, CARGO)
    ws = load(
        tmp_path, 'detect_components = false\n[[components]]\nname = "x"\npaths = ["src/**"]\n'
    )
    assert names(ws) == {"x": ("src/**",)}


# -- declared components and ownership -------------------------------------------------


def test_declared_beats_detected_with_same_paths_or_name(tmp_path: Path) -> None:
    make_tree(tmp_path, CARGO)
    ws = load(
        tmp_path,
        """
[[components]]
name = "core"
paths = ["crates/core/**"]
target = 80
critical = true

[[components]]
name = "gen"
paths = ["tools/gen/src/**"]
language = "rust"
""",
    )
    comps = {c.name: c for c in ws.components}
    assert sorted(comps) == ["app", "app-cli", "core", "gen"]
    core = comps["core"]
    assert core.origin == "config" and core.critical
    assert core.target is not None and core.target.line == 80
    assert core.language == "Rust"  # from its files
    assert comps["gen"].language == "Rust"  # declared, canonicalised
    assert ws.component_of("crates/core/src/lib.rs") is core
    # Declared first, then detected by name.
    assert [c.name for c in ws.components] == ["core", "gen", "app", "app-cli"]


def test_most_specific_component_owns_a_file(tmp_path: Path) -> None:
    ws = Workspace(
        tmp_path,
        [],
        [
            Component("everything", ("**",)),
            Component("services", ("services/**",)),
            Component("api", ("services/api/**",), origin="go"),
            Component("any-handler", ("services/*/handlers/**",)),
            Component("go-tests", ("**/*_test.go",)),
            Component("proto", ("services/api/gen/types.go",)),
        ],
    )

    def owner(path: str) -> str | None:
        comp = ws.component_of(path)
        return comp.name if comp else None

    assert owner("README.md") == "everything"
    assert owner("services/billing/main.go") == "services"
    assert owner("services/api/main.go") == "api"
    assert owner("services/api/deep/er/x.go") == "api"
    assert owner("services/api/handlers/h.go") == "any-handler"  # 3 segments beat 2
    assert owner("services/billing/handlers/h.go") == "any-handler"
    assert owner("x_test.go") == "go-tests"  # 1 segment beats **
    assert owner("services/api/x_test.go") == "api"
    assert owner("services/api/gen/types.go") == "proto"
    # Memoised answers stay right when asked again in another order.
    assert owner("services/api/main.go") == "api"
    assert owner("x_test.go") == "go-tests"


def test_equal_specificity_prefers_declared_then_earlier(tmp_path: Path) -> None:
    ws = Workspace(
        tmp_path,
        [],
        [
            Component("detected", ("lib/**",), origin="npm"),
            Component("first", ("lib/**",)),
            Component("second", ("lib/**",)),
        ],
    )
    comp = ws.component_of("lib/a.js")
    assert comp is not None and comp.name == "first"


@pytest.mark.parametrize(
    "path", ["/usr/include/stdio.h", "../sibling/a.py", "C:/ci/a.ts", "C:\\ci\\a.ts", ".."]
)
def test_paths_outside_the_repository_belong_to_no_component(tmp_path: Path, path: str) -> None:
    ws = Workspace(tmp_path, ["a.py"], [Component("all", ("**",), origin="pyproject")])
    assert ws.component_of("a.py") is not None
    assert ws.component_of(path) is None
    assert ws.component_name(path) == OUTSIDE_GROUP


def test_missing_root_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a directory"):
        load(tmp_path / "nope")


def test_files_in_no_component_and_outside_the_repository(tmp_path: Path) -> None:
    ws = Workspace(tmp_path, ["src/a.py", "tools/t.py"], [Component("src", ("src/**",))])
    assert ws.component_name("src/a.py") == "src"
    assert ws.component_of("tools/t.py") is None
    assert ws.component_name("tools/t.py") == ROOT_GROUP
    assert ws.component_name("/usr/include/stdio.h") == OUTSIDE_GROUP
    assert ws.files_of("src") == ["src/a.py"]
    assert ws.files_of("unknown") == []


def test_component_language_is_the_dominant_one(tmp_path: Path) -> None:
    make_tree(
        tmp_path,
        {
            "web/a.ts": "",
            "web/b.ts": "",
            "web/c.js": "",
            "web/README.md": "",
            "mixed/a.py": "",
            "mixed/b.rb": "",
        },
    )
    ws = load(
        tmp_path,
        '[[components]]\nname = "web"\npaths = ["web/**"]\n'
        '[[components]]\nname = "mixed"\npaths = ["mixed/**"]\n'
        '[[components]]\nname = "empty"\npaths = ["nothing/**"]\n',
    )
    langs = {c.name: c.language for c in ws.components}
    assert langs == {"web": "TypeScript", "mixed": "Python", "empty": None}


def test_component_of_is_fast_on_a_large_repository(tmp_path: Path) -> None:
    files = [f"pkg{i % 500}/sub{i % 7}/dir{i % 13}/f{i}.py" for i in range(100_000)]
    comps = [Component(f"pkg{i}", (f"pkg{i}/**",), origin="pyproject") for i in range(500)]
    comps.append(Component("tests", ("**/test_*.py",)))
    ws = Workspace(tmp_path, files, comps)
    start = time.perf_counter()
    owners = [ws.component_of(p) for p in files]
    elapsed = time.perf_counter() - start
    assert owners[1234] is not None and owners[1234].name == "pkg234"
    # One regex per file for the file-shaped glob, dict lookups for the rest: ~0.3 s.
    # The bound only catches matching every glob against every file (minutes), not speed.
    assert elapsed < 60.0, f"component_of took {elapsed:.2f}s for 100k files"


# -- include / ignore ------------------------------------------------------------------


def test_is_ignored_by_ignore_and_include_globs(tmp_path: Path) -> None:
    ws = load(
        tmp_path,
        '[paths]\nignore = ["**/generated/**", "*.pb.go"]\ninclude = ["src/**", "lib/**"]\n',
    )
    assert not ws.is_ignored("src/a.py")
    assert ws.is_ignored("src/generated/a.py")
    assert ws.is_ignored("lib/x.pb.go")
    assert ws.is_ignored("tests/test_a.py")  # not included
    assert ws.is_ignored("/usr/include/stdio.h")


def test_nothing_is_ignored_by_default(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    assert not ws.is_ignored("anything/at/all.py")


@pytest.mark.parametrize("glob", ["./src/**", "src\\**"])
def test_globs_are_normalised(tmp_path: Path, glob: str) -> None:
    ws = Workspace(tmp_path, [], [Component("s", (glob,))])
    comp = ws.component_of("src/a/b.py")
    assert comp is not None and comp.name == "s"


# -- ownership agrees with matching every glob against every file ----------------------

_SEG = st.sampled_from(["a", "b", "src", "lib"])
_GLOB = st.one_of(
    st.builds(lambda d: "/".join(d) + "/**", st.lists(_SEG, min_size=1, max_size=3)),
    st.builds(
        lambda d: "/".join(d) + "/**",
        st.lists(st.sampled_from(["*", "a", "src"]), min_size=1, max_size=2),
    ),
    st.sampled_from(["**", "**/*.py", "*.rs", "src/*.py", "**/lib/**", "a/b.py", "b.py"]),
)
_FILE = st.builds(
    lambda d, n: "/".join([*d, n]),
    st.lists(_SEG, max_size=4),
    st.sampled_from(["x.py", "y.rs", "b.py"]),
)


@functools.cache
def _spec(glob: str) -> pathspec.GitIgnoreSpec:
    return pathspec.GitIgnoreSpec.from_lines([glob])


def _naive_owner(components: list[Component], path: str) -> str | None:
    """Match every glob of every component against the path, the slow obvious way."""
    from covgap.workspace import _specificity

    best: tuple[tuple[int, ...], str] | None = None
    for index, comp in enumerate(components):
        for glob in comp.paths:
            if _spec(glob).match_file(path):
                key = (*_specificity(glob), comp.origin == "config", -index)
                if best is None or key > best[0]:
                    best = (key, comp.name)
    return best[1] if best else None


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.lists(_GLOB, min_size=1, max_size=3), st.booleans()), max_size=6),
    st.lists(_FILE, min_size=1, max_size=25),
)
def test_memoised_ownership_equals_matching_every_glob(
    decls: list[tuple[list[str], bool]], files: list[str]
) -> None:
    components = [
        Component(f"c{i}", tuple(globs), origin="config" if declared else "npm")
        for i, (globs, declared) in enumerate(decls)
    ]
    ws = Workspace(Path("."), sorted(set(files)), components)
    expected = {p: _naive_owner(components, p) for p in files}
    # Ask in file order, then again in reverse, so memoised answers are reused.
    for path in [*files, *reversed(files)]:
        comp = ws.component_of(path)
        assert (comp.name if comp else None) == expected[path], path
    owned = {p for c in components for p in ws.files_of(c.name)}
    assert owned == {p for p in ws.files if expected[p] is not None}


# -- detection agrees with each ecosystem's own tool -----------------------------------


def _run(cmd: list[str], cwd: Path) -> str:
    proc = subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)
    return proc.stdout


def _detected(ws: Workspace, origin: str) -> dict[str, str]:
    """Detected component name → its directory."""
    return {
        c.name: c.paths[0].removesuffix("**").rstrip("/")
        for c in ws.components
        if c.origin == origin
    }


def test_cargo_members_agree_with_cargo_metadata(tmp_path: Path) -> None:
    require_tool("cargo")
    tree = {
        "Cargo.toml": (
            '[workspace]\nmembers = ["crates/*", "tools/gen"]\nexclude = ["crates/skipped"]\n'
            '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n'
        ),
        "src/main.rs": "fn main() {}\n",
        "tools/gen/src/main.rs": "fn main() {}\n",
    }
    for crate in ("core", "cli", "skipped"):
        tree[f"crates/{crate}/src/lib.rs"] = ""
    for crate, directory in [
        ("app-core", "crates/core"),
        ("app-cli", "crates/cli"),
        ("skipped", "crates/skipped"),
        ("gen", "tools/gen"),
    ]:
        tree[f"{directory}/Cargo.toml"] = (
            f'[package]\nname = "{crate}"\nversion = "0.1.0"\nedition = "2021"\n'
        )
    make_tree(tmp_path, tree)
    meta = json.loads(
        _run(["cargo", "metadata", "--no-deps", "--format-version", "1", "--offline"], tmp_path)
    )
    root = tmp_path.resolve()
    cargo_says = {
        p["name"]: Path(p["manifest_path"]).parent.relative_to(root).as_posix().strip(".")
        for p in meta["packages"]
    }
    assert _detected(load(tmp_path), "cargo") == cargo_says


def test_npm_workspaces_agree_with_npm(tmp_path: Path) -> None:
    require_tool("npm")
    make_tree(
        tmp_path,
        {
            "package.json": json.dumps(
                {"name": "root", "private": True, "workspaces": ["packages/*", "apps/*"]}
            ),
            "packages/ui/package.json": '{"name": "@acme/ui", "version": "1.0.0"}',
            "packages/noname/package.json": '{"version": "1.0.0"}',
            "apps/web/package.json": '{"name": "web-app", "version": "1.0.0"}',
            "tools/package.json": '{"name": "not-a-workspace", "private": true}',
        },
    )
    out = _run(["npm", "pkg", "get", "name", "--workspaces", "--json", "--offline"], tmp_path)
    npm_says = set(json.loads(out))  # workspace names (a nameless one by its folder)
    detected = _detected(load(tmp_path), "npm")
    assert {n for n, d in detected.items() if not d.startswith("tools")} == npm_says
    assert detected["not-a-workspace"] == "tools"  # a stand-alone package besides


def test_go_module_paths_agree_with_go(tmp_path: Path) -> None:
    require_tool("go")
    make_tree(
        tmp_path,
        {
            "a/go.mod": 'module "github.com/acme/api/v2"\n\ngo 1.19\n',
            "b/go.mod": "// the worker\nmodule example.com/worker // trailing comment\n",
            "go.mod": "module\texample.com/root\n",
        },
    )
    ws = load(tmp_path)
    for directory in ("a", "b", ""):
        out = _run(["go", "mod", "edit", "-json"], tmp_path / directory)
        assert ws.go_modules[json.loads(out)["Module"]["Path"]] == directory


def test_gemspec_names_agree_with_rubygems(tmp_path: Path) -> None:
    require_tool("ruby")
    body = '  spec.version = "1.0"\n  spec.summary = "s"\n  spec.authors = ["a"]\nend\n'
    gemspecs = {
        "billing/billing.gemspec": (
            'Gem::Specification.new do |spec|\n  spec.name = "acme-billing"\n' + body
        ),
        "quoted/q.gemspec": "Gem::Specification.new do |s|\n  s.name = 'single'.freeze\n"
        + body.replace("spec.", "s."),
        "const/c.gemspec": (
            'NAME = "from-constant"\nGem::Specification.new do |spec|\n  spec.name = NAME\n' + body
        ),
    }
    make_tree(tmp_path, gemspecs)
    script = "ARGV.each { |f| puts Gem::Specification.load(f).name }"
    out = _run(["ruby", "-e", script, *sorted(gemspecs)], tmp_path)
    rubygems_says = dict(zip(sorted(gemspecs), out.split(), strict=True))
    detected = _detected(load(tmp_path), "gemspec")
    assert detected == {name: path.rpartition("/")[0] for path, name in rubygems_says.items()}


def test_a_directory_git_ignores_is_walked(tmp_path: Path) -> None:
    """`covgap demo` copies the example into an ignored folder of a clone: its files count."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("demo/\n")
    demo = tmp_path / "demo" / "example"
    (demo / "src").mkdir(parents=True)
    (demo / "src" / "a.py").write_text("x = 1\n")
    ws = Workspace.load(demo, Config())
    assert ws.files == ["src/a.py"]
