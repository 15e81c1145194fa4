"""docs/SECURITY.md's kiosk rows "with the key file, brute-force the PIN index" and "copy one
employee's PIN hash into another's row", replayed against the real ledger (real SQLite file,
real key file).

The attacker has both files (the key sits beside the database). Before: the index was a fast
HMAC (about 208,000 guesses/s, every 4-digit PIN in 48 ms). Now each guess costs one scrypt
(64 MiB); the rate measured here must stay <= 20/s per core, and the old attack on the same
rows finds nothing. Figures: docs/LEDGER-INTEGRITY.md."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from app.punch.service import PunchService, PunchSettings
from app.rep.credentials import SecretHasher
from app.rep.slow_pins import SlowSecretHasher
from app.store.alerts import unsent_alerts
from app.store.ledger import Ledger
from app.store.roster import RosterEntry, apply_roster, save_roster_key
from tests.conftest import CPF_ANA, CPF_BRUNO, SETTINGS

PIN_ANA, PIN_BRUNO = "582146", "482690"
V1_FIXTURE = Path(__file__).resolve().parents[1] / "store" / "fixtures" / "ledger-v1.sqlite3"


def stolen(path: Path) -> tuple[bytes, set[str]]:
    """What the attacker reads from the two files: the key, and every stored PIN index."""
    key = path.with_name(path.name + ".key").read_bytes()
    with sqlite3.connect(path) as conn:
        indexes = {r[0] for r in conn.execute("SELECT pin_index FROM employees")}
    return key, indexes


def test_a_stolen_key_guesses_pins_at_most_20_per_second(tmp_path):
    path = tmp_path / "l.sqlite3"
    with Ledger.open(path, SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, PIN_ANA)
        led.add_employee("Bruno Lima", CPF_BRUNO, PIN_BRUNO)
    key, indexes = stolen(path)
    # Before (the same attack on the old scheme): one HMAC per guess.
    old = SecretHasher(key)
    start, n = time.perf_counter(), 0
    while time.perf_counter() - start < 0.5:
        old.index("pin", f"{n:06d}")
        n += 1
    old_rate = n / (time.perf_counter() - start)
    assert not {old.index("pin", PIN_ANA), old.index("pin", PIN_BRUNO)} & indexes  # useless now
    # Now: the best the key allows, one scrypt per guess; the right PIN is among the guesses.
    slow = SlowSecretHasher(key)
    guesses = ["000000", "123455", "999998", PIN_BRUNO, "314158", "271827"]
    start = time.perf_counter()
    found = [g for g in guesses if slow.credential("pin", g).index in indexes]
    rate = len(guesses) / (time.perf_counter() - start)
    assert found == [PIN_BRUNO]  # the attack is real: it does find a PIN in its list
    assert rate <= 20, f"{rate:.1f} guesses/s with the key (one core)"
    assert old_rate > 1000 * rate  # three orders of magnitude at least
    print(f"\nguesses/s with the key, one core: before {old_rate:,.0f}, now {rate:.1f}")


def test_a_lookup_stays_fast_enough_for_the_kiosk(tmp_path):
    with Ledger.open(tmp_path / "l.sqlite3", SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, PIN_ANA)
        times = []
        for _ in range(3):
            start = time.perf_counter()
            assert led.find_by_pin(PIN_ANA).name == "Ana Souza"
            times.append(time.perf_counter() - start)
    assert min(times) < 1.5, times  # a keypad answer within a second and a half, loaded box
    print(f"\nPIN lookup: {min(times) * 1000:.0f} ms best of 3")


def test_a_pin_hash_copied_into_another_row_is_refused_at_the_punch(tmp_path):
    path = tmp_path / "l.sqlite3"
    with Ledger.open(path, SETTINGS) as led:
        ana = led.add_employee("Ana Souza", CPF_ANA, PIN_ANA)
        led.add_employee("Bruno Lima", CPF_BRUNO, PIN_BRUNO)
    # The attacker (Ana, without the key) gives Bruno's row her PIN and blanks her own.
    with sqlite3.connect(path) as conn:
        idx, hsh = conn.execute(
            "SELECT pin_index, pin_hash FROM employees WHERE id = ?", (ana.id,)
        ).fetchone()
        conn.execute(
            "UPDATE employees SET pin_index = ?, pin_hash = ? WHERE cpf = ?", (idx, hsh, CPF_BRUNO)
        )
        conn.execute("UPDATE employees SET pin_index = 'x' WHERE id = ?", (ana.id,))
    with Ledger.open(path, SETTINGS) as led:
        service = PunchService(led, None, PunchSettings())
        assert service.identify(pin=PIN_ANA) is None  # not "Bruno Lima"
        assert led.find_by_pin(PIN_BRUNO) is None  # his real PIN is gone from his row too
        alerts = unsent_alerts(led)
        assert "employee_tampered" in [a.kind for a in alerts]
        assert "alterado fora do PontoVoz" in alerts[0].detail
        assert not led.verify_chain().ok  # and verify says so, as before


def test_guessing_at_the_kiosk_is_an_alert_and_locks_nobody(tmp_path):
    """Twelve different wrong PINs in a few minutes, then the patient version (one every 6
    minutes): every right PIN keeps working, and the ledger holds a pin_guessing alert."""
    now = [datetime(2026, 3, 2, 8, 0, tzinfo=timezone(timedelta(hours=-3)))]
    with Ledger.open(tmp_path / "l.sqlite3", SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, PIN_ANA)
        service = PunchService(led, None, PunchSettings(), clock=lambda: now[0])
        for i in range(12):
            assert service.identify(pin=f"{700000 + i * 7919}") is None
            now[0] += timedelta(seconds=20)
        assert service.identify(pin=PIN_ANA).name == "Ana Souza"
        assert [a.kind for a in unsent_alerts(led)] == ["pin_guessing"]
    with Ledger.open(tmp_path / "slow" / "l.sqlite3", SETTINGS) as led:  # own lockout file
        led.add_employee("Ana Souza", CPF_ANA, PIN_ANA)
        service = PunchService(led, None, PunchSettings(), clock=lambda: now[0])
        for i in range(10):  # one try every 6 minutes: no lock ever trips, the alert does
            assert service.identify(pin=f"{800000 + i * 7919}") is None
            now[0] += timedelta(minutes=6)
        assert service.identify(pin=PIN_ANA).name == "Ana Souza"
        assert [a.kind for a in unsent_alerts(led)] == ["pin_guessing"]


def test_an_old_ledger_keeps_its_pins_and_moves_them_to_the_slow_index_on_use(tmp_path):
    path = tmp_path / "ledger.sqlite3"
    shutil.copyfile(V1_FIXTURE, path)
    shutil.copyfile(
        V1_FIXTURE.with_name(V1_FIXTURE.name + ".key"), path.with_name(path.name + ".key")
    )
    with Ledger.open(path, SETTINGS) as led:
        report = led.verify_chain()
        assert report.ok and "2 funcionário(s) ainda com PIN" in report.warnings[0]
        ana = led.find_by_pin("1234")  # 4-digit PINs of before keep working
        assert "2 funcionário(s)" in led.verify_chain().warnings[0]  # her badge is still old
        assert led.find_by_badge("0001") == ana
        assert "1 funcionário(s)" in led.verify_chain().warnings[0]
        assert led.find_by_pin("5678").name == "Bruno Lima Filho"
        assert led.verify_chain().warnings == []
    key, indexes = stolen(path)
    assert all(i.startswith(SlowSecretHasher(key).prefix) for i in indexes)


def test_a_joined_kiosk_finds_pins_under_its_own_key_and_centrals_pepper(tmp_path):
    """Rows under two peppers mean two scrypts per lookup; they run on two threads, and each
    row is still found only by its own PIN (and a wrong PIN by neither)."""
    path = tmp_path / "l.sqlite3"
    pepper = bytes(range(32))  # Central's roster pepper (not this kiosk's key)
    save_roster_key(path, pepper)
    central = SlowSecretHasher(pepper)
    with Ledger.open(path, SETTINGS) as led:
        led.add_employee("Ana Souza", CPF_ANA, PIN_ANA)  # the kiosk's own row
        cred = central.credential("pin", PIN_BRUNO)
        apply_roster(led, [RosterEntry("Bruno Lima", CPF_BRUNO, cred.index, cred.hash)])
        assert led.find_by_pin(PIN_ANA).name == "Ana Souza"
        assert led.find_by_pin(PIN_BRUNO).name == "Bruno Lima"
        assert led.find_by_pin("582147") is None
        start = time.perf_counter()
        led.find_by_pin(PIN_BRUNO)
        print(
            f"\nPIN lookup, rows under two peppers: {(time.perf_counter() - start) * 1000:.0f} ms"
        )
