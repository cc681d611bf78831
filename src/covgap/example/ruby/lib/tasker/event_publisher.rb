# frozen_string_literal: true

module Tasker
  # Publishes lifecycle events to subscribers; a failing subscriber is isolated.
  class EventPublisher
    attr_reader :failures

    def initialize
      @subscribers = Hash.new { |hash, key| hash[key] = [] }
      @failures = []
    end

    def subscribe(event, &block)
      raise ArgumentError, "a block is required" unless block

      @subscribers[event.to_s] << block
    end

    def publish(event, payload = {})
      delivered = 0
      (@subscribers[event.to_s] + @subscribers["*"]).each do |subscriber|
        subscriber.call(event.to_s, payload)
        delivered += 1
      rescue StandardError => e
        @failures << [event.to_s, e.message]
      end
      delivered
    end
  end
end
