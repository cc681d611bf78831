# frozen_string_literal: true

module Tasker
  # Base class of every error raised by tasker handlers.
  class Error < StandardError; end

  # The step may succeed if retried later.
  class RetryableError < Error
    attr_reader :retry_after

    def initialize(message = nil, retry_after: nil)
      super(message)
      @retry_after = retry_after
    end
  end

  # The step can never succeed with this input.
  class PermanentError < Error; end

  # No handler is registered under the requested name.
  class HandlerNotFound < Error; end

  # A message from the orchestrator could not be understood.
  class ProtocolError < Error; end
end
