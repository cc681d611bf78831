require_relative "../lib/polyrb"

RSpec.describe Polyrb do
  it "clamps through the Rust library" do
    expect(Polyrb.clamp(15, 0, 10)).to eq(10)
    expect(Polyrb.clamp(5, 0, 10)).to eq(5)
  end

  it "knows a sign" do
    expect(Polyrb.sign(3)).to eq(1)
  end
end
