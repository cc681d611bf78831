# frozen_string_literal: true

RSpec.describe Tasker::Registry do
  let(:registry) { described_class.new }

  let(:validate_v1) do
    Class.new(Tasker::StepHandler) do
      self.handler_name = "refund.validate"
      def call(context) = { amount: context.require_input(:amount) }
    end
  end

  let(:validate_v2) do
    Class.new(Tasker::StepHandler) do
      self.handler_name = "refund.validate"
      self.handler_version = "2.0.0"
      def call(_context) = { ok: true }
    end
  end

  it "resolves the latest version by default" do
    registry.register(validate_v1)
    registry.register(validate_v2)
    expect(registry.resolve("refund.validate")).to be_a(validate_v2)
    expect(registry.size).to eq(2)
  end

  it "raises HandlerNotFound for unknown names" do
    expect { registry.resolve("nope") }.to raise_error(Tasker::HandlerNotFound, /no handler named nope/)
  end

  it "rejects invalid names" do
    bad = Class.new(Tasker::StepHandler) { self.handler_name = "Bad Name" }
    expect { registry.register(bad) }.to raise_error(Tasker::Error, /invalid handler name/)
  end

  it "refuses a second class under the same name and version" do
    registry.register(validate_v1)
    other = Class.new(Tasker::StepHandler) { self.handler_name = "refund.validate" }
    expect { registry.register(other) }.to raise_error(Tasker::Error, /registered twice/)
  end
end
