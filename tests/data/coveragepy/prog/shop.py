"""A tiny shop used to produce real coverage.py reports."""


class Cart:
    def __init__(self) -> None:
        self.items: list[tuple[str, int]] = []

    def add(self, name: str, price: int) -> None:
        if price < 0:
            raise ValueError("negative price")
        self.items.append((name, price))

    def total(self, discount: int = 0) -> int:
        total = sum(p for _, p in self.items)
        if discount:
            total -= discount
        return max(total, 0)

    def refund(self) -> int:  # never called
        paid = self.total()
        self.items.clear()
        return paid


def classify(n: int) -> str:
    if n > 100:
        return "big"
    elif n > 10:
        return "medium"
    return "small"


def unused() -> None:  # pragma: no cover
    print("excluded")


def loop(xs: list[int]) -> int:
    acc = 0
    for x in xs:
        if x % 2:
            continue
        acc += x
    return acc
