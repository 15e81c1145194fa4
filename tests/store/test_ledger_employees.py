"""Employees: CPF check digits, hashed PIN/badge, lookups, no secrets out."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from app.rep.cpf import normalize_cpf
from app.store.errors import CpfError, EmployeeError


@pytest.mark.parametrize("raw", ["529.982.247-25", "52998224725", " 111.444.777-35 "])
def test_valid_cpf(raw):
    assert len(normalize_cpf(raw)) == 11


@pytest.mark.parametrize(
    "raw", ["52998224724", "11111111111", "123", "529.982.247-2X", "5299822472500", ""]
)
def test_invalid_cpf_is_a_typed_error(raw):
    with pytest.raises(CpfError):
        normalize_cpf(raw)


def test_pin_and_badge_are_hashed_and_found(ledger, ana):
    assert ledger.find_by_pin("1234") == ana
    assert ledger.find_by_badge("0001") == ana
    assert ledger.find_by_pin("4321") is None and ledger.find_by_badge("9") is None
    row = sqlite3.connect(ledger.path).execute("SELECT * FROM employees").fetchone()
    assert "1234" not in row and "0001" not in row  # no column holds the secret itself
    assert row[4].startswith("s3$") and row[3].startswith("s3")  # slow scheme, kiosk key


def test_duplicates_refused(ledger, ana):
    with pytest.raises(EmployeeError, match="CPF 52998224725 já está cadastrado"):
        ledger.add_employee("Outra Ana", "529.982.247-25", "5555")
    with pytest.raises(EmployeeError, match="esse PIN já é usado por outro funcionário"):
        ledger.add_employee("Bruno Lima", "11144477735", "1234")
    with pytest.raises(EmployeeError, match="o PIN deve ter de 4 a 8 dígitos"):
        ledger.add_employee("Bruno Lima", "11144477735", "12")


def test_update_and_deactivate(ledger, ana):
    ledger.update_employee(ana.cpf, name="Ana  Souza Lima", pin="9876", badge="")
    assert ledger.find_by_pin("1234") is None
    emp = ledger.find_by_pin("9876")
    assert emp.name == "Ana Souza Lima" and not emp.has_badge
    ledger.deactivate_employee(ana.cpf)
    assert ledger.find_by_pin("9876") is None  # inactive cannot punch in
    assert [e.active for e in ledger.list_employees()] == [False]


def test_employees_cli(pv_home):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "app", *args], capture_output=True, text=True, timeout=60
        )

    added = run(
        "employees", "add", "--name", "Ana Souza", "--cpf", "52998224725", "--pin", "582146"
    )
    assert added.returncode == 0, added.stderr
    bad = run("employees", "add", "--name", "X Y", "--cpf", "52998224724", "--pin", "739105")
    assert bad.returncode == 2 and "dígitos verificadores" in bad.stderr
    listed = run("employees", "list")
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows[0]["name"] == "Ana Souza" and "pin" not in json.dumps(rows).lower()
    assert run("employees", "deactivate", "52998224725").returncode == 0
    assert json.loads(run("employees", "list").stdout)["active"] is False
