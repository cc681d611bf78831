# frozen_string_literal: true

require_relative "../../lib/widgets"

RSpec.describe Widgets::Gadget do
  describe ".build" do
    it "builds from a hash" do
      expect(described_class.build(name: "a", price: 3).price).to eq 3
    end

    it "rejects a missing name" do
      expect { described_class.build(price: 1) }.to raise_error(ArgumentError)
    end
  end

  context "with discounts" do
    let(:gadget) { described_class.new("g", 20) }

    it "halves" do
      expect(gadget.discount(:half)).to eq 10
    end

    xit "is skipped with xit" do
      expect(1).to eq 2
    end

    it "is skipped with metadata", skip: "later" do
      expect(1).to eq 2
    end

    it "is pending without a block"

    specify { expect(gadget.discount(:none)).to eq 20 }
  end

  xdescribe "a skipped group" do
    it "does not run" do
      expect(1).to eq 2
    end
  end
end
