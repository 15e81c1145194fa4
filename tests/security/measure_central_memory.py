"""By hand (not collected by pytest): Central's peak memory under upload attacks (the table in
docs/SECURITY.md, "Central").

    .venv/bin/python tests/security/measure_central_memory.py [--root TREE] [--label after]

Starts a throwaway PostgreSQL, migrates it, runs ``python -m app central serve`` from ``TREE`` (the
working tree by default; ``git archive HEAD | tar -x -C /tmp/before`` gives the code before) as a
subprocess on 127.0.0.1, and samples the RSS of the server's process tree while clients send:

1. 150 concurrent anonymous 5 MB POSTs to /api/v1/punches;
2. one anonymous 300 MB POST;
3. 150 concurrent 5 MB POSTs with a valid kiosk token (a stolen credential).

Prints one JSON line per scenario: peak RSS above idle, answers by status, seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil

HERE = Path(__file__).resolve().parents[2]
# the tree under test migrates its own database (an older tree refuses a newer revision)
ROOT = sys.argv[sys.argv.index("--root") + 1] if "--root" in sys.argv else str(HERE)
sys.path.insert(0, ROOT)

from app.central import pgcluster, service  # noqa: E402
from app.central.db import make_engine, migrate, session_factory, session_scope  # noqa: E402


def rss(pid: int) -> int:
    try:
        p = psutil.Process(pid)
        return sum(x.memory_info().rss for x in [p, *p.children(recursive=True)])
    except psutil.Error:
        return 0


def upload(port: int, size: int, token: str | None, body: bytes, out: list) -> None:
    start = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=120)
        head = f"POST /api/v1/punches HTTP/1.1\r\nHost: x\r\nContent-Length: {size}\r\n"
        if token:
            head += f"Authorization: Bearer {token}\r\n"
        s.sendall((head + "Content-Type: application/json\r\n\r\n").encode())
        with contextlib.suppress(OSError):
            sent = 0
            view = memoryview(body)
            while sent < size:
                n = min(len(body), size - sent)
                s.sendall(view[:n])
                sent += n
        s.settimeout(120)
        data = s.recv(200)
        out.append((int(data.split(b" ")[1]) if data.startswith(b"HTTP/") else 0,
                    time.monotonic() - start))  # fmt: skip
        s.close()
    except OSError:
        out.append((-1, time.monotonic() - start))


def scenario(pid: int, port: int, n: int, size: int, token: str | None) -> dict:
    body = b"x" * min(size, 8 * 1024 * 1024)
    idle = rss(pid)
    out: list = []
    threads = [
        threading.Thread(target=upload, args=(port, size, token, body, out)) for _ in range(n)
    ]
    start = time.monotonic()
    for t in threads:
        t.start()
    peak = idle
    while any(t.is_alive() for t in threads):
        peak = max(peak, rss(pid))
        time.sleep(0.02)
    time.sleep(0.5)
    peak = max(peak, rss(pid))
    return {"uploads": n, "mb_each": size // (1024 * 1024), "token": bool(token),
            "idle_mb": round(idle / 1e6), "peak_mb": round(peak / 1e6),
            "growth_mb": round((peak - idle) / 1e6), "seconds": round(time.monotonic() - start, 1),
            "answers": dict(Counter(s for s, _ in out))}  # fmt: skip


@contextlib.contextmanager
def serving(root: str, url: str) -> Iterator[tuple[int, int]]:
    port = pgcluster.free_port()
    env = {**os.environ, "PYTHONPATH": root, "PONTOVOZ_CENTRAL_DB": url}
    proc = subprocess.Popen([sys.executable, "-m", "app", "central", "serve", "--port",
                             str(port), "--workers", "1"], env=env, cwd=root,
                            stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                    break
            time.sleep(0.2)
        yield proc.pid, port
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=str(HERE))
    ap.add_argument("--label", default="after")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="pv-mem-"))
    tmp.chmod(0o755)
    cluster = pgcluster.create(tmp / "pg")
    try:
        migrate(cluster.url)
        factory = session_factory(make_engine(cluster.url, pool_size=1))
        with session_scope(factory) as s:
            code = service.create_code(s)
        with session_scope(factory) as s:
            token = service.enroll(s, code, "Porta 1", "K1").token
        mb = 1024 * 1024
        for n, size, tok in ((150, 5 * mb, None), (1, 300 * mb, None), (150, 5 * mb, token)):
            with serving(args.root, cluster.url) as (pid, port):  # a fresh server each time
                row = scenario(pid, port, n, size, tok)
            print(json.dumps({"code": args.label, **row}), flush=True)
    finally:
        cluster.stop("immediate")


if __name__ == "__main__":
    main()
