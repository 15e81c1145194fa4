"""Punch time = the first challenge's instant; the duplicate guard (service and CLI --force);
the last punch ("Entrada 08:02"); receipts of the last 48 hours. Real ledger, real model."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta, timezone

from app.punch import words
from app.punch.service import PunchService, PunchSettings
from app.store.ledger import Ledger
from app.store.receipt import parse_qr_payload
from tests.conftest import CPF_BRUNO

BRT = timezone(timedelta(hours=-3))
AT = datetime(2026, 3, 2, 13, 40, 5, tzinfo=BRT)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_punch_time_is_the_first_challenge_not_the_commit(ledger, ana, verifier, make_clip):
    clock = Clock(AT - timedelta(seconds=20))
    service = PunchService(ledger, verifier, clock=clock)
    first = service.challenge("ENTRADA")  # shown at 13:39:45
    assert first.text() == "ENTRADA 13 39"
    wrong = service.verify_attempt(make_clip("Saída, nove e quinze."), first)
    assert not wrong.validated
    clock.now = AT  # the worker reads, retries: the minute turned
    second = service.challenge("ENTRADA")
    right = service.verify_attempt(make_clip("Entrada, treze e quarenta."), second)
    assert right.validated, right
    clock.now = AT + timedelta(seconds=150)  # the result screen waited before the commit
    punch = service.commit(ana, second, [wrong, right], now=clock())  # the kiosk passes now
    assert punch.punched_at == "2026-03-02T13:39:45-03:00"
    assert punch.validated and punch.tries == 2 and punch.expected == "ENTRADA 13 40"


def test_a_plain_phrase_still_uses_now(ledger, ana):
    from app.core.phrase import Phrase

    service = PunchService(ledger, None, clock=lambda: AT)
    punch = service.commit(ana, Phrase("SAIDA", 13, 40), [], now=AT + timedelta(minutes=3))
    assert punch.punched_at == "2026-03-02T13:43:05-03:00"
    assert punch.flagged and punch.flag_reason == "sem verificação de voz"


def at(service, employee, kind, when):
    return service.commit(employee, service.challenge(kind, when), [])


def test_duplicate_guard(ledger, ana):
    service = PunchService(ledger, None, clock=lambda: AT)
    punch = at(service, ana, "ENTRADA", AT)
    assert service.duplicate_of(ana, "ENTRADA", AT + timedelta(seconds=100)) == punch
    assert service.duplicate_of(ana, "ENTRADA", AT + timedelta(seconds=121)) is None
    assert service.duplicate_of(ana, "INTERVALO", AT + timedelta(seconds=30)) is None
    bruno = ledger.add_employee("Bruno Lima", CPF_BRUNO, pin="4826")
    assert service.duplicate_of(bruno, "ENTRADA", AT + timedelta(seconds=30)) is None
    off = PunchService(ledger, None, PunchSettings(duplicate_minutes=0), clock=lambda: AT)
    assert off.duplicate_of(ana, "ENTRADA", AT + timedelta(seconds=30)) is None
    five = PunchService(ledger, None, PunchSettings(duplicate_minutes=5), clock=lambda: AT)
    assert five.duplicate_of(ana, "ENTRADA", AT + timedelta(minutes=4)) == punch


def test_cli_asks_for_force_on_a_duplicate(pv_home, make_clip):
    with Ledger.open() as led:
        led.add_employee("Ana Souza", "52998224725", "5821")
    clip = str(make_clip("Entrada, oito e dois."))

    def punch(*extra):
        return subprocess.run(
            [sys.executable, "-m", "app", "punch", "--pin", "5821", "--type", "ENTRADA",
             "--audio", clip, *extra],
            capture_output=True, text=True, timeout=180,
        )  # fmt: skip

    first = punch()
    assert first.returncode == 0, first.stderr
    assert "registrada para revisão" in first.stderr  # the clip says 08:02, not now
    assert "voz não validada após 1 tentativa" in json.loads(first.stdout)["flag_reason"]
    second = punch()
    assert second.returncode == 3 and "já registrada às" in second.stderr
    assert "--force" in second.stderr
    forced = punch("--force")
    assert forced.returncode == 0, forced.stderr
    with Ledger.open() as led:
        assert led.count_punches() == 2


def test_last_punch_and_receipts_of_48_hours(ledger, ana):
    service = PunchService(ledger, None, clock=lambda: AT)
    bruno = ledger.add_employee("Bruno Lima", CPF_BRUNO, pin="4826")
    assert service.last_punch(ana) is None and service.recent_receipts(ana) == []
    old = at(service, ana, "SAIDA", AT - timedelta(hours=50))
    mid = at(service, ana, "SAIDA", AT - timedelta(hours=20, minutes=2))
    at(service, bruno, "ENTRADA", AT - timedelta(hours=1))
    last = service.last_punch(ana)
    assert last is not None and last.text == "Saída 01/03 17:38" and not last.today
    new = at(service, ana, "ENTRADA", AT.replace(hour=8, minute=2))
    assert service.last_punch(ana).text == "Entrada 08:02"
    greeting = words.greeting("Ana", service.last_punch(ana).text)
    assert greeting == "Olá, Ana — última marcação: Entrada 08:02"
    assert words.greeting("Ana", None) == "Olá, Ana!"
    receipts = service.recent_receipts(ana)
    assert [r.punch.nsr for r in receipts] == [new.nsr, mid.nsr]  # newest first, old left out
    assert old.nsr not in [r.punch.nsr for r in receipts]
    for view in receipts:
        assert "Comprovante de Registro de Ponto do Trabalhador" in view.text
        assert "Ana Souza" in view.text and "Bruno" not in view.text
        assert parse_qr_payload(view.qr) == ("01", view.punch.nsr, view.punch.afd_hash)
        assert view.qr in view.text
