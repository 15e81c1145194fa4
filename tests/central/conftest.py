"""A real PostgreSQL for Central's tests: one throwaway cluster per session (initdb into a tmp
dir, own port and socket dir, password auth; run as the ``postgres`` user when we are root).

Fixtures: ``pg_cluster`` (session: the running cluster), ``central_url`` (session: a migrated
database URL), ``central_db`` (function: the same URL after emptying every Central table),
``central_server`` (function: a running ``central serve`` subprocess on that database;
``CentralProcess`` for more control).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.central import pgcluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[pgcluster.Cluster]:
    # not under pytest's tmp dir: it is private to root, and the server runs as ``postgres``
    root = Path(tempfile.mkdtemp(prefix="pontovoz-pg-"))
    root.chmod(0o755)
    cluster = pgcluster.create(root / "cluster")
    try:
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def central_url(pg_cluster) -> str:
    from app.central.db import migrate

    migrate(pg_cluster.url)
    return pg_cluster.url


@pytest.fixture()
def central_db(central_url) -> str:
    """The migrated database with every Central table emptied (the schema stays)."""
    from sqlalchemy import create_engine, text

    from app.central.db import normalize_url
    from app.central.models import Base

    engine = create_engine(normalize_url(central_url))
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text("SET session_replication_role = replica"))  # skip append-only trigger
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return central_url


class CentralProcess:
    """``python -m app central serve`` in a subprocess on 127.0.0.1 (real HTTP; SIGKILL-able)."""

    def __init__(self, database_url: str, port: int | None = None, workers: int = 1) -> None:
        self.database_url = database_url
        self.port = port or pgcluster.free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout_s: float = 30.0) -> None:
        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": str(root)}
        cmd = [sys.executable, "-m", "app", "central", "serve", "--database-url",
               self.database_url, "--port", str(self.port),
               "--workers", str(self.workers)]  # fmt: skip
        self.proc = subprocess.Popen(cmd, env=env, cwd=root)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Central exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("Central did not answer /healthz in time")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture()
def central_server(central_db) -> Iterator[CentralProcess]:
    """A running Central on an emptied database."""
    server = CentralProcess(central_db)
    server.start()
    try:
        yield server
    finally:
        server.stop()
