# frozen_string_literal: true

require "minitest/autorun"
require "widgets/gadget"

class TestGadget < Minitest::Test
  def test_label
    assert_equal "g: 1", Widgets::Gadget.new("g", 1).label
  end

  def test_skipped
    skip "not now"
    assert false
  end

  def helper
    1
  end
end
