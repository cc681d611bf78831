"""polypy: Python over polycore's C ABI (ctypes)."""

import ctypes
import os
from pathlib import Path


def _library_path() -> Path:
    """polycore's library at the usual cargo target path ($CARGO_TARGET_DIR honoured)."""
    root = Path(__file__).resolve().parents[2]
    target = Path(os.environ.get("CARGO_TARGET_DIR", root / "target"))
    return target / "debug" / "libpolycore.so"


_LIB = ctypes.CDLL(str(_library_path()))
_LIB.poly_scale.argtypes = [ctypes.c_int64, ctypes.c_int64]
_LIB.poly_scale.restype = ctypes.c_int64


def scale(x: int, k: int) -> int:
    return _LIB.poly_scale(x, k)


def describe(n: int) -> str:
    if n < 0:
        return "negative"
    return "non-negative"
