"""Pausing the cyclic garbage collector while covgap builds many acyclic objects.

Reading a big tracefile or the source-analysis cache creates hundreds of thousands of
tuples and records that cannot form reference cycles; every 700 allocations the
collector walks the young ones, and its full passes walk them all, which cost more than
building them (issue 14: building the records of 20,000 cached analyses took 2.97 CPU s,
1.32 s with the collector paused). Reference counting still frees everything as usual.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_gc() -> Iterator[None]:
    """Disable the cyclic collector for the block; re-enable it after, if it was on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
