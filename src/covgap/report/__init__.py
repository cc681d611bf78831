"""Renderers: turn analysis results into text or bytes; they do no I/O of their own."""
