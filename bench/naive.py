"""The naive baseline: a plain Python loop summing an LCOV file's DA lines.

Why: it shows what "just read the lines in Python" costs on the same file, the floor
a pure-Python reader that also validates and builds a model cannot beat.
"""

from __future__ import annotations

import sys


def main() -> None:
    hits: dict[tuple[str, int], int] = {}
    path = ""
    with open(sys.argv[1], "rb") as fh:
        for raw in fh:
            if raw.startswith(b"DA:"):
                line, count = raw[3:].split(b",")[:2]
                key = (path, int(line))
                hits[key] = hits.get(key, 0) + int(count)
            elif raw.startswith(b"SF:"):
                path = raw[3:].rstrip().decode()
    print(len(hits), sum(1 for h in hits.values() if h))


if __name__ == "__main__":
    main()
