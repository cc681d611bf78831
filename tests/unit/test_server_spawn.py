"""covgap.server.spawn: a serve process that dies or never answers is named, and stopped."""

from __future__ import annotations

import subprocess
import sys

import pytest

from covgap.server.spawn import ServeNotReady, free_port, stop_process, wait_healthy


def _child(code: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", code])


def test_a_process_that_exits_is_reported_with_its_status() -> None:
    proc = _child("import sys; sys.exit(3)")
    proc.wait(timeout=30)
    with pytest.raises(ServeNotReady, match="exited with status 3"):
        wait_healthy(proc, f"http://127.0.0.1:{free_port()}", timeout=10)


def test_a_process_that_never_answers_times_out_and_is_stopped() -> None:
    proc = _child("import time; time.sleep(60)")
    try:
        with pytest.raises(ServeNotReady, match="did not answer"):
            wait_healthy(proc, f"http://127.0.0.1:{free_port()}", timeout=0.3)
        assert proc.poll() is None
    finally:
        stop_process(proc, grace=10)
    assert proc.poll() is not None
    stop_process(proc)  # already stopped: nothing to do
    stop_process(None)
