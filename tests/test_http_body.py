"""The bounded body reader both servers share (app/http_body.py): first each piece on its own
(real asyncio, real threads), then the whole of it behind a real uvicorn on 127.0.0.1 with a
raw-socket client that sends chunked, trickled or abandoned bodies. The two servers' own suites
(tests/security/test_central_front_door.py, tests/api/test_http_contract.py,
tests/security/test_api_input.py) replay the same attacks through each server's words."""

from __future__ import annotations

import asyncio
import gc
import json
import socket
import threading
import time
import tracemalloc
from collections.abc import Iterator

import pytest

from app.http_body import (
    BadLength,
    BodyRefused,
    BodyTiming,
    Disconnected,
    MemoryBudget,
    TooLarge,
    TooSlow,
    asgi_chunks,
    declared_length,
    read_bounded,
)
from tests.live_server import LiveServer, raw_head, read_answer, send_chunks_until_stopped

# --- Content-Length -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_no_content_length_means_chunked(raw):
    assert declared_length(raw, 10) is None


@pytest.mark.parametrize("raw", ["abc", "-1", "1e3", "10 0", "+5", "١٢", "0x10"])
def test_content_length_that_is_not_a_number(raw):
    with pytest.raises(BadLength):
        declared_length(raw, 10_000)


def test_content_length_against_the_limit():
    assert declared_length(" 1000 ", 1000) == 1000
    assert declared_length("0", 1000) == 0
    with pytest.raises(TooLarge) as err:
        declared_length("1001", 1000)
    assert (err.value.size, err.value.limit, err.value.declared) == (1001, 1000, True)
    with pytest.raises(TooLarge):  # 400 digits: refused without building a 400-digit int
        declared_length("9" * 400, 1000)


# --- timing ------------------------------------------------------------------------------------


def test_allowed_time_is_the_grace_then_the_rate_then_the_timeout():
    t = BodyTiming(timeout_s=60.0, min_rate=1000.0, grace_s=5.0)
    assert t.allowed(0) == 5.0  # a slow start is forgiven
    assert t.allowed(9_999) == 10.0  # 10,000 bytes at 1,000 bytes/s
    assert t.allowed(10_000_000) == 60.0  # never past the timeout
    assert BodyTiming(timeout_s=7.0).allowed(123) == 7.0  # no rate rule


async def _chunks(parts: list[bytes], pause: float = 0.0, pulled: list[int] | None = None):
    for part in parts:
        if pause:
            await asyncio.sleep(pause)
        if pulled is not None:
            pulled.append(len(part))
        yield part


def test_reads_the_whole_body():
    body = asyncio.run(read_bounded(_chunks([b"ab", b"", b"cd"]), 4, BodyTiming(5.0)))
    assert body == b"abcd"


@pytest.mark.parametrize("ending", ["ends", "stalls", "leaves"])
def test_a_body_read_leaves_no_copy_for_the_garbage_collector(ending):
    """Measured: the end of a body raised inside wait_for's task left a reference cycle that held
    every chunk until the collector ran (+20 MB at Central's peak with six 5 MB bodies)."""
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        try:
            body = asyncio.run(read_bounded(_fresh(80, ending), 2**23, BodyTiming(0.5)))
            assert len(body) == 80 * 65536 and ending == "ends"
            del body
        except (TooSlow, Disconnected) as exc:
            assert type(exc) is {"stalls": TooSlow, "leaves": Disconnected}[ending]
        left = tracemalloc.get_traced_memory()[0] - before
        assert left < 2**20, f"{left / 2**20:.1f} MiB still held"
    finally:
        tracemalloc.stop()
        gc.enable()


async def _fresh(n: int, ending: str):
    """``n`` chunks of 64 KiB made as they are sent, as a server's are; then the body ends, or
    stalls (TooSlow at the timeout), or the client leaves."""
    for i in range(n):
        yield bytes([i]) * 65536
    if ending == "stalls":
        await asyncio.sleep(5)
    if ending == "leaves":
        raise Disconnected("gone")


