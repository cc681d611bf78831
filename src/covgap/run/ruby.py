"""Ruby: SimpleCov around RSpec or minitest, without editing the project's files.

covgap writes a small helper into the run's folder and loads it into every Ruby
process of the test command through ``RUBYOPT=-r<helper>``; the helper does what
SimpleCov's README asks of a ``spec_helper.rb``: ``require "simplecov"`` and
``SimpleCov.start`` (with branch coverage) before any application code loads. Its
root is the component (SimpleCov's default filters apply: files outside the root are
left out), its ``coverage_dir`` is inside the run, and no HTML is written: the
``.resultset.json`` SimpleCov always writes is the report, read by covgap's ordinary
SimpleCov reader.

The command: ``rspec`` when the component has ``spec/``, else every
``test/**/*_test.rb`` and ``test/**/test_*.rb`` loaded into one minitest process;
through ``bundle exec`` when the component has a ``Gemfile``.
"""

from __future__ import annotations

from pathlib import Path

from covgap.run.base import Job, PlanContext, ReportOut, Runner, Step, command_argv, need

SUITE = "ruby"

HELPER = """\
# Written by covgap run: SimpleCov started before the code under test loads.
require "simplecov"
SimpleCov.root(ENV.fetch("COVGAP_SIMPLECOV_ROOT"))
SimpleCov.coverage_dir(ENV.fetch("COVGAP_SIMPLECOV_DIR"))
SimpleCov.command_name(ENV.fetch("COVGAP_SIMPLECOV_NAME", "covgap"))
SimpleCov.enable_coverage(:branch)
# The .resultset.json SimpleCov always writes is the report; no HTML.
SimpleCov.formatter = Class.new { def format(_result); end }
SimpleCov.start
"""

MINITEST = (
    'Dir[File.join("test", "**", "{*_test,test_*}.rb")].sort.each '
    "{ |f| require File.expand_path(f) }"
)


def applies(directory: Path) -> str | None:
    if (directory / "spec").is_dir() or (directory / "test").is_dir():
        return None
    return "no spec/ or test/ folder"


def plan(ctx: PlanContext) -> Job:
    suite = ctx.settings.suite or SUITE
    job = Job(ctx.component.name, "ruby", ctx.directory, ctx.out_dir)
    if ctx.settings.report:
        argv = command_argv(ctx.settings.command or [])
        job.steps.append(Step("test", argv, ctx.directory, ctx.env, tests=True))
        job.reports.append(ReportOut(ctx.directory / ctx.settings.report, suite))
        return job
    ruby = need("ruby")
    # A Gemfile: the project's own gems (its simplecov, rspec) through Bundler.
    bundle = ["bundle", "exec"] if (ctx.directory / "Gemfile").is_file() else []
    if bundle:
        bundle[0] = need("bundle")
    if ctx.settings.command is not None:
        argv = command_argv(ctx.settings.command)
    elif (ctx.directory / "spec").is_dir():
        argv = [*bundle, "rspec"] if bundle else [need("rspec")]
    else:
        argv = [*bundle, ruby, "-Ilib", "-Itest", "-e", MINITEST]
    helper = ctx.out_dir / "covgap_simplecov.rb"
    helper.write_text(HELPER, encoding="utf-8")
    cov_dir = ctx.out_dir / "simplecov"
    env = dict(ctx.env)
    env["RUBYOPT"] = (env.get("RUBYOPT", "") + f" -r{helper}").strip()
    env["COVGAP_SIMPLECOV_ROOT"] = str(ctx.directory)
    env["COVGAP_SIMPLECOV_DIR"] = str(cov_dir)
    env["COVGAP_SIMPLECOV_NAME"] = suite
    job.steps.append(Step("test", argv, ctx.directory, env, tests=True))
    job.reports.append(
        ReportOut(
            cov_dir / ".resultset.json",
            suite,
            "SimpleCov wrote no .resultset.json (is simplecov installed? the Debian package "
            "ruby-simplecov, or `gem install simplecov`)",
        )
    )
    return job


RUNNER = Runner(
    name="ruby",
    suite=SUITE,
    origins=("gemspec",),
    languages=("ruby",),
    applies=applies,
    plan=plan,
)

__all__ = ["HELPER", "RUNNER"]
