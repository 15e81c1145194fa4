"""A small local implementation of the Lambda Runtime API on 127.0.0.1 (the AWS emulator binary
cannot be installed here), and the official runtime interface client started against it."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "/2018-06-01/runtime"
PHRASE = "ENTRADA 13 40"


class RuntimeAPI:
    """next-invocation / response / error / init-error, enough for awslambdaric."""

    def __init__(self) -> None:
        self.pending: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.results: dict[str, tuple[str, object]] = {}
        self.init_error: dict | None = None
        self.first_next_at: float | None = None
        self.changed = threading.Condition()
        self.closing = False
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _reply(self, code: int, body: bytes = b"", headers: dict | None = None) -> None:
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(OSError):  # the runtime process was stopped
                    self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    return self._reply(404)
                if api.first_next_at is None:
                    api.first_next_at = time.monotonic()
                while True:
                    try:
                        request_id, event = api.pending.get(timeout=0.2)
                        break
                    except queue.Empty:
                        if api.closing:
                            self.close_connection = True
                            return
                deadline = int(time.time() * 1000) + 60_000
                self._reply(
                    200,
                    event,
                    {
                        "Content-Type": "application/json",
                        "Lambda-Runtime-Aws-Request-Id": request_id,
                        "Lambda-Runtime-Deadline-Ms": str(deadline),
                        "Lambda-Runtime-Invoked-Function-Arn": (
                            "arn:aws:lambda:sa-east-1:123456789012:function:pontovoz-speech"
                        ),
                        "Lambda-Runtime-Trace-Id": "Root=1-5759e988-bd862e3fe1be46a994272793",
                    },
                )

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(size) if size else b""
                parts = self.path[len(PREFIX) :].strip("/").split("/")
                with api.changed:
                    if parts == ["init", "error"]:
                        api.init_error = json.loads(body or b"{}")
                    elif len(parts) == 3 and parts[0] == "invocation":
                        api.results[parts[1]] = (parts[2], json.loads(body or b"null"))
                    else:
                        return self._reply(404)
                    api.changed.notify_all()
                self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def invoke(self, event: object) -> str:
        request_id = str(uuid.uuid4())
        self.pending.put((request_id, json.dumps(event).encode()))
        return request_id

    def wait(self, predicate, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    def close(self) -> None:
        self.closing = True
        self.server.shutdown()
        self.server.server_close()


def start_runtime(api: RuntimeAPI, **env: str) -> subprocess.Popen:
    environ = {
        **os.environ,
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "AWS_LAMBDA_FUNCTION_NAME": "pontovoz-speech",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "3008",
        "AWS_REGION": "sa-east-1",
        "PYTHONPATH": str(ROOT),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "awslambdaric", "app.api.lambda_handler.handler"],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.kill()
    out, _ = proc.communicate(timeout=30)
    return out.decode("utf-8", "replace")
