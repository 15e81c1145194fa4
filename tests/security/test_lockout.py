"""Lockout per identity (README.md, "Punches, lockout and receipts"), replayed: wrong PINs on
every path (CLI in real subprocesses, the service the kiosk uses, the admin PIN), a lock that
survives restarts, and one person's failures that never lock badges, other people or the admin.
Real SQLite files, the real model where a punch lands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime

import pytest

from app.punch.pins import hash_admin_pin
from app.punch.service import LockedOut, PunchService, PunchSettings
from app.store.alerts import unsent_alerts
from app.store.ledger import Ledger
from tests.conftest import CPF_ANA, CPF_BRUNO

PIN_ANA, PIN_BRUNO, BADGE_BRUNO, ADMIN = "5821", "4826", "00420042", "7391"


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        capture_output=True, text=True, timeout=180, preexec_fn=lambda: os.umask(0),
    )  # fmt: skip


@pytest.fixture()
def home(pv_home):
    """A kiosk home: two employees, the admin PIN, a low guess threshold to keep it quick."""
    config = pv_home / "config"
    config.mkdir(parents=True)
    settings = {
        "kiosk": {"admin_pin_hash": hash_admin_pin(ADMIN)},
        "punch": {"lockout": {"failures": 3, "guesses": 4, "first_delay_s": 20}},
    }
    (config / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    with Ledger.open() as led:
        led.add_employee("Ana Souza", CPF_ANA, PIN_ANA)
        led.add_employee("Bruno Lima", CPF_BRUNO, PIN_BRUNO, badge=BADGE_BRUNO)
    return pv_home


def spoken_now() -> str:
    now = datetime.now()
    hour = {0: "zero", 1: "uma", 2: "duas"}.get(now.hour, str(now.hour))
    return f"Saída, {hour} e {now.minute}." if now.minute else f"Saída, {hour} em ponto."


def test_cli_pin_guessing_never_locks_pin_entry_and_raises_an_alert(home, make_clip):
    """One person's wrong PINs never lock everyone's PIN entry (an earlier version locked it);
    the guessing is recorded as a security alert for Central instead."""
    clip = str(make_clip(spoken_now()))
    for guess in ("135792", "902461", "617038", "306854"):  # each run is a fresh process
        run = cli("punch", "--pin", guess, "--audio", clip)
        assert run.returncode == 2 and "PIN ou crachá não reconhecido" in run.stderr, run.stderr
    lock_file = home / "data" / "lockout.sqlite3"
    assert lock_file.stat().st_mode & 0o777 == 0o600  # even under umask 0
    right = cli("punch", "--pin", PIN_ANA, "--type", "SAIDA", "--audio", clip)
    assert right.returncode == 0, right.stderr  # the next worker punches
    badge = cli("punch", "--badge", BADGE_BRUNO, "--type", "SAIDA", "--audio", clip)
    assert badge.returncode == 0, badge.stderr
    with Ledger.open() as led:
        assert [p.employee_name for p in led.punches()] == ["Ana Souza", "Bruno Lima"]
        alerts = unsent_alerts(led)
    assert [a.kind for a in alerts] == ["pin_guessing"]
    assert "4 PINs diferentes errados na última hora" in alerts[0].detail


def test_a_restart_keeps_the_lock(home):
    with Ledger.open() as led:
        service = PunchService(led, None, PunchSettings.load())
        for _ in range(2):
            assert not service.check_admin_pin("1111", hash_admin_pin(ADMIN))
        assert not service.check_admin_pin("2222", hash_admin_pin(ADMIN))  # this one locks
        with pytest.raises(LockedOut):  # the next is refused unchecked
            service.check_admin_pin(ADMIN, hash_admin_pin(ADMIN))
    with Ledger.open() as led:  # the kiosk restarted: a new ledger, a new service
        service = PunchService(led, None, PunchSettings.load())
        with pytest.raises(LockedOut, match="administrador"):
            service.check_admin_pin(ADMIN, hash_admin_pin(ADMIN))
        notice = service.lock_notice()
        assert notice is not None and "bloqueado" in notice.text
        assert "Ana" not in notice.text and "Bruno" not in notice.text
        # and the admin's lock is the admin's: employees punch on
        assert service.identify(pin=PIN_ANA).name == "Ana Souza"
        assert service.identify(badge=BADGE_BRUNO).name == "Bruno Lima"


def test_one_persons_failures_never_lock_badges_other_people_or_the_admin(home):
    with Ledger.open() as led:
        service = PunchService(led, None, PunchSettings.load())
        for _ in range(2):  # Bruno keeps typing his old PIN
            assert service.identify(pin="4827") is None
        with pytest.raises(LockedOut) as exc:
            service.identify(pin="4827", report_lock=True)
        assert exc.value.subject == "pin-value" and "esse PIN está bloqueado" in exc.value.message
        assert service.identify(pin=PIN_ANA).name == "Ana Souza"
        assert service.identify(pin=PIN_BRUNO).name == "Bruno Lima"
        assert service.identify(badge=BADGE_BRUNO).name == "Bruno Lima"
        assert service.check_admin_pin(ADMIN, hash_admin_pin(ADMIN))
        for _ in range(2):  # a dead card swiped again and again
            assert service.identify(badge="00420043") is None
        with pytest.raises(LockedOut):
            service.identify(badge="00420043", report_lock=True)
        assert service.identify(badge=BADGE_BRUNO).name == "Bruno Lima"
        assert service.identify(pin=PIN_ANA).name == "Ana Souza"


def test_the_kiosk_default_learns_of_a_value_lock_on_the_next_try(home):
    """identify() without report_lock (the kiosk today): the locking failure is just "unknown",
    the next try of that value is refused unchecked; other PINs go on."""
    with Ledger.open() as led:
        service = PunchService(led, None, PunchSettings.load())
        for _ in range(3):
            assert service.identify(pin="135792") is None
        with pytest.raises(LockedOut) as exc:
            service.identify(pin="135792")
        assert exc.value.subject == "pin-value" and exc.value.until > datetime.now().astimezone()
        assert service.identify(pin=PIN_ANA).name == "Ana Souza"