def test_a_body_is_cut_as_soon_as_it_passes_the_limit():
    pulled: list[int] = []
    parts = [b"x" * 100] * 50  # 5,000 bytes offered against a limit of 250
    with pytest.raises(TooLarge) as err:
        asyncio.run(read_bounded(_chunks(parts, pulled=pulled), 250, BodyTiming(5.0)))
    assert len(pulled) == 3  # the third chunk passed the limit; nothing more was asked for
    assert (err.value.size, err.value.limit, err.value.declared) == (300, 250, False)


def test_a_trickling_body_is_cut_after_the_grace_period():
    timing = BodyTiming(timeout_s=30.0, min_rate=1000.0, grace_s=0.3)
    start = time.monotonic()
    with pytest.raises(TooSlow) as err:  # 10 bytes every 0.1 s: 100 bytes/s, a tenth of the rate
        asyncio.run(read_bounded(_chunks([b"x" * 10] * 100, pause=0.1), 10_000, timing))
    took = time.monotonic() - start
    assert err.value.by_rate and err.value.waited == pytest.approx(0.3)
    assert 0 < err.value.received <= 40 and 0.25 < took < 1.5


def test_a_body_past_the_timeout_is_cut_whatever_its_rate():
    timing = BodyTiming(timeout_s=0.4)  # no rate rule
    with pytest.raises(TooSlow) as err:
        asyncio.run(read_bounded(_chunks([b"x"] * 100, pause=0.1), 10_000, timing))
    assert not err.value.by_rate and err.value.waited == 0.4 and err.value.received >= 2


# --- memory budget ------------------------------------------------------------------------------


def test_budget_admits_the_first_always_and_the_rest_while_they_fit():
    budget = MemoryBudget(100)
    assert budget.take(150)  # alone: admitted even past the budget
    assert not budget.take(0)  # over the budget: nothing more until it is given back
    budget.give(150)
    assert budget.take(60) and budget.take(40)
    assert not budget.take(1)
    budget.give(40)
    assert budget.take(1)
    assert not budget.take(100)  # does not fit beside the 60 and the 1
    assert (budget.used, budget.holders) == (61, 2)
    empty = MemoryBudget(100)
    assert empty.take(0)  # a request with an empty body is in flight: the next one must fit
    assert not empty.take(150)


def test_budget_holds_under_threads():
    budget = MemoryBudget(1000)
    seen: list[int] = []
    refused = 0
    lock = threading.Lock()

    def worker() -> None:
        nonlocal refused
        for _ in range(200):
            if budget.take(300):
                seen.append(budget.used)
                time.sleep(0.001)  # holds it a while, as a body being read does
                budget.give(300)
            else:
                with lock:
                    refused += 1

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (budget.used, budget.holders) == (0, 0)
    assert max(seen) <= 900 and refused > 0  # at most three 300-byte bodies at once


# --- behind a real uvicorn ----------------------------------------------------------------------


class Door:
    """A bare ASGI app that reads its body with the shared pieces, as both servers do, and keeps
    what each request ended with."""

    def __init__(self, limit: int, timing: BodyTiming, budget: int) -> None:
        self.limit = limit
        self.timing = timing
        self.budget = MemoryBudget(budget)
        self.outcomes: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        assert scope["type"] == "http"
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        try:
            declared = declared_length(headers.get("content-length"), self.limit)
        except BodyRefused as exc:
            await self._answer(send, exc)
            return
        reserve = self.limit if declared is None else declared
        if not self.budget.take(reserve):
            await self._answer(send, None, 503)
            return
        try:
            body = await read_bounded(asgi_chunks(receive), self.limit, self.timing)
        except BodyRefused as exc:
            await self._answer(send, exc)
            return
        finally:
            self.budget.give(reserve)
        self.outcomes.append(f"read {len(body)}")
        payload = json.dumps({"bytes": len(body)}).encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": payload})

    async def _answer(self, send, exc: BodyRefused | None, status: int = 0) -> None:
        self.outcomes.append(type(exc).__name__ if exc else "Busy")
        codes = {TooLarge: 413, TooSlow: 408, BadLength: 400, Disconnected: 400}
        status = status or codes[type(exc)]
        headers = [(b"connection", b"close")] + ([(b"retry-after", b"5")] if status == 503 else [])
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})


