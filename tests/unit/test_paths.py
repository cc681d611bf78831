"""Path mapping: every shape of report path, ambiguity, suggestions, fixes and filters."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import DATA
from covgap.config import Config, PathFix, validate
from covgap.formats import read_report
from covgap.model import Counts, CoverageSet, FileCoverageBuilder
from covgap.paths import (
    AMBIGUOUS,
    MISSING,
    RELOCATED,
    STALE,
    MappingResult,
    apply_fixes,
    map_paths,
    normalize,
)
from covgap.workspace import Workspace

CI = "/home/runner/work/app/app/"


def coverage(*paths: str, source_roots: tuple[str, ...] = ()) -> CoverageSet:
    """A set with one file per path, each with two lines: one hit, one missed."""
    cs = CoverageSet(source_roots=source_roots)
    for i, path in enumerate(paths):
        b = FileCoverageBuilder(path)
        b.add_line(10 * i + 1, 1)
        b.add_line(10 * i + 2, 0)
        cs.add(b.build())
    return cs


def workspace(root: Path, files: list[str], toml: str = "", **kw: object) -> Workspace:
    config = validate(tomllib.loads(toml)) if toml else Config()
    return Workspace(root, sorted(files), [], config, **kw)  # type: ignore[arg-type]


def mapped(result: MappingResult) -> dict[str, str]:
    return dict(sorted(result.mapping.items()))


# -- normalisation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("src/x.py", "src/x.py"),
        ("./src/x.py", "src/x.py"),
        ("././src//x.py", "src/x.py"),
        (".\\src\\x.py", "src/x.py"),
        ("src/./y/../x.py", "src/x.py"),
        ("c:\\a\\b\\src\\x.ts", "C:/a/b/src/x.ts"),
        ("C:/a/../src/x.ts", "C:/src/x.ts"),
        ("file:///home/ci/x.py", "/home/ci/x.py"),
        ("/abs/./x.rs", "/abs/x.rs"),
        ("../outside/x.rs", "../outside/x.rs"),
    ],
)
def test_normalize(raw: str, normal: str) -> None:
    assert normalize(raw) == normal


@given(st.text(alphabet="ab./\\:Cc", max_size=20))
def test_normalize_is_idempotent(path: str) -> None:
    once = normalize(path)
    assert normalize(once) == once


def test_apply_fixes_uses_the_first_matching_prefix() -> None:
    fixes = [PathFix("/nope/", "x/"), PathFix("/builds/g/app/", ""), PathFix("/builds/", "y/")]
    assert apply_fixes("/builds/g/app/src/a.rs", fixes) == ("src/a.rs", fixes[1])
    assert apply_fixes("src/a.rs", fixes) is None
    win = [PathFix("C:\\work\\", "web/")]
    assert apply_fixes("C:/work/src/a.ts", win) == ("web/src/a.ts", win[0])


# -- each shape of report path ---------------------------------------------------------

REPO = [
    "Cargo.toml",
    "crates/core/src/lib.rs",
    "crates/core/src/parse.rs",
    "crates/cli/src/main.rs",
    "web/src/index.ts",
    "py/src/pkg/__init__.py",
    "py/src/pkg/mod.py",
]


@pytest.mark.parametrize(
    ("report", "repo"),
    [
        ("crates/core/src/parse.rs", "crates/core/src/parse.rs"),
        ("./crates/core/src/parse.rs", "crates/core/src/parse.rs"),
        (CI + "crates/core/src/parse.rs", "crates/core/src/parse.rs"),
        ("/builds/group/app/crates/core/src/parse.rs", "crates/core/src/parse.rs"),
        ("C:\\a\\b\\web\\src\\index.ts", "web/src/index.ts"),
        ("crates\\cli\\src\\main.rs", "crates/cli/src/main.rs"),
        ("src/main.rs", "crates/cli/src/main.rs"),  # relative to its crate
        ("pkg/mod.py", "py/src/pkg/mod.py"),  # relative to a src layout
        ("/usr/lib/python3/site-packages/pkg/mod.py", "py/src/pkg/mod.py"),
        ("file:///home/ci/app/web/src/index.ts", "web/src/index.ts"),
        ("index.ts", "web/src/index.ts"),  # a bare, unique file name
    ],
)
def test_each_shape_maps_onto_the_repository(tmp_path: Path, report: str, repo: str) -> None:
    result = map_paths(coverage(report), workspace(tmp_path, REPO), [])
    assert result.mapping == {report: repo}
    assert list(result.coverage.files) == [repo]
    assert result.coverage.files[repo].path == repo
    assert result.unmapped == []


def test_absolute_path_below_the_local_root(tmp_path: Path) -> None:
    report = f"{tmp_path}/crates/core/src/lib.rs"
    result = map_paths(coverage(report), workspace(tmp_path, REPO), [])
    assert result.mapping == {report: "crates/core/src/lib.rs"}


def test_absolute_path_through_a_symlinked_root(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    # The report was written in the real directory; the user passes the link.
    report = f"{real}/a/lib.rs"
    ws = workspace(link, ["a/lib.rs", "b/lib.rs"])
    assert map_paths(coverage(report), ws, []).mapping == {report: "a/lib.rs"}


def test_go_import_paths_move_to_their_module_directory(tmp_path: Path) -> None:
    files = ["services/api/main.go", "services/worker/main.go", "go.mod"]
    ws = workspace(
        tmp_path,
        files,
        go_modules={"github.com/acme/api/v2": "services/api", "example.com/root": ""},
    )
    cs = coverage("github.com/acme/api/v2/main.go", "example.com/root/go.mod")
    result = map_paths(cs, ws, [])
    assert mapped(result) == {
        "example.com/root/go.mod": "go.mod",
        "github.com/acme/api/v2/main.go": "services/api/main.go",
    }


def test_source_roots_join_relative_paths(tmp_path: Path) -> None:
    files = ["src/pkg/x.py", "other/pkg/x.py", "app/y.py", "lib/z.py"]
    ws = workspace(tmp_path, files)
    cs = coverage("pkg/x.py", "y.py", "z.py", source_roots=("/ci/build/src", str(tmp_path / "app")))
    result = map_paths(cs, ws, [])
    # pkg/x.py alone is ambiguous; under /ci/build/src it can only be src/pkg/x.py.
    assert mapped(result) == {"pkg/x.py": "src/pkg/x.py", "y.py": "app/y.py", "z.py": "lib/z.py"}


def test_relative_source_root(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["a/x.py", "b/x.py"])
    result = map_paths(coverage("x.py", source_roots=("b",)), ws, [])
    assert result.mapping == {"x.py": "b/x.py"}


# -- ambiguity and learned rewrites ----------------------------------------------------

CRATES = [
    "crates/core/src/lib.rs",
    "crates/core/src/parse.rs",
    "crates/cli/src/lib.rs",
    "crates/cli/src/main.rs",
]


def test_ambiguous_path_is_kept_and_listed_with_candidates(tmp_path: Path) -> None:
    result = map_paths(coverage("src/lib.rs"), workspace(tmp_path, CRATES), [])
    assert result.mapping == {}
    assert list(result.coverage.files) == ["src/lib.rs"]
    [group] = result.unmapped
    assert group.kind == AMBIGUOUS
    assert group.paths == ["src/lib.rs"]
    assert group.suggestion is None
    assert group.candidates == {"src/lib.rs": ["crates/cli/src/lib.rs", "crates/core/src/lib.rs"]}
    assert "match several repository files" in group.describe()
    assert "crates/cli/src/lib.rs, crates/core/src/lib.rs" in group.describe()


def test_other_files_of_the_report_settle_an_ambiguous_one(tmp_path: Path) -> None:
    cs = coverage("src/lib.rs", "src/parse.rs")
    result = map_paths(cs, workspace(tmp_path, CRATES), [])
    assert mapped(result) == {
        "src/lib.rs": "crates/core/src/lib.rs",
        "src/parse.rs": "crates/core/src/parse.rs",
    }
    assert result.unmapped == []


def test_conflicting_evidence_leaves_the_path_ambiguous(tmp_path: Path) -> None:
    cs = coverage("src/lib.rs", "src/parse.rs", "src/main.rs")
    result = map_paths(cs, workspace(tmp_path, CRATES), [])
    assert "src/lib.rs" not in result.mapping
    assert [g.kind for g in result.unmapped] == [AMBIGUOUS]


def test_root_level_file_needs_the_other_files_to_vouch(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["setup.py", "pkg/a.py"])
    alone = map_paths(coverage(CI + "setup.py"), ws, [])
    assert alone.mapping == {}
    [group] = alone.unmapped
    # One file agreeing with a rewrite by its name alone is a coincidence, not a fix.
    assert group.kind == STALE
    assert group.suggestion is None
    both = map_paths(coverage(CI + "setup.py", CI + "pkg/a.py"), ws, [])
    assert mapped(both) == {CI + "pkg/a.py": "pkg/a.py", CI + "setup.py": "setup.py"}


# -- other people's code --------------------------------------------------------------

DEPENDENCIES = [
    "/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.200/src/lib.rs",
    "/rustc/90b35a6239c3d8bdabc530a6a0816f7ff89a0aaf/library/core/src/fmt/mod.rs",
    "/root/go/pkg/mod/github.com/acme/util@v1.2.3/strings/strings.go",
    "/ci/app/node_modules/left-pad/src/index.js",
    "/usr/lib/python3/site-packages/requests/utils.py",
]


def test_dependency_sources_do_not_match_repository_files(tmp_path: Path) -> None:
    files = [
        "crates/core/src/lib.rs",
        "crates/core/src/fmt/mod.rs",
        "go/strings/strings.go",
        "web/src/index.js",
        "py/app/utils.py",
    ]
    ws = workspace(tmp_path, files)
    result = map_paths(coverage(*DEPENDENCIES), ws, [], include_external=True)
    assert result.mapping == {}
    # Other people's code is external, not an unmapped file of the project.
    assert result.unmapped == []
    assert result.external == sorted(DEPENDENCIES)
    assert result.coverage.totals() == coverage(*DEPENDENCIES).totals()
    assert map_paths(coverage(*DEPENDENCIES), ws, []).coverage.files == {}


def test_installed_copy_of_the_repository_package_still_maps(tmp_path: Path) -> None:
    files = ["src/requests/utils.py", "web/node_modules_docs/x.md"]
    report = "/usr/lib/python3/site-packages/requests/utils.py"
    result = map_paths(coverage(report), workspace(tmp_path, files), [])
    assert result.mapping == {report: "src/requests/utils.py"}


# -- suggestions -----------------------------------------------------------------------


def test_suggested_fix_for_files_found_under_another_directory(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["src/x.c", "src/y.c", "src/z.h"])
    cs = coverage("/build/obj/x.c", "/build/obj/y.c", "/usr/include/stdio.h")
    result = map_paths(cs, ws, [])
    assert result.mapping == {}
    [relocated] = result.unmapped
    assert relocated.kind == RELOCATED
    assert relocated.prefix == "/build/obj/"
    assert relocated.paths == ["/build/obj/x.c", "/build/obj/y.c"]
    assert relocated.suggestion == PathFix("/build/obj/", "src/")
    assert relocated.describe() == (
        "2 files under /build/obj/ not found in the repository; add to covgap.toml: "
        '[paths] fixes = [{ from = "/build/obj/", to = "src/" }]'
    )
    assert result.external == ["/usr/include/stdio.h"]
    assert result.external_note() == (
        "1 external file left out: /usr/include/stdio.h; `--include-external` counts them"
    )
    # The advice works when taken.
    assert relocated.suggestion is not None
    fixed = map_paths(cs, ws, [relocated.suggestion])
    assert mapped(fixed) == {"/build/obj/x.c": "src/x.c", "/build/obj/y.c": "src/y.c"}
    assert fixed.unmapped == []
    assert sorted(fixed.coverage.files) == ["src/x.c", "src/y.c"]


def test_unmapped_files_are_grouped_by_leading_directories(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["src/a.py"])
    cs = coverage(
        "/home/ci/other/gen/one.py",
        "/home/ci/other/gen/two.py",
        "/home/ci/other/tools/three.py",
        "/opt/lib/four.py",
        "generated/five.py",
    )
    result = map_paths(cs, ws, [])
    assert [(g.prefix, len(g.paths), g.kind) for g in result.unmapped] == [
        ("/home/ci/other/", 3, MISSING),
        ("/opt/lib/", 1, MISSING),
        ("generated/", 1, MISSING),
    ]
    assert result.unmapped[0].describe().startswith("3 files under /home/ci/other/ not found")


def test_unmapped_files_keep_their_data_under_the_normalised_path(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["src/a.py"])
    cs = coverage(".\\gen\\x.py", "src/a.py")
    result = map_paths(cs, ws, [])
    assert sorted(result.coverage.files) == ["gen/x.py", "src/a.py"]
    assert result.coverage.totals() == cs.totals()


# -- user fixes ------------------------------------------------------------------------


def test_user_fix_comes_before_an_exact_match(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["lib/x.py", "vendored/lib/x.py"])
    result = map_paths(coverage("lib/x.py"), ws, [PathFix("lib/", "vendored/lib/")])
    assert result.mapping == {"lib/x.py": "vendored/lib/x.py"}


def test_user_fix_maps_a_prefix_nothing_else_could(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["pkg/a/mod.py", "other/a/mod.py"])
    cs = coverage("/home/ci/other/a/mod.py", "/home/ci/elsewhere/a/mod.py")
    without = map_paths(cs, ws, [])
    assert without.mapping == {"/home/ci/other/a/mod.py": "other/a/mod.py"}
    result = map_paths(cs, ws, [PathFix("/home/ci/elsewhere/", "pkg/")])
    assert mapped(result) == {
        "/home/ci/elsewhere/a/mod.py": "pkg/a/mod.py",
        "/home/ci/other/a/mod.py": "other/a/mod.py",
    }


def test_windows_fix_and_report_separators(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["web/src/a.ts", "api/src/a.ts"])
    cs = coverage("C:\\work\\src\\a.ts")
    assert map_paths(cs, ws, []).mapping == {}
    fixed = map_paths(cs, ws, [PathFix("c:\\work\\", "web/")])
    assert fixed.mapping == {"C:\\work\\src\\a.ts": "web/src/a.ts"}


def test_fix_then_the_usual_steps_on_the_fixed_path(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["web/src/a.ts", "api/src/a.ts", "web/src/b.ts"])
    fixes = [PathFix("/ci/", "/home/runner/work/app/app/web/")]
    cs = coverage("/ci/src/a.ts", "/ci/src/b.ts")
    # The fixed path is still a CI path, but its suffix is now unique.
    assert mapped(map_paths(cs, ws, fixes)) == {
        "/ci/src/a.ts": "web/src/a.ts",
        "/ci/src/b.ts": "web/src/b.ts",
    }


def test_windows_paths_match_ignoring_case_when_nothing_else_does(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["web/src/cart.ts", "web/src/Cart.test.ts", "api/main.go"])
    cs = coverage("C:\\Work\\App\\Web\\Src\\Cart.ts", "c:/work/app/web/src/Cart.test.ts")
    assert mapped(map_paths(cs, ws, [])) == {
        "C:\\Work\\App\\Web\\Src\\Cart.ts": "web/src/cart.ts",
        "c:/work/app/web/src/Cart.test.ts": "web/src/Cart.test.ts",
    }
    # On POSIX systems case matters: /ci/Web/Src/Cart.ts is another file.
    posix = map_paths(coverage("/ci/Web/Src/Cart.ts"), ws, [])
    assert posix.mapping == {}
    assert [g.kind for g in posix.unmapped] == [MISSING]


def test_fixes_from_the_config_file_are_the_ones_passed(tmp_path: Path) -> None:
    toml = '[paths]\nfixes = [{ from = "/builds/acme/app/", to = "" }]\n'
    ws = workspace(tmp_path, ["x/a.rs", "y/a.rs"], toml)
    result = map_paths(coverage("/builds/acme/app/x/a.rs"), ws, ws.config.path_fixes)
    assert result.mapping == {"/builds/acme/app/x/a.rs": "x/a.rs"}


# -- one file, many spellings ----------------------------------------------------------


def test_spellings_of_one_file_merge_into_one(tmp_path: Path) -> None:
    a = FileCoverageBuilder("./src/a.py")
    a.add_line(1, 1)
    a.add_line(2, 0)
    b = FileCoverageBuilder(CI + "src/a.py")
    b.add_line(1, 2)
    b.add_line(3, 0)
    cs = CoverageSet()
    cs.add(a.build())
    cs.add(b.build())
    result = map_paths(cs, workspace(tmp_path, ["src/a.py", "src/b.py"]), [])
    assert mapped(result) == {CI + "src/a.py": "src/a.py", "./src/a.py": "src/a.py"}
    [fc] = result.coverage.files.values()
    assert fc.hits_by_line() == {1: 3, 2: 0, 3: 0}


# -- outside a repository, and filters -------------------------------------------------


def test_without_repository_files_paths_are_only_normalised(tmp_path: Path) -> None:
    cs = coverage("./a.py", "C:\\x\\b.py", "/abs/c.py")
    result = map_paths(cs, workspace(tmp_path, []), [])
    assert sorted(result.coverage.files) == ["/abs/c.py", "C:/x/b.py", "a.py"]
    assert result.unmapped == []
    assert result.mapping == {}


def test_include_and_ignore_drop_files_and_their_warnings(tmp_path: Path) -> None:
    toml = '[paths]\ninclude = ["src/**"]\nignore = ["**/gen/**"]\n'
    ws = workspace(tmp_path, ["src/a.py", "src/gen/b.py", "tests/t.py"], toml)
    cs = coverage("src/a.py", "src/gen/b.py", "tests/t.py", "/usr/include/x.h")
    result = map_paths(cs, ws, [])
    assert list(result.coverage.files) == ["src/a.py"]
    assert result.unmapped == []


def test_a_large_report_maps_quickly(tmp_path: Path) -> None:
    files = [f"pkg{i % 300}/mod{i % 11}/f{i}.py" for i in range(100_000)]
    files += [f"pkg{i}/__init__.py" for i in range(300)]
    ws = workspace(tmp_path, files)
    report = [CI + p for p in files[::20]]
    cs = coverage(*report)
    start = time.perf_counter()
    result = map_paths(cs, ws, [])
    elapsed = time.perf_counter() - start
    assert len(result.mapping) == len(report)
    # A guard against quadratic matching (which takes minutes here), not a speed test:
    # the speed claims come from bench/.
    assert elapsed < 60.0, f"mapping 5k paths onto 100k files took {elapsed:.1f}s"


# -- properties ------------------------------------------------------------------------

SEGMENT = st.sampled_from(["src", "lib", "core", "app", "pkg", "a", "b"])
NAME = st.sampled_from(["lib.rs", "main.rs", "x.py", "__init__.py", "index.ts", "mod.go"])
REPO_PATH = st.builds(
    lambda dirs, name: "/".join([*dirs, name]), st.lists(SEGMENT, max_size=3), NAME
)


@st.composite
def spelled(draw: st.DrawFn, path: str) -> str:
    """A report's way of writing a repository path."""
    shape = draw(st.sampled_from(["same", "dot", "ci", "windows", "tail", "foreign"]))
    if shape == "dot":
        return "./" + path
    if shape == "ci":
        return CI + path
    if shape == "windows":
        return "C:\\ci\\" + path.replace("/", "\\")
    if shape == "tail":
        parts = path.split("/")
        return "/".join(parts[draw(st.integers(0, len(parts) - 1)) :])
    if shape == "foreign":
        return "/opt/elsewhere/" + path
    return path


