"""Helpers shared by the server tests: upload documents, report files, a git repo."""

from __future__ import annotations

import base64
import gzip
import subprocess
from pathlib import Path
from typing import Any

import orjson

SHA_A = "a" * 40
SHA_B = "b" * 40


def lcov(files: dict[str, dict[int, int]]) -> bytes:
    """An LCOV tracefile with the given per-line hits."""
    out = ["TN:"]
    for path, hits in files.items():
        out.append(f"SF:{path}")
        out += [f"DA:{line},{n}" for line, n in sorted(hits.items())]
        out.append(f"LF:{len(hits)}")
        out.append(f"LH:{sum(1 for n in hits.values() if n)}")
        out.append("end_of_record")
    return ("\n".join(out) + "\n").encode()


def document(
    reports: list[tuple[str, bytes, str | None]],
    *,
    commit: str = SHA_A,
    files: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "version": 1,
        "commit": commit,
        "files": files or [],
        "reports": [
            {"name": name, "flag": flag, "format": None, "data": base64.b64encode(data).decode()}
            for name, data, flag in reports
        ],
        **extra,
    }


def body(doc: dict[str, Any]) -> bytes:
    return gzip.compress(orjson.dumps(doc))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()


def make_repo(root: Path, files: dict[str, str]) -> str:
    """A git repository with ``files`` committed; returns the commit SHA."""
    root.mkdir(parents=True, exist_ok=True)
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    return git(root, "rev-parse", "HEAD")
