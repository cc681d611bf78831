from app.ops import classify, total
from app.util.text import Greeter, shout

assert classify(-1) == "negative"
assert classify(3) == "positive"
assert total([1, 2, 3]) == 6
assert shout("a") == "A"
assert Greeter("x").greet() == "x"