@st.composite
def scenario(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    files = draw(st.lists(REPO_PATH, min_size=1, max_size=12, unique=True))
    picked = draw(st.lists(st.sampled_from(files), max_size=10))
    report = [draw(spelled(p)) for p in picked]
    report += draw(st.lists(st.sampled_from(["/usr/include/a.h", "gen/z.py"]), max_size=2))
    return files, list(dict.fromkeys(report))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario(), st.booleans())
def test_mapping_is_idempotent_and_never_loses_a_file(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[list[str], list[str]], fix: bool
) -> None:
    files, report = case
    root = tmp_path_factory.getbasetemp() / "prop"
    ws = workspace(root, files)
    fixes = [PathFix("/opt/elsewhere/", "")] if fix else []
    cs = coverage(*report)  # disjoint line numbers per file: merging keeps every line
    result = map_paths(cs, ws, fixes, include_external=True)

    assert result.coverage.totals() == cs.totals()
    unmapped = {p for g in result.unmapped for p in g.paths}
    external = set(result.external)
    for raw in report:
        if raw in result.mapping:
            assert result.mapping[raw] in ws.file_set
            assert result.mapping[raw] in result.coverage.files
        else:
            assert normalize(raw) in unmapped | external
            assert normalize(raw) in result.coverage.files
    for path in unmapped | external:
        assert path not in ws.file_set
    # By default the external files, and only they, are left out.
    default = map_paths(cs, ws, fixes)
    assert set(default.coverage.files) == set(result.coverage.files) - external

    again = map_paths(result.coverage, ws, fixes, include_external=True)
    assert again.coverage == result.coverage
    assert again.coverage.totals() == cs.totals()
    assert all(old == new for old, new in again.mapping.items())
    assert {p for g in again.unmapped for p in g.paths} == unmapped


