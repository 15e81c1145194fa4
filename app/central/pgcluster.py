"""A local PostgreSQL cluster in a folder: initdb, own port, own socket dir, password auth.

Used by ``scripts/central.sh``, the tests (a throwaway cluster per session) and the load tool.
PostgreSQL refuses to run as root, so when we are root every server command runs as the
``postgres`` system user (created by Debian's package) through ``runuser``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import PontoVozError

PG_BIN_DIRS = (
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
)
RUN_AS = "postgres"


class ClusterError(PontoVozError):
    """The local PostgreSQL cluster could not be created or started."""


def pg_bin() -> Path:
    for folder in PG_BIN_DIRS:
        if (Path(folder) / "initdb").is_file():
            return Path(folder)
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise ClusterError(
        "PostgreSQL não encontrado (initdb). Instale com: apt-get install postgresql"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Cluster:
    """A cluster under ``root``: ``root/pgdata`` (data), ``root/run`` (socket), ``root/pg.log``."""

    root: Path
    port: int
    user: str = "pontovoz"
    password: str = ""
    database: str = "pontovoz"

    @property
    def data(self) -> Path:
        return self.root / "pgdata"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.database}"

    def _run(self, *argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(pg_bin() / argv[0]), *argv[1:]]
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", RUN_AS, "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if check and proc.returncode != 0:
            raise ClusterError(f"{argv[0]} falhou: {proc.stderr.strip() or proc.stdout.strip()}")
        return proc

    def init(self) -> None:
        """initdb with scram-sha-256 password auth, then create the role and the database."""
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "run").mkdir(exist_ok=True)
        pwfile = self.root / ".pwfile"
        pwfile.write_text(self.password + "\n")
        pwfile.chmod(0o600)
        if os.geteuid() == 0:
            reach = subprocess.run(["runuser", "-u", RUN_AS, "--", "test", "-x", str(self.root)])
            if reach.returncode != 0:
                raise ClusterError(
                    f"o usuário {RUN_AS} não alcança {self.root}: use uma pasta fora de /root e de"
                    " pastas privadas (ex.: /var/lib/pontovoz/central)"
                )
            shutil.chown(self.root, RUN_AS)
            shutil.chown(self.root / "run", RUN_AS)
            shutil.chown(pwfile, RUN_AS)
        try:
            self._run(
                "initdb", "-D", str(self.data), "-U", self.user, f"--pwfile={pwfile}",
                "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
            )  # fmt: skip
        finally:
            pwfile.unlink(missing_ok=True)
        conf = self.data / "postgresql.conf"
        with conf.open("a") as f:
            f.write(
                f"\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.root / 'run'}'\n"
                "max_connections = 200\nshared_buffers = 128MB\n"
            )
        self.start()
        self.psql(f"CREATE DATABASE {self.database}")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.root / "pg.log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self, mode: str = "immediate") -> None:
        """Stop (``immediate`` = crash-like: no checkpoint) and start again."""
        self.stop(mode)
        self.start()

    def running(self) -> bool:
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def psql(self, sql: str) -> str:
        env_pw = {"PGPASSWORD": self.password}
        cmd = [
            str(pg_bin() / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
            "-d", "postgres", "-v", "ON_ERROR_STOP=1", "-Atc", sql,
        ]  # fmt: skip
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=60, env={**os.environ, **env_pw}
        )
        if proc.returncode != 0:
            raise ClusterError(f"psql falhou: {proc.stderr.strip()}")
        return proc.stdout


def create(root: Path, port: int | None = None, password: str | None = None) -> Cluster:
    """A new cluster under ``root`` (which must not hold one yet), started."""
    cluster = Cluster(root, port or free_port(), password=password or secrets.token_urlsafe(18))
    if cluster.data.exists():
        raise ClusterError(f"já existe um cluster em {cluster.data}")
    cluster.init()
    return cluster
