#!/usr/bin/env python3
# -*- coding: utf-8 -*-
"""Compute the area of a shape described by a dict.

The second line of the docstring is not the description.
"""

import math


class ShapeError(ValueError):
    """A shape that has no area."""


def area(shape):
    # one comment line
    kind = shape.get("kind")
    if kind == "circle":
        return math.pi * shape["r"] ** 2
    elif kind == "square" and shape.get("side", 0) > 0:
        return shape["side"] ** 2
    elif kind in ("rect", "rectangle"):
        return shape["w"] * shape["h"] if shape["w"] > 0 else 0.0
    raise ShapeError(f"unknown shape {kind!r}")


class Polygon:
    def __init__(self, points):
        self.points = [p for p in points if p is not None]

    def perimeter(self):
        total = 0.0
        for a, b in zip(self.points, self.points[1:] + self.points[:1]):
            total += math.dist(a, b)
        return total

    def safe_area(self):
        try:
            return self._shoelace()
        except (TypeError, IndexError):
            return 0.0
        except ZeroDivisionError:
            raise

    def _shoelace(self):
        def cross(a, b):
            return a[0] * b[1] - a[1] * b[0]

        n = len(self.points)
        return abs(sum(cross(self.points[i], self.points[(i + 1) % n]) for i in range(n))) / 2


def classify(value):
    match value:
        case 0:
            return "zero"
        case int() if value < 0:
            return "negative"
        case _:
            return "other"