# -- reports written by the real tools -------------------------------------------------


def _copy_tree(src: Path, dest: Path, pattern: str) -> None:
    for path in src.rglob(pattern):
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)


def test_real_reports_map_onto_a_monorepo(tmp_path: Path) -> None:
    """llvm-cov, c8 and coverage.py reports, each relative to its own project, merged."""
    repo = tmp_path / "repo"
    _copy_tree(DATA / "llvm-cov" / "src", repo / "crates/demo/src", "*.rs")
    _copy_tree(DATA / "c8" / "src", repo / "web/src", "*.js")
    _copy_tree(DATA / "cobertura/coveragepy/app", repo / "python/app", "*.py")
    # A second crate with a main.rs: "src/main.rs" alone would be ambiguous.
    (repo / "crates/other/src").mkdir(parents=True)
    (repo / "crates/other/src/main.rs").write_text("fn main() {}\n", encoding="utf-8")
    (repo / "crates/demo/Cargo.toml").write_text('[package]\nname = "demo"\n', encoding="utf-8")
    reports = [
        read_report(DATA / "llvm-cov" / "export.json"),  # src/main.rs ...
        read_report(DATA / "c8" / "lcov.info"),  # src/main.js ...
        read_report(DATA / "cobertura/coveragepy/lines.xml"),  # app/ops.py + <source>
    ]
    cs = CoverageSet.merge_all(reports)
    ws = Workspace.load(repo, Config())
    result = map_paths(cs, ws, [])
    assert result.unmapped == []
    assert sorted(result.coverage.files) == sorted(
        p for p in ws.files if p.endswith((".rs", ".js", ".py")) and "other" not in p
    )
    assert result.coverage.totals() == sum((r.totals() for r in reports), Counts())
    demo = ws.component_of("crates/demo/src/main.rs")
    assert demo is not None and demo.name == "demo"


