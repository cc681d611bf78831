"""A tiny package for covgap's .coverage fixtures."""
