"""Tiny package whose coverage fixtures covgap's Cobertura tests read."""
