"""A real HTTP endpoint on 127.0.0.1 (stdlib http.server) speaking the seed's contract, whose
behaviour a test can switch: ok, 4xx, 5xx, garbage, slow. Used for the failure cases; the
500-punch proof runs the project's own API (app.api) under uvicorn instead."""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

from app.store.ledger import Ledger
from app.store.settings import LedgerSettings
from tests.live_server import StandIn


class FakeCloud(StandIn):
    def __init__(self) -> None:
        self.behaviour = "ok"  # ok | 400 | 500 | garbage | slow
        self.calls: list[tuple[str, str]] = []  # (Idempotency-Key, expected_speech)
        self.lock = threading.Lock()
        cloud = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                base64.b64decode(body["audio"], validate=True)
                with cloud.lock:
                    cloud.calls.append(
                        (self.headers.get("Idempotency-Key", ""), body["expected_speech"])
                    )
                kind = cloud.behaviour
                if kind == "slow":
                    time.sleep(1.5)
                status, payload = (
                    200,
                    {"validated": True, "spoken_text_in_audio": " " + body["expected_speech"]},
                )
                if kind == "400":
                    status, payload = 400, {"error": "'audio' is not an audio file"}
                elif kind == "500":
                    status, payload = 500, {"error": "boom"}
                data = (
                    b"<html>proxy login</html>"
                    if kind == "garbage"
                    else json.dumps(payload).encode()
                )
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the "slow" case): that is the point

        super().__init__(Handler)


@pytest.fixture()
def fake_cloud():
    cloud = FakeCloud()
    yield cloud
    cloud.close()


@pytest.fixture()
def dead_url():
    """A 127.0.0.1 URL where nothing listens (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


@pytest.fixture()
def ledger(tmp_path):
    led = Ledger.open(tmp_path / "ledger.sqlite3", LedgerSettings())
    yield led
    led.close()


@pytest.fixture()
def ana(ledger):
    return ledger.add_employee("Ana Souza", "52998224725", pin="1234")
