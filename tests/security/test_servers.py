"""docs/SECURITY.md, "The Speech API against slow and flooding clients" (slow clients, file
descriptors), replayed on `python -m app serve` (its own process, real sockets on
127.0.0.1, the real model): slow and idle connections, running out of file descriptors, and a
flood of large bodies. Each test prints its figure (docs/FIGURES.md)."""

from __future__ import annotations

import base64
import contextlib
import io
import json
import resource
import selectors
import socket
import statistics
import threading
import time
import wave

import httpx
import numpy as np
import pytest
from trust_helpers import ServeProcess, child_env

from tests.live_server import read_head

pytestmark = pytest.mark.slow


def _health_latencies(url: str, n: int, pause: float) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        r = httpx.get(url + "/health", timeout=30)
        out.append(time.perf_counter() - t)
        assert r.status_code == 200, r.text
        time.sleep(pause)
    return out


def test_300_slow_connections_are_closed_and_health_answers(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with ServeProcess(home, env=child_env(home, PONTOVOZ_API_HEADER_TIMEOUT_SECONDS="5")) as srv:
        quiet = _health_latencies(srv.url, 10, 0.05)
        socks = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(300)]
        opened = time.monotonic()
        head = b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 4000
        trickle = socks[:200]  # a byte every 0.25 s each (never a complete head)
        # socks[200:] connect and say nothing
        closed_at: dict[int, float] = {}
        stop = threading.Event()

        def attacker() -> None:
            i = 0
            while not stop.is_set() and len(closed_at) < 300:
                for s in trickle:
                    if s.fileno() in closed_at:
                        continue
                    try:
                        s.send(head[i % len(head) : i % len(head) + 1])
                    except OSError:
                        closed_at[s.fileno()] = time.monotonic() - opened
                i += 1
                time.sleep(0.25)

        sel = selectors.DefaultSelector()
        for s in socks:
            sel.register(s, selectors.EVENT_READ)
        thread = threading.Thread(target=attacker, daemon=True)
        thread.start()
        during = []
        deadline = opened + 20
        answers: dict[int, bytes] = {}
        while len(closed_at) < 300 and time.monotonic() < deadline:
            if not during or time.monotonic() - opened > len(during) * 0.5:
                during += _health_latencies(srv.url, 1, 0)
            for key, _ in sel.select(timeout=0.1):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                answers[s.fileno()] = answers.get(s.fileno(), b"") + data
                if not data:
                    closed_at.setdefault(s.fileno(), time.monotonic() - opened)
                    sel.unregister(s)
        stop.set()
        thread.join(5)
        for s in socks:
            s.close()
        rss = srv.rss_mb()
    worst = max(closed_at.values(), default=float("nan"))
    p50 = statistics.median(during)
    print(
        f"\nFIGURE 300 slow connections: {len(closed_at)} closed by the server, the last after "
        f"{worst:.1f} s; /health p50 {p50 * 1000:.0f} ms, max {max(during) * 1000:.0f} ms "
        f"during the attack ({len(during)} calls; quiet p50 "
        f"{statistics.median(quiet) * 1000:.0f} ms); RSS {rss:.0f} MB"
    )
    assert len(closed_at) == 300, f"{300 - len(closed_at)} connections still open after 20 s"
    assert worst <= 8.0
    assert max(during) < 1.0
    timed_out = [a for a in answers.values() if a.startswith(b"HTTP/1.1 408")]
    assert timed_out and all(b'"error"' in a for a in timed_out)


def _limit_fds(n: int):
    def pre() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (n, n))

    return pre


def _burst(port: int, n: int, hold: float) -> int:
    socks = []
    for _ in range(n):
        with contextlib.suppress(OSError):
            socks.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    time.sleep(hold)
    for s in socks:
        s.close()
    return len(socks)


def test_running_out_of_file_descriptors_does_not_flood_the_log(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    srv = ServeProcess(home, preexec=_limit_fds(160))
    with srv:
        before = srv.log_path.stat().st_size
        for _ in range(3):  # three waves of 600 connections, held 4 s each
            _burst(srv.port, 600, 4.0)
        time.sleep(1.0)
        grown = srv.log_path.stat().st_size - before
        latencies = _health_latencies(srv.url, 5, 0.05)  # still serving afterwards
    log = srv.log_path.read_text(errors="replace")
    print(
        f"\nFIGURE file descriptors exhausted (limit 160, 3 x 600 connections): log grew "
        f"{grown / 1024:.1f} KB; /health afterwards p50 "
        f"{statistics.median(latencies) * 1000:.0f} ms"
    )
    assert "out of system resource" in log  # the attack did exhaust the descriptors
    assert grown < 64 * 1024, log[-3000:]


PLAIN_UVICORN = """
import sys, uvicorn
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
"""


def test_control_plain_uvicorn_floods_its_log(tmp_path):
    """The same attack on a bare uvicorn app (no PontoVoz guard): the log flood is real."""
    import subprocess
    import sys

    from trust_helpers import free_port

    port = free_port()
    log_path = tmp_path / "plain.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", PLAIN_UVICORN, str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_limit_fds(160),
        )
        try:
            deadline = time.monotonic() + 30
            while b"running on" not in log_path.read_bytes():
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
            for _ in range(3):
                _burst(port, 600, 4.0)
            time.sleep(1.0)
        finally:
            proc.terminate()
            proc.wait(10)
    size = log_path.stat().st_size
    print(f"\nFIGURE control, bare uvicorn, same attack: log grew {size / 1e6:.1f} MB")
    assert size > 1_000_000


def _wav_bytes(seconds: float) -> bytes:
    rng = np.random.default_rng(1)
    samples = (rng.standard_normal(int(16000 * seconds)) * 300).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


def _post_raw(port: int, body: bytes, results: list, lock: threading.Lock) -> None:
    head = (
        f"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    outcome = "no answer"
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=120) as s:
            with contextlib.suppress(OSError):  # refused before the body was read:
                s.sendall(head + body)  # the answer may still be there
            data = read_head(s)
            outcome = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.1") else "reset"
    except OSError:
        outcome = "reset"
    with lock:
        results.append(outcome)


def test_150_concurrent_5mb_bodies_keep_memory_bounded(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    audio = _wav_bytes(117.0)  # 3.7 MB of audio -> a 5.0 MB body (base64 + JSON)
    body = json.dumps(
        {"expected_speech": "ENTRADA 13 40", "audio": base64.b64encode(audio).decode()}
    ).encode()
    assert 4.9e6 < len(body) < 6.2e6
    with ServeProcess(home) as srv:
        _health_latencies(srv.url, 3, 0.05)
        idle_rss = srv.rss_mb()
        results: list[str] = []
        lock = threading.Lock()
        threads = [
            threading.Thread(target=_post_raw, args=(srv.port, body, results, lock))
            for _ in range(150)
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        spent = time.monotonic() - start
        peak = _peak_rss_mb(srv.proc.pid)
        after = _health_latencies(srv.url, 3, 0.05)
    counts = {k: results.count(k) for k in sorted(set(results))}
    print(
        f"\nFIGURE 150 x {len(body) / 1e6:.1f} MB bodies at once: peak RSS {peak:.0f} MB "
        f"(idle {idle_rss:.0f} MB); answers {counts} in {spent:.1f} s; "
        f"/health afterwards p50 {statistics.median(after) * 1000:.0f} ms"
    )
    assert len(results) == 150
    assert peak <= 600
    assert counts.get("503", 0) >= 100  # refused before their bodies were read
    assert set(counts) <= {"200", "422", "503", "reset"}


def _peak_rss_mb(pid: int) -> float:
    from pathlib import Path

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")
