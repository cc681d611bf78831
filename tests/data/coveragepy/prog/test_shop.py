from shop import Cart, classify, loop


def test_cart() -> None:
    cart = Cart()
    cart.add("tea", 3)
    cart.add("cake", 5)
    assert cart.total() == 8


def test_classify() -> None:
    assert classify(500) == "big"
    assert classify(5) == "small"


def test_loop() -> None:
    assert loop([1, 2, 4]) == 6


def test_util() -> None:
    from util import fmt, parse_price

    assert parse_price(" 12p ") == 12
    assert fmt(1234) == "12.34"
