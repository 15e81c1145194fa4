"""The one PIN policy: format, weak PINs, admin PIN apart, unique; the CLI applies it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.punch.pins import (
    PinPolicyError,
    check_admin_pin,
    check_new_admin_pin,
    check_new_pin,
    hash_admin_pin,
)
from app.rep.pin_rules import is_weak
from tests.conftest import CPF_ANA, CPF_BRUNO

WEAK = ["1234", "0000", "1111", "4321", "9876", "7890", "0123", "1212", "123123", "121212",
        "2580", "12345678", "87654321", "1004", "2000", "147258"]  # fmt: skip
FINE = ["582146", "739105", "246813", "357902", "93751628"]  # new employee PINs: 6-8 digits


@pytest.mark.parametrize("pin", WEAK)
def test_weak_pins_are_refused_in_portuguese(pin):
    assert is_weak(pin)
    check = check_new_pin if len(pin) >= 6 else check_new_admin_pin  # (4-5: admin only)
    with pytest.raises(PinPolicyError, match="fácil demais"):
        check(pin)


@pytest.mark.parametrize("pin", FINE)
def test_ordinary_pins_pass(pin):
    assert not is_weak(pin) and check_new_pin(f" {pin} ") == pin


@pytest.mark.parametrize("pin", ["", "123", "5821", "40719", "123456789", "12a456", "١٢٣٤٥٦", None])
def test_format(pin):
    with pytest.raises(PinPolicyError, match="de 6 a 8 dígitos"):
        check_new_pin(pin)


def test_four_digit_pins_stay_for_the_admin_and_for_pins_already_stored(ledger):
    assert check_new_admin_pin("7391") == "7391"
    with pytest.raises(PinPolicyError, match="de 4 a 8 dígitos"):
        check_new_admin_pin("739")
    old = ledger.add_employee("Ana Souza", CPF_ANA, pin="5821")  # e.g. stored before 6-8 digits
    assert ledger.find_by_pin("5821") == old


def test_employee_pin_differs_from_admin_and_other_employees(ledger, ana):
    admin = hash_admin_pin("7391")
    assert check_admin_pin("7391", admin) and not check_admin_pin("7392", admin)
    admin6 = hash_admin_pin("739105")
    with pytest.raises(PinPolicyError, match="administrador"):
        check_new_pin("739105", admin_pin_hash=admin6)
    ledger.add_employee("Bruno Lima", CPF_BRUNO, pin="582146")
    with pytest.raises(PinPolicyError, match="outro funcionário"):
        check_new_pin("582146", ledger=ledger, cpf=CPF_ANA)
    assert check_new_pin("582146", ledger=ledger, cpf=CPF_BRUNO) == "582146"  # keeping own
    with pytest.raises(PinPolicyError, match="PIN de um funcionário"):
        check_new_admin_pin("582146", ledger=ledger)
    assert check_new_admin_pin("7391", ledger=ledger) == "7391"


def test_cli_applies_the_policy(pv_home):
    def add(pin, cpf=CPF_ANA):
        return subprocess.run(
            [sys.executable, "-m", "app", "employees", "add", "--name", "Ana Souza", "--cpf",
             cpf, "--pin", pin],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    short = add("5821")  # 4 digits: no longer for new PINs
    assert short.returncode == 2 and "de 6 a 8 dígitos" in short.stderr
    weak = add("123456")
    assert weak.returncode == 2 and "fácil demais" in weak.stderr and "Traceback" not in weak.stderr
    config = pv_home / "config"
    config.mkdir(parents=True)
    admin = {"kiosk": {"admin_pin_hash": hash_admin_pin("739105")}}
    (config / "settings.json").write_text(json.dumps(admin), encoding="utf-8")
    same = add("739105")
    assert same.returncode == 2 and "PIN do administrador" in same.stderr
    ok = add("582146")
    assert ok.returncode == 0, ok.stderr
    taken = add("582146", CPF_BRUNO)
    assert taken.returncode == 2 and "outro funcionário" in taken.stderr
    again = add("482690")
    assert again.returncode == 2 and "CPF já está cadastrado" in again.stderr
