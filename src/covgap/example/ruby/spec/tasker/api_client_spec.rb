# frozen_string_literal: true

RSpec.describe Tasker::ApiClient do
  it "rejects non-http base URLs" do
    expect { described_class.new(base_url: "ftp://orchestrator") }.to raise_error(ArgumentError, /http/)
  end

  xit "turns a connection reset into a retryable error" do
    # Needs a fake Net::HTTP that raises Errno::ECONNRESET; not written yet.
  end
end
