# frozen_string_literal: true

RSpec.describe Tasker::StepHandler do
  let(:context) { Tasker::StepContext.new(task_id: 9, step_id: 1, step_name: "refund.charge") }

  it "wraps unexpected exceptions as permanent errors" do
    handler = Class.new(described_class) do
      self.handler_name = "refund.charge"
      def call(_context) = raise(ZeroDivisionError, "divided by 0")
    end
    expect { handler.new.run(context) }.to raise_error(Tasker::PermanentError, /crashed: ZeroDivisionError/)
  end

  it "passes tasker errors through" do
    handler = Class.new(described_class) do
      self.handler_name = "refund.charge"
      def call(_context) = raise(Tasker::RetryableError, "gateway timeout")
    end
    expect { handler.new.run(context) }.to raise_error(Tasker::RetryableError, "gateway timeout")
  end

  it "fails permanently on a missing input" do
    expect { context.require_input(:amount) }.to raise_error(Tasker::PermanentError, /missing input/)
  end
end
