# frozen_string_literal: true

module Tasker
  VERSION = "0.4.2"
end
