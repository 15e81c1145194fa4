"""Central's kiosk API over real HTTP on a real PostgreSQL, fed with the REP records of a real
kiosk ledger (NSR 1: the employee's type-5 event, NSR 2-7: punches, one chain): idempotency,
gaps shown and closed, tampered records and rewritten kiosk heads caught, bad input answered
in pt-BR (never a 500), clock reported on every answer."""

from __future__ import annotations

import json
from datetime import datetime

import httpx
import pytest
from sqlalchemy import create_engine, text

from app.central import service
from app.central.db import make_engine, normalize_url, session_factory, session_scope
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.roster import head, records_after
from app.store.settings import LedgerSettings


@pytest.fixture()
def kiosk(tmp_path, central_server):
    """A real ledger with 7 records (1 event, 6 punches), and an HTTP client holding a fresh
    kiosk credential."""
    sessions = session_factory(make_engine(central_server.database_url, pool_size=1))
    with session_scope(sessions) as s:
        code = service.create_code(s, "teste")
    resp = httpx.post(
        central_server.url + "/api/v1/enroll", json={"code": code, "ledger_kiosk_id": "01"}
    )
    assert resp.status_code == 200, resp.text
    token = resp.json()["token"]
    ledger = Ledger.open(tmp_path / "ledger.sqlite3", LedgerSettings(kiosk_id="01"))
    ana = ledger.add_employee("Ana Souza", "52998224725", pin="1234")
    for kind in ("ENTRADA", "INTERVALO", "RETORNO", "SAIDA", "ENTRADA", "SAIDA"):
        ledger.record_punch(PunchDraft(ana.id, kind, f"{kind} 8 00", validated=True, tries=1))
    client = httpx.Client(base_url=central_server.url, headers={"Authorization": f"Bearer {token}"})
    yield ledger, client, central_server.database_url
    client.close()
    ledger.close()


def push(client, records, head_=None):
    body = {
        "punches": [w.body for w in records if w.kind == "punch"],
        "events": [w.body for w in records if w.kind == "event"],
    }
    if head_ is not None:
        body["head"] = {"nsr": head_.nsr, "hash": head_.hash}
    return client.post("/api/v1/punches", json=body)


def rows(db: str, sql: str):
    engine = create_engine(normalize_url(db))
    with engine.connect() as conn:
        out = conn.execute(text(sql)).all()
    engine.dispose()
    return out


def test_retry_is_idempotent_and_clock_is_reported(kiosk):
    ledger, client, db = kiosk
    batch = records_after(ledger, 0)
    assert [w.kind for w in batch] == ["event"] + ["punch"] * 6
    first = push(client, batch[:4])
    assert first.status_code == 200
    body = first.json()
    assert (body["accepted"], body["duplicates"], body["head_nsr"]) == (4, 0, 4)
    stamp = datetime.fromisoformat(first.headers["X-Central-Time"])
    assert abs((stamp - datetime.now().astimezone()).total_seconds()) < 5
    again = push(client, batch).json()  # a retry of the first four plus three new
    assert (again["accepted"], again["duplicates"], again["head_nsr"]) == (3, 4, 7)
    assert rows(db, "SELECT count(*), count(DISTINCT uuid), bool_and(chain_ok) FROM punches")[
        0
    ] == (6, 6, True)
    assert rows(db, "SELECT kind, chain_ok FROM rep_events") == [("employee", True)]


def test_gap_is_shown_then_closed(kiosk):
    ledger, client, db = kiosk
    batch = records_after(ledger, 0)
    assert push(client, batch[:2]).json()["head_nsr"] == 2
    out = push(client, batch[4:]).json()  # NSR 5-7 arrive before 3-4
    assert (out["accepted"], out["head_nsr"], out["gaps"]) == (3, 2, [[3, 4]])
    held = client.get("/api/v1/head").json()
    assert (held["head_nsr"], held["gaps"]) == (2, [[3, 4]])
    waiting = rows(db, "SELECT nsr, chain_ok, chain_problem FROM punches WHERE nsr > 4")
    assert len(waiting) == 3
    assert all(not ok and "aguardando NSR 3" in why for _, ok, why in waiting)
    closed = push(client, batch[2:4]).json()
    assert (closed["head_nsr"], closed["gaps"]) == (7, [])
    assert rows(db, "SELECT bool_and(chain_ok), count(*) FROM punches")[0] == (True, 6)


