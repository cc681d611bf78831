# A small calculator used to produce real SimpleCov reports.
module Calc
  def self.divide(a, b)
    raise ZeroDivisionError, "b is zero" if b.zero?

    a / b
  end

  def self.sign(n)
    if n.positive?
      :positive
    elsif n.negative?
      :negative
    else
      :zero
    end
  end

  def self.grade(score)
    case score
    when 90.. then "A"
    when 75...90 then "B"
    else "C"
    end
  end

  def self.unused(x)
    y = x * 2
    y + 1
  end
end
