# frozen_string_literal: true

module Tasker
  # Handlers by name and version.
  class Registry
    NAME = /\A[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\z/

    def initialize
      @handlers = Hash.new { |hash, key| hash[key] = {} }
    end

    def register(handler_class)
      name = handler_class.handler_name
      raise Error, "invalid handler name #{name.inspect}" unless NAME.match?(name)

      version = handler_class.handler_version
      existing = @handlers[name][version]
      if existing && existing != handler_class
        raise Error, "handler #{name} #{version} registered twice"
      end

      @handlers[name][version] = handler_class
    end

    def resolve(name, version = nil)
      versions = @handlers.fetch(name) { raise HandlerNotFound, "no handler named #{name}" }
      version ||= versions.keys.max_by { |v| Gem::Version.new(v) }
      klass = versions.fetch(version) do
        raise HandlerNotFound, "#{name} has no version #{version} (known: #{versions.keys.sort.join(', ')})"
      end
      klass.new
    end

    def names
      @handlers.keys.sort
    end

    def size
      @handlers.values.sum(&:size)
    end
  end
end
