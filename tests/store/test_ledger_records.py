"""Punch records: NSR, UUID, chains, append-only, corrections, clock, audio retention."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from app.store.errors import LedgerError
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.schema import SCHEMA_VERSION
from app.store.settings import LedgerSettings

BRT = timezone(timedelta(hours=-3))


def draft(emp_id: int, kind: str = "ENTRADA", **kw) -> PunchDraft:
    return PunchDraft(emp_id, kind, f"{kind} 13 40", **kw)


def test_nsr_sequential_uuid_unique_and_chain_intact(ledger, ana):
    punches = [ledger.record_punch(draft(ana.id)) for _ in range(5)]
    # NSR 1 is Ana's inclusion (AFD type 5): one sequence shared by every record kind.
    assert [p.nsr for p in punches] == [2, 3, 4, 5, 6]
    assert len({p.uuid for p in punches}) == 5
    assert punches[1].prev_hash == punches[0].hash
    assert all(p.cpf == ana.cpf and p.employee_name == "Ana Souza" for p in punches)
    report = ledger.verify_chain()
    assert report.ok and report.punches == 5


def test_stored_record_has_device_time_with_offset_and_verdict_fields(ledger, ana):
    at = datetime(2026, 3, 2, 13, 40, 12, tzinfo=BRT)
    p = ledger.record_punch(
        draft(ana.id, transcript=" Entrada, 13h40.", validated=True, tries=2, punched_at=at)
    )
    assert p.punched_at == "2026-03-02T13:40:12-03:00"
    assert p.validated and p.tries == 2 and not p.flagged
    assert p.transcript == " Entrada, 13h40."
    assert ledger.get_punch(p.uuid) == p


def test_punches_are_append_only_in_sql(ledger, ana):
    p = ledger.record_punch(draft(ana.id))
    conn = sqlite3.connect(ledger.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE punches SET type = 'SAIDA' WHERE nsr = ?", (p.nsr,))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM punches")
    conn.close()


def test_correction_is_a_new_chained_record(ledger, ana):
    p = ledger.record_punch(draft(ana.id))
    c = ledger.add_correction(p.uuid, author="RH Maria", note="esqueceu de bater", new_type="SAIDA")
    assert c.seq == 1 and c.new_type == "SAIDA"
    assert ledger.get_punch(p.uuid).type == "ENTRADA"  # the punch never changes
    assert ledger.corrections(p.uuid) == [c]
    assert ledger.verify_chain().corrections == 1
    with pytest.raises(LedgerError, match="observação com o motivo"):
        ledger.add_correction(p.uuid, author="RH", note=" ")


def test_last_punch_today_and_unknown_type(ledger, ana):
    today = ledger.now()
    yesterday = today - timedelta(days=1)
    ledger.record_punch(draft(ana.id, "SAIDA", punched_at=yesterday))
    assert ledger.last_punch_today(ana.id) is None
    ledger.record_punch(draft(ana.id, "ENTRADA"))
    ledger.record_punch(draft(ana.id, "INTERVALO"))
    assert ledger.last_punch_today(ana.id).type == "INTERVALO"
    with pytest.raises(LedgerError, match="tipo de marcação desconhecido 'ALMOCO'"):
        ledger.record_punch(draft(ana.id, "ALMOCO"))


def test_clock_moved_backwards_is_recorded_and_flagged(tmp_path):
    now = [datetime(2026, 3, 2, 13, 40, tzinfo=BRT)]
    led = Ledger.open(tmp_path / "l.sqlite3", LedgerSettings(), clock=lambda: now[0])
    emp = led.add_employee("Ana Souza", "52998224725", "1234")
    first = led.record_punch(draft(emp.id))
    now[0] = now[0] - timedelta(hours=2)  # NTP jump / dead RTC battery
    second = led.record_punch(draft(emp.id, "SAIDA"))
    assert second.nsr == first.nsr + 1  # never refused, never renumbered
    assert second.flagged and "clock moved backwards" in second.flag_reason
    assert not first.flagged
    assert led.verify_chain().ok
    led.close()


def test_audio_kept_only_when_needed_and_purged_after_retention(tmp_path):
    now = [datetime(2026, 3, 2, 13, 40, tzinfo=BRT)]
    led = Ledger.open(tmp_path / "a.sqlite3", LedgerSettings(), clock=lambda: now[0])
    emp = led.add_employee("Ana Souza", "52998224725", "1234")
    plain = led.record_punch(draft(emp.id, audio=b"RIFF-audio-1"))
    assert led.audio_for(plain.uuid) is None  # retention off, no sync: not stored
    assert plain.audio_sha256  # but its hash is in the record
    queued = led.record_punch(draft(emp.id, audio=b"RIFF-audio-2", queue_for_cloud=True))
    assert led.audio_for(queued.uuid) == b"RIFF-audio-2"
    assert led.purge_audio() == 0  # the cloud still waits for it
    led.record_cloud_verdict(queued.uuid, True, " Entrada 13 40")
    assert led.audio_for(queued.uuid) is None  # sent and retention is off: gone
    led.close()

    kept = Ledger.open(
        tmp_path / "a.sqlite3", LedgerSettings(audio_retention_days=7), clock=lambda: now[0]
    )
    p = kept.record_punch(draft(emp.id, audio=b"RIFF-audio-3"))
    assert kept.audio_for(p.uuid) == b"RIFF-audio-3"
    now[0] += timedelta(days=6)
    assert kept.purge_audio() == 0
    now[0] += timedelta(days=2)
    assert kept.purge_audio() == 1 and kept.audio_for(p.uuid) is None
    kept.close()


def test_schema_version_and_reopen(tmp_path):
    path = tmp_path / "v.sqlite3"
    Ledger.open(path, LedgerSettings()).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerError, match="mais novo que o deste PontoVoz"):
        Ledger.open(path, LedgerSettings())


def test_cloud_verdict_recorded_at_most_once(ledger, ana):
    p = ledger.record_punch(draft(ana.id, audio=b"x", queue_for_cloud=True))
    assert ledger.record_cloud_verdict(p.uuid, True, " Entrada 13 40") is True
    assert ledger.record_cloud_verdict(p.uuid, False, "other") is False
    got = ledger.get_punch(p.uuid)
    assert got.cloud_validated is True and got.cloud_text == " Entrada 13 40"
    assert got.hash == p.hash  # the punch itself is untouched
