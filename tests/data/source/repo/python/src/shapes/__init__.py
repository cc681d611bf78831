"""Shapes: areas and parsing of simple geometric shapes."""

from shapes.area import area

__all__ = ["area"]
