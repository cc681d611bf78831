"""A throwaway PostgreSQL cluster for tests: real server, temp dir, loopback port.

``PgCluster.start()`` runs Debian's ``initdb`` and ``pg_ctl`` (``/usr/lib/postgresql/<v>/bin``
or ``PATH``) on a fresh directory, listening on ``127.0.0.1`` on a free port with its
unix socket inside that directory, trust authentication for the ``postgres`` role,
and durability off (a test cluster never needs to survive a crash). initdb refuses
to run as root, so under root the cluster belongs to the ``postgres`` OS user.

``create_database()`` returns the URL of a new, empty database; ``stop()`` shuts the
server down and removes the directory. The fixtures in ``tests/conftest.py`` wrap this:
``pg_cluster`` (one per session) and ``pg_url`` (a fresh database per test).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

_TIMEOUT = 60


def find_bin(name: str) -> str | None:
    """The PostgreSQL server tool ``name``: Debian's versioned directory first, then PATH."""
    for directory in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        candidate = Path(directory) / name
        if candidate.is_file():
            return str(candidate)
    return shutil.which(name)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class PgCluster:
    """One running throwaway cluster."""

    def __init__(self, initdb: str, pg_ctl: str) -> None:
        self.initdb = initdb
        self.pg_ctl = pg_ctl
        self.dir = Path(tempfile.mkdtemp(prefix="covgap-pg-"))
        self.data = self.dir / "data"
        self.port = 0
        self.as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = ["runuser", "-u", "postgres", "--", *args] if self.as_postgres else list(args)
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=_TIMEOUT, check=False, cwd=self.dir
        )

    def start(self) -> PgCluster:
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        init = self._run(
            self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "--no-sync", "-E", "UTF8", "--locale=C",
        )  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        last = ""
        for _attempt in range(3):  # the free port can be taken between probe and bind
            self.port = _free_port()
            opts = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} "
                f"-c unix_socket_directories={self.dir} -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
            )
            started = self._run(
                self.pg_ctl, "start", "-D", str(self.data), "-w", "-t", str(_TIMEOUT),
                "-o", opts, "-l", str(self.dir / "server.log"),
            )  # fmt: skip
            if started.returncode == 0:
                return self
            last = started.stderr.strip() or started.stdout.strip()
        log = (self.dir / "server.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"pg_ctl start failed: {last}\n{log}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(self.url(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        if self.data.exists():
            self._run(self.pg_ctl, "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.dir, ignore_errors=True)


def start_cluster() -> PgCluster | None:
    """Start a cluster, or None when the PostgreSQL server tools are not installed."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        return None
    return PgCluster(initdb, pg_ctl).start()
