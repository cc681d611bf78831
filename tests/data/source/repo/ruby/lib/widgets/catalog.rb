# frozen_string_literal: true

module Widgets
  # A catalog of gadgets (nothing tests this class).
  class Catalog
    def initialize
      @items = []
    end

    def add(gadget)
      @items << gadget
      self
    end
  end
end
