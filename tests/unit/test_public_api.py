"""The public API is what ``covgap.__all__`` says, and all of it exists."""

from __future__ import annotations

import covgap


def test_all_names_exist() -> None:
    for name in covgap.__all__:
        assert hasattr(covgap, name), name


def test_all_lists_every_public_name() -> None:
    public = {n for n in vars(covgap) if not n.startswith("_") and n[0].isupper()}
    assert public <= set(covgap.__all__)


def test_error_tree_has_one_root() -> None:
    from covgap import errors

    for name in (
        "InputError",
        "FormatError",
        "ConfigError",
        "MergeConflictError",
        "GitError",
        "OutputError",
    ):
        assert issubclass(getattr(errors, name), errors.CovgapError)
    err = errors.FormatError("r.info", "bad count", line=12)
    assert str(err) == "r.info:12: bad count"
    assert str(errors.FormatError("r.json", "bad", offset=7)) == "r.json: at byte offset 7: bad"


def test_error_messages_are_one_printable_line() -> None:
    from covgap import errors

    err = errors.FormatError("r.info", "bad name 'a\x00b\nc\x1b[31m'", line=3)
    assert "\n" not in str(err) and "\x00" not in str(err) and "\x1b" not in str(err)
    assert str(err) == "r.info:3: bad name 'a\\x00b\\nc\\x1b[31m'"
