"""Lockout per identity (app.punch.guard over app.store.lockout): real SQLite, a settable clock.

What is counted where: the same wrong value locks that value; different wrong PINs never lock
PIN entry (one person must not lock everyone out) but raise a guessing alert; different unknown
badges lock the badge path after `guesses`; the admin PIN has its own bucket; delays double; a
quiet spell forgets; a clock set backwards neither stretches nor drops a lock
(docs/LEDGER-INTEGRITY.md, "PINs: slow lookup, policy, guessing")."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from app.punch.guard import IdentityGuard, LockedOut, LockoutSettings
from app.store.lockout import LockoutPolicy, LockoutStore

BRT = timezone(timedelta(hours=-3))


@dataclass
class Clock:
    now: datetime = datetime(2026, 3, 2, 13, 40, 0, tzinfo=BRT)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def make(tmp_path, alerts=None, **kw):
    clock = Clock()
    store = LockoutStore(tmp_path / "lockout.sqlite3")
    sink = None if alerts is None else lambda kind, detail: alerts.append((kind, detail))
    return IdentityGuard(store, LockoutSettings(**kw), clock, sink), clock


def known(value):
    return lambda: "employee" if value == "5821" else None


def count_rows(tmp_path) -> int:
    with sqlite3.connect(tmp_path / "lockout.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM buckets").fetchone()[0]


def test_policy_doubles_and_caps():
    p = LockoutPolicy(failures=5, first_delay_s=30, max_delay_s=900)
    assert [p.delay(n) for n in (4, 5, 6, 7, 9, 10, 5000)] == [0, 30, 60, 120, 480, 900, 900]


def test_different_wrong_pins_never_lock_pin_entry_but_raise_one_alert(tmp_path):
    alerts: list[tuple[str, str]] = []
    guard, clock = make(tmp_path, alerts, guesses=5, daily_guesses=8)
    for i in range(4):
        assert guard.attempt("pin", f"70{i}9", known(f"70{i}9")) is None
    assert alerts == []
    assert guard.attempt("pin", "7049", known("7049")) is None  # the 5th: no lock, an alert
    assert [k for k, _ in alerts] == ["pin_guessing"] and "5 PINs diferentes" in alerts[0][1]
    assert guard.attempt("pin", "5821", known("5821")) == "employee"  # the right PIN works
    assert not guard.state("pin").locked(clock.now.timestamp())
    for i in range(5, 9):  # more guesses within the hour: no second alert yet
        assert guard.attempt("pin", f"70{i}9", known(f"70{i}9")) is None
    assert len(alerts) == 1
    clock.advance(3601)
    assert guard.attempt("pin", "7099", known("7099")) is None  # 24 h window still hot
    assert len(alerts) == 2 and "nas últimas 24 horas" in alerts[1][1]
    assert guard.attempt("badge", "00420042", lambda: "employee") == "employee"
    assert guard.attempt("admin", "7391", lambda: True) is True


def test_a_patient_guesser_is_seen_within_the_hour(tmp_path):
    """The patient attacker of docs/SECURITY.md ("The kiosk"): one guess every 6 minutes, all
    day (~240 a day unnoticed before). Now every try is answered (no one is locked) and an alert
    comes within an hour."""
    alerts: list[tuple[str, str]] = []
    guard, clock = make(tmp_path, alerts)
    start, tries, first_alert = clock.now, 0, None
    while clock.now < start + timedelta(hours=24):
        tries += 1
        assert guard.attempt("pin", str(100000 + tries), lambda: None) is None
        if alerts and first_alert is None:
            first_alert = clock.now - start
        clock.advance(360)
    assert tries == 240
    assert first_alert is not None and first_alert <= timedelta(hours=1), first_alert
    assert 20 <= len(alerts) <= 25  # one an hour while it goes on, not one per guess


def test_one_person_repeating_a_wrong_pin_locks_only_that_value(tmp_path):
    guard, _clock = make(tmp_path, failures=5, guesses=10)
    for _ in range(4):
        assert guard.attempt("pin", "4826", known("4826")) is None
    with pytest.raises(LockedOut) as exc:
        guard.attempt("pin", "4826", known("4826"))
    assert exc.value.subject == "pin-value"
    assert guard.attempt("pin", "5821", known("5821")) == "employee"  # other people's PINs work
    assert guard.state("pin").failures == 0  # PIN entry as a whole is never counted/locked
    assert guard.notice() is not None and "Ana" not in guard.notice().text


def test_badges_dead_card_and_enumeration(tmp_path):
    guard, _clock = make(tmp_path, failures=3, guesses=4)
    for _ in range(2):
        assert guard.attempt("badge", "DEAD", lambda: None) is None
    with pytest.raises(LockedOut) as dead:
        guard.attempt("badge", "DEAD", lambda: None)
    assert dead.value.subject == "badge-value"
    assert guard.attempt("badge", "00420042", lambda: "employee") == "employee"
    for card in ("0001", "0002"):
        assert guard.attempt("badge", card, lambda: None) is None
    with pytest.raises(LockedOut) as scan:  # the 4th different unknown card: badges lock
        guard.attempt("badge", "0003", lambda: None)
    assert scan.value.subject == "badge"
    assert guard.attempt("pin", "5821", known("5821")) == "employee"  # PINs unaffected


def test_admin_pin_has_its_own_bucket(tmp_path):
    guard, clock = make(tmp_path, failures=3)
    for _ in range(2):
        assert guard.attempt("admin", "1111", lambda: None) is None
    with pytest.raises(LockedOut) as exc:
        guard.attempt("admin", "2222", lambda: None)
    assert exc.value.subject == "admin" and "administrador" in str(exc.value)
    with pytest.raises(LockedOut):
        guard.attempt("admin", "7391", lambda: True)
    assert guard.attempt("pin", "5821", known("5821")) == "employee"
    clock.advance(31)
    assert guard.attempt("admin", "7391", lambda: True) is True
    assert guard.state("admin").failures == 0  # the admin's success clears its bucket


def test_clock_set_backwards_restarts_the_lock_instead_of_stretching_it(tmp_path):
    guard, clock = make(tmp_path, failures=2)
    assert guard.attempt("admin", "1111", lambda: None) is None
    with pytest.raises(LockedOut):
        guard.attempt("admin", "1111", lambda: None)
    clock.advance(-86400)  # someone sets the clock a day back
    with pytest.raises(LockedOut) as exc:
        guard.attempt("admin", "7391", lambda: True)
    assert exc.value.until == clock.now + timedelta(seconds=30)  # 30 s, not a day and 30 s
    clock.advance(31)
    assert guard.attempt("admin", "7391", lambda: True) is True


def test_file_is_private_and_holds_no_tried_value(tmp_path):
    guard, _clock = make(tmp_path)
    guard.attempt("pin", "4826", known("4826"))
    guard.attempt("badge", "00990099", lambda: None)
    path = tmp_path / "lockout.sqlite3"
    assert path.stat().st_mode & 0o777 == 0o600
    raw = path.read_bytes()
    assert b"4826" not in raw and b"00990099" not in raw


def test_two_processes_counting_at_once_lose_no_failure(tmp_path):
    """The kiosk and a CLI run share the file: every failure counts (BEGIN IMMEDIATE)."""
    script = (
        "import sys; from app.store.lockout import LockoutStore, LockoutPolicy\n"
        "s = LockoutStore(sys.argv[1]); p = LockoutPolicy(failures=1000)\n"
        "for _ in range(40): s.fail('admin', 1e9, p)\n"
    )
    path = str(tmp_path / "lockout.sqlite3")
    runs = [subprocess.Popen([sys.executable, "-c", script, path]) for _ in range(2)]
    assert [r.wait(timeout=120) for r in runs] == [0, 0]
    state = LockoutStore(tmp_path / "lockout.sqlite3").state("admin", 1e9, LockoutPolicy(1000))
    assert state.failures == 80
