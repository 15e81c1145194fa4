"""Helpers for the trust tests (servers, telemetry, sync, API input): run the product's own
entry points in subprocesses with an isolated HOME, and a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from app.lab.central_proc import wait_until_healthy
from tests.live_server import StandIn, api_server

ROOT = Path(__file__).resolve().parents[2]


# ONNX Runtime keeps its telemetry quiet when it sees one of these (read from its binary, 1.32);
# a kiosk never has them, so the product processes below run without them, or the checks
# would pass on a CI machine only because the CI marker switched the telemetry off.
CI_MARKERS = (
    "CI",
    "TF_BUILD",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "CIRCLECI",
    "TRAVIS",
    "JENKINS_URL",
    "CODEBUILD_BUILD_ID",
    "BUILDKITE",
    "TEAMCITY_VERSION",
    "APPVEYOR",
    "BITBUCKET_BUILD_NUMBER",
)


def child_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a product process: an empty HOME, nothing of ours leaking in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ORT_", "XDG_"))
        and k not in ("HOME", "PONTOVOZ_HOME")
        and k not in CI_MARKERS
    }
    env.update(
        HOME=str(home),
        PONTOVOZ_HOME=str(home.parent / (home.name + "-pv")),
        PYTHONPATH=str(ROOT),
        QT_QPA_PLATFORM="offscreen",
    )
    env.update(extra)
    return env


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServeProcess:
    """``python -m app serve`` in its own process (the real entry point, its real logging)."""

    def __init__(self, home: Path, *args: str, env: dict[str, str] | None = None, preexec=None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = home.parent / f"serve-{self.port}.log"
        cmd = [sys.executable, "-m", "app", "serve", "--port", str(self.port), *args]
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env or child_env(home),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=preexec,
        )

    def wait_ready(self, timeout: float = 120.0) -> None:
        try:
            wait_until_healthy(self.proc, self.url + "/health", timeout, "serve")
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}: {self.log_path.read_text()[-2000:]}") from None

    def rss_mb(self) -> float:
        """Resident memory of the server process (VmRSS), in MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()

    def __enter__(self) -> ServeProcess:
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class ScriptedCloud(StandIn):
    """A real HTTP endpoint on 127.0.0.1 that answers what the test sets (status, headers) and
    counts the requests it gets, with their times."""

    def __init__(self) -> None:
        import json
        from http.server import BaseHTTPRequestHandler

        self.status = 200
        self.headers: dict[str, str] = {}
        self.times: list[float] = []
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                cloud.times.append(time.monotonic())
                status = cloud.status
                payload = (
                    {"validated": True, "spoken_text_in_audio": " " + body["expected_speech"]}
                    if status == 200
                    else {"error": "scripted"}
                )
                data = json.dumps(payload).encode()
                self.send_response(status)
                for k, v in {"Content-Type": "application/json", **cloud.headers}.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        super().__init__(Handler)


LiveServer = api_server  # the security tests serve the API as `serve` does
