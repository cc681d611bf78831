"""One exception root for everything covgap raises on purpose.

The tree, and the exit status the CLI maps each branch to::

    CovgapError                 any failure covgap explains itself (exit 2)
    ├── InputError              an input cannot be used: missing, unreadable, unknown format
    │   └── FormatError         an input is malformed; names the file and the line/offset
    ├── ConfigError             covgap.toml / [tool.covgap] is wrong; names the key
    ├── MergeConflictError      two inputs disagree about the same file in a way no sum fixes
    ├── GitError                git could not answer (not a repository, bad ref, shallow clone)
    ├── OutputError             an output could not be written
    └── StoreError              the history store cannot be used (names it, password masked)

Gate failures are not exceptions: they are results, and the CLI exits 1 for them.
Library code raises these and never prints or exits; ``covgap.cli`` turns them into a
single line on stderr.
"""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with control characters escaped, so an error stays one visible line.

    Messages quote input (a function name, a path), and input can hold NULs, escape
    sequences or newlines that would garble or forge terminal output.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class CovgapError(Exception):
    """Base class of every error covgap raises deliberately."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        message = printable(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(CovgapError):
    """An input file cannot be used at all (missing, unreadable, unknown format)."""


class FormatError(InputError):
    """A coverage report is malformed.

    The message always starts with the place: ``path:line: what is wrong`` for line
    oriented formats, ``path:offset N: what is wrong`` when only a byte offset is known.
    """

    def __init__(
        self,
        path: str,
        message: str,
        *,
        line: int | None = None,
        offset: int | None = None,
        column: int | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.offset = offset
        self.column = column
        self.reason = message
        if line is not None:
            where = f"{path}:{line}" + (f":{column}" if column is not None else "")
        elif offset is not None:
            where = f"{path}: at byte offset {offset}"
        else:
            where = path
        super().__init__(f"{where}: {message}")


class ConfigError(CovgapError):
    """The configuration is invalid; ``key`` is the dotted name of the offending key."""

    def __init__(self, message: str, *, key: str | None = None, path: str | None = None) -> None:
        self.key = key
        self.path = path
        prefix = f"{path}: " if path else ""
        where = f"[{key}] " if key else ""
        super().__init__(f"{prefix}{where}{message}")


class MergeConflictError(CovgapError):
    """Two inputs describe the same file incompatibly (e.g. a function at two lines)."""


class GitError(CovgapError):
    """git failed or the repository cannot answer the question asked."""


class OutputError(CovgapError):
    """An output file or directory could not be written."""


class StoreError(CovgapError):
    """The history store cannot be used: unreachable, damaged, from a newer covgap.

    The message names the store by its URL with any password masked.
    """