def test_coveragepy_run_elsewhere_maps_back(tmp_path: Path) -> None:
    """Run coverage.py in a "CI" checkout, map its reports onto another checkout."""
    ci = tmp_path / "ci" / "checkout"
    repo = tmp_path / "repo"
    for root in (ci, repo):
        _copy_tree(DATA / "cobertura/coveragepy/app", root / "services/py/app", "*.py")
    shutil.copy(DATA / "cobertura/coveragepy/run_app.py", ci / "services/py/run_app.py")
    py = ci / "services/py"
    run = [sys.executable, "-m", "coverage"]
    env = {**os.environ, "COVERAGE_FILE": str(py / ".coverage")}
    for args in (
        ["run", "--branch", "--source=app", "run_app.py"],
        ["xml", "-q", "-o", str(tmp_path / "coverage.xml")],
        ["lcov", "-q", "-o", str(tmp_path / "coverage.lcov")],
        ["json", "-q", "-o", str(tmp_path / "coverage.json")],
    ):
        subprocess.run([*run, *args], cwd=py, env=env, check=True, capture_output=True)
    native = json.loads((tmp_path / "coverage.json").read_text(encoding="utf-8"))["totals"]
    ws = Workspace.load(repo, Config())
    for name in ("coverage.xml", "coverage.lcov", "coverage.json"):
        cs = read_report(tmp_path / name)
        result = map_paths(cs, ws, [])
        assert result.unmapped == [], name
        # coverage.py writes paths relative to where it ran (lcov leaves out empty files).
        assert sorted(result.coverage.files) == sorted(f"services/py/{p}" for p in cs.files)
        assert "services/py/app/util/text.py" in result.coverage.files, name
        assert result.coverage.totals().lines_total == native["num_statements"], name
        assert result.coverage.totals() == cs.totals(), name


