"""Central as the system of record (docs/COMPLIANCE.md, "End-to-end check"), on a real Central
(subprocess, real PostgreSQL, real HTTP, the HR pages) and three real kiosk ledgers driven
through the kiosk's own CLI (``ledger config``, ``central join/sync``, ``export --format afd``,
``export check``; in-process ``app.cli.main``, one PONTOVOZ_HOME per kiosk):

- kiosk A (America/Sao_Paulo) runs alone for two days with its own employees and punches, then
  joins; kiosk B (America/Manaus) is offline for a day (Central down, its punches marked
  off-line) and syncs later; kiosk C (America/Sao_Paulo) has its clock set forward (type 4);
- roster edits on both sides: HR adds people (one for every kiosk, one for C only) and
  deactivates one of A's; B adds and deactivates one of its own;
- a punch forged with B's own token is quarantined, and B's real punch at that NSR gets in;
- then, for every REP: the kiosk's AFD and Central's (``/exportacoes/afd/N``) have the same
  type 2-7 lines and both pass ``export check``; the espelho's and the AEJ's
  (``/exportacoes/aej``) punches per employee-day equal the AFDs'; no type-5 exclusion came
  from a join; the forged punch is nowhere but quarantine; every real record is held once.

Punches go through ``Ledger.record_punch`` (no audio model). Every ledger, including the ones
the CLI opens, runs on a simulated clock (ten days ago onwards), so the days are real days.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select, text

import app.central.hr_models  # noqa: F401 - registers the HR tables for central_db's TRUNCATE
from app.central import auth, service
from app.central.db import make_engine, session_factory, session_scope
from app.central.hr_data import espelhos
from app.central.models import Employee
from app.cli import main
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.roster import records_after
from app.store.settings import LedgerSettings
from app.sync.central_settings import CentralSection
from tests.central.hr_helpers import sql

SP, MAO = ZoneInfo("America/Sao_Paulo"), ZoneInfo("America/Manaus")
INPI, DEVELOPER, EMPLOYER = "12345678901234567", "11444777000161", "11222333000181"
AFD_NAME = f"AFD{INPI}{EMPLOYER}REP_P.txt"
RESP = "12345678909"  # who answers for the REPs (AFD types 2, 4, 5)
ANA, BRUNO, CARLA = "52998224725", "11144477735", "39053344705"
DAVI, EVA = "98765432100", "24681357928"
PASSWORD = "senha-de-teste-1"
DAY0 = (datetime.now(UTC) - timedelta(days=10)).date()


class Clock:
    """One simulated instant shared by every kiosk (each adds its own skew); never goes back."""

    def __init__(self) -> None:
        self.now = datetime.combine(DAY0, time(9, 0), UTC)

    def at(self, day: int, hhmm: str, zone: ZoneInfo) -> None:
        moment = datetime.combine(DAY0 + timedelta(days=day), time.fromisoformat(hhmm), zone)
        assert moment >= self.now, f"the scenario went back in time at {moment}"
        self.now = moment.astimezone(UTC)


class Kiosk:
    def __init__(self, root: Path, name: str, zone: ZoneInfo, clock: Clock, mp, capsys) -> None:
        self.name, self.zone, self.clock, self._mp, self._capsys = name, zone, clock, mp, capsys
        self.home = root / name
        self.skew = timedelta(0)
        (self.home / "config").mkdir(parents=True)
        data = {
            "ledger": {"kiosk_id": "01", "employer_name": "Padaria Pão Quente Ltda",
                       "employer_id": EMPLOYER, "place": f"Loja {name}"},
            "rep": {"inpi": INPI, "developer_id": DEVELOPER},
        }  # fmt: skip
        (self.home / "config" / "settings.json").write_text(json.dumps(data), encoding="utf-8")

    def wall(self) -> datetime:
        return self.clock.now + self.skew

    def cli(self, *args: str) -> tuple[int, str, str]:
        self._mp.setenv("PONTOVOZ_HOME", str(self.home))
        self._capsys.readouterr()
        code = main(list(args))
        out = self._capsys.readouterr()
        return code, out.out, out.err

    def sync(self, expect: int = 0) -> dict:
        rc, out, err = self.cli("central", "sync")
        assert rc == expect, (self.name, rc, out, err)
        return json.loads(out) if out.strip() else {"stderr": err}

    def ledger(self) -> Ledger:
        self._mp.setenv("PONTOVOZ_HOME", str(self.home))
        settings = LedgerSettings.load(self.home / "config" / "settings.json")
        return Ledger.open(self.home / "data" / "ledger.sqlite3", settings, clock=self.wall)

    def punch(self, cpf: str, kind: str, *, offline: bool = False) -> None:
        with self.ledger() as led:
            (emp,) = [e for e in led.list_employees() if e.cpf == cpf]
            led.record_punch(
                PunchDraft(emp.id, kind, f"{kind} teste", validated=True, offline=offline)
            )

    @property
    def section(self) -> CentralSection:
        return CentralSection.load(self.home / "config" / "settings.json")

    def records(self) -> list:
        with self.ledger() as led:
            return records_after(led, 0, 100_000)

    def exclusions(self) -> list[str]:
        return [
            w.body["fields"]["cpf"]
            for w in self.records()
            if w.kind == "event" and w.body["kind"] == "employee" and w.body["fields"]["op"] == "E"
        ]


def afd_lines(data: bytes) -> list[str]:
    return data.decode("iso-8859-1").split("\r\n")


def afd_punches(lines: list[str]) -> Counter:
    """(CPF, local day, local time with offset) of every type-7 line."""
    return Counter((x[35:46], x[10:20], x[10:34]) for x in lines if len(x) > 9 and x[9] == "7")


@pytest.fixture()
def world(tmp_path, central_server, monkeypatch, capsys):
    clock = Clock()
    kiosks: dict[str, Kiosk] = {}
    original = Ledger.open.__func__

    def open_on_the_kiosk_clock(cls, path=None, settings=None, *, clock=None, **kw):
        """What the CLI opens runs on its kiosk's simulated clock."""
        if clock is None:
            home = os.environ.get("PONTOVOZ_HOME", "")
            clock = next(k.wall for k in kiosks.values() if str(k.home) == home)
        return original(cls, path, settings, clock=clock, **kw)

    monkeypatch.setattr(Ledger, "open", classmethod(open_on_the_kiosk_clock))
    for name, zone in (("A", SP), ("B", MAO), ("C", SP)):
        kiosks[name] = Kiosk(tmp_path, name, zone, clock, monkeypatch, capsys)
    return central_server, clock, kiosks


