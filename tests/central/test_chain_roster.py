"""The chain, the REP number and the roster, end to end on a real Central (subprocess, real
PostgreSQL, real HTTP) and a real kiosk ledger driven through the kiosk's own CLI (``central
join/sync/status``):

- a punch forged with the kiosk's own token is quarantined, never moves Central's head, the real
  punch at that NSR still gets in, and the kiosk reports the divergence (exit 3, idle screen)
  until HR records what was checked;
- each kiosk gets its own REP number; changing ``kiosk_id`` after joining is refused in pt-BR
  with nothing sent, and a new join is the way out;
- a kiosk that ran alone joins a Central with no employees: nobody is deactivated, no AFD
  type-5 exclusion is written, its people go up (matched by CPF, punches linked), and only
  HR's explicit deactivation comes back down.
"""

from __future__ import annotations

import json
from dataclasses import replace

import httpx
import pytest

from app import settings as app_settings
from app.central import service
from app.central.db import make_engine, session_factory, session_scope
from app.cli import main
from app.kiosk.sync import clock_notice
from app.rep.chain import record_hash
from app.rep.records import PUNCH_FIELDS
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.roster import records_after
from app.sync.central_settings import CentralSection
from tests.central.hr_helpers import sql

LEDGER = {"kiosk_id": "01", "employer_name": "Padaria Pão Quente Ltda",
          "employer_id": "11222333000181", "place": "Porta 1"}  # fmt: skip
ANA, BRUNO, CARLA = "52998224725", "11144477735", "39053344705"


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture()
def setup(pv_home, central_server):
    """A kiosk that ran alone (Ana and Bruno, Ana punched twice) and a Central with one code."""
    app_settings.write_sections({"ledger": LEDGER})
    sessions = session_factory(make_engine(central_server.database_url, pool_size=1))
    with session_scope(sessions) as s:
        code = service.create_code(s, "porta 1")
    with Ledger.open() as ledger:
        ana = ledger.add_employee("Ana Souza", ANA, pin="1234")
        ledger.add_employee("Bruno Lima", BRUNO, pin="5678")
        for kind in ("ENTRADA", "SAIDA"):
            ledger.record_punch(PunchDraft(ana.id, kind, f"{kind} 8 00", validated=True))
    return central_server, sessions, code


def join(capsys, central_server, code: str) -> tuple[int, str, str]:
    return cli(capsys, "central", "join", "--url", central_server.url, "--code", code)


def test_forged_punch_is_quarantined_and_the_kiosk_says_so(setup, capsys):
    central_server, sessions, code = setup
    db = central_server.database_url
    assert join(capsys, central_server, code)[0] == 0
    rc, out, err = cli(capsys, "central", "sync")
    assert rc == 0, err
    held = json.loads(out)["central_head_nsr"]
    token = CentralSection.load().token
    thief = httpx.Client(base_url=central_server.url, headers={"Authorization": f"Bearer {token}"})
    with Ledger.open() as ledger:
        body = dict(records_after(ledger, held - 1)[-1].body)
    body.update(nsr=held + 1, uuid="forjado-1", type="SAIDA", hash="ab" * 32)
    body["prev_hash"] = thief.get("/api/v1/head").json()["head_hash"]
    forged = thief.post("/api/v1/punches", json={"punches": [body]})
    assert forged.status_code == 200 and forged.json()["quarantined"] == 1
    assert forged.json()["head_nsr"] == held  # Central's head did not move

    with Ledger.open() as ledger:  # the worker's real punch at that NSR
        ana = ledger.find_by_pin("1234")
        ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 00", validated=True))
        real = records_after(ledger, held)[0]
    rc, out, err = cli(capsys, "central", "sync")
    assert rc == 3, (out, err)
    assert json.loads(out)["accepted"] == 1
    assert f"NSR {held + 1}" in err and "credencial deste terminal" in err
    assert sql(db, "SELECT uuid FROM punches WHERE nsr = :n", n=held + 1) == [(real.uuid,)]
    assert sql(db, "SELECT count(*) FROM punches WHERE uuid = 'forjado-1'") == [(0,)]
    rc, _, err = cli(capsys, "central", "status")
    assert rc == 3 and "ERRO" in err
    notice = clock_notice(CentralSection.load())  # what the idle screen shows
    assert "divergência" in notice and "administrador" in notice

    (qid,) = sql(db, "SELECT id FROM quarantined_records")[0]
    with session_scope(sessions) as s, pytest.raises(service.BadInput):
        service.acknowledge(s, qid, "Rita do RH", "ok")  # a reason must be written
    with session_scope(sessions) as s:
        service.acknowledge(s, qid, "Rita do RH", "Credencial trocada; quiosque íntegro.")
    rc, out, err = cli(capsys, "central", "sync")
    assert rc == 0, err
    assert clock_notice(CentralSection.load()) == ""


