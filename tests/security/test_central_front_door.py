# ruff: noqa: F811 - pytest fixtures imported from central_fixtures are redefined as parameters
"""Central's front door (docs/SECURITY.md, "Central"): the body limits and the kiosk token are
checked before a body byte is read, against a real Central (uvicorn on 127.0.0.1, PostgreSQL)
and raw-socket clients that are huge, chunked, slow or anonymous. Each row was an attack that
worked before."""

from __future__ import annotations

import contextlib
import json
import threading
import time

import httpx

from tests.live_server import raw_head, read_answer, send_chunks_until_stopped
from tests.security.central_fixtures import (  # noqa: F401 - fixtures
    central,
    central_db,
    central_url,
    pg_cluster,
)

PUNCHES = "/api/v1/punches"


def test_anonymous_upload_gets_401_before_its_body(central):
    # was: read whole (300 MB -> 1.41 GB RSS) and only then refused
    sock = raw_head(central.port, PUNCHES, {"Content-Length": str(1_500_000)})
    status, text, took = read_answer(sock, timeout=3)  # not one body byte sent
    sock.close()
    assert status == 401 and took < 2
    assert "credencial do quiosque ausente" in text
    assert "x-central-time" in text.lower()  # the kiosk knows it is Central refusing


def test_unknown_and_revoked_tokens_are_refused_at_the_door(central):
    sock = raw_head(central.port, PUNCHES, {"Content-Length": "1000", "Authorization": "Bearer x"})
    status, text, _ = read_answer(sock, timeout=3)
    sock.close()
    assert status == 401 and "desconhecida" in text
    token = central.enroll()
    from app.central import service
    from app.central.db import session_scope
    from app.central.models import Kiosk

    with session_scope(central.factory) as s:
        service.revoke(s, s.query(Kiosk).one().id)
    sock = raw_head(central.port, PUNCHES, {"Content-Length": "1000",
                                            "Authorization": f"Bearer {token}"})  # fmt: skip
    status, text, _ = read_answer(sock, timeout=3)
    sock.close()
    assert status == 401 and "revogado" in text


def test_declared_huge_body_gets_413_at_once_even_with_a_token(central):
    token = central.enroll()
    sock = raw_head(central.port, PUNCHES, {"Content-Length": str(300 * 1024 * 1024),
                                            "Authorization": f"Bearer {token}"})  # fmt: skip
    status, text, took = read_answer(sock, timeout=3)
    sock.close()
    assert status == 413 and took < 2 and "limite de 2 MB" in text


def test_chunked_body_is_cut_at_the_limit(central):
    token = central.enroll()
    sock = raw_head(central.port, PUNCHES, {"Transfer-Encoding": "chunked",
                                            "Authorization": f"Bearer {token}"})  # fmt: skip
    # it would go on to 64 MB if nobody stopped it
    sent = send_chunks_until_stopped(sock, b"x" * 65536, 64 * 1024 * 1024)
    status, text, _ = read_answer(sock, timeout=3)
    sock.close()
    assert status == 413 and "limite" in text
    assert sent < 16 * 1024 * 1024  # cut off near 2 MB (socket buffers aside), not at 64 MB


def test_a_trickling_body_gets_408(central):
    token = central.enroll()
    sock = raw_head(central.port, PUNCHES, {"Content-Length": "500000",
                                            "Authorization": f"Bearer {token}"})  # fmt: skip
    sock.sendall(b'{"punches": [')
    status, text, took = read_answer(sock, timeout=6)
    sock.close()
    assert status == 408 and "devagar demais" in text and took < 5


def test_bodies_in_flight_are_budgeted(central):
    token = central.enroll()
    auth = {"Authorization": f"Bearer {token}"}
    first = raw_head(central.port, PUNCHES, {"Content-Length": str(2_000_000), **auth})
    time.sleep(0.3)  # the first is admitted and holds 8 MB of the 12 MB budget
    second = raw_head(central.port, PUNCHES, {"Content-Length": str(1_900_000), **auth})
    status, text, took = read_answer(second, timeout=3)
    second.close()
    first.close()
    assert status == 503 and "retry-after" in text.lower() and took < 1


def test_the_kiosk_api_still_answers_kiosks(central):
    token = central.enroll()
    auth = {"Authorization": f"Bearer {token}", "X-Kiosk-Version": "9.9.9"}
    with httpx.Client(base_url=central.url, headers=auth, timeout=10) as c:
        head = c.get("/api/v1/head")
        assert head.status_code == 200 and head.json()["head_nsr"] == 0
        assert "X-Central-Time" in head.headers
        pushed = c.post(PUNCHES, json={"punches": [], "events": []})
        assert pushed.status_code == 200 and pushed.json()["accepted"] == 0
        bad = c.post(PUNCHES, content=b"{nope", headers={"Content-Type": "application/json"})
        assert bad.status_code == 422 and "dados inválidos" in bad.json()["error"]
        assert c.get("/api/v1/nada").status_code == 404
        roster = c.get("/api/v1/roster")
        assert roster.status_code == 200 and roster.headers["ETag"]
        again = c.get("/api/v1/roster", headers={"If-None-Match": roster.headers["ETag"]})
        assert again.status_code == 304
    assert httpx.get(central.url + "/api/v1/time").status_code == 200  # no token needed
    r = httpx.post(central.url + "/api/v1/enroll", json={"code": "AAAA-BBBB-CCCC",
                                                         "ledger_kiosk_id": "K9"})  # fmt: skip
    assert r.status_code == 403 and json.loads(r.text)["error"]


def test_many_anonymous_uploads_leave_memory_flat(central):
    """CI-sized replay of the memory attack (the big one is measured by hand: SECURITY.md)."""
    import psutil

    me = psutil.Process()  # the server runs in this process (a uvicorn thread)
    base = me.memory_info().rss
    peak = base
    body = b"x" * 1_500_000  # under the test limit (2 MB): refused for the token, not the size
    results: list[int] = []

    def upload() -> None:
        try:
            s = raw_head(central.port, PUNCHES, {"Content-Length": str(len(body))})
            with contextlib.suppress(OSError):  # the door answered and closed: the point
                s.sendall(body)
            results.append(read_answer(s, timeout=5)[0])
            s.close()
        except OSError:
            results.append(-1)

    threads = [threading.Thread(target=upload) for _ in range(40)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        peak = max(peak, me.memory_info().rss)
        time.sleep(0.01)
    assert results.count(401) >= 36, results
    # 40 x 1.5 MB = 60 MB were offered; read whole, they would have added over 60 MB
    assert peak - base < 20 * 1024 * 1024, (peak - base) / 1e6


def test_a_path_next_to_the_punches_gets_the_small_limit(central):
    # no route and no token check there: it must not inherit the punches' large limit
    sock = raw_head(central.port, PUNCHES + "X", {"Content-Length": str(1_500_000)})
    status, text, took = read_answer(sock, timeout=3)
    sock.close()
    assert status == 413 and "limite de 1 MB" in text and took < 2
