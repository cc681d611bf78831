# polyrb: Ruby over polycore's C ABI (fiddle).
require "fiddle"

module Polyrb
  ROOT = File.expand_path("../..", __dir__)
  TARGET = ENV.fetch("CARGO_TARGET_DIR", File.join(ROOT, "target"))
  LIB = Fiddle.dlopen(File.join(TARGET, "debug", "libpolycore.so"))
  CLAMP = Fiddle::Function.new(
    LIB["poly_clamp"],
    [Fiddle::TYPE_LONG_LONG, Fiddle::TYPE_LONG_LONG, Fiddle::TYPE_LONG_LONG],
    Fiddle::TYPE_LONG_LONG
  )

  def self.clamp(x, lo, hi)
    CLAMP.call(x, lo, hi)
  end

  def self.sign(n)
    if n.negative?
      -1
    else
      1
    end
  end
end
