# frozen_string_literal: true

module Widgets
  # A gadget with a price.
  class Gadget
    attr_reader :name, :price

    def initialize(name, price)
      raise ArgumentError, "no name" if name.nil? || name.empty?

      @name = name
      @price = price
    end

    def self.build(spec)
      new(spec.fetch(:name), spec.fetch(:price, 0))
    rescue KeyError => e
      raise ArgumentError, e.message
    end

    def discount(kind)
      case kind
      when :half then price / 2
      when :none, nil then price
      else
        price > 10 ? price - 10 : 0
      end
    end

    def label
      value = price.to_s rescue "?"
      unless name.start_with?("x") and value != "0"
        return "#{name}: #{value}"
      end
      name
    end
  end
end
