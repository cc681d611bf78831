import unittest

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shapes.area import Polygon, ShapeError, area


def test_circle():
    assert area({"kind": "circle", "r": 1}) > 3


def test_unknown():
    with pytest.raises(ShapeError):
        area({"kind": "blob"})


@pytest.mark.skip(reason="not yet")
def test_skipped():
    assert False


@pytest.mark.skipif(True, reason="always")
def test_always_skipped():
    assert False


@pytest.mark.skipif(False, reason="never")
def test_conditionally_skipped():
    assert True


@pytest.mark.parametrize("side", [1, 2, 3])
def test_square(side):
    assert area({"kind": "square", "side": side}) == side * side


@given(st.floats(min_value=0.1, max_value=10))
def test_circle_positive(r):
    assert area({"kind": "circle", "r": r}) > 0


class TestPolygon:
    def test_perimeter(self):
        assert Polygon([(0, 0), (1, 0), (1, 1), (0, 1)]).perimeter() == 4

    def helper(self):
        return 1


class PolygonCase(unittest.TestCase):
    def test_area(self):
        self.assertEqual(Polygon([(0, 0), (2, 0), (2, 2), (0, 2)]).safe_area(), 4)

    @unittest.skip("broken")
    def test_broken(self):
        self.fail()
