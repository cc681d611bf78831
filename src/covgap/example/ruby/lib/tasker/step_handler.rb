# frozen_string_literal: true

require "timeout"

module Tasker
  # Subclass, set `handler_name`, and implement #call(context).
  class StepHandler
    class << self
      attr_writer :handler_name, :handler_version

      def handler_name
        @handler_name || raise(Error, "#{name} does not declare handler_name")
      end

      def handler_version
        @handler_version || "1.0.0"
      end
    end

    def call(_context)
      raise NotImplementedError, "#{self.class.name}#call"
    end

    def validate(_context); end

    # Run the handler, turning unexpected exceptions into retryable errors once.
    def run(context)
      validate(context)
      call(context)
    rescue Error
      raise
    rescue Timeout::Error, IOError, SystemCallError => e
      raise RetryableError, "#{self.class.handler_name}: #{e.message}"
    rescue StandardError => e
      raise PermanentError, "#{self.class.handler_name} crashed: #{e.class}: #{e.message}"
    end
  end
end
