"""What a person reads is pt-BR: flag reasons (new and legacy English ones in the CSV), and CLI
errors from real store faults mapped through the one ErrorCode table."""

from __future__ import annotations

import subprocess
import sys

import pytest

from app.punch import words
from app.rep.reasons import reason_pt
from app.store.errors import ErrorCode, LedgerError


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("voice not validated after 3 tries", "voz não validada após 3 tentativas"),
        ("voice not validated after 1 try", "voz não validada após 1 tentativa"),
        ("no voice check", "sem verificação de voz"),
        ("voice check failed: model gone", "verificação de voz falhou: model gone"),
        ("voz não validada após 2 tentativas", "voz não validada após 2 tentativas"),
        (
            "x; clock moved backwards: device time 2026-03-02T10:00:00-03:00 is before the "
            "previous record (2026-03-02T11:00:00-03:00)",
            "x; relógio atrasado: hora do terminal 2026-03-02T10:00:00-03:00 anterior ao "
            "registro anterior (2026-03-02T11:00:00-03:00)",
        ),
    ],
)
def test_flag_reasons_read_in_portuguese(stored, shown):
    assert reason_pt(stored) == shown


def test_new_reasons_are_written_in_portuguese():
    assert words.not_validated(1) == "voz não validada após 1 tentativa"
    assert words.not_validated(3) == "voz não validada após 3 tentativas"


def test_every_error_code_has_portuguese_words():
    assert set(words.STORE_CODES) == set(ErrorCode)
    busy = LedgerError("os registros /x estão bloqueados por outro programa", ErrorCode.BUSY)
    assert words.user_message(busy) == (
        "Registros em uso por outro programa: nada foi gravado; tente de novo. "
        "(os registros /x estão bloqueados por outro programa)"
    )  # the detail names the file
    taken = LedgerError("esse PIN já é usado por outro funcionário", ErrorCode.PIN_TAKEN)
    assert words.user_message(taken) == "Esse PIN já é usado por outro funcionário. Escolha outro."


def test_cli_on_a_damaged_ledger_says_so_in_portuguese(pv_home):
    data = pv_home / "data"
    data.mkdir(parents=True)
    (data / "ledger.sqlite3").write_bytes(b"this is not a database" * 200)
    run = subprocess.run(
        [sys.executable, "-m", "app", "employees", "list"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 2 and run.stderr.startswith("erro: ")
    assert "danificado" in run.stderr and "Traceback" not in run.stderr
    # the store's detail, after the headline, is pt-BR too: the file and what to do
    assert "não são do PontoVoz" in run.stderr and "restaure-os da cópia" in run.stderr
    assert "from a backup" not in run.stderr and "is damaged" not in run.stderr


def test_ledger_backup_purge_and_a_bad_correction_in_portuguese(pv_home, tmp_path):
    from app.store.ledger import Ledger

    with Ledger.open() as led:
        led.add_employee("Ana Souza", "52998224725", "5821")

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "app", "ledger", *args],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    backup = run("backup", str(tmp_path / "bk"))
    assert backup.returncode == 0 and backup.stdout.startswith("cópia de segurança gravada: ")
    copy = backup.stdout.split(": ", 1)[1].strip()
    assert copy.endswith(".sqlite3") and (tmp_path / "bk").is_dir()
    purge = run("purge-audio")
    assert purge.returncode == 0 and "áudio apagado de 0 marcações" in purge.stdout
    bad = run("correct", "no-such-uuid", "--author", "RH", "--note", "teste")
    assert bad.returncode == 2 and bad.stderr == "erro: Marcação não encontrada.\n"
