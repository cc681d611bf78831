"""Helpers for shop.py, half of them untested."""


def parse_price(text: str) -> int:
    text = text.strip()
    if text.endswith("p"):
        return int(text[:-1])
    return int(float(text) * 100)


def fmt(pence: int) -> str:
    return f"{pence // 100}.{pence % 100:02d}"


def lazy(n: int) -> list[int]:
    return [i for i in range(n) if i % 3 == 0]
