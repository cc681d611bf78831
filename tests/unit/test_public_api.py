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
