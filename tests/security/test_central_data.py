# ruff: noqa: F811 - pytest fixtures imported from central_fixtures are redefined as parameters
"""What Central lets in and out (docs/SECURITY.md, "Central"), replayed against a real Central
(uvicorn + PostgreSQL): weak PINs through the CLI and the web form, an employee named like a formula
in every spreadsheet (Central's CSV/XLSX and the kiosk's CSV), and role TI downloading the AEJ."""

from __future__ import annotations

import contextlib
import csv
import html
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook

from app.central import auth, service
from app.central.db import session_scope
from app.rep.pin_rules import pin_problem
from app.rep.sheets import safe_cell
from app.store.csv_export import build_csv
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from tests.security.central_fixtures import central, central_db, central_url, pg_cluster  # noqa: F401

PASSWORD = "senha-de-teste-1"
FORMULA = '=HYPERLINK("http://exemplo.invalid/x","Clique")'
ROOT = Path(__file__).resolve().parents[2]


@contextlib.contextmanager
def _client(central, user: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=central.url, timeout=30) as c:
        assert c.post("/entrar", data={"usuario": user, "senha": PASSWORD}).status_code == 303
        yield c


def _users(central) -> None:
    with session_scope(central.factory) as s:
        auth.create_user(s, "rh", "Rita do RH", PASSWORD, "rh")
        auth.create_user(s, "ti", "Tina da TI", PASSWORD, "ti")


def test_cli_refuses_a_weak_pin(central):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "app", "central", "employees", "add", "--database-url",
           central_url_of(central), "--name", "Ana Souza", "--cpf", "52998224725"]  # fmt: skip
    for pin in ("1234", "123456", "111111"):  # too short for a new PIN; a run; one digit
        weak = subprocess.run([*cmd, "--pin", pin], env=env, capture_output=True, text=True)
        assert weak.returncode != 0 and pin_problem(pin) in weak.stderr + weak.stdout
    strong = subprocess.run([*cmd, "--pin", "582914"], env=env, capture_output=True, text=True)
    assert strong.returncode == 0, strong.stderr


def central_url_of(central) -> str:
    return central.factory.kw["bind"].url.render_as_string(hide_password=False)


def test_web_form_refuses_a_weak_pin(central):
    _users(central)
    with _client(central, "rh") as c:
        page = c.get("/funcionarios/novo").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        form = {"csrf": csrf, "nome": "Ana Souza", "cpf": "529.982.247-25", "todos_quiosques": "1"}
        for pin in ("1111", "147258"):  # too short; a keypad line
            r = c.post("/funcionarios/novo", data={**form, "pin": pin})
            assert r.status_code == 400 and html.escape(pin_problem(pin)) in r.text, pin
        assert c.post("/funcionarios/novo", data={**form, "pin": "582914"}).status_code == 303


def test_a_formula_name_stays_text_in_central_spreadsheets(central):
    _users(central)
    with session_scope(central.factory) as s:
        service.add_employee(s, FORMULA, "52998224725", "582914")
    month = date.today().strftime("%Y-%m")
    with _client(central, "rh") as c:
        text = c.get(f"/folha/{month}.csv").content.decode("utf-8-sig")
        xlsx = c.get(f"/folha/{month}.xlsx").content
    names = [row[0] for row in csv.reader(io.StringIO(text), delimiter=";")][1:]
    assert names == ["'" + FORMULA]
    cell = load_workbook(io.BytesIO(xlsx)).active["A2"]
    assert cell.value == "'" + FORMULA and cell.data_type == "s"  # was: data_type "f"


def test_a_formula_name_stays_text_in_the_kiosk_csv(tmp_path):
    from tests.conftest import SETTINGS

    ledger = Ledger.open(tmp_path / "ledger.sqlite3", SETTINGS)
    try:
        emp = ledger.add_employee(FORMULA, "52998224725", pin="582914")
        ledger.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 8 00", transcript="@SUM(1)"))
        rows = list(csv.reader(io.StringIO(build_csv(ledger.punches()).decode("utf-8-sig"))))
    finally:
        ledger.close()
    assert "'" + FORMULA in rows[1] and "'@SUM(1)" in rows[1]
    assert not any(cell.startswith(("=", "+", "@")) for cell in rows[1])


def test_every_trigger_is_neutralised_and_numbers_are_not():
    for bad in ("=1+1", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert safe_cell(bad).startswith("'"), bad
    for fine in ("-01:30", "-2,5", "Ana", "", 7, None):
        assert safe_cell(fine) == fine


def test_role_ti_cannot_download_the_aej_or_the_afd(central):
    _users(central)
    token = central.enroll()  # a kiosk, so there is an AFD link to try
    assert token
    period = "de=2026-11-01&ate=2026-11-30"
    with _client(central, "ti") as c:
        assert c.get(f"/exportacoes/aej?{period}").status_code == 403  # was: 200, the AEJ
        assert c.get(f"/exportacoes/afd/1?{period}").status_code == 403
        page = c.get("/exportacoes")
        assert page.status_code == 200 and "baixar-aej" not in page.text
    with _client(central, "rh") as c:
        assert c.get(f"/exportacoes/aej?{period}").status_code != 403
        assert "baixar-aej" in c.get("/exportacoes").text


def test_central_stores_pins_behind_scrypt_and_still_sees_old_rows(central):
    """The roster pepper reaches every kiosk, so Central's rows must cost one scrypt per guess
    too; a row stored before (old fast index) still blocks the same PIN for someone else."""
    from app.central.errors import Conflict
    from app.central.models import Employee
    from app.central.security import roster_pepper
    from app.rep.credentials import SecretHasher
    from app.rep.slow_pins import SlowSecretHasher

    with session_scope(central.factory) as s:
        ana = service.add_employee(s, "Ana Souza", "52998224725", "582914")
        pepper = roster_pepper(s)
        slow = SlowSecretHasher(pepper).credential("pin", "582914")
        assert (ana.pin_index, ana.pin_hash) == (slow.index, slow.hash)
        old = SecretHasher(pepper).hash("pin", "691035")  # a row from before the slow scheme
        ana.pin_index, ana.pin_hash = old.index, old.hash
    with session_scope(central.factory) as s:
        with pytest.raises(Conflict):
            service.add_employee(s, "Bruno Lima", "11144477735", "691035")
        assert s.query(Employee).count() == 1
