# frozen_string_literal: true

SimpleCov.start do
  enable_coverage :branch
  add_filter "/spec/"
  command_name "rspec"
end
