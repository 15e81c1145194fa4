"""Central as a subprocess on 127.0.0.1 (real HTTP; SIGKILL-able), for the load tool and the
tests."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from app.central import pgcluster


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
        # the URL holds the password: environment, not argv (which every user sees in ps)
        env = {**os.environ, "PYTHONPATH": str(root), "PONTOVOZ_CENTRAL_DB": self.database_url}
        cmd = [sys.executable, "-m", "app", "central", "serve", "--port", str(self.port),
               "--workers", str(self.workers)]  # fmt: skip
        self.proc = subprocess.Popen(cmd, env=env, cwd=root, stdout=subprocess.DEVNULL)
        try:
            wait_until_healthy(self.proc, self.url + "/healthz", timeout_s, "Central")
        except RuntimeError:
            self.kill()
            raise

    def kill(self) -> None:
        """SIGKILL the server and any worker process it started."""
        if self.proc and self.proc.poll() is None:
            children = _children(self.proc.pid)
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            for pid in children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until_healthy(
    proc: subprocess.Popen, health_url: str, timeout_s: float, name: str
) -> None:
    """Return once the server that ``proc`` started answers 200 on ``health_url``;
    RuntimeError if ``proc`` exits first, or after ``timeout_s`` without an answer."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited with {proc.returncode}")
        try:
            if httpx.get(health_url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not answer {health_url} in time")


def _children(pid: int) -> list[int]:
    import psutil

    try:
        return [c.pid for c in psutil.Process(pid).children(recursive=True)]
    except psutil.Error:
        return []
