"""Lockout per identity (app.punch.guard over app.store.lockout): real SQLite, a settable clock.

What is counted where: the same wrong value locks that value; different wrong values lock the
path (PIN or badge) after `guesses`; the admin PIN has its own bucket; delays double; a quiet
spell forgets; a clock set backwards neither stretches nor drops a lock."""

from __future__ import annotations

import contextlib
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


def make(tmp_path, **kw):
    clock = Clock()
    store = LockoutStore(tmp_path / "lockout.sqlite3")
    return IdentityGuard(store, LockoutSettings(**kw), clock), clock


def known(value):
    return lambda: "employee" if value == "5821" else None


def count_rows(tmp_path) -> int:
    with sqlite3.connect(tmp_path / "lockout.sqlite3") as conn:
        return conn.execute("SELECT count(*) FROM buckets").fetchone()[0]


def test_policy_doubles_and_caps():
    p = LockoutPolicy(failures=5, first_delay_s=30, max_delay_s=900)
    assert [p.delay(n) for n in (4, 5, 6, 7, 9, 10, 5000)] == [0, 30, 60, 120, 480, 900, 900]


def test_different_wrong_pins_lock_pin_entry_with_growing_delay(tmp_path):
    guard, clock = make(tmp_path, guesses=5)
    for i in range(4):
        assert guard.attempt("pin", f"70{i}9", known(f"70{i}9")) is None
    with pytest.raises(LockedOut) as first:
        guard.attempt("pin", "7049", known("7049"))
    assert first.value.subject == "pin" and first.value.until == clock.now + timedelta(seconds=30)
    assert "bloqueada até 13:40:30" in str(first.value)
    with pytest.raises(LockedOut):  # the right PIN too: else guessing goes on unhindered
        guard.attempt("pin", "5821", known("5821"))
    assert guard.attempt("badge", "00420042", lambda: "employee") == "employee"  # badges work
    assert guard.attempt("admin", "7391", lambda: True) is True  # and the admin
    clock.advance(31)
    with pytest.raises(LockedOut) as second:  # the next different guess: 60 s
        guard.attempt("pin", "7059", known("7059"))
    assert second.value.until == clock.now + timedelta(seconds=60)
    clock.advance(61)
    assert guard.attempt("pin", "5821", known("5821")) == "employee"
    with pytest.raises(LockedOut) as third:  # a success does not reset the guess counter
        guard.attempt("pin", "7069", known("7069"))
    assert third.value.until == clock.now + timedelta(seconds=120)
    clock.advance(121 + 360)  # quiet time forgives one failure: the next costs 120 s again
    with pytest.raises(LockedOut) as fourth:
        guard.attempt("pin", "7079", known("7079"))
    assert fourth.value.until == clock.now + timedelta(seconds=120)
    clock.advance(121 + 7 * 360)  # and all of them, one per 6 min: no fresh batch before that
    assert guard.state("pin").failures == 0
    assert guard.attempt("pin", "7089", known("7089")) is None
    assert guard.state("pin").failures == 1
    assert count_rows(tmp_path) == 2  # forgiven wrong values are purged: "pin" and "7089"


def test_waiting_never_buys_a_fresh_batch_of_guesses(tmp_path):
    """A patient guesser (waits out every lock, and waits for forgiveness instead of triggering
    longer locks) gets about one try per forgive_every_s: ~240 a day with the defaults."""
    guard, clock = make(tmp_path)
    start, tries = clock.now, 0
    while clock.now < start + timedelta(hours=24):
        state = guard.state("pin")
        if state.locked(clock.now.timestamp()):
            clock.now = datetime.fromtimestamp(state.locked_until, BRT)
        elif state.failures >= 9:
            clock.advance(360)
        else:
            tries += 1
            with contextlib.suppress(LockedOut):
                guard.attempt("pin", str(1000 + tries), lambda: None)
            clock.advance(1)
    assert 200 < tries <= 24 * 3600 / 360 + 10, tries


def test_one_person_repeating_a_wrong_pin_locks_only_that_value(tmp_path):
    guard, _clock = make(tmp_path, failures=5, guesses=10)
    for _ in range(4):
        assert guard.attempt("pin", "4826", known("4826")) is None
    with pytest.raises(LockedOut) as exc:
        guard.attempt("pin", "4826", known("4826"))
    assert exc.value.subject == "pin-value"
    assert guard.attempt("pin", "5821", known("5821")) == "employee"  # other people's PINs work
    assert guard.state("pin").failures == 1  # it counted once as a guess
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
