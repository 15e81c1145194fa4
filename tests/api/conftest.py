"""Fixtures for the API tests: the real app over the session's real verifier, served by a
real uvicorn on 127.0.0.1 (a free port), and base64 of real synthetic clips."""

from __future__ import annotations

import base64
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import uvicorn

from app.api import ApiSettings, create_app

CLIPS = {
    "ENTRADA 13 40": "Entrada, treze e quarenta.",
    "SAIDA 17 05": "Saída, dezessete e cinco.",
}


class LiveServer:
    """uvicorn in a thread on a socket bound here (no port race); ``url`` like http://127.0.0.1:N"""

    def __init__(self, app, **config) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = uvicorn.Config(app, log_level="warning", lifespan="on", **config)
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


@pytest.fixture(scope="session")
def clip_bytes(make_clip) -> dict[str, bytes]:
    """Expected phrase -> WAV bytes of a synthetic voice saying it (2-4 s)."""
    return {phrase: make_clip(text).read_bytes() for phrase, text in CLIPS.items()}


@pytest.fixture(scope="session")
def clip_b64(clip_bytes) -> dict[str, str]:
    return {phrase: base64.b64encode(data).decode("ascii") for phrase, data in clip_bytes.items()}


@pytest.fixture(scope="session")
def serve(verifier) -> Callable[..., LiveServer]:
    """serve(settings=None) -> a LiveServer context for the real app on the session verifier."""

    def make(settings: ApiSettings | None = None) -> LiveServer:
        return LiveServer(create_app(verifier, settings or ApiSettings()))

    return make


@pytest.fixture(scope="module")
def live(serve) -> Iterator[LiveServer]:
    """One server with default settings, shared by a test module."""
    with serve() as server:
        yield server
