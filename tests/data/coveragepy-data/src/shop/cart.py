"""A cart with branches taken both ways, one way, and code that never runs."""


class Cart:
    def __init__(self) -> None:
        self.prices: list[int] = []

    def add(self, price: int) -> None:
        if price < 0:
            raise ValueError("negative price")
        self.prices.append(price)

    def total(self) -> int:
        return sum(self.prices)

    def discounted(self, member: bool, sale: bool) -> float:
        t = self.total()
        if member and sale:
            return t / 2
        elif member or sale:
            return t - t / 10
        return t

    def clear(self) -> None:
        self.prices = []

    def debug(self) -> str:  # pragma: no cover
        return repr(self.prices)


def describe(cart: Cart) -> str:
    n = len(cart.prices)
    return "empty" if n == 0 else f"{n} items"


def label(size: str) -> str:
    for prefix in ("big", "small"):
        if size.startswith(prefix):
            return prefix.upper()
    return "none"
