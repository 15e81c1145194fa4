"""Central's AFD is the REP's AFD: a Manaus kiosk's real ledger (employer, sensitive events,
employees, punches, a clock adjustment) goes to a real Central over HTTP; for the same period
Central's file and the kiosk's own `export --format afd` have the same type 2-7 lines, the
official name, and both pass `export check`. The punch time keeps Manaus's -0400 in the AFD,
the AEJ and the espelho."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select, text

from app.central import aej
from app.central.aej_check import check as check_aej
from app.central.afd_export import AfdError, RepOwner, kiosk_afd
from app.central.db import make_engine, session_factory, session_scope
from app.central.hr_data import espelhos
from app.central.models import Employee, Kiosk
from app.rep.afd_check import check_afd
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.roster import records_after
from tests.central.conftest import enroll_kiosk

INPI, DEVELOPER, EMPLOYER = "12345678901234567", "11444777000161", "11222333000181"
NAME = f"AFD{INPI}{EMPLOYER}REP_P.txt"
RESPONSIBLE = "11144477735"
MANAUS = ZoneInfo("America/Manaus")


def _settings(home) -> None:
    (home / "config").mkdir(parents=True, exist_ok=True)
    data = {
        "ledger": {"kiosk_id": "01", "employer_name": "Madeireira Rio Negro Ltda",
                   "employer_id": EMPLOYER, "place": "Av. Eduardo Ribeiro, 10 - Manaus/AM",
                   "rep_id": INPI, "time_zone": "America/Manaus",
                   "responsible_cpf": RESPONSIBLE},
        "rep": {"developer_id": DEVELOPER},
    }  # fmt: skip
    (home / "config" / "settings.json").write_text(json.dumps(data), encoding="utf-8")


def _fill(now: list[datetime]) -> None:
    """The issue's case: 00:07 UTC on 06/12 is 20:07 on 05/12 in Manaus."""

    def tick(minutes: int = 1) -> None:
        now[0] += timedelta(minutes=minutes)

    with Ledger.open(clock=lambda: now[0]) as led:
        led.record_employer()
        led.record_sensitive_event("07")
        ana = led.add_employee("Ana Conceição", "52998224725", "1234")
        tick()
        for kind in ("ENTRADA", "SAIDA"):
            led.record_punch(PunchDraft(ana.id, kind, f"{kind} 20 07", validated=True))
            tick(60)
        before = led.now()
        led.record_clock_adjustment(before, before + timedelta(minutes=2))
        led.record_sensitive_event("08")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "app", "export", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _push(central_server) -> int:
    token = enroll_kiosk(central_server, "Manaus")
    with Ledger.open() as led:
        batch = records_after(led, 0)
    body = {
        "punches": [w.body for w in batch if w.kind == "punch"],
        "events": [w.body for w in batch if w.kind == "event"],
    }
    r = httpx.post(central_server.url + "/api/v1/punches", json=body,
                   headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.status_code == 200 and r.json()["accepted"] == len(batch), r.text
    return len(batch)


def test_central_afd_equals_the_kiosks_and_keeps_manaus_time(pv_home, tmp_path, central_server):
    _settings(pv_home)
    _fill([datetime(2026, 12, 6, 0, 7, tzinfo=UTC)])
    day = "2026-12-05"
    out = tmp_path / "quiosque"
    r = _cli("--from", day, "--to", day, "--format", "afd", "--out", str(out))
    assert r.returncode == 0, r.stderr
    kiosk_file = out / NAME
    kiosk_lines = kiosk_file.read_bytes().decode("iso-8859-1").split("\r\n")
    assert _push(central_server) == 7

    engine = make_engine(central_server.database_url, pool_size=1)
    sessions = session_factory(engine)
    owner = RepOwner("99999999000191", "Outro Nome", INPI, DEVELOPER)
    with session_scope(sessions) as s:
        kiosk = s.scalars(select(Kiosk)).one()
        kiosk.time_zone = "America/Manaus"
        s.flush()
        data, name = kiosk_afd(s, kiosk, owner, date(2026, 12, 5), date(2026, 12, 5),
                               datetime(2026, 12, 7, 12, 0, tzinfo=UTC))  # fmt: skip
        # the next day holds nothing: a valid empty file, dated with the requested range,
        # whose employer is the kiosk's latest type-2 record (not Central's row on file)
        empty, empty_name = kiosk_afd(s, kiosk, owner, date(2026, 12, 6), date(2026, 12, 6),
                             datetime(2026, 12, 7, 12, 0, tzinfo=UTC))  # fmt: skip
    assert name == NAME  # the official name, not "..._01.txt"
    central_lines = data.decode("iso-8859-1").split("\r\n")
    assert central_lines[1:] == kiosk_lines[1:]  # types 2-7, trailer and signature line
    assert [x[9] for x in central_lines[1:-3]] == list("2657746")
    assert [int(x[:9]) for x in central_lines[1:-3]] == list(range(1, 8))

    header = central_lines[0]
    assert header[39:189].rstrip() == "Madeireira Rio Negro Ltda"  # from the type-2 record
    assert header[206:226] == "2026-12-052026-12-05"  # dates from the records
    assert header[226:250] == "2026-12-07T08:00:00-0400"  # generated in the REP's zone
    punch = central_lines[4]
    assert punch[10:34] == "2026-12-05T20:08:00-0400"  # not 06/12 00:08 +0000
    for line in central_lines[1:-3]:
        if line[9] in "245":  # the responsible person, not zeros
            assert RESPONSIBLE in line, line
    assert empty.decode("iso-8859-1").split("\r\n")[0][206:226] == "2026-12-062026-12-06"

    central_file = tmp_path / "central" / name
    central_file.parent.mkdir()
    central_file.write_bytes(data)
    for path in (kiosk_file, central_file):
        checked = _cli("check", str(path))
        assert checked.returncode == 0, checked.stdout
        assert "erro" not in checked.stdout
    assert empty_name == NAME and check_afd(empty, file_name=empty_name).ok

    # the espelho and the AEJ show the same local time and day, with -0400
    with session_scope(sessions) as s:
        emp = s.scalars(select(Employee).where(Employee.cpf == "52998224725")).first()
        if emp is None:
            emp = Employee(name="Ana Conceição", cpf="52998224725", pin_index="x" * 64,
                           pin_hash="x")  # fmt: skip
            s.add(emp)
            s.flush()
        # the punches are stamped on a fixed day, the employee was registered by the kiosk at
        # the real time: admit her before that day, or the espelho starts after it (the test
        # failed whenever the real São Paulo date had moved past 2026-12-05)
        emp.admission_date = date(2026, 12, 1)
        s.execute(text("UPDATE punches SET employee_id = :e WHERE employee_id IS NULL"),
                  {"e": emp.id})  # fmt: skip
        s.flush()
        sheet = espelhos(s, 2026, 12, [emp], today=date(2026, 12, 31))[0][1]
    engine.dispose()
    (line,) = [d for d in sheet.days if d.marks]
    assert line.day == date(2026, 12, 5)
    assert [m.at.strftime("%H:%M %z") for m in line.marks] == ["20:08 -0400", "21:08 -0400"]
    text_aej = aej.build(
        aej.Employer(EMPLOYER, "Madeireira Rio Negro Ltda"), date(2026, 12, 5),
        date(2026, 12, 5), [aej.Vinculo("52998224725", "Ana", sheet)],
        {str(kiosk.id): INPI}, ZoneInfo("America/Sao_Paulo"),
        datetime(2026, 12, 7, 12, tzinfo=UTC),
        aej.Ptrp(developer_id=DEVELOPER, developer_name="PontoVoz", email="dev@pontovoz.com.br"),
    )  # fmt: skip
    assert "|2026-12-05T20:08:00-0400|" in text_aej and "|2026-12-05T21:08:00-0400|" in text_aej
    assert check_aej(text_aej.encode("iso-8859-1")) == []


def test_central_refuses_a_zero_inpi_and_an_altered_first_punch(pv_home, central_server):
    _settings(pv_home)
    _fill([datetime(2026, 12, 6, 0, 7, tzinfo=UTC)])
    _push(central_server)
    engine = make_engine(central_server.database_url, pool_size=1)
    sessions = session_factory(engine)
    args = (date(2026, 12, 5), date(2026, 12, 5), datetime(2026, 12, 7, tzinfo=UTC))
    with session_scope(sessions) as s:
        kiosk = s.scalars(select(Kiosk)).one()
        zeros = RepOwner(EMPLOYER, "X", "0" * 17, DEVELOPER)
        try:
            kiosk_afd(s, kiosk, zeros, *args)
            raise AssertionError("an INPI of zeros was accepted")
        except AfdError as exc:
            assert "INPI" in str(exc)
    # a first punch altered in Central's copy (CPF), hash left as stored: refused, not served
    with engine.begin() as conn:
        conn.execute(text("SET session_replication_role = replica"))  # past the trigger
        conn.execute(text("UPDATE punches SET cpf = '11144477735' WHERE nsr = 4"))
    with session_scope(sessions) as s:
        kiosk = s.scalars(select(Kiosk)).one()
        owner = RepOwner(EMPLOYER, "X", INPI, DEVELOPER)
        try:
            kiosk_afd(s, kiosk, owner, *args)
            raise AssertionError("an altered first punch was served")
        except AfdError as exc:
            assert "primeira marcação do REP não confere" in str(exc)
    engine.dispose()