@pytest.fixture()
def door() -> Iterator[tuple[Door, int]]:
    app = Door(limit=256 * 1024, timing=BodyTiming(10.0, min_rate=64 * 1024, grace_s=0.5),
               budget=300 * 1024)  # fmt: skip
    with LiveServer(app, lifespan="off") as server:
        yield app, server.port


def _head(port: int, headers: dict[str, str]) -> socket.socket:
    return raw_head(port, "/", headers)


def _status(sock: socket.socket, timeout: float = 5.0) -> int:
    return read_answer(sock, timeout)[0]


def _wait_for(outcomes: list[str], n: int) -> None:
    deadline = time.monotonic() + 5
    while len(outcomes) < n and time.monotonic() < deadline:
        time.sleep(0.02)


def test_bodies_under_the_limit_arrive_whole(door):
    app, port = door
    sock = _head(port, {"Content-Length": "70000"})
    sock.sendall(b"y" * 70000)
    assert _status(sock) == 200
    sock.close()
    sock = _head(port, {"Transfer-Encoding": "chunked"})
    sock.sendall(
        b"".join(b"%x\r\n" % 1000 + b"z" * 1000 + b"\r\n" for _ in range(5)) + b"0\r\n\r\n"
    )
    assert _status(sock) == 200
    sock.close()
    assert app.outcomes == ["read 70000", "read 5000"]


def test_a_chunked_body_is_cut_near_the_limit(door):
    app, port = door
    sock = _head(port, {"Transfer-Encoding": "chunked"})
    # it would go on to 64 MB if nobody stopped it
    sent = send_chunks_until_stopped(sock, b"x" * 16384, 64 * 1024 * 1024)
    assert _status(sock) == 413
    sock.close()
    assert app.outcomes == ["TooLarge"]
    assert sent < 16 * 1024 * 1024  # near 256 KiB (socket buffers aside), not 64 MB
    assert app.budget.used == 0


def test_a_trickled_body_gets_408_after_the_grace_period(door):
    app, port = door
    sock = _head(port, {"Content-Length": "200000"})
    start = time.monotonic()
    sock.sendall(b"x" * 100)  # then nothing: far under 64 KiB/s
    assert _status(sock) == 408
    took = time.monotonic() - start
    sock.close()
    assert app.outcomes == ["TooSlow"] and 0.4 < took < 3


def test_a_client_that_leaves_mid_body_frees_its_share(door):
    app, port = door
    sock = _head(port, {"Content-Length": "200000"})
    sock.sendall(b"x" * 1000)
    time.sleep(0.2)
    assert app.budget.used == 200000  # admitted, reading
    sock.close()
    _wait_for(app.outcomes, 1)
    assert app.outcomes == ["Disconnected"] and app.budget.used == 0


def test_bodies_in_flight_share_the_budget(door):
    app, port = door
    first = _head(port, {"Content-Length": "200000"})
    first.sendall(b"x" * 1000)
    time.sleep(0.2)  # the first holds 200,000 of the 307,200 bytes
    second = _head(port, {"Content-Length": "150000"})
    assert _status(second) == 503
    second.close()
    first.sendall(b"x" * 199000)
    assert _status(first) == 200
    first.close()
    assert app.outcomes == ["Busy", "read 200000"] and app.budget.used == 0


def test_a_huge_content_length_is_refused_before_the_body(door):
    # (a Content-Length that is not a number never gets here: uvicorn's parser answers 400)
    app, port = door
    sock = _head(port, {"Content-Length": str(10**12)})
    assert _status(sock, timeout=2) == 413  # not one body byte was sent
    sock.close()
    assert app.outcomes == ["TooLarge"] and app.budget.used == 0
