"""Java/Kotlin: the JaCoCo agent through the build tool's own JaCoCo integration.

* Maven (``pom.xml``): ``mvn -B org.jacoco:jacoco-maven-plugin:prepare-agent test
  org.jacoco:jacoco-maven-plugin:report``, the invocation JaCoCo's Maven docs give
  for a project that does not declare the plugin; report
  ``target/site/jacoco/jacoco.xml``.
* Gradle (``build.gradle[.kts]``): ``gradle test jacocoTestReport`` (``./gradlew``
  when present; the project applies the ``jacoco`` plugin); report
  ``build/reports/jacoco/test/jacocoTestReport.xml``.

JVM components are not detected from manifests (covgap's workspace detection has no
JVM manifests); declare one with ``language = "java"`` (or ``runner = "jvm"``).
"""

from __future__ import annotations

from pathlib import Path

from covgap.run.base import Job, PlanContext, ReportOut, Runner, Step, command_argv, need, which

SUITE = "jvm"

MAVEN_REPORT = "target/site/jacoco/jacoco.xml"
GRADLE_REPORT = "build/reports/jacoco/test/jacocoTestReport.xml"


def applies(directory: Path) -> str | None:
    if (directory / "pom.xml").is_file() or any(
        (directory / n).is_file() for n in ("build.gradle", "build.gradle.kts")
    ):
        return None
    return "no pom.xml or build.gradle"


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
    else:
        wrapper = ctx.directory / "gradlew"
        gradle = str(wrapper) if wrapper.is_file() else which("gradle") or need("gradle")
        argv = [gradle, "test", "jacocoTestReport"]
        report = ctx.settings.report or GRADLE_REPORT
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

__all__ = ["RUNNER"]
