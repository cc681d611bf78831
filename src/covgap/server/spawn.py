"""``covgap serve`` as a child process: a free loopback port, waiting for it, stopping it.

The server demo (``scripts/server_demo.py``), the server tests and the load benchmark
(``bench/bench_server.py``) all run real ``covgap serve`` processes; each had its own
copy of "poll ``/health`` until it answers, unless the process died" and of "terminate,
wait, kill". They differ only in the command line, so that is theirs and this is shared.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request

__all__ = ["ServeNotReady", "free_port", "stop_process", "wait_healthy"]


class ServeNotReady(RuntimeError):
    """The server process exited, or did not answer ``/health`` in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_healthy(proc: subprocess.Popen[bytes], url: str, timeout: float = 60.0) -> None:
    """Return once ``url``/health answers 200; raise :class:`ServeNotReady` when ``proc``
    exits first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServeNotReady(f"covgap serve exited with status {proc.returncode}")
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServeNotReady(f"covgap serve did not answer {url}/health in {timeout:g} s")
        time.sleep(0.1)


def stop_process(proc: subprocess.Popen[bytes] | None, grace: float = 30.0) -> None:
    """Terminate ``proc`` (if it still runs), wait ``grace`` seconds, then kill it."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
