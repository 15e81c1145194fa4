"""Upgrading a real schema-v1 ledger (written by the code before REP events, MACs and the
high-water file; tests/store/fixtures/ledger-v1.sqlite3 + its key) to the current schema."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from app.store.errors import ErrorCode, LedgerCorruptError, LedgerKeyError
from app.store.highwater import highwater_path
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.schema import SCHEMA_VERSION
from app.store.settings import LedgerSettings

FIXTURE = __import__("pathlib").Path(__file__).with_name("fixtures") / "ledger-v1.sqlite3"


@pytest.fixture()
def v1(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    shutil.copyfile(FIXTURE, path)
    shutil.copyfile(FIXTURE.with_name(FIXTURE.name + ".key"), path.with_name(path.name + ".key"))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    before = conn.execute("SELECT nsr, uuid, hash FROM punches ORDER BY nsr").fetchall()
    conn.close()
    return path, before


def test_v1_ledger_upgrades_and_keeps_every_record(v1):
    path, before = v1
    with Ledger.open(path, LedgerSettings()) as led:
        assert [(p.nsr, p.uuid, p.hash) for p in led.punches()] == before  # untouched
        assert all(len(p.mac) == 64 for p in led.punches())
        report = led.verify_chain()
        assert report.ok, report.problems
        assert (report.punches, report.corrections) == (5, 1)
        assert led.head().nsr == 5
        # Old (unpeppered) PIN hashes still work, and are replaced on first use.
        ana = led.find_by_pin("1234")
        assert ana is not None and led.find_by_badge("0001") == ana
        assert led.find_by_pin("5678").name == "Bruno Lima Filho"
        new = led.record_punch(PunchDraft(ana.id, "SAIDA", "SAIDA 18 00"))
        assert new.nsr == 6 and new.prev_hash == before[-1][2]
        assert led.get_punch(before[1][1]).cloud_validated is True
        assert led.verify_chain().ok
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    hashes = [r[0] for r in conn.execute("SELECT pin_hash FROM employees")]
    assert hashes[0].startswith("s3$") and hashes[1].startswith("s3$")  # re-hashed on use
    conn.close()
    assert highwater_path(path).is_file()


def test_v1_ledger_without_its_key_does_not_upgrade(v1):
    path, _ = v1
    path.with_name(path.name + ".key").unlink()
    with pytest.raises(LedgerKeyError) as err:
        Ledger.open(path, LedgerSettings())
    assert err.value.code == ErrorCode.KEY_MISSING
    assert not path.with_name(path.name + ".key").exists()  # no new key made up
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # rolled back, intact
    conn.close()


def test_taking_an_upgraded_ledger_back_to_v1_is_refused(v1):
    """The downgrade trick: forge rows, drop the MAC columns, say 'v1' and let the kiosk's
    own migration MAC the forgery. The high-water file says this ledger was upgraded."""
    path, _ = v1
    Ledger.open(path, LedgerSettings()).close()
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE events")
    conn.execute("DROP TABLE meta")
    for table in ("punches", "corrections", "employees", "cloud_verdicts"):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN mac")
    for name in ("cloud_verdicts_no_update", "cloud_verdicts_no_delete"):
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with pytest.raises(LedgerCorruptError, match="esquema antigo"):
        Ledger.open(path, LedgerSettings())
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 1  # nothing was MACed
    conn.close()
