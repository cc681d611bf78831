# frozen_string_literal: true

require "json"

module Tasker
  # Encode step results in the orchestrator's wire format (see message_handler.rs).
  module ResultEncoder
    MAX_PAYLOAD_BYTES = 64 * 1024

    module_function

    def encode(context, result: nil, error: nil, duration_ms: 0)
      fields = ["task=#{context.task_id}", "step=#{context.step_id}", "attempt=#{context.attempt}"]
      fields.concat(status_fields(result, error))
      fields << "duration_ms=#{duration_ms}" if duration_ms.positive?
      fields.join(";")
    end

    def status_fields(result, error)
      case error
      when nil
        return ["status=success"] if result.nil?

        payload = JSON.generate(result)
        raise PermanentError, "payloads may not contain ';'" if payload.include?(";")
        raise PermanentError, "payload of #{payload.bytesize} bytes is too large" if payload.bytesize > MAX_PAYLOAD_BYTES

        ["status=success", "payload=#{payload}"]
      when RetryableError
        ["status=retryable_error", "error=#{clean(error)}"]
      else
        ["status=permanent_error", "error=#{clean(error)}"]
      end
    end

    def clean(error)
      text = error.message.to_s
      text = error.class.name if text.empty?
      text.tr(";\n", ", ")
    end
  end
end
