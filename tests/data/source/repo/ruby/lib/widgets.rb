# frozen_string_literal: true

# Widgets: gadgets that can be built and priced.
require_relative "widgets/gadget"
