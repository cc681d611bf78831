# frozen_string_literal: true

require_relative "lib/tasker/version"

Gem::Specification.new do |spec|
  spec.name = "tasker-rb"
  spec.version = Tasker::VERSION
  spec.summary = "Ruby step handlers for the tasker orchestration service"
  spec.authors = ["Tasker contributors"]
  spec.license = "MIT"
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir["lib/**/*.rb"]
  spec.require_paths = ["lib"]
  spec.add_development_dependency "rspec", "~> 3.12"
  spec.add_development_dependency "simplecov", "~> 0.22"
end
