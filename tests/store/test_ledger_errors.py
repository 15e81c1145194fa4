"""Every store error carries a stable code (interfaces map codes, not message text, to pt-BR
headlines) and a pt-BR message: fronts show it as the detail, CLI commands print it."""

from __future__ import annotations

import sqlite3

import pytest

from app.store.errors import ErrorCode, LedgerBusyError, LedgerError
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.settings import LedgerSettings
from tests.conftest import CPF_ANA, CPF_BRUNO


def _code(call) -> ErrorCode:
    with pytest.raises(LedgerError) as err:
        call()
    return err.value.code


def _message(call) -> str:
    with pytest.raises(LedgerError) as err:
        call()
    return str(err.value)


def test_employee_errors_have_codes(ledger, ana):
    assert _code(lambda: ledger.add_employee("X Y", "52998224724", "1111")) == "cpf_invalid"
    assert _code(lambda: ledger.add_employee("Outra", CPF_ANA, "1111")) == "cpf_taken"
    assert _code(lambda: ledger.add_employee("Bruno", CPF_BRUNO, "1234")) == "pin_taken"
    assert (
        _code(lambda: ledger.add_employee("Bruno", CPF_BRUNO, "5678", badge="0001"))
        == "badge_taken"
    )
    assert _code(lambda: ledger.add_employee("Bruno", CPF_BRUNO, "12")) == "pin_invalid"
    assert _code(lambda: ledger.add_employee("Bruno", CPF_BRUNO, "١٢٣٤")) == "pin_invalid"
    assert _code(lambda: ledger.add_employee("B", CPF_BRUNO, "5678")) == "name_invalid"
    assert (
        _code(lambda: ledger.add_employee("Bruno", CPF_BRUNO, "5678", badge="\x00"))
        == "badge_invalid"
    )
    assert _code(lambda: ledger.update_employee(CPF_BRUNO, name="Bruno")) == "employee_unknown"


def test_punch_and_correction_errors_have_codes(ledger, ana):
    assert _code(lambda: ledger.record_punch(PunchDraft(ana.id, "ALMOCO", "x"))) == (
        "punch_type_unknown"
    )
    assert _code(lambda: ledger.record_punch(PunchDraft(999, "ENTRADA", "x"))) == (
        "employee_unknown"
    )
    assert _code(lambda: ledger.add_correction("nope", "RH", "x")) == "punch_unknown"
    assert _code(lambda: ledger.record_cloud_verdict("nope", True, "")) == "punch_unknown"
    p = ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 40"))
    assert _code(lambda: ledger.add_correction(p.uuid, "RH", " ")) == "correction_invalid"


def test_busy_and_append_only_have_codes(tmp_path):
    path = tmp_path / "l.sqlite3"
    led = Ledger.open(path, LedgerSettings(), busy_timeout_s=0.2)
    emp = led.add_employee("Ana Souza", CPF_ANA, "1234")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    with pytest.raises(LedgerBusyError) as err:
        led.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40"))
    assert err.value.code == ErrorCode.BUSY
    other.execute("ROLLBACK")
    other.close()
    with pytest.raises(LedgerError) as err, led._db.write() as c:  # what the triggers give
        c.execute("DELETE FROM events")
    assert err.value.code == ErrorCode.APPEND_ONLY
    led.close()


def test_codes_are_stable_strings():
    # UIs and other processes key on these values: renaming one is a breaking change.
    assert {c.value for c in ErrorCode} >= {
        "cpf_invalid", "cpf_taken", "pin_taken", "badge_taken", "pin_invalid",
        "employee_unknown", "busy", "disk_full", "corrupt", "chain_broken", "key_missing",
        "key_wrong", "mixed_ledger",
    }  # fmt: skip


def test_messages_are_portuguese(ledger, ana):
    p = ledger.record_punch(PunchDraft(ana.id, "ENTRADA", "ENTRADA 13 40"))
    said = {
        "o CPF deve ter 11 dígitos": lambda: ledger.add_employee("X Y", "123", "1111"),
        "inválido: os dígitos verificadores não conferem": lambda: ledger.add_employee(
            "X Y", "52998224724", "1111"
        ),
        "já está cadastrado": lambda: ledger.add_employee("Outra", CPF_ANA, "1111"),
        "esse crachá já é usado": lambda: ledger.add_employee(
            "Bruno", CPF_BRUNO, "5678", badge="0001"
        ),
        "o nome deve ter de 2 a 150 caracteres": lambda: ledger.add_employee(
            "B", CPF_BRUNO, "5678"
        ),
        "nenhum funcionário com o CPF": lambda: ledger.update_employee(CPF_BRUNO, name="Bruno"),
        "nenhum funcionário com o id 999": lambda: ledger.record_punch(
            PunchDraft(999, "ENTRADA", "x")
        ),
        "use ENTRADA, INTERVALO, RETORNO, SAIDA": lambda: ledger.record_punch(
            PunchDraft(ana.id, "ALMOCO", "x")
        ),
        "nenhuma marcação com o uuid nope": lambda: ledger.add_correction("nope", "RH", "x"),
        "uma correção precisa de autor": lambda: ledger.add_correction(p.uuid, "RH", " "),
        "código de evento sensível desconhecido '99'": lambda: ledger.record_sensitive_event("99"),
    }
    for phrase, call in said.items():
        assert phrase in _message(call)
