"""Integration: parse then compute the area."""

from shapes import area
from shapes.parse import parse


def test_roundtrip():
    shape = parse("circle:2")
    assert area({"kind": shape["kind"], "r": shape["args"][0]}) > 12
