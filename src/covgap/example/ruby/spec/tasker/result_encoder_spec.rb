# frozen_string_literal: true

RSpec.describe Tasker::ResultEncoder do
  let(:context) { Tasker::StepContext.new(task_id: 9, step_id: 2, step_name: "refund.charge", attempt: 2) }

  it "encodes a success with its payload" do
    expect(described_class.encode(context, result: { "charged" => 30 }))
      .to eq('task=9;step=2;attempt=2;status=success;payload={"charged":30}')
  end

  it "encodes a retryable error" do
    line = described_class.encode(context, error: Tasker::RetryableError.new("timeout; again"), duration_ms: 12)
    expect(line).to eq("task=9;step=2;attempt=2;status=retryable_error;error=timeout, again;duration_ms=12")
  end
end
