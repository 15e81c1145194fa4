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
from sqlalchemy.exc import DBAPIError

from app.central import service
from app.central.db import make_engine, normalize_url, session_factory, session_scope
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.roster import head, records_after
from app.store.settings import LedgerSettings
from tests.central.conftest import enroll_kiosk


@pytest.fixture()
def kiosk(tmp_path, central_server):
    """A real ledger with 7 records (1 event, 6 punches), and an HTTP client holding a fresh
    kiosk credential."""
    token = enroll_kiosk(central_server, "teste")
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


def quarantine(db: str):
    return rows(
        db,
        "SELECT nsr, reason, hash, expected_prev, held_hash, resolved_at IS NOT NULL"
        " FROM quarantined_records ORDER BY nsr, id",
    )


def test_gap_waits_in_quarantine_then_is_held(kiosk):
    ledger, client, db = kiosk
    batch = records_after(ledger, 0)
    assert push(client, batch[:2]).json()["head_nsr"] == 2
    out = push(client, batch[4:]).json()  # NSR 5-7 arrive before 3-4
    assert (out["accepted"], out["quarantined"], out["head_nsr"]) == (0, 0, 2)
    assert (out["gaps"], out["divergences"]) == ([[3, 4]], [])  # waiting is no divergence
    held = client.get("/api/v1/head").json()
    assert (held["head_nsr"], held["gaps"]) == (2, [[3, 4]])
    assert rows(db, "SELECT count(*) FROM punches WHERE nsr > 2")[0][0] == 0  # not held yet
    assert [(n, why) for n, why, *_ in quarantine(db)] == [(5, "gap"), (6, "gap"), (7, "gap")]
    closed = push(client, batch[2:4]).json()  # 5-7 are held from quarantine once they chain
    assert (closed["accepted"], closed["head_nsr"], closed["gaps"]) == (2, 7, [])
    assert rows(db, "SELECT bool_and(chain_ok), count(*) FROM punches")[0] == (True, 6)
    assert all(done for *_, done in quarantine(db))
    assert rows(db, "SELECT count(*) FROM kiosk_events")[0][0] == 0


def test_tampered_record_is_quarantined_never_held(kiosk):
    ledger, client, db = kiosk
    batch = records_after(ledger, 0)
    real = batch[3]  # NSR 4, a punch: someone edits its type on the way (or in the kiosk)
    edited = {**real.body, "type": "SAIDA" if real.body["type"] != "SAIDA" else "ENTRADA"}
    tampered = [*batch[:3], type(real)(real.nsr, "punch", edited, real.uuid), *batch[4:]]
    out = push(client, tampered).json()
    assert (out["accepted"], out["quarantined"], out["head_nsr"]) == (3, 1, 3)  # head stops
    assert [(d["nsr"], d["reason"]) for d in out["divergences"]] == [(4, "hash")]
    assert rows(db, "SELECT max(nsr), bool_and(chain_ok) FROM punches")[0] == (3, True)
    (event,) = rows(db, "SELECT kind, detail FROM kiosk_events")
    assert event[0] == "quarantine" and "NSR 4" in event[1] and real.body["hash"] in event[1]
    fixed = push(client, batch).json()  # the real NSR 4 still gets in, and 5-7 behind it
    assert (fixed["accepted"], fixed["head_nsr"]) == (4, 7)
    types = dict(rows(db, "SELECT nsr, type FROM punches"))
    assert types[4] == real.body["type"] and len(types) == 6
    assert [(d["nsr"], d["reason"]) for d in fixed["divergences"]] == [(4, "hash")]  # until seen


def forged(ledger, client, nsr: int, made_up_hash: bool) -> dict:
    """A punch at ``nsr`` that this kiosk never made, as a thief with its token would send it:
    either a made-up hash, or a hash computed right over fields chained to a made-up prev."""
    from app.rep.chain import record_hash
    from app.rep.records import PUNCH_FIELDS

    body = dict(records_after(ledger, 0)[-1].body)
    body.update(nsr=nsr, uuid=f"forjado-{nsr}", type="SAIDA", punched_at=body["punched_at"])
    if made_up_hash:
        body["prev_hash"] = client.get("/api/v1/head").json()["head_hash"]
        body["hash"] = "ab" * 32
    else:
        body["prev_hash"] = "cd" * 32
        body["hash"] = record_hash(body["prev_hash"], {k: body[k] for k in PUNCH_FIELDS})
    return body


