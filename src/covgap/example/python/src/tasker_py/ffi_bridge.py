"""Bridge to the Rust core through its C ABI (``libtasker_ffi``), loaded with ctypes.

The bridge is optional: when the shared library is missing the worker falls back to the
pure-Python wire protocol.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

from tasker_py.errors import PermanentError, RetryableError, TaskerError

_LIBRARY_NAMES = ("libtasker_ffi.so", "libtasker_ffi.dylib", "tasker_ffi.dll")
_STATUS = {0: "ok", 1: "retryable", 2: "permanent", 3: "protocol"}


def find_library(search: list[Path] | None = None) -> Path | None:
    paths = list(search or [])
    if env := os.environ.get("TASKER_FFI_PATH"):
        paths.insert(0, Path(env))
    for directory in paths:
        for name in _LIBRARY_NAMES:
            candidate = directory / name
            if candidate.is_file():
                return candidate
    return None


class FfiBridge:
    def __init__(self, path: Path) -> None:
        try:
            self._lib = ctypes.CDLL(str(path))
        except OSError as exc:
            raise TaskerError(f"cannot load {path}: {exc}") from exc
        self._lib.tasker_submit_result.argtypes = [ctypes.c_char_p]
        self._lib.tasker_submit_result.restype = ctypes.c_int

    def submit(self, line: str) -> None:
        status = _STATUS.get(self._lib.tasker_submit_result(line.encode()), "unknown")
        if status == "ok":
            return
        if status == "retryable":
            raise RetryableError("core is busy", retry_after=0.5)
        if status == "permanent":
            raise PermanentError(f"core rejected result: {line[:80]}")
        raise TaskerError(f"ffi returned {status} status")

    @classmethod
    def load(cls, search: list[Path] | None = None) -> FfiBridge | None:
        path = find_library(search)
        return cls(path) if path else None
