import polypy


def test_scale() -> None:
    assert polypy.scale(3, 4) == 12
    assert polypy.scale(3, 0) == 0


def test_describe() -> None:
    assert polypy.describe(5) == "non-negative"
