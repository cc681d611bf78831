"""What the server refuses before storing anything: sizes, gzip bombs, hostile names."""

from __future__ import annotations

import gzip
import os

import pytest

from covgap.server.access import bearer, hash_token
from covgap.server.limits import (
    Limits,
    Refused,
    check_path,
    check_repo_name,
    check_sha,
    inflate,
)


def test_inflate_round_trips_an_honest_body() -> None:
    data = os.urandom(1000) + b"DA:1,1\n" * 5000
    assert inflate(gzip.compress(data), Limits()) == data


def test_gzip_bomb_is_refused_by_ratio_without_inflating_it_whole() -> None:
    bomb = gzip.compress(b"\0" * (64 << 20))  # 64 MiB of zeros: ~64 KiB compressed
    with pytest.raises(Refused) as info:
        inflate(bomb, Limits(max_ratio=100))
    assert info.value.status == 413
    assert "ratio" in info.value.message


def test_absolute_inflated_size_is_enforced() -> None:
    data = os.urandom(300_000)  # incompressible: the ratio is ~1
    with pytest.raises(Refused, match="decompressed size limit") as info:
        inflate(gzip.compress(data), Limits(max_inflated=200_000))
    assert info.value.status == 413


def test_oversized_body_is_refused() -> None:
    with pytest.raises(Refused) as info:
        inflate(b"x" * 2000, Limits(max_body=1000))
    assert info.value.status == 413


@pytest.mark.parametrize(
    "data", [b"not gzip", gzip.compress(b"{}", mtime=0)[:-6], gzip.compress(b"a", mtime=0) + b"x"]
)
def test_broken_gzip_is_a_400(data: bytes) -> None:
    with pytest.raises(Refused) as info:
        inflate(data, Limits())
    assert info.value.status == 400


@pytest.mark.parametrize(
    "name",
    ["../etc/passwd", "a/../../b", "/etc/passwd", "C:/x", "a\\b", "a\0b", "a\nb", "", "x" * 5000],
)
def test_hostile_paths_are_refused(name: str) -> None:
    with pytest.raises(Refused) as info:
        check_path(name, "report name")
    assert info.value.status == 400


@pytest.mark.parametrize("name", ["src/a.py", "a..b/c", ".github/x.yml", "<script>.py"])
def test_ordinary_paths_pass(name: str) -> None:
    assert check_path(name, "x") == name


@pytest.mark.parametrize("name", ["api", "static", "../x", "a/b", "", "-x", "x" * 101])
def test_repo_names_are_checked(name: str) -> None:
    with pytest.raises(Refused):
        check_repo_name(name)


def test_commit_ids_are_checked() -> None:
    assert check_sha("abcdef1") == "abcdef1"
    with pytest.raises(Refused):
        check_sha("HEAD; rm -rf /")


def test_tokens_are_hashed_and_bearer_parsed() -> None:
    assert hash_token("x") == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
    assert bearer("Bearer abc") == "abc"
    assert bearer("token abc") == "abc"
    assert bearer("Basic abc") is None
    assert bearer(None) is None
