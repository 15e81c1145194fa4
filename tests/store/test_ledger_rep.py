"""REP-P records (Portaria 671 AFD types 2, 4, 5, 6) stored when they happen, in one NSR
sequence per kiosk shared with the punches, chained and MACed like them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest

from app.rep.records import Punch, RepEvent
from app.store.errors import ErrorCode, LedgerError
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings
from tests.conftest import CPF_ANA, CPF_BRUNO, SETTINGS

BRT = timezone(timedelta(hours=-3))
CPF_RH = "39053344705"


def test_every_record_kind_shares_one_nsr_sequence_and_one_chain(ledger):
    ana = ledger.add_employee("Ana Souza", CPF_ANA, "1234", author_cpf=CPF_RH)  # NSR 1
    employer = ledger.record_employer(author_cpf=CPF_RH)  # NSR 2
    punch = ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 40"))  # NSR 3
    before = datetime(2026, 3, 2, 13, 40, tzinfo=BRT)
    clock = ledger.record_clock_adjustment(before, before + timedelta(minutes=3))  # NSR 4
    power = ledger.record_sensitive_event("02")  # NSR 5
    ledger.update_employee(CPF_ANA, name="Ana Souza Lima", author_cpf=CPF_RH)  # NSR 6
    ledger.deactivate_employee(CPF_ANA, author_cpf=CPF_RH)  # NSR 7

    records = ledger.rep_records()
    assert [r.nsr for r in records] == [1, 2, 3, 4, 5, 6, 7]
    assert [r.afd_type for r in records] == [5, 2, 7, 4, 6, 5, 5]
    assert [r.prev_hash for r in records[1:]] == [r.hash for r in records[:-1]]
    assert records[2] == punch and records[1] == employer and records[3] == clock
    assert power.fields == {"code": "02"}
    ops = [(r.fields["op"], r.fields["name"]) for r in records if r.afd_type == 5]
    assert ops == [("I", "Ana Souza"), ("A", "Ana Souza Lima"), ("E", "Ana Souza Lima")]
    assert records[0].fields == {
        "op": "I",
        "cpf": CPF_ANA,
        "name": "Ana Souza",
        "author_cpf": CPF_RH,
    }
    assert employer.fields == {
        "id_type": "1",
        "employer_id": "11222333000181",
        "cno_caepf": "",
        "name": "Padaria Pão Quente Ltda",
        "place": "Rua das Flores, 100 - São Paulo/SP",
        "author_cpf": CPF_RH,
    }
    assert clock.fields["before"] == "2026-03-02T13:40:00-03:00"
    assert clock.fields["after"] == "2026-03-02T13:43:00-03:00"
    assert ledger.head() == (7, records[-1].mac) and len(records[-1].mac) == 64
    report = ledger.verify_chain()
    assert report.ok, report.problems
    assert (report.punches, report.events) == (1, 6)


def test_employer_record_only_when_the_data_change(ledger):
    assert ledger.record_employer() is not None
    assert ledger.record_employer(author_cpf=CPF_RH) is None  # same data: nothing new
    moved = replace(SETTINGS, place="Av. Paulista, 1000 - São Paulo/SP")
    event = ledger.record_employer(moved)
    assert event is not None and event.fields["place"].startswith("Av. Paulista")
    assert ledger.settings == moved
    with pytest.raises(LedgerError) as err:
        ledger.record_employer(LedgerSettings())
    assert err.value.code == ErrorCode.EVENT_INVALID


def test_pin_change_and_repeated_saves_write_no_type_5(ledger, ana):
    ledger.update_employee(CPF_ANA, pin="9999", badge="")
    ledger.update_employee(CPF_ANA, name="Ana Souza", active=True)  # a save with no change
    assert [r.afd_type for r in ledger.rep_records()] == [5]
    ledger.deactivate_employee(CPF_ANA)
    ledger.update_employee(CPF_ANA, active=True)  # re-included
    assert [r.fields["op"] for r in ledger.rep_records()] == ["I", "E", "I"]


def test_bad_events_are_refused_with_codes(ledger):
    naive = datetime(2026, 3, 2, 13, 40)
    with pytest.raises(LedgerError) as err:
        ledger.record_clock_adjustment(naive, naive)
    assert err.value.code == ErrorCode.TIME_INVALID
    for code in ("01", "03", "2", "99", ""):  # REP-C-only codes and garbage
        with pytest.raises(LedgerError) as err:
            ledger.record_sensitive_event(code)
        assert err.value.code == ErrorCode.EVENT_INVALID
    with pytest.raises(LedgerError) as err:
        ledger.add_employee("Ana Souza", CPF_ANA, "1234", author_cpf="123")
    assert err.value.code == ErrorCode.CPF_INVALID
    assert ledger.head() == (0, "") and ledger.verify_chain().ok


def test_rep_records_filter_by_date_keep_nsr_order(tmp_path):
    now = [datetime(2026, 3, 1, 9, 0, tzinfo=BRT)]
    led = Ledger.open(tmp_path / "l.sqlite3", SETTINGS, clock=lambda: now[0])
    ana = led.add_employee("Ana Souza", CPF_ANA, "1234")  # 1: 2026-03-01
    now[0] += timedelta(days=1)
    led.record_sensitive_event("08")  # 2: 03-02
    led.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 09 00"))  # 3: 03-02
    led.record_sensitive_event("07")  # 4: 03-02
    now[0] += timedelta(days=1)
    led.record_punch(PunchDraft(ana.id, "SAIDA", "SAIDA 09 00"))  # 5: 03-03
    day2 = led.rep_records(date(2026, 3, 2), date(2026, 3, 2))
    assert [(r.nsr, type(r)) for r in day2] == [(2, RepEvent), (3, Punch), (4, RepEvent)]
    assert [p.nsr for p in led.punches(date(2026, 3, 3))] == [5]
    led.close()


def test_a_ledger_holding_two_kiosks_never_mixes_them(tmp_path):
    path = tmp_path / "l.sqlite3"
    with Ledger.open(path, LedgerSettings(kiosk_id="01")) as one:
        emp = one.add_employee("Ana Souza", CPF_ANA, "1234")
        one.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40"))  # 01: NSR 2
    with Ledger.open(path, LedgerSettings(kiosk_id="02")) as two:
        bruno = two.add_employee("Bruno Lima", CPF_BRUNO, "5678")  # 02: NSR 1
        p = two.record_punch(PunchDraft(bruno.id, "ENTRADA", "ENTRADA 13 41"))
        assert p.nsr == 2 and two.head().nsr == 2  # its own sequence, not 3
        assert two.kiosks() == ["01", "02"]
        with pytest.raises(LedgerError) as err:
            two.punches()  # an AFD of both would repeat NSRs 1 and 2
        assert err.value.code == ErrorCode.MIXED_LEDGER
        with pytest.raises(LedgerError):
            two.rep_records()
        only = two.rep_records(kiosk_id="02")
        assert [(r.nsr, r.kiosk_id) for r in only] == [(1, "02"), (2, "02")]
        report = two.verify_chain()
        assert report.ok, report.problems
