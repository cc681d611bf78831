"""Read each report given on the command line with covgap, without merging them.

Why: the issue 4 merge target compares merging N shard reports with reading them;
this is the "reading them" half, in one process like the merge command.
"""

from __future__ import annotations

import sys
from pathlib import Path

from covgap.formats import read_report


def main() -> None:
    lines = 0
    for name in sys.argv[1:]:
        lines += read_report(Path(name)).totals().lines_total
    print(lines)


if __name__ == "__main__":
    main()
