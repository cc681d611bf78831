"""Java/Kotlin: the JaCoCo agent, through the build tool or, without one, by covgap.

* Maven (``pom.xml``): ``mvn -B org.jacoco:jacoco-maven-plugin:prepare-agent test
  org.jacoco:jacoco-maven-plugin:report``, the invocation JaCoCo's Maven docs give
  for a project that does not declare the plugin; report
  ``target/site/jacoco/jacoco.xml``.
* Gradle (``build.gradle[.kts]``): ``gradle test jacocoTestReport`` (``./gradlew``
  when present; the project applies the ``jacoco`` plugin); report
  ``build/reports/jacoco/test/jacocoTestReport.xml``.
* Neither (a plain ``src/main/java`` + ``src/test/java`` layout): what JaCoCo's agent
  docs describe, step by step, all into the run's folder (the project is untouched):

  1. ``javac -d RUN/classes @main-sources`` and ``javac -d RUN/test-classes -cp
     RUN/classes:CONSOLE @test-sources`` (jars in the component's ``lib/`` are on both
     classpaths);
  2. ``java -javaagent:jacocoagent.jar=destfile=RUN/jacoco.exec -jar
     junit-platform-console-standalone.jar --scan-classpath RUN/test-classes …``
     (JUnit 5 tests; the console launcher's exit status is the tests' outcome);
  3. the XML report of ``jacoco.exec`` over ``RUN/classes`` with the sources of
     ``src/main/java``: ``java -jar jacococli.jar report … --xml`` when JaCoCo's CLI is
     available, else JaCoCo's Ant ``report`` task (Debian ships the Ant tasks in
     ``libjacoco-java``, not the CLI).

  The jars are looked up in ``$JACOCO_HOME/lib`` (the layout of JaCoCo's distribution
  zip: ``jacocoagent.jar``, ``jacococli.jar``), ``$JUNIT_CONSOLE`` (the console
  launcher jar), then :data:`JAR_DIRS` (Debian's ``/usr/share/java``: packages
  ``libjacoco-java``, ``junit5``, ``ant``). Debian's ``org.jacoco.agent.jar`` wraps the
  agent (``jacocoagent.jar`` inside it, as JaCoCo's Ant task extracts it); covgap
  extracts it into the run's folder.

JVM components are not detected from manifests (covgap's workspace detection has no
JVM manifests); declare one with ``language = "java"`` (or ``runner = "jvm"``).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from covgap.run.base import (
    Job,
    PlanContext,
    ReportOut,
    Runner,
    Step,
    ToolMissing,
    command_argv,
    need,
    which,
)

SUITE = "jvm"

MAVEN_REPORT = "target/site/jacoco/jacoco.xml"
GRADLE_REPORT = "build/reports/jacoco/test/jacocoTestReport.xml"
MAIN_SOURCES = Path("src/main/java")
TEST_SOURCES = Path("src/test/java")

JAR_DIRS: tuple[Path, ...] = (Path("/usr/share/java"),)
"""Where system packages put jars (Debian and Ubuntu: ``/usr/share/java``)."""

CONSOLE_JAR = "junit-platform-console-standalone.jar"
ANT_TASK_JARS = (
    "org.jacoco.ant.jar",
    "org.jacoco.core.jar",
    "org.jacoco.report.jar",
    "asm.jar",
    "asm-commons.jar",
    "asm-tree.jar",
)
"""What JaCoCo's Ant tasks load (Debian's org.jacoco.ant.jar is not the all-in-one
``jacocoant.jar`` of JaCoCo's zip, so its dependencies go on the task's classpath)."""


def _has_build_tool(directory: Path) -> bool:
    return (directory / "pom.xml").is_file() or any(
        (directory / n).is_file() for n in ("build.gradle", "build.gradle.kts")
    )


def _java_files(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.java")) if directory.is_dir() else []


def applies(directory: Path) -> str | None:
    if _has_build_tool(directory):
        return None
    if not _java_files(directory / MAIN_SOURCES):
        return "no pom.xml, build.gradle or src/main/java"
    if not _java_files(directory / TEST_SOURCES):
        return "no tests in src/test/java"
    return None


def _jar_dirs(env: Mapping[str, str]) -> list[Path]:
    dirs = [Path(env["JACOCO_HOME"]) / "lib"] if env.get("JACOCO_HOME") else []
    return dirs + list(JAR_DIRS)


def _find_jar(names: Sequence[str], env: Mapping[str, str]) -> Path | None:
    for d in _jar_dirs(env):
        for name in names:
            if (d / name).is_file():
                return d / name
    return None


def agent_jar(env: Mapping[str, str], out_dir: Path) -> Path:
    """The JaCoCo agent jar: the distribution's, or extracted from Debian's wrapper."""
    found = _find_jar(["jacocoagent.jar"], env)
    if found is not None:
        return found
    wrapper = _find_jar(["org.jacoco.agent.jar"], env)
    if wrapper is None:
        raise ToolMissing(
            "jacocoagent.jar",
            "the Debian package libjacoco-java, or JaCoCo's zip with $JACOCO_HOME set",
        )
    target = out_dir / "jacocoagent.jar"
    with zipfile.ZipFile(wrapper) as z:
        target.write_bytes(z.read("jacocoagent.jar"))
    return target


def console_jar(env: Mapping[str, str]) -> Path:
    """The JUnit Platform console launcher (``$JUNIT_CONSOLE``, else the system's)."""
    if env.get("JUNIT_CONSOLE"):
        return Path(env["JUNIT_CONSOLE"])
    found = _find_jar([CONSOLE_JAR], {})
    if found is None:
        raise ToolMissing(CONSOLE_JAR, "the Debian package junit5, or set $JUNIT_CONSOLE")
    return found


def quoteattr(value: str) -> str:
    """``value`` as a double-quoted XML attribute (not ``xml.sax.saxutils.quoteattr``:
    importing it loads urllib and http, tens of milliseconds of every ``covgap run``)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return '"' + escaped.replace('"', "&quot;") + '"'


def ant_build_file(
    exec_file: Path, classes: Path, sources: Path, xml: Path, name: str, task_jars: Sequence[Path]
) -> str:
    """An Ant build file whose default target is JaCoCo's documented ``report`` task."""
    classpath = os.pathsep.join(str(j) for j in task_jars)
    return f"""<project name="covgap-jacoco" default="report" xmlns:jacoco="antlib:org.jacoco.ant">
  <taskdef uri="antlib:org.jacoco.ant" resource="org/jacoco/ant/antlib.xml"
           classpath={quoteattr(classpath)}/>
  <target name="report">
    <jacoco:report>
      <executiondata><file file={quoteattr(str(exec_file))}/></executiondata>
      <structure name={quoteattr(name)}>
        <classfiles><fileset dir={quoteattr(str(classes))}/></classfiles>
        <sourcefiles encoding="UTF-8"><fileset dir={quoteattr(str(sources))}/></sourcefiles>
      </structure>
      <xml destfile={quoteattr(str(xml))}/>
    </jacoco:report>
  </target>
</project>
"""


def _report_step(ctx: PlanContext, java: str, exec_file: Path, classes: Path, xml: Path) -> Step:
    """``jacococli report`` when JaCoCo's CLI is there, else its Ant ``report`` task."""
    sources = ctx.directory / MAIN_SOURCES
    cli = _find_jar(["jacococli.jar"], ctx.env)
    if cli is not None:
        argv = [java, "-jar", str(cli), "report", str(exec_file)]
        argv += ["--classfiles", str(classes), "--sourcefiles", str(sources), "--xml", str(xml)]
        return Step("report", argv, ctx.directory, ctx.env)
    ant = which("ant")
    jars = [_find_jar([name], ctx.env) for name in ANT_TASK_JARS]
    if ant is None or any(j is None for j in jars):
        raise ToolMissing(
            "jacococli.jar or ant with JaCoCo's Ant tasks",
            "the Debian packages ant and libjacoco-java, or JaCoCo's zip with $JACOCO_HOME set",
        )
    build = ctx.out_dir / "jacoco-report.xml"
    build.write_text(
        ant_build_file(
            exec_file, classes, sources, xml, ctx.component.name, [j for j in jars if j]
        ),
        encoding="utf-8",
    )
    return Step("report", [ant, "-q", "-f", str(build)], ctx.directory, ctx.env)


def _plain(ctx: PlanContext, job: Job, suite: str) -> None:
    """The steps of a project without a build tool (module docstring)."""
    java, javac = need("java"), need("javac")
    console = console_jar(ctx.env)
    agent = agent_jar(ctx.env, ctx.out_dir)
    out = ctx.out_dir
    classes, test_classes = out / "classes", out / "test-classes"
    exec_file, xml = out / "jacoco.exec", out / "jacoco.xml"
    libs = [str(p) for p in sorted((ctx.directory / "lib").glob("*.jar"))]
    for name, folder in (("main", MAIN_SOURCES), ("test", TEST_SOURCES)):
        files = _java_files(ctx.directory / folder)
        (out / f"{name}.sources").write_text("".join(f'"{f}"\n' for f in files), "utf-8")
    cp_main = os.pathsep.join([str(classes), *libs])
    cp_tests = os.pathsep.join([str(classes), str(test_classes), *libs])
    exec_file.unlink(missing_ok=True)  # the agent appends to an existing file
    compile_main = [javac, "-d", str(classes), *(["-cp", cp_main] if libs else [])]
    compile_tests = [javac, "-d", str(test_classes), "-cp", f"{cp_main}{os.pathsep}{console}"]
    launcher = [java, f"-javaagent:{agent}=destfile={exec_file}", "-jar", str(console)]
    options = ["--disable-banner", "--disable-ansi-colors", "-cp", cp_tests]
    job.steps += [
        Step("compile", [*compile_main, f"@{out}/main.sources"], ctx.directory, ctx.env),
        Step("compile tests", [*compile_tests, f"@{out}/test.sources"], ctx.directory, ctx.env),
        Step(
            "test",
            [*launcher, *options, "--scan-classpath", str(test_classes)],
            ctx.directory,
            ctx.env,
            tests=True,
        ),
        _report_step(ctx, java, exec_file, classes, xml),
    ]
    job.reports.append(ReportOut(xml, suite, "JaCoCo wrote no XML report (no jacoco.exec?)"))
    job.notes.append("built with javac and run with the JUnit console launcher (no Maven/Gradle)")


def plan(ctx: PlanContext) -> Job:
    suite = ctx.settings.suite or SUITE
    job = Job(ctx.component.name, "jvm", ctx.directory, ctx.out_dir)
    if ctx.settings.command is not None:
        argv = command_argv(ctx.settings.command)
        report = ctx.settings.report or (
            MAVEN_REPORT if (ctx.directory / "pom.xml").is_file() else GRADLE_REPORT
        )
    elif (ctx.directory / "pom.xml").is_file():
        plugin = "org.jacoco:jacoco-maven-plugin"
        argv = [need("mvn"), "-B", f"{plugin}:prepare-agent", "test", f"{plugin}:report"]
        report = ctx.settings.report or MAVEN_REPORT
    elif _has_build_tool(ctx.directory):
        wrapper = ctx.directory / "gradlew"
        gradle = str(wrapper) if wrapper.is_file() else which("gradle") or need("gradle")
        argv = [gradle, "test", "jacocoTestReport"]
        report = ctx.settings.report or GRADLE_REPORT
    else:
        _plain(ctx, job, suite)
        return job
    job.steps.append(Step("test", argv, ctx.directory, ctx.env, tests=True))
    job.reports.append(ReportOut(ctx.directory / report, suite, "JaCoCo wrote no XML report"))
    return job


RUNNER = Runner(
    name="jvm",
    suite=SUITE,
    origins=(),
    languages=("java", "kotlin", "scala"),
    applies=applies,
    plan=plan,
)

__all__ = ["RUNNER", "agent_jar", "ant_build_file", "console_jar"]
