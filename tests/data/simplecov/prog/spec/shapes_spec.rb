require_relative "spec_helper"
require "calc"
require "shapes"

RSpec.describe Shape do
  it "has an area" do
    expect(Shape.new(:square, 2).area).to eq(4)
  end

  it "has a label" do
    expect(Shape.new(:circle, 1).label).to eq("shape")
    expect(Calc.grade(80)).to eq("B")
  end
end
