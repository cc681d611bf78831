"""Ruby analysis on the fixture gem, asserted exactly (see lang_ruby's rules)."""

from __future__ import annotations

from pathlib import Path

from covgap.source import ErrorPath, TestCase, analyze_source

REPO = Path(__file__).parents[1] / "data" / "source" / "repo"


def analyze(rel: str):  # type: ignore[no-untyped-def]
    return analyze_source(rel, (REPO / rel).read_bytes(), "ruby")


def test_methods_complexity_and_error_paths() -> None:
    sf = analyze("ruby/lib/widgets/gadget.rb")
    got = [(f.qualname, f.start_line, f.end_line, f.complexity) for f in sf.functions]
    assert got == [
        ("Widgets::Gadget#initialize", 8, 13, 3),  # if modifier, ||
        ("Widgets::Gadget.build", 15, 19, 2),  # rescue
        ("Widgets::Gadget#discount", 21, 28, 4),  # two whens, ternary
        ("Widgets::Gadget#label", 30, 36, 4),  # rescue modifier, unless, and
    ]
    assert sf.error_paths == [
        ErrorPath("raise", 9, 9),
        ErrorPath("rescue", 17, 18),
        ErrorPath("raise", 18, 18),
        ErrorPath("rescue", 31, 31),
    ]
    # no leading description, so the RDoc comment of the first class
    assert sf.description == "A gadget with a price."


def test_rspec_examples_groups_and_skips() -> None:
    sf = analyze("ruby/spec/widgets/gadget_spec.rb")
    assert sf.tests == [
        TestCase("Widgets::Gadget.build builds from a hash", 7, "test", False, "rspec"),
        TestCase("Widgets::Gadget.build rejects a missing name", 11, "test", False, "rspec"),
        TestCase("Widgets::Gadget with discounts halves", 19, "test", False, "rspec"),
        TestCase("Widgets::Gadget with discounts is skipped with xit", 23, "test", True, "rspec"),
        TestCase(
            "Widgets::Gadget with discounts is skipped with metadata", 27, "test", True, "rspec"
        ),
        TestCase(
            "Widgets::Gadget with discounts is pending without a block", 31, "test", True, "rspec"
        ),
        TestCase("Widgets::Gadget with discounts", 33, "test", False, "rspec"),
        TestCase("Widgets::Gadget a skipped group does not run", 37, "test", True, "rspec"),
    ]
    assert "const:Widgets::Gadget" in sf.imports
    assert "require_relative:../../lib/widgets" in sf.imports


def test_minitest_methods_and_skip() -> None:
    sf = analyze("ruby/test/test_gadget.rb")
    assert sf.tests == [
        TestCase("TestGadget#test_label", 7, "test", False, "minitest"),
        TestCase("TestGadget#test_skipped", 11, "test", True, "minitest"),
    ]


def test_skip_inside_an_example_defines_no_example() -> None:
    code = b'describe "x" do\n  it "a" do\n    skip "later"\n  end\n  pending "b" do\n  end\nend\n'
    tests = analyze_source("spec/x_spec.rb", code, "ruby").tests
    assert [(t.name, t.skipped) for t in tests] == [("x a", False), ("x b", True)]


def test_rspec_calls_outside_test_files_are_not_tests() -> None:
    code = b'describe "x" do\n  it "a" do\n  end\nend\n'
    assert analyze_source("lib/dsl.rb", code, "ruby").tests == []


def test_frozen_string_literal_is_not_a_description() -> None:
    sf = analyze("ruby/lib/widgets.rb")
    assert sf.description == "Widgets: gadgets that can be built and priced."
    assert (sf.lines, sf.code_lines) == (4, 1)