def test_three_kiosks_two_zones_one_system_of_record(world, tmp_path):
    central, clock, k = world
    a, b, c = k["A"], k["B"], k["C"]
    db = central.database_url
    sessions = session_factory(make_engine(db, pool_size=1))

    def code(label: str) -> str:
        with session_scope(sessions) as s:
            return service.create_code(s, label)

    def join(kiosk: Kiosk) -> None:
        rc, out, err = kiosk.cli("central", "join", "--url", central.url, "--code",
                                 code(kiosk.name), "--name", f"Loja {kiosk.name}")  # fmt: skip
        assert rc == 0 and "REP nº" in out, (out, err)

    # the responsible person and the zone, set with the kiosk's own command
    for kiosk in (a, b, c):
        rc, out, err = kiosk.cli("ledger", "config", "--fuso", kiosk.zone.key,
                                 "--cpf-responsavel", RESP)  # fmt: skip
        assert rc == 0 and kiosk.zone.key in out, err
    c.skew = -timedelta(minutes=3)  # C's clock is three minutes late until it is set

    # ---- day 0 -------------------------------------------------------------------------------
    clock.at(0, "06:30", SP)  # A starts alone: its employer, its people
    with a.ledger() as led:
        led.record_employer()
        led.record_sensitive_event("07")
        led.add_employee("Ana Souza", ANA, "1111")
        led.add_employee("Bruno Lima", BRUNO, "2222")
    clock.at(0, "06:00", MAO)  # B and C join a Central that knows Carla (HR)
    with session_scope(sessions) as s:
        service.add_employee(s, "Carla Dias", CARLA, "472915", admission=DAY0, role="Padeira")
    for kiosk in (b, c):
        with kiosk.ledger() as led:
            led.record_employer()
            led.record_sensitive_event("07")
        join(kiosk)
        assert kiosk.sync()["roster_changed"] is True
    with b.ledger() as led:  # kiosk-side roster edit: B registers Davi itself
        led.add_employee("Davi Rocha", DAVI, "5555")
    assert b.sync()["accepted"] > 0
    with session_scope(sessions) as s:  # HR adds Eva for C only
        service.add_employee(s, "Eva Prado", EVA, "638271", kiosks=[c.section.kiosk],
                             admission=DAY0, role="Estoquista")  # fmt: skip
    c.sync()
    with c.ledger() as led:
        assert {e.cpf for e in led.list_employees()} == {CARLA, EVA}
    with b.ledger() as led:
        assert {e.cpf for e in led.list_employees()} == {CARLA, DAVI}
    with session_scope(sessions) as s:  # Central shows B and C in their own zone
        s.execute(text("UPDATE kiosks SET time_zone = 'America/Manaus' WHERE id = :i"),
                  {"i": b.section.kiosk})  # fmt: skip

    day0 = [
        (a, ANA, "ENTRADA", "08:00", SP), (a, BRUNO, "ENTRADA", "08:10", SP),
        (b, CARLA, "ENTRADA", "08:00", MAO), (b, DAVI, "ENTRADA", "08:05", MAO),
        (c, EVA, "ENTRADA", "09:30", SP), (a, ANA, "SAIDA", "12:00", SP),
        (a, ANA, "ENTRADA", "13:00", SP), (b, CARLA, "SAIDA", "13:00", MAO),
        (a, BRUNO, "SAIDA", "16:10", SP), (a, ANA, "SAIDA", "17:00", SP),
        (c, EVA, "SAIDA", "17:30", SP), (c, CARLA, "ENTRADA", "18:00", SP),
        (c, CARLA, "SAIDA", "19:00", SP),
        (b, DAVI, "SAIDA", "20:07", MAO),  # 00:07 UTC of the next day: still day 0 in Manaus
    ]  # fmt: skip
    for kiosk, cpf, kind, hhmm, zone in day0:
        clock.at(0, hhmm, zone)
        kiosk.punch(cpf, kind)
    for kiosk in (b, c):
        kiosk.sync()

    # ---- day 1: Central is down; B punches off-line; C's clock is set ------------------------
    central.stop()
    clock.at(1, "08:00", SP)
    a.punch(ANA, "ENTRADA")
    clock.at(1, "08:10", SP)
    a.punch(BRUNO, "ENTRADA")
    clock.at(1, "08:00", MAO)
    b.punch(CARLA, "ENTRADA", offline=True)
    down = b.sync(expect=2)
    assert "inacessível" in down["stderr"]
    clock.at(1, "09:00", SP)
    with c.ledger() as led:
        before = led.now()
        c.skew = timedelta(0)
        led.record_clock_adjustment(before, led.now(), author_cpf=RESP)
    clock.at(1, "09:10", SP)
    c.punch(EVA, "ENTRADA")
    for kiosk, cpf, kind, hhmm, zone in [
        (b, CARLA, "SAIDA", "13:00", MAO), (a, ANA, "SAIDA", "17:00", SP),
        (a, BRUNO, "SAIDA", "17:05", SP), (c, EVA, "SAIDA", "17:30", SP),
    ]:  # fmt: skip
        clock.at(1, hhmm, zone)
        kiosk.punch(cpf, kind, offline=kiosk is b)
    central.start()

    # ---- day 2: B comes back, A joins after two days alone, a forgery, roster edits ----------
    clock.at(2, "06:00", SP)
    back = b.sync()
    assert (back["accepted"], back["pending"]) == (2, 0)
    c.sync()
    clock.at(2, "06:30", SP)
    join(a)
    joined = a.sync()
    assert joined["pending"] == 0 and joined["roster_changed"] is True
    assert a.exclusions() == []  # joining erased nobody
    with a.ledger() as led:
        people = {e.cpf: e.active for e in led.list_employees()}
        assert led.find_by_pin("1111").cpf == ANA  # its own PINs still work
        assert led.find_by_pin("472915").cpf == CARLA  # Central's reach it
    assert people == {ANA: True, BRUNO: True, CARLA: True}
    up = sql(db, "SELECT cpf, admission_date FROM employees WHERE cpf IN (:a, :b)", a=ANA, b=BRUNO)
    assert sorted(up) == [(BRUNO, DAY0), (ANA, DAY0)]  # admission = the kiosk's registration

    # a punch forged with B's own token: new NSR, made-up hash
    clock.at(2, "07:00", SP)
    section = b.section
    thief = httpx.Client(
        base_url=central.url, headers={"Authorization": f"Bearer {section.token}"}, timeout=10
    )
    head = thief.get("/api/v1/head").json()
    last_punch = [w for w in b.records() if w.kind == "punch"][-1]
    forged = dict(last_punch.body)
    forged.update(nsr=head["head_nsr"] + 1, uuid="forjado-1", type="ENTRADA",
                  hash="ab" * 32, prev_hash=head["head_hash"])  # fmt: skip
    answer = thief.post("/api/v1/punches", json={"punches": [forged]})
    thief.close()
    assert answer.status_code == 200 and answer.json()["quarantined"] == 1, answer.text
    assert answer.json()["head_nsr"] == head["head_nsr"]  # the head did not move
    clock.at(2, "08:00", MAO)
    b.punch(CARLA, "ENTRADA")  # the real punch at that NSR
    diverged = b.sync(expect=3)
    assert diverged["accepted"] == 1

    # roster edits on both sides: HR deactivates Bruno; B deactivates Davi itself
    clock.at(2, "08:30", MAO)
    with session_scope(sessions) as s:
        service.set_active(s, BRUNO, False)
    with b.ledger() as led:
        led.deactivate_employee(DAVI, author_cpf=RESP)
    clock.at(2, "09:40", SP)
    a.sync()
    assert a.exclusions() == [BRUNO]  # HR's decision, not the join
    b.sync(expect=3)  # still divergent until HR records what was checked
    ((qid, q_kiosk, q_nsr),) = sql(db, "SELECT id, kiosk_id, nsr FROM quarantined_records")
    assert (q_kiosk, q_nsr) == (section.kiosk, head["head_nsr"] + 1)
    with session_scope(sessions) as s:
        service.acknowledge(s, qid, "Rita do RH", "Credencial da loja B trocada; quiosque ok.")
    b.sync()
    with b.ledger() as led:  # Davi stays off: Central did not bring him back
        assert {e.cpf: e.active for e in led.list_employees()} == {CARLA: True, DAVI: False}
    assert b.exclusions() == [DAVI]

    for kiosk, cpf, kind, hhmm, zone in [
        (a, ANA, "ENTRADA", "10:00", SP), (c, EVA, "ENTRADA", "10:10", SP),
        (b, CARLA, "SAIDA", "13:00", MAO), (a, ANA, "SAIDA", "17:00", SP),
        (c, EVA, "SAIDA", "17:30", SP), (c, CARLA, "ENTRADA", "18:00", SP),
        (c, CARLA, "SAIDA", "19:00", SP),
    ]:  # fmt: skip
        clock.at(2, hhmm, zone)
        kiosk.punch(cpf, kind)
    clock.at(2, "20:00", SP)
    for kiosk in (a, b, c):
        done = kiosk.sync()
        assert done["pending"] == 0 and done["divergences"] == []
        rc, _, err = kiosk.cli("central", "status")
        assert rc == 0, err

    # ---- every real record held once; the forgery only in quarantine -------------------------
    ledger_rows, ledger_events = [], []
    for kiosk in (a, b, c):
        kid = kiosk.section.kiosk
        for w in kiosk.records():
            (ledger_rows if w.kind == "punch" else ledger_events).append(
                (kid, w.body["nsr"], w.body["uuid"]) if w.kind == "punch" else (kid, w.body["nsr"])
            )
        with kiosk.ledger() as led:
            assert led.verify_chain().ok
    held = sql(db, "SELECT kiosk_id, nsr, uuid FROM punches ORDER BY kiosk_id, nsr")
    assert [tuple(r) for r in held] == sorted(ledger_rows)
    assert len({r[2] for r in held}) == len(held) == 30
    events = sql(db, "SELECT kiosk_id, nsr FROM rep_events ORDER BY kiosk_id, nsr")
    assert [tuple(r) for r in events] == sorted(ledger_events)
    assert sql(db, "SELECT count(*) FROM punches WHERE uuid = 'forjado-1'") == [(0,)]
    quarantined = sql(db, "SELECT reason, uuid, hash, expected_prev, acknowledged_at IS NOT NULL"
                          " FROM quarantined_records")  # fmt: skip
    assert quarantined == [("hash", "forjado-1", "ab" * 32, head["head_hash"], True)]
    assert sql(db, "SELECT count(*) FROM punches WHERE employee_id IS NULL OR NOT chain_ok") == [
        (0,)
    ]
    report = {r.kiosk_id: r for r in sql(db, "SELECT id AS kiosk_id, rep_number FROM kiosks")}
    assert sorted(r.rep_number for r in report.values()) == [1, 2, 3]  # each its own REP

    # ---- for every REP: the kiosk's AFD and Central's, the same lines, both conform ----------
    with session_scope(sessions) as s:
        auth.create_user(s, "rh", "Rita do RH", PASSWORD, "rh")
        s.execute(
            text(
                "INSERT INTO hr_employer (id, cnpj, name, inpi, developer_id, developer_name,"
                " developer_email) VALUES (1, :cnpj, 'Padaria Pão Quente Ltda', :inpi, :dev,"
                " 'PontoVoz Sistemas Ltda', 'suporte@pontovoz.com.br')"
            ),
            {"cnpj": EMPLOYER, "inpi": INPI, "dev": DEVELOPER},
        )
    hr = httpx.Client(base_url=central.url, timeout=60)
    assert hr.post("/entrar", data={"usuario": "rh", "senha": PASSWORD}).status_code == 303
    page = hr.get("/quarentena").text  # HR sees it there, and only there
    assert "uuid forjado-1" in page and "verificado" in page
    assert "forjado" not in hr.get("/revisao").text + hr.get("/marcacoes").text
    first, last = DAY0.isoformat(), (DAY0 + timedelta(days=2)).isoformat()
    period = {"de": first, "ate": last}
    all_afd: Counter = Counter()
    for kiosk in (a, b, c):
        out = tmp_path / "afd" / kiosk.name
        rc, _, err = kiosk.cli("export", "--from", first, "--to", last, "--format", "afd",
                               "--out", str(out / "quiosque"))  # fmt: skip
        assert rc == 0, err
        mine = (out / "quiosque" / AFD_NAME).read_bytes()
        got = hr.get(f"/exportacoes/afd/{kiosk.section.kiosk}", params=period)
        assert got.status_code == 200, got.text
        assert AFD_NAME in got.headers["content-disposition"]
        (out / "central").mkdir()
        (out / "central" / AFD_NAME).write_bytes(got.content)
        kiosk_lines, central_lines = afd_lines(mine), afd_lines(got.content)
        assert central_lines[1:] == kiosk_lines[1:], kiosk.name  # types 2-7, trailer, signature
        assert kiosk_lines[0][206:226] == central_lines[0][206:226]  # header dates
        for path in (out / "quiosque" / AFD_NAME, out / "central" / AFD_NAME):
            rc, report_text, _ = kiosk.cli("export", "check", str(path))
            assert rc == 0 and "erro" not in report_text, report_text
        types = Counter(x[9] for x in kiosk_lines[1:-3])
        assert set(types) == {"2", "5", "6", "7"} | ({"4"} if kiosk is c else set())
        # no type-5 exclusion but the two decided ones (HR's Bruno on A, B's own Davi)
        excluded = [x[36:47] for x in kiosk_lines if len(x) > 34 and x[9] == "5" and x[34] == "E"]
        assert excluded == {"A": [BRUNO], "B": [DAVI], "C": []}[kiosk.name]
        for x in kiosk_lines[1:-3]:
            if x[9] in "245":
                assert RESP in x, x  # the responsible person, never zeros
        offline = [x for x in kiosk_lines[1:-3] if x[9] == "7" and x[72] == "1"]
        assert len(offline) == (2 if kiosk is b else 0)  # B's day without Central
        all_afd += afd_punches(kiosk_lines)
    offsets = {p[2][19:] for p in all_afd}
    assert offsets == {"-0300", "-0400"}
    assert (DAVI, first, f"{first}T20:07:00-0400") in all_afd  # 00:07 UTC stays day 0, -0400
    assert sum(all_afd.values()) == 30

    # ---- espelho and AEJ: the same punches per employee-day as the AFDs ---------------------
    sheet_marks: Counter = Counter()
    days = {DAY0 + timedelta(days=i) for i in range(3)}
    with session_scope(sessions) as s:
        people = list(s.scalars(select(Employee)))
        assert {e.cpf for e in people} == {ANA, BRUNO, CARLA, DAVI, EVA}
        for y, m in sorted({(d.year, d.month) for d in days}):
            for e, sheet in espelhos(s, y, m, people, today=max(days)):
                for line in sheet.days:
                    if line.day in days:
                        for mark in line.marks:
                            assert mark.at.date() == line.day
                            at = mark.at.strftime("%Y-%m-%dT%H:%M:00%z")
                            sheet_marks[(e.cpf, line.day.isoformat(), at)] += 1
    assert sheet_marks == all_afd

    got = hr.get("/exportacoes/aej", params=period)
    assert got.status_code == 200, got.text[-2000:]
    rows = [x.split("|") for x in got.content.decode("iso-8859-1").split("\r\n")]
    cpf_of = {r[1]: r[2] for r in rows if r[0] == "03"}
    aej_marks = Counter(
        (cpf_of[r[1]], r[2][:10], r[2]) for r in rows if r[0] == "05" and r[4] in "ES"
    )
    assert aej_marks == all_afd
    assert all(len(r[5]) == 3 for r in rows if r[0] == "05")  # seqEntSaida "001"
    hr.close()
