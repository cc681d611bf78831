# frozen_string_literal: true

require "simplecov" if ENV["COVERAGE"]
require "tasker"

RSpec.configure do |config|
  config.expect_with :rspec do |expectations|
    expectations.include_chain_clauses_in_custom_matcher_descriptions = true
  end
  config.disable_monkey_patching!
  config.order = :defined
end
