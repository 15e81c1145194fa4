"""uvicorn in a thread on a socket bound here (no port race), for tests over real HTTP;
`StandIn`, a scripted stdlib server for what a test plays (the cloud Speech API); and
and a raw-socket client (`raw_head`, `read_head`, `read_answer`, `send_chunks_until_stopped`)
for the tests that must send a request piece by piece."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import uvicorn


class LiveServer:
    """``with LiveServer(app, **uvicorn_config) as s: httpx.get(s.url + "/health")``"""

    def __init__(self, app, **config) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        options = {"log_level": "warning", "lifespan": "on", **config}
        self.server = uvicorn.Server(uvicorn.Config(app, **options))
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

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.sock.close()


def api_server(app, **config) -> LiveServer:
    """The Speech API app on the production uvicorn settings of `serve` (guarded protocol,
    limits), then the test's own."""
    from app.api.server import uvicorn_options

    return LiveServer(app, **{**uvicorn_options(app.state.settings), **config})


class StandIn:
    """A stand-in server: ``handler`` (the test's ``BaseHTTPRequestHandler``) on the stdlib's
    ThreadingHTTPServer on 127.0.0.1, in a daemon thread; ``url`` ends in "/"."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def read_head(sock: socket.socket) -> bytes:
    """A raw answer read up to the end of its headers (the start of a body may follow), or
    all there was when the server closed first; for tests that speak HTTP over a socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


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
    head, _, rest = read_head(sock).partition(b"\r\n\r\n")
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


def send_chunks_until_stopped(sock: socket.socket, chunk: bytes, most: int) -> int:
    """Send ``chunk`` again and again (chunked encoding) until the server stops reading or
    ``most`` bytes went; returns the bytes sent."""
    sent = 0
    sock.settimeout(0.5)
    try:
        while sent < most:
            sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError, TimeoutError):
        pass
    return sent
