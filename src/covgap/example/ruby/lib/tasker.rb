# frozen_string_literal: true

# Ruby step handlers for the tasker orchestration service.
require_relative "tasker/version"
require_relative "tasker/errors"
require_relative "tasker/step_context"
require_relative "tasker/step_handler"
require_relative "tasker/registry"
require_relative "tasker/retry_policy"
require_relative "tasker/result_encoder"
require_relative "tasker/event_publisher"
require_relative "tasker/api_client"

module Tasker
  class << self
    def registry
      @registry ||= Registry.new
    end

    def register(handler_class)
      registry.register(handler_class)
    end
  end
end
