# frozen_string_literal: true

RSpec.describe Tasker::RetryPolicy do
  subject(:policy) { described_class.new(max_attempts: 3) }

  it "retries retryable errors below the limit" do
    expect(policy.retry?(Tasker::RetryableError.new("later"), 1)).to be(true)
    expect(policy.retry?(Tasker::RetryableError.new("later"), 3)).to be(false)
  end

  it "never retries permanent errors" do
    expect(policy.retry?(Tasker::PermanentError.new("no"), 1)).to be(false)
  end

  it "doubles the delay" do
    expect(policy.delay(3)).to eq(1.0)
  end

  it "validates its arguments" do
    expect { described_class.new(max_attempts: 0) }.to raise_error(ArgumentError)
  end
end
