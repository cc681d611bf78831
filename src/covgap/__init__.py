"""covgap: exact, merged coverage for polyglot repositories, and the gaps that matter.

The public API is what ``__all__`` lists; everything else is internal and may change.
"""

from __future__ import annotations

__version__ = "0.1.0"

from covgap.errors import (
    ConfigError,
    CovgapError,
    FormatError,
    InputError,
    MergeConflictError,
)
from covgap.model import Branch, Counts, CoverageSet, FileCoverage, Function

__all__ = [
    "Branch",
    "ConfigError",
    "Counts",
    "CoverageSet",
    "CovgapError",
    "FileCoverage",
    "FormatError",
    "Function",
    "InputError",
    "MergeConflictError",
    "__version__",
]