def test_tampered_record_is_kept_and_flagged(kiosk):
    ledger, client, db = kiosk
    batch = records_after(ledger, 0)
    third = batch[3]  # NSR 4, a punch: someone edits its type on the way (or in the kiosk)
    edited = {**third.body, "type": "SAIDA" if third.body["type"] != "SAIDA" else "ENTRADA"}
    batch[3] = type(third)(third.nsr, "punch", edited, third.uuid)
    waiting_first = push(client, batch[5:]).json()  # NSR 6-7 before the tampered one
    assert waiting_first["gaps"] == [[1, 5]]
    out = push(client, batch[:5]).json()
    assert (out["accepted"], out["head_nsr"]) == (5, 7)  # never dropped
    bad = rows(db, "SELECT nsr, chain_problem FROM punches WHERE NOT chain_ok ORDER BY nsr")
    assert [n for n, _ in bad] == [4] and "hash do registro" in bad[0][1]
    events = rows(db, "SELECT kind, detail FROM kiosk_events")
    assert [k for k, _ in events] == ["chain"] and "NSR 4" in events[0][1]


def test_conflicting_nsr_and_rewritten_head_become_events(kiosk, tmp_path):
    ledger, client, db = kiosk
    push(client, records_after(ledger, 0), head(ledger))
    # another ledger with the same kiosk id (a restored or swapped database): same NSRs, new uuids
    other = Ledger.open(tmp_path / "other.sqlite3", LedgerSettings(kiosk_id="01"))
    bob = other.add_employee("Bruno Lima", "11144477735", pin="5555")
    other.record_punch(PunchDraft(bob.id, "ENTRADA", "ENTRADA 9 00"))
    out = push(client, records_after(other, 0), head(other)).json()
    assert (out["accepted"], out["conflicts"], out["head_nsr"]) == (0, 2, 7)
    kinds = sorted(k for (k,) in rows(db, "SELECT kind FROM kiosk_events"))
    assert kinds == ["conflict", "conflict", "head_mismatch"]
    detail = rows(db, "SELECT detail FROM kiosk_events WHERE kind = 'conflict' ORDER BY id")[1][0]
    assert json.loads(detail.split(" | registro: ", 1)[1])["cpf"] == "11144477735"  # kept
    other.close()


def test_bad_requests_get_clear_errors(kiosk, central_server):
    _, client, _ = kiosk
    base = central_server.url
    anon = httpx.post(base + "/api/v1/punches", json={"punches": []})
    assert anon.status_code == 401 and "credencial" in anon.json()["error"]
    wrong = httpx.get(base + "/api/v1/roster", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "desconhecida" in wrong.json()["error"]
    bad = client.post("/api/v1/punches", json={"punches": [{"nsr": "x"}]})
    assert bad.status_code == 422 and "dados inválidos" in bad.json()["error"]
    as_json = {"Content-Type": "application/json"}
    junk = client.post("/api/v1/punches", content=b"\xff\x00", headers=as_json)
    assert junk.status_code == 422
    unknown = {"code": "AAAA-BBBB-CCCC", "ledger_kiosk_id": "1"}
    code = httpx.post(base + "/api/v1/enroll", json=unknown)
    assert code.status_code == 403 and "desconhecido" in code.json()["error"]
    lost = httpx.get(base + "/nada")
    assert lost.status_code == 404 and lost.json() == {"error": "endereço não encontrado"}


def test_roster_etag_and_assignment(kiosk, central_server):
    _, client, db = kiosk
    sessions = session_factory(make_engine(db, pool_size=1))
    with session_scope(sessions) as s:
        service.add_employee(s, "Carla Dias", "52998224725", "4321")
        service.add_employee(s, "Davi Reis", "11144477735", "8765", kiosks=[])
    first = client.get("/api/v1/roster")
    assert [e["name"] for e in first.json()["employees"]] == ["Carla Dias"]
    etag = first.headers["ETag"]
    assert client.get("/api/v1/roster", headers={"If-None-Match": etag}).status_code == 304
    with session_scope(sessions) as s:
        service.assign(s, "11144477735", [1])
    second = client.get("/api/v1/roster", headers={"If-None-Match": etag})
    assert second.status_code == 200
    assert sorted(e["name"] for e in second.json()["employees"]) == ["Carla Dias", "Davi Reis"]
    with session_scope(sessions) as s, pytest.raises(service.Conflict, match="PIN"):
        service.add_employee(s, "Eva Melo", "39053344705", "4321")
