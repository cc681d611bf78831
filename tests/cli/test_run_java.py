"""``covgap run`` on a plain Java project (no Maven, no Gradle), with the real JaCoCo.

The fixture ``tests/data/javaplain`` has ``src/main/java`` and JUnit 5 tests in
``src/test/java``. covgap compiles it, runs the tests under the JaCoCo agent with the
JUnit console launcher, and writes JaCoCo's XML report. The test then does the same by
hand, as JaCoCo's docs describe (``java -javaagent:jacocoagent.jar=destfile=…`` and the
Ant ``report`` task), in a second copy, and checks covgap's numbers equal the hand
report's, line for line, and the lines the tests leave unrun.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from test_run_e2e import covgap

from conftest import require_tool
from covgap.run import jvm

pytestmark = pytest.mark.realtool

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "javaplain"
SHARE = Path("/usr/share/java")
TIMEOUT = 300


def _tools() -> None:
    require_tool("java", "javac", "ant")
    jars = ["org.jacoco.agent.jar", "org.jacoco.ant.jar", jvm.CONSOLE_JAR]
    missing = [j for j in jars if not (SHARE / j).is_file()]
    if missing:
        message = f"needs {', '.join(missing)} (libjacoco-java, junit5: make test installs them)"
        if os.environ.get("COVGAP_REQUIRE_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)


def sh(argv: list[str], cwd: Path) -> None:
    proc = subprocess.run(
        argv, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert proc.returncode == 0, f"{argv}: {proc.stdout}\n{proc.stderr}"


def _by_hand(repo: Path) -> Path:
    """javac, the JaCoCo agent around the JUnit console launcher, the Ant report task."""
    out = repo.parent / "hand"
    out.mkdir()
    calc = repo / "calc"
    console = SHARE / jvm.CONSOLE_JAR
    with zipfile.ZipFile(SHARE / "org.jacoco.agent.jar") as z:  # what JaCoCo's Ant task does
        (out / "jacocoagent.jar").write_bytes(z.read("jacocoagent.jar"))
    main = [str(p) for p in sorted((calc / "src/main/java").rglob("*.java"))]
    tests = [str(p) for p in sorted((calc / "src/test/java").rglob("*.java"))]
    sh(["javac", "-d", str(out / "classes"), *main], calc)
    cp = f"{out / 'classes'}:{console}"
    sh(["javac", "-d", str(out / "test-classes"), "-cp", cp, *tests], calc)
    sh(
        [
            "java",
            f"-javaagent:{out / 'jacocoagent.jar'}=destfile={out / 'jacoco.exec'}",
            "-jar",
            str(console),
            "-cp",
            f"{out / 'classes'}:{out / 'test-classes'}",
            "--scan-classpath",
            str(out / "test-classes"),
        ],
        calc,
    )
    task = ("org.jacoco.ant.jar", "org.jacoco.core.jar", "org.jacoco.report.jar")
    jars = ":".join(str(SHARE / j) for j in (*task, "asm.jar", "asm-commons.jar", "asm-tree.jar"))
    (out / "build.xml").write_text(
        f"""<project default="r" xmlns:jacoco="antlib:org.jacoco.ant">
  <taskdef uri="antlib:org.jacoco.ant" resource="org/jacoco/ant/antlib.xml" classpath="{jars}"/>
  <target name="r"><jacoco:report>
    <executiondata><file file="{out / "jacoco.exec"}"/></executiondata>
    <structure name="calc">
      <classfiles><fileset dir="{out / "classes"}"/></classfiles>
      <sourcefiles><fileset dir="{calc / "src/main/java"}"/></sourcefiles>
    </structure>
    <xml destfile="{out / "jacoco.xml"}"/>
  </jacoco:report></target>
</project>
"""
    )
    sh(["ant", "-q", "-f", str(out / "build.xml")], out)
    return out / "jacoco.xml"


def _per_line(doc: dict[str, Any]) -> dict[str, Any]:
    return {f["path"]: (f["lines"], f["branches"], f["functions"]) for f in doc["files"]}


def test_plain_java_project_equals_the_agent_and_report_by_hand(tmp_path: Path) -> None:
    _tools()
    repo = tmp_path / "run" / "javaplain"
    shutil.copytree(FIXTURE, repo)
    result = tmp_path / "run.json"
    proc = covgap(repo, "run", "--format", "json", "--detail", "-o", str(result))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(result.read_text())
    assert [i["flag"] for i in doc["inputs"]] == ["jvm"]

    hand_repo = tmp_path / "hand" / "javaplain"
    shutil.copytree(FIXTURE, hand_repo)
    xml = _by_hand(hand_repo)
    proc = covgap(hand_repo, "report", "--format", "json", "--detail", f"jvm={xml}")
    assert proc.returncode == 0, proc.stderr
    hand = json.loads(proc.stdout)
    assert _per_line(doc) == _per_line(hand)
    assert doc["summary"] == hand["summary"]

    files = {f["path"]: f for f in doc["files"]}
    calc = files["calc/src/main/java/org/example/calc/Calc.java"]
    unrun = sorted(line for line, hits in calc["lines"] if hits == 0)
    assert unrun == [16, 23]  # clamp's "value > high" and divide-by-zero's throw
    words = files["calc/src/main/java/org/example/calc/Words.java"]
    assert all(hits == 0 for _, hits in words["lines"])
    assert (doc["summary"]["lines_covered"], doc["summary"]["lines_total"]) == (7, 10)


def test_failing_java_tests_still_report_and_exit_1(tmp_path: Path) -> None:
    _tools()
    repo = tmp_path / "javaplain"
    shutil.copytree(FIXTURE, repo)
    test = repo / "calc/src/test/java/org/example/calc/CalcTest.java"
    test.write_text(test.read_text().replace("assertEquals(5,", "assertEquals(6,"))
    proc = covgap(repo, "run", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    assert "tests FAILED" in proc.stderr
    assert json.loads(proc.stdout)["summary"]["lines_covered"] > 0
