# ruff: noqa: F811 - pytest fixtures imported from central_fixtures are redefined as parameters
"""Shared pieces for the Central attack replays (tests/security/test_central_*.py): a real
Central (the whole ASGI app, front door included) on uvicorn on 127.0.0.1 over the session's
throwaway PostgreSQL, an enrolled kiosk, and a raw-socket client that can be slow or huge."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

import app.central.hr_models  # noqa: F401 - registers the HR tables for central_db's TRUNCATE
from app.central import service
from app.central.app import create_app
from app.central.db import make_engine, session_factory, session_scope
from app.central.front_door import MB, DoorLimits
from tests.central.conftest import central_db, central_url, pg_cluster  # noqa: F401 - fixtures
from tests.live_server import LiveServer

#: Small limits so a test sees each refusal in well under a second of traffic.
TEST_LIMITS = DoorLimits(
    by_prefix={"/api/v1/punches": 2 * MB, "/api/v1/employees": 2 * MB, "/api/": MB, "/": MB},
    max_inflight=12 * MB,  # one 2 MB body takes 8 MB of it (BODY_COST 4)
    timeout_s=10.0,
    min_rate=64 * 1024,
    grace_s=1.5,
)


@dataclass
class Central:
    url: str
    host: str
    port: int
    factory: sessionmaker[Session]

    def enroll(self, name: str = "Porta 1", ledger_kiosk_id: str = "K1") -> str:
        """A kiosk credential, as ``central join`` gets it."""
        with session_scope(self.factory) as s:
            code = service.create_code(s)
        with session_scope(self.factory) as s:
            return service.enroll(s, code, name, ledger_kiosk_id).token


@pytest.fixture()
def central(central_db) -> Iterator[Central]:
    """The whole Central app (door, kiosk API, HR pages) on uvicorn, test limits."""
    engine = make_engine(central_db, pool_size=2)
    app = create_app(central_db, pool_size=4, limits=TEST_LIMITS)
    try:
        with LiveServer(app) as server:
            yield Central(server.url, "127.0.0.1", server.port, session_factory(engine))
    finally:
        engine.dispose()
        app.state.engine.dispose()


def raw_head(port: int, path: str, headers: dict[str, str], method: str = "POST") -> socket.socket:
    """Open a connection and send only the request line and headers."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return sock


def read_answer(sock: socket.socket, timeout: float = 5.0) -> tuple[int, str, float]:
    """(status, whole answer text, seconds it took) from a connection already sent on."""
    start = time.monotonic()
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/") else 0
    return status, (head + b"\r\n\r\n" + rest).decode("utf-8", "replace"), time.monotonic() - start
