"""Which files are the repository's, end to end on real repositories (issue #10).

* A path under the repository root is a repository path whether or not the file
  exists today: a baseline converted after ``git rm`` keeps the deleted file as
  ``a.c``, and ``covgap diff`` calls its lines DCB/DUB (item 13).
* Files outside the repository that nothing maps (a system header gcc compiled in)
  are external: left out of the totals, named in one note (item 5).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import require_tool
from covgap.cli import main


def git(repo: Path, *args: str) -> None:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
    )
    subprocess.run(["git", *args], cwd=repo, check=True, env=env, timeout=60)


def invoke(cwd: Path, *args: str) -> Result:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_baseline_converted_after_a_delete_keeps_the_deleted_file(tmp_path: Path) -> None:
    """The issue's reproduction, step by step."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "a.c").write_text("int a(void)\n{\nreturn 1;\n}\n")
    (repo / "b.c").write_text("int b(void)\n{\nreturn 2;\n}\n")
    git(repo, "add", "a.c", "b.c")
    git(repo, "commit", "-q", "-m", "a and b")
    here = repo.resolve()
    (repo / "base.info").write_text(
        f"SF:{here}/a.c\nDA:1,1\nDA:2,0\nDA:3,1\nend_of_record\n"
        f"SF:{here}/b.c\nDA:1,1\nDA:3,1\nend_of_record\n"
    )
    git(repo, "rm", "-q", "a.c")
    git(repo, "commit", "-q", "-m", "drop a")
    (repo / "cur.info").write_text(f"SF:{here}/b.c\nDA:1,1\nDA:3,0\nend_of_record\n")

    made = invoke(
        repo,
        "report",
        "base.info",
        "--repo",
        ".",
        "--format",
        "json",
        "--detail",
        "-o",
        "base.json",
    )
    assert made.exit_code == 0, made.output
    stored = {f["path"] for f in json.loads((repo / "base.json").read_text())["files"]}
    assert stored == {"a.c", "b.c"}
    assert "not in the repository: deleted, renamed or generated?" in made.stderr

    diff = invoke(
        repo, "diff", "cur.info", "--baseline", "base.json", "--base", "HEAD~1", "--format", "json"
    )
    assert diff.exit_code == 0, diff.output
    files = {f["path"]: f for f in json.loads(diff.stdout)["files"]}
    assert files["a.c"]["status"] == "D"
    assert files["a.c"]["lines"] == {"DCB": [1, 3], "DUB": [2]}
    assert files["b.c"]["lines"] == {"CBC": [1], "LBC": [3]}
    assert not any(p.startswith("/") for p in files)


# -- external files: a real gcc build including Python's headers ------------------------

EXT_C = """\
#include <Python.h>

static PyObject obj;

static int bump(int n)
{
    Py_SET_REFCNT(&obj, 1);
    for (int i = 0; i < n; i++)
        Py_INCREF(&obj);
    if (Py_REFCNT(&obj) > 100)
        return -1;
    return (int)Py_REFCNT(&obj);
}

int main(void)
{
    return bump(3) == 4 ? 0 : 1;
}
"""


def _python_include() -> Path:
    import sysconfig

    include = Path(sysconfig.get_paths()["include"])
    if not (include / "Python.h").is_file():
        pytest.skip(f"Python's headers are not installed ({include})")
    return include


@pytest.fixture(scope="module")
def gcc_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Build and run ext.c with --coverage; gcov's own line figures per source file."""
    require_tool("gcc", "gcov", "lcov")
    include = _python_include()
    repo = tmp_path_factory.mktemp("ext") / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "ext.c").write_text(EXT_C)
    git(repo, "add", "ext.c")

    def run(*cmd: str) -> str:
        done = subprocess.run(
            cmd, cwd=repo, check=True, timeout=120, capture_output=True, text=True
        )
        return done.stdout

    run("gcc", "--coverage", "-O0", f"-I{include}", "ext.c", "-o", "ext")
    run("./ext")
    stdout = run("gcov", "--json-format", "ext.c")
    figures = {
        name: int(total)
        for name, total in re.findall(r"File '([^']+)'\nLines executed:[\d.]+% of (\d+)", stdout)
    }
    assert figures["ext.c"] > 0 and len(figures) == 2, stdout  # ext.c and object.h
    run("lcov", "--quiet", "--capture", "--directory", ".", "--output-file", "lcov.info")
    return repo, figures


@pytest.mark.realtool
@pytest.mark.parametrize("report", ["ext.gcov.json.gz", "lcov.info"])
def test_system_header_is_external_and_left_out(
    gcc_build: tuple[Path, dict[str, int]], report: str
) -> None:
    repo, figures = gcc_build
    if report.endswith(".gz"):  # the header really is in the report
        data = json.loads(gzip.decompress((repo / report).read_bytes()))
        assert any(f["file"].endswith("object.h") for f in data["files"])
    result = invoke(repo, "report", report, "--repo", ".", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [f["path"] for f in doc["files"]] == ["ext.c"]
    assert doc["summary"]["lines_total"] == figures["ext.c"]
    header = next(name for name in figures if name.endswith("object.h"))
    note = f"1 external file left out: {header}; `--include-external` counts them"
    assert note in doc["notes"]
    assert f"covgap: note: {note}" in result.stderr
    md = invoke(repo, "report", report, "--repo", ".", "--format", "markdown").stdout
    assert "> " + note.replace("`", "\\`") in md

    counted = invoke(
        repo, "report", report, "--repo", ".", "--format", "json", "--include-external"
    )
    total = json.loads(counted.stdout)["summary"]["lines_total"]
    assert total == figures["ext.c"] + figures[header]


@pytest.mark.realtool
def test_include_external_in_the_config(gcc_build: tuple[Path, dict[str, int]]) -> None:
    repo, figures = gcc_build
    (repo / "covgap.toml").write_text("[paths]\ninclude_external = true\n")
    try:
        result = invoke(repo, "report", "lcov.info", "--repo", ".", "--format", "json")
    finally:
        (repo / "covgap.toml").unlink()
    assert json.loads(result.stdout)["summary"]["lines_total"] == sum(figures.values())