# -- a suggestion must be right or absent (issue #10, item 11) --------------------------


def _big_tree(n: int = 10_000) -> list[str]:
    """A generated tree of ``n`` files, deterministic, with the issue's two directories."""
    words = ["app", "file", "build", "gateway", "template", "alert", "core", "util", "api"]
    files = [f"src/app/file/build/sib{i:02}.ts" for i in range(21)]
    files += ["src/app/gateway/template/alert/index.ts", "src/app/gateway/template/alert/view.ts"]
    i = 0
    while len(files) < n:
        a, b, c = words[i % 9], words[(i // 9) % 9], words[(i // 81) % 9]
        files.append(f"src/{a}/{b}/{c}/mod{i}.ts")
        i += 1
    return files


def test_no_fix_that_would_move_files_that_map_today(tmp_path: Path) -> None:
    """Two files of src/app/file/build/ are gone; their names exist under .../alert/."""
    files = _big_tree()
    assert len(files) == 10_000
    report = [f"src/app/file/build/sib{i:02}.ts" for i in range(21)]
    report += ["src/app/file/build/index.ts", "src/app/file/build/view.ts"]
    result = map_paths(coverage(*report), workspace(tmp_path, files), [])
    assert len(result.mapping) == 21
    [group] = result.unmapped
    assert group.suggestion is None
    assert group.kind == STALE
    assert group.paths == ["src/app/file/build/index.ts", "src/app/file/build/view.ts"]
    assert group.describe() == (
        "2 files under src/app/file/build/ not in the repository: deleted, renamed or "
        "generated? If they should not count, add to covgap.toml: "
        '[paths] ignore = ["src/app/file/build/**"]'
    )
    # What would have been suggested claims the 21 siblings live under alert/: wrong.
    siblings = [p for p in result.mapping if p.startswith("src/app/file/build/")]
    assert len(siblings) == 21


def test_a_single_name_coincidence_is_not_a_fix(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["src/app.ts", "lib/other/config.ts"])
    result = map_paths(coverage("src/app.ts", "/ci/gen/config.ts"), ws, [])
    [group] = result.unmapped
    assert group.suggestion is None and group.kind == STALE


TASKER = [
    "crates/tasker-rb/lib/tasker_core.rb",
    "crates/tasker-rb/lib/tasker_core/client.rb",
    "crates/tasker-rb/lib/tasker_core/errors.rb",
    "crates/tasker-rb/lib/tasker_core/handlers/base.rb",
    "crates/tasker-rb/ext/tasker_core/extconf.rb",
    "crates/tasker-core/src/lib.rs",
]


def test_a_real_rename_is_still_suggested(tmp_path: Path) -> None:
    """tasker-core moved workers/ruby/lib to crates/tasker-rb/lib after the report."""
    (tmp_path / "crates").mkdir()
    ws = workspace(tmp_path, TASKER)
    old = [
        str(tmp_path / p.replace("crates/tasker-rb/", "workers/ruby/"))
        for p in TASKER
        if "/lib/" in p
    ]
    cs = coverage(*old, str(tmp_path / "crates/tasker-core/src/lib.rs"))
    result = map_paths(cs, ws, [])
    [group] = result.unmapped
    assert group.kind == RELOCATED
    assert group.suggestion == PathFix("workers/ruby/", "crates/tasker-rb/")
    assert len(group.paths) == 4
    # Taking the advice maps every moved file and nothing else moves.
    assert group.suggestion is not None
    fixed = map_paths(cs, ws, [group.suggestion])
    assert fixed.unmapped == []
    assert sorted(fixed.coverage.files) == sorted(p for p in TASKER if "ext/" not in p)


def test_ci_paths_of_a_renamed_tree_map_without_advice(tmp_path: Path) -> None:
    """From another machine the same move maps by suffix: nothing to suggest."""
    ws = workspace(tmp_path, TASKER)
    old = [CI + p.replace("crates/tasker-rb/", "workers/ruby/") for p in TASKER if "/lib/" in p]
    result = map_paths(coverage(*old), ws, [])
    assert sorted(result.mapping.values()) == sorted(p for p in TASKER if "/lib/" in p)
    assert result.unmapped == []


# -- under the repository root: repository paths, existing or not (item 13) -----------


def test_paths_under_the_root_stay_repository_paths(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["b.c", "new/dir/x.c"])
    cs = coverage(str(tmp_path / "a.c"), str(tmp_path / "b.c"), str(tmp_path / "old/dir/x.c"))
    result = map_paths(cs, ws, [])
    # a.c was deleted; old/dir/x.c is not silently moved onto new/dir/x.c.
    assert sorted(result.coverage.files) == ["a.c", "b.c", "old/dir/x.c"]
    assert result.mapping == {str(tmp_path / "b.c"): "b.c"}
    kinds = {p: g.kind for g in result.unmapped for p in g.paths}
    assert kinds == {"a.c": STALE, "old/dir/x.c": RELOCATED}
    # dir/x.c agrees beyond the name: the rewrite is suggested in repository terms.
    [moved] = [g for g in result.unmapped if g.kind == RELOCATED]
    assert moved.suggestion == PathFix("old/", "new/")
    assert result.external == []


# -- external files (item 5) ------------------------------------------------------------


def test_external_files_are_left_out_and_named(tmp_path: Path) -> None:
    ws = workspace(tmp_path, ["src/ext.c", "src/util.c"])
    cs = coverage(
        CI + "src/ext.c",
        CI + "build/generated.c",  # the report's own checkout: stays, listed
        "/usr/include/python3.11/object.h",
        "/opt/py/include/python3.11/listobject.h",
        "/home/u/.cargo/registry/src/x-1.0/src/lib.rs",
        "/home/dev/other-project/lib/helper.c",  # outside, no such name: external
        "/home/dev/other-project/lib/util.c",  # outside, but a repo file has the name: kept
    )
    result = map_paths(cs, ws, [])
    assert result.external == [
        "/home/dev/other-project/lib/helper.c",
        "/home/u/.cargo/registry/src/x-1.0/src/lib.rs",
        "/opt/py/include/python3.11/listobject.h",
        "/usr/include/python3.11/object.h",
    ]
    assert sorted(result.coverage.files) == [
        "/home/dev/other-project/lib/util.c",
        CI + "build/generated.c",
        "src/ext.c",
    ]
    note = result.external_note()
    assert note is not None and note.startswith("4 external files left out: /home/dev/")
    assert note.endswith("; `--include-external` counts them")
    counted = map_paths(cs, ws, [], include_external=True)
    assert counted.coverage.totals() == cs.totals()


def test_nothing_is_external_when_nothing_maps_but_system_paths(tmp_path: Path) -> None:
    """A report from another layout entirely: its files are listed, not dropped."""
    ws = workspace(tmp_path, ["src/a.py"])
    cs = coverage("/home/ci/other/gen/one.py", "/usr/lib/python3/x.py")
    result = map_paths(cs, ws, [])
    assert result.external == ["/usr/lib/python3/x.py"]
    assert list(result.coverage.files) == ["/home/ci/other/gen/one.py"]


def test_an_installed_copy_inside_the_tree_still_maps(tmp_path: Path) -> None:
    """tox installs the package under the root: .tox/…/site-packages is not a repo path."""
    ws = workspace(tmp_path, ["src/requests/utils.py"])
    copy = str(tmp_path / ".tox/py311/lib/python3.11/site-packages/requests/utils.py")
    other = str(tmp_path / ".tox/py311/lib/python3.11/site-packages/six.py")
    result = map_paths(coverage(copy, other), ws, [])
    assert result.mapping == {copy: "src/requests/utils.py"}
    # Other people's code inside the tree is kept (external means outside it).
    assert result.external == []
    assert ".tox/py311/lib/python3.11/site-packages/six.py" in result.coverage.files
