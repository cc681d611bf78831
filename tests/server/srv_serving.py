"""Running real ``covgap serve`` / ``covgap server worker`` processes for tests."""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from covgap.server.spawn import free_port, stop_process, wait_healthy


def covgap(
    *args: str, env: dict[str, str] | None = None, cwd: Any = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "covgap", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def create_repo(store: str, name: str, *extra: str) -> str:
    """``covgap server create-repo``; the token is the last line of stdout."""
    proc = covgap("server", "create-repo", name, "--store", store, *extra)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().splitlines()[-1]


@contextmanager
def serve(
    store: str, *extra: str, env: dict[str, str] | None = None, log: Path | None = None
) -> Iterator[str]:
    """A ``covgap serve`` process on a free loopback port; yields its base URL.

    With ``log``, its stderr (everything it logs) goes to that file.
    """
    port = free_port()
    cache = tempfile.mkdtemp(prefix="covgap-test-cache-")  # the commit reports' sites
    log_file = log.open("wb") if log is not None else None
    proc = subprocess.Popen(
        [sys.executable, "-m", "covgap", "serve", "--store", store, "--host", "127.0.0.1",
         "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=log_file if log_file is not None else subprocess.DEVNULL,
        env={**os.environ, "COVGAP_CACHE_DIR": cache, **(env or {})},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(proc, url)
        yield url
    finally:
        stop_process(proc)
        if log_file is not None:
            log_file.close()
        shutil.rmtree(cache, ignore_errors=True)


def request(
    url: str,
    *,
    data: bytes | None = None,
    token: str | None = None,
    method: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    hdrs = dict(headers or {})
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def get_json(url: str, token: str | None = None) -> tuple[int, Any]:
    status, data = request(url, token=token)
    return status, orjson.loads(data) if data.startswith((b"{", b"[")) else data


def wait_for_totals(base: str, repo: str, sha: str, timeout: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, doc = get_json(f"{base}/api/v1/repos/{repo}/commits/{sha}")
        if status == 200 and doc.get("state") == "complete":
            result: dict[str, Any] = doc
            return result
        time.sleep(0.1)
    raise AssertionError(f"{repo}@{sha} was not processed in {timeout}s")


class Receiver:
    """A local HTTP endpoint on 127.0.0.1 that records the JSON POSTed to it."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length", "0"))
                outer.received.append(orjson.loads(self.rfile.read(size)))
                self.send_response(201)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/status"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def inprocess(store: str, **settings: Any) -> Iterator[str]:
    """The application served by uvicorn in a thread of this process; yields its URL.

    Unlike :func:`serve`, the handlers run in the test process, so the coverage run
    measures them.
    """
    import uvicorn

    from covgap.server.app import create_app
    from covgap.server.settings import Settings

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(Settings(store=store, **settings)),
            host="127.0.0.1",
            port=port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
