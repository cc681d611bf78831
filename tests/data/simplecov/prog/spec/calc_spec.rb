require_relative "spec_helper"
require "calc"

RSpec.describe Calc do
  it "divides" do
    expect(Calc.divide(6, 3)).to eq(2)
    expect { Calc.divide(1, 0) }.to raise_error(ZeroDivisionError)
  end

  it "signs" do
    expect(Calc.sign(5)).to eq(:positive)
    expect(Calc.sign(0)).to eq(:zero)
  end

  it "grades" do
    expect(Calc.grade(95)).to eq("A")
  end
end