def test_a_forgery_that_chains_is_caught_by_the_kiosk(setup, capsys):
    """A thief who computes hashes right gets NSR n held; the kiosk's own NSR n then diverges
    from Central's hash there, so the kiosk stops uploading and says so."""
    central_server, _, code = setup
    assert join(capsys, central_server, code)[0] == 0
    assert cli(capsys, "central", "sync")[0] == 0
    section = CentralSection.load()
    thief = httpx.Client(
        base_url=central_server.url, headers={"Authorization": f"Bearer {section.token}"}
    )
    with Ledger.open() as ledger:
        last = dict(records_after(ledger, section.central_head_nsr - 1)[-1].body)
    from app.rep.chain import afd_hash, afd_type7_body

    central_head = thief.get("/api/v1/head").json()
    body = {**last, "nsr": central_head["head_nsr"] + 1, "uuid": "forjado-2", "type": "SAIDA"}
    body["prev_hash"] = central_head["head_hash"]
    body["afd_hash"] = afd_hash(
        last["afd_hash"],
        afd_type7_body(body["nsr"], body["punched_at"], body["cpf"], body["recorded_at"], False),
    )
    body["hash"] = record_hash(body["prev_hash"], {k: body[k] for k in PUNCH_FIELDS})
    out = thief.post("/api/v1/punches", json={"punches": [body]}).json()
    assert out["accepted"] == 1  # indistinguishable from the kiosk's own, on Central's side
    with Ledger.open() as ledger:
        ana = ledger.find_by_pin("1234")
        ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 00", validated=True))
    rc, out, err = cli(capsys, "central", "sync")
    assert rc == 3 and f"NSR {body['nsr']}: a Central guarda o hash" in err
    assert json.loads(out)["pushed"] == 0  # nothing sent over a divergent head


def test_rep_numbers_and_kiosk_id_change_needs_a_new_join(setup, capsys):
    central_server, sessions, code = setup
    db = central_server.database_url
    with session_scope(sessions) as s:
        other = service.create_code(s, "porta 2")
        again = service.create_code(s, "porta 1 de novo")
    two = httpx.post(
        central_server.url + "/api/v1/enroll", json={"code": other, "ledger_kiosk_id": "01"}
    ).json()
    rc, out, _ = join(capsys, central_server, code)
    assert rc == 0 and "REP nº 02" in out
    assert (two["rep_number"], CentralSection.load().rep_number) == (1, 2)
    assert cli(capsys, "central", "sync")[0] == 0
    events = sql(db, "SELECT count(*) FROM kiosk_events WHERE kind <> 'roster'")

    app_settings.write_sections({"ledger": {**LEDGER, "kiosk_id": "07"}})
    rc, _, err = cli(capsys, "central", "sync")
    assert rc == 2 and "mudou de '01' para '07'" in err and "cadastre o" in err
    assert sql(db, "SELECT count(*) FROM kiosk_events WHERE kind <> 'roster'") == events
    assert sql(db, "SELECT count(*) FROM quarantined_records") == [(0,)]
    assert "falha" in clock_notice(CentralSection.load())  # shown on the idle screen

    rc, out, _ = join(capsys, central_server, again)  # the explicit way: a new enrollment
    assert rc == 0 and "novo cadastro" in out and "REP nº 03" in out
    rc, out, err = cli(capsys, "central", "sync")
    assert rc == 0, err
    reps = sql(db, "SELECT rep_number, ledger_kiosk_id FROM kiosks ORDER BY id")
    assert reps == [(1, "01"), (2, "01"), (3, "07")]


def test_join_merges_rosters_and_never_erases(setup, capsys):
    central_server, sessions, code = setup
    db = central_server.database_url
    with session_scope(sessions) as s:
        service.add_employee(s, "Carla Dias", CARLA, "472915", role="Padeira")
    assert join(capsys, central_server, code)[0] == 0
    rc, _, err = cli(capsys, "central", "sync")
    assert rc == 0, err
    with Ledger.open() as ledger:
        people = {e.cpf: e.active for e in ledger.list_employees()}
        ops = [w.body["fields"]["op"] for w in records_after(ledger, 0) if w.kind == "event"
               and w.body["kind"] == "employee"]  # fmt: skip
        assert ledger.find_by_pin("1234").name == "Ana Souza"  # its own PIN still works
        assert ledger.find_by_pin("472915").name == "Carla Dias"  # Central's reaches it
    assert people == {ANA: True, BRUNO: True, CARLA: True}
    assert "E" not in ops  # no type-5 exclusion from joining
    central = sql(db, "SELECT cpf, pin_index = '', admission_date IS NOT NULL FROM employees")
    # Ana and Bruno came up from the kiosk: no PIN in Central (it stays on the kiosk), admission
    # from the kiosk's registration for HR to confirm
    assert sorted(central) == sorted(
        [(ANA, True, True), (BRUNO, True, True), (CARLA, False, False)]
    )
    linked = sql(db, "SELECT count(*), count(employee_id) FROM punches")
    assert linked == [(2, 2)]

    with session_scope(sessions) as s:  # HR's explicit deactivation does come down
        service.set_active(s, BRUNO, False)
    section = CentralSection.load()
    replace(section, roster_version="").save()
    assert cli(capsys, "central", "sync")[0] == 0
    with Ledger.open() as ledger:
        people = {e.cpf: e.active for e in ledger.list_employees()}
        ops = [(w.body["fields"]["op"], w.body["fields"]["cpf"]) for w in records_after(ledger, 0)
               if w.kind == "event" and w.body["kind"] == "employee"]  # fmt: skip
        assert ledger.verify_chain().ok
    assert people == {ANA: True, BRUNO: False, CARLA: True}
    assert [o for o in ops if o[0] == "E"] == [("E", BRUNO)]
