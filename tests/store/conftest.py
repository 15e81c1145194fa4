"""Ledger fixtures: a real SQLite ledger in a temp dir, with one employee."""

from __future__ import annotations

import pytest

from app.store.ledger import Ledger
from app.store.settings import LedgerSettings

CPF_ANA = "52998224725"  # valid check digits
CPF_BRUNO = "11144477735"

SETTINGS = LedgerSettings(
    kiosk_id="01",
    employer_name="Padaria Pão Quente Ltda",
    employer_id="11222333000181",
    place="Rua das Flores, 100 - São Paulo/SP",
    rep_id="12345678901234567",
)


@pytest.fixture()
def ledger(tmp_path):
    led = Ledger.open(tmp_path / "ledger.sqlite3", SETTINGS)
    yield led
    led.close()


@pytest.fixture()
def ana(ledger):
    return ledger.add_employee("Ana Souza", CPF_ANA, pin="1234", badge="0001")
