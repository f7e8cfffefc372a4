"""A real PostgreSQL server for the tests and benches: initdb and pg_ctl from Debian's
`postgresql` package (which `make test` installs when it is missing), in a temporary folder,
on a free loopback port, stopped at the end.

PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user the
package creates. Connections over TCP need the password below (so a test can present a wrong
one); the server is reachable only on 127.0.0.1 and lives as long as the test session.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["PostgresServer", "find_binaries", "postgres_server"]

USER = "trivia"
PASSWORD = "not-a-real-secret"  # the test server's only; on loopback, for one session
SERVER_USER = "postgres"  # who runs the server when the tests run as root


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A running server: its port and the binaries' folder."""

    port: int
    bin_dir: Path
    data_dir: Path

    def url(self, database: str = "postgres", *, password: str = PASSWORD) -> str:
        """A connection URL for a database on this server."""
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the server's superuser and return what psql printed."""
        result = subprocess.run(
            [str(self.bin_dir / "psql"), "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql,
             self.url(database)],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        return result.stdout.strip()

    def restart(self) -> None:
        """Stop the server at once (connections drop, as on a crash or failover) and start
        it again on the same port."""
        _run_as_server_user(
            [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w",
             "-t", "60", "-l", str(self.data_dir.parent / "server.log"), "restart"]
        )  # fmt: skip

    def create_database(self, name: str) -> str:
        """A new empty database; returns its URL."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)


def find_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    return versions[-1].parent if versions else None


@contextlib.contextmanager
def postgres_server(bin_dir: Path) -> Iterator[PostgresServer]:
    """Start a throwaway server (about a second), yield it, stop it and delete its files."""
    folder = Path(tempfile.mkdtemp(prefix="trivia-pg-"))
    try:
        data = folder / "data"
        password_file = folder / "password"
        password_file.write_text(PASSWORD + "\n")
        if os.geteuid() == 0:
            shutil.chown(folder, SERVER_USER, SERVER_USER)
            shutil.chown(password_file, SERVER_USER, SERVER_USER)
        _run_as_server_user(
            [str(bin_dir / "initdb"), "-D", str(data), "-U", USER, "-A", "scram-sha-256",
             "--auth-local=trust", f"--pwfile={password_file}", "-E", "UTF8", "--no-sync"],
        )  # fmt: skip
        port = _free_port()
        options = (
            f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        _run_as_server_user(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l",
             str(folder / "server.log"), "-w", "-t", "60", "start"],
        )  # fmt: skip
        try:
            yield PostgresServer(port, bin_dir, data)
        finally:
            _run_as_server_user(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _run_as_server_user(argv: Sequence[str]) -> None:
    if os.geteuid() == 0:
        argv = ["setpriv", f"--reuid={SERVER_USER}", f"--regid={SERVER_USER}", "--init-groups",
                *argv]  # fmt: skip
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120, cwd="/", check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} failed: {result.stdout}{result.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