@pytest.mark.parametrize("made_up_hash", [True, False])
def test_forged_punch_with_a_kiosk_token_is_quarantined(kiosk, made_up_hash):
    ledger, client, db = kiosk
    assert push(client, records_after(ledger, 0), head(ledger)).json()["head_nsr"] == 7
    fake = forged(ledger, client, 8, made_up_hash)
    out = client.post("/api/v1/punches", json={"punches": [fake]}).json()
    assert (out["accepted"], out["quarantined"], out["head_nsr"]) == (0, 1, 7)  # head stays
    (q,) = quarantine(db)
    assert q[:3] == (8, "hash" if made_up_hash else "link", fake["hash"])
    assert q[3] == rows(db, "SELECT hash FROM punches WHERE nsr = 7")[0][0]  # Central's NSR 7
    assert rows(db, "SELECT count(*) FROM punches WHERE uuid LIKE 'forjado%'")[0][0] == 0
    # the kiosk's real punch at NSR 8 still reaches Central
    ana = ledger.list_employees()[0]
    ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 9 00", validated=True))
    real = push(client, records_after(ledger, 7), head(ledger)).json()
    assert (real["accepted"], real["head_nsr"]) == (1, 8)
    assert (
        rows(db, "SELECT uuid FROM punches WHERE nsr = 8")[0][0] == records_after(ledger, 7)[0].uuid
    )
    assert [d["nsr"] for d in real["divergences"]] == [8]  # the kiosk is told
    again = client.post("/api/v1/punches", json={"punches": [fake]}).json()  # resent: one row
    assert (
        again["conflicts"] == 1 and rows(db, "SELECT count(*) FROM quarantined_records")[0][0] == 1
    )


def test_conflicting_nsr_and_rewritten_head_are_quarantined(kiosk, tmp_path):
    ledger, client, db = kiosk
    push(client, records_after(ledger, 0), head(ledger))
    # another ledger with the same kiosk id (a restored or swapped database): same NSRs, new uuids
    other = Ledger.open(tmp_path / "other.sqlite3", LedgerSettings(kiosk_id="01"))
    bob = other.add_employee("Bruno Lima", "11144477735", pin="5555")
    other.record_punch(PunchDraft(bob.id, "ENTRADA", "ENTRADA 9 00"))
    out = push(client, records_after(other, 0), head(other)).json()
    assert (out["accepted"], out["conflicts"], out["head_nsr"]) == (0, 2, 7)
    kinds = sorted(k for (k,) in rows(db, "SELECT kind FROM kiosk_events"))
    assert kinds == ["head_mismatch", "quarantine", "quarantine"]
    kept = rows(db, "SELECT reason, record, held_hash FROM quarantined_records ORDER BY nsr")
    assert [r[0] for r in kept] == ["conflict", "conflict"]
    assert json.loads(kept[1][1])["cpf"] == "11144477735"  # kept whole
    assert kept[1][2] == rows(db, "SELECT hash FROM punches WHERE nsr = 2")[0][0]
    other.close()


def test_records_of_another_kiosk_id_are_refused(kiosk, tmp_path):
    _, client, db = kiosk
    renamed = Ledger.open(tmp_path / "renamed.sqlite3", LedgerSettings(kiosk_id="02"))
    bob = renamed.add_employee("Bruno Lima", "11144477735", pin="5555")
    renamed.record_punch(PunchDraft(bob.id, "ENTRADA", "ENTRADA 9 00"))
    out = push(client, records_after(renamed, 0)).json()
    assert (out["accepted"], out["conflicts"], out["head_nsr"]) == (0, 2, 0)
    assert {d["reason"] for d in out["divergences"]} == {"kiosk_id"}
    assert "cadastrar o terminal de novo" in out["divergences"][0]["problem"]
    assert rows(db, "SELECT count(*) FROM punches")[0][0] == 0
    renamed.close()


def test_punches_are_linked_when_their_employee_arrives_later(kiosk):
    ledger, client, db = kiosk
    push(client, records_after(ledger, 0))
    assert rows(db, "SELECT count(*), count(employee_id) FROM punches")[0] == (6, 0)
    sessions = session_factory(make_engine(db, pool_size=1))
    with session_scope(sessions) as s:
        emp = service.add_employee(s, "Ana Souza", "52998224725", "472915")
        emp_id = emp.id
    assert rows(db, "SELECT count(*), min(employee_id), max(employee_id) FROM punches")[0] == (
        6, emp_id, emp_id,
    )  # fmt: skip
    with pytest.raises(DBAPIError, match="append-only"):  # linked once, never moved
        rows(db, "UPDATE punches SET employee_id = NULL RETURNING 1")


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
    lost = httpx.get(base + "/api/v1/nada")
    assert lost.status_code == 404 and lost.json() == {"error": "endereço não encontrado"}
    page = httpx.get(base + "/nada")  # outside /api: the HR back office's own 404 page
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]


def test_roster_etag_and_assignment(kiosk, central_server):
    _, client, db = kiosk
    sessions = session_factory(make_engine(db, pool_size=1))
    with session_scope(sessions) as s:
        service.add_employee(s, "Carla Dias", "52998224725", "472915")
        service.add_employee(s, "Davi Reis", "11144477735", "863417", kiosks=[])
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
        service.add_employee(s, "Eva Melo", "39053344705", "472915")
