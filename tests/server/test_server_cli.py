"""The ``covgap server``, ``serve`` and ``upload`` commands run in process (CliRunner),
against an application served in this process."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from srv_helpers import lcov, make_repo
from srv_serving import inprocess

from covgap.cli import main


def test_admin_commands_upload_and_worker(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path}/s.db"
    init = CliRunner().invoke(main, ["server", "init", "--store", store])
    assert init.exit_code == 0 and init.stdout.strip().splitlines()[-1].startswith("cga_")
    again = CliRunner().invoke(main, ["server", "init", "--store", store])
    assert again.exit_code == 0 and "cga_" not in again.stdout
    made = CliRunner().invoke(
        main,
        ["server", "create-repo", "alpha", "--store", store, "--private",
         "--notify-url", "http://127.0.0.1:9/x"],
    )  # fmt: skip
    assert made.exit_code == 0 and "private" in made.stdout
    token = made.stdout.strip().splitlines()[-1]
    dup = CliRunner().invoke(main, ["server", "create-repo", "alpha", "--store", store])
    assert (
        dup.exit_code == 2
        and dup.stderr.strip() == "covgap: error: repository 'alpha' already exists"
    )
    read = CliRunner().invoke(
        main, ["server", "create-token", "alpha", "--kind", "read", "--store", store]
    )
    assert read.exit_code == 0 and read.stdout.strip().splitlines()[-1].startswith("cgr_")
    nope = CliRunner().invoke(main, ["server", "create-token", "nope", "--store", store])
    assert nope.exit_code == 2 and "no repository 'nope'" in nope.stderr

    repo = tmp_path / "repo"
    sha = make_repo(repo, {"src/a.py": "a\nb\n"})
    (repo / "lcov.info").write_bytes(lcov({"/ci/src/a.py": {1: 1, 2: 0}}))
    with inprocess(store, process_threads=0) as base:
        up = CliRunner().invoke(main, ["upload", f"unit={repo / 'lcov.info'}", "--repo", str(repo),
                                       "--url", base, "--token", token])  # fmt: skip
        assert up.exit_code == 0, up.output
        assert f"{base}/alpha/commit/{sha}" in up.stdout
        # no worker thread in the server: `covgap server worker` processes it, and stops
        # on SIGTERM after finishing its job
        timer = threading.Timer(6.0, os.kill, (os.getpid(), signal.SIGTERM))
        timer.start()
        try:
            worker = CliRunner().invoke(
                main, ["server", "worker", "--store", store, "--lease", "5", "--nice", "0"]
            )
        finally:
            timer.cancel()
        assert worker.exit_code == 0, worker.output
        import urllib.request

        request = urllib.request.Request(
            f"{base}/api/v1/repos/alpha/commits/{sha}", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert b'"lines_covered":1' in answer.read()


def test_serve_without_the_extra_in_process(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    result = CliRunner().invoke(main, ["serve", "--store", f"sqlite:///{tmp_path}/s.db"])
    assert result.exit_code == 2
    assert "pip install 'covgap[server]'" in result.stderr


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX CPU priorities")
def test_worker_process_runs_at_lower_cpu_priority(tmp_path: Path) -> None:
    """A `covgap server worker` lowers its own priority (default 10), so that a `serve`
    process on the same machine answers uploads first; `--nice 0` keeps it."""
    import subprocess

    store = f"sqlite:///{tmp_path}/s.db"
    assert CliRunner().invoke(main, ["server", "init", "--store", store]).exit_code == 0
    mine = os.getpriority(os.PRIO_PROCESS, 0)
    for args, expected in (([], min(mine + 10, 19)), (["--nice", "0"], mine)):
        with subprocess.Popen(
            [sys.executable, "-m", "covgap", "server", "worker", "--store", store, *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ) as proc:
            try:
                assert proc.stderr is not None
                started = proc.stderr.readline()  # printed once the priority is set
                assert b"processing uploads" in started, started
                assert os.getpriority(os.PRIO_PROCESS, proc.pid) == expected
            finally:
                proc.terminate()
                proc.wait(timeout=30)
