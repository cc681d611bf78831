# frozen_string_literal: true

module Tasker
  # What a handler knows about the step it runs.
  class StepContext
    attr_reader :task_id, :step_id, :step_name, :attempt, :inputs, :dependency_results

    def initialize(task_id:, step_id:, step_name:, attempt: 1, inputs: {}, dependency_results: {})
      raise ArgumentError, "attempt must be positive" unless attempt.positive?

      @task_id = task_id
      @step_id = step_id
      @step_name = step_name
      @attempt = attempt
      @inputs = inputs.transform_keys(&:to_s)
      @dependency_results = dependency_results.transform_keys(&:to_s)
    end

    def require_input(key)
      inputs.fetch(key.to_s)
    rescue KeyError
      raise PermanentError, "step #{step_name}: missing input #{key.inspect}"
    end

    def result_of(step)
      dependency_results.fetch(step.to_s) do
        raise PermanentError, "step #{step_name} has no dependency #{step}"
      end
    end

    def first_attempt?
      attempt == 1
    end
  end
end
