import pytest

from shop.cart import Cart, describe, label


def test_add_and_total() -> None:
    c = Cart()
    c.add(10)
    c.add(30)
    assert c.total() == 40
    with pytest.raises(ValueError):
        c.add(-1)


def test_discount() -> None:
    c = Cart()
    c.add(100)
    assert c.discounted(True, True) == 50
    assert c.discounted(False, False) == 100
    assert describe(c) == "1 items"


def test_label() -> None:
    assert label("bigger") == "BIG"
