"""Render shapes as text (nothing tests this file)."""


def render(shape):
    lines = []
    while shape:
        lines.append(str(shape.popitem()))
    return "\n".join(lines) or "(empty)"
