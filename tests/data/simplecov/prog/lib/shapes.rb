# Shapes: area with a ternary and a safe-navigation branch.
class Shape
  attr_reader :kind, :size

  def initialize(kind, size)
    @kind = kind
    @size = size
  end

  def area
    kind == :square ? size * size : 3 * size * size
  end

  def label
    @label&.upcase || "shape"
  end
end
