require "simplecov"
SimpleCov.command_name ENV.fetch("SIMPLECOV_COMMAND", "RSpec")
SimpleCov.start do
  enable_coverage :branch
  add_filter "/spec/"
  formatter SimpleCov::Formatter::SimpleFormatter
end
$LOAD_PATH.unshift File.expand_path("../lib", __dir__)
