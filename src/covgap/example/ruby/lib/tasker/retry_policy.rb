# frozen_string_literal: true

module Tasker
  # Exponential backoff and the decision whether to retry.
  class RetryPolicy
    attr_reader :max_attempts, :base_delay, :max_delay

    def initialize(max_attempts: 3, base_delay: 0.25, max_delay: 30.0)
      raise ArgumentError, "max_attempts must be at least 1" if max_attempts < 1
      raise ArgumentError, "need 0 <= base_delay <= max_delay" if base_delay.negative? || max_delay < base_delay

      @max_attempts = max_attempts
      @base_delay = base_delay
      @max_delay = max_delay
    end

    def retry?(error, attempt)
      return false if attempt >= max_attempts

      case error
      when PermanentError then false
      when RetryableError then true
      when Timeout::Error, Errno::ECONNRESET, Errno::ECONNREFUSED then true
      else false
      end
    end

    def delay(attempt, error = nil)
      if error.is_a?(RetryableError) && error.retry_after
        [error.retry_after, max_delay].min
      else
        [base_delay * (2**(attempt - 1)), max_delay].min
      end
    end
  end
end
