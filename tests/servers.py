"""Throwaway PostgreSQL and Redis servers for the test suite.

Started from the locally installed binaries (Debian's postgresql and
redis-server packages, which scripts/test installs). PostgreSQL refuses to
run as root, so as root the server runs as the `postgres` system user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


class ServerUnavailable(Exception):
    """The server cannot be started on this machine; the message says why."""


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    found = shutil.which("pg_ctl")
    for path in ([found] if found else []) + candidates:
        real = Path(path).resolve()
        if (real.parent / "initdb").exists() and (real.parent / "postgres").exists():
            return real.parent
    return None


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ServerUnavailable("running as root and runuser is missing")
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise ServerUnavailable("running as root and there is no 'postgres' user") from None
    return [runuser, "-u", "postgres", "--", *argv]


@dataclass
class PostgresServer:
    url: str
    datadir: Path
    bindir: Path

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = _pg_bindir()
        if bindir is None:
            raise ServerUnavailable(
                "PostgreSQL binaries not found (install the Debian package 'postgresql')"
            )
        root = Path(tempfile.mkdtemp(prefix="membot-pg-"))
        os.chmod(root, 0o777)
        datadir = root / "data"
        run = lambda argv: subprocess.run(  # noqa: E731
            _as_server_user(argv), check=True, capture_output=True, text=True
        )
        try:
            run(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(datadir),
                    "-U",
                    "postgres",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                    "--locale=C",
                ]
            )
            port = free_port()
            options = f"-F -p {port} -k {datadir} -c listen_addresses=127.0.0.1"
            run(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(datadir),
                    "-l",
                    str(root / "log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            )
        except subprocess.CalledProcessError as error:
            raise ServerUnavailable(f"PostgreSQL did not start: {error.stderr.strip()}") from None
        return cls(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres", datadir, bindir)

    def stop(self) -> None:
        subprocess.run(
            _as_server_user(
                [str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "immediate", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(self.datadir.parent, ignore_errors=True)


@dataclass
class RedisServer:
    url: str
    process: subprocess.Popen[bytes]

    @classmethod
    def start(cls) -> RedisServer:
        binary = shutil.which("redis-server")
        if binary is None:
            raise ServerUnavailable("redis-server not found (install the Debian package)")
        port = free_port()
        process = subprocess.Popen(
            [
                binary,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return cls(f"redis://127.0.0.1:{port}/0", process)
            if process.poll() is not None:
                break
            time.sleep(0.05)  # waiting for a child process to listen, not for test time
        process.kill()
        raise ServerUnavailable("redis-server did not start listening")

    def stop(self) -> None:
        self.process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
