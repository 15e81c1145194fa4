"""The roster as a kiosk ledger applies it (real SQLite): PINs set in Central work with the
kiosk's own lookup, employees can swap PINs within one roster, people who leave are
deactivated (never deleted: their punches keep pointing at them)."""

from __future__ import annotations

import secrets
from dataclasses import replace

from app.rep.credentials import SecretHasher
from app.store.ledger import Ledger
from app.store.models import PunchDraft
from app.store.roster import (
    RosterApplied,
    RosterEntry,
    apply_roster,
    head,
    punches_after,
    records_after,
    save_roster_key,
)
from app.store.settings import LedgerSettings


def entry(hasher: SecretHasher, name: str, cpf: str, pin: str, badge: str | None = None):
    p = hasher.hash("pin", pin)
    b = hasher.hash("badge", badge) if badge else None
    return RosterEntry(name, cpf, p.index, p.hash, b.index if b else None, b.hash if b else None)


def test_roster_applies_with_centrals_pepper(tmp_path):
    pepper = secrets.token_bytes(32)
    central = SecretHasher(pepper)  # what Central hashes with (not this kiosk's own key)
    path = tmp_path / "ledger.sqlite3"
    save_roster_key(path, pepper)
    ledger = Ledger.open(path, LedgerSettings(kiosk_id="03"))
    ana = entry(central, "Ana Souza", "52998224725", "1111", "A-1")
    bruno = entry(central, "Bruno Lima", "11144477735", "2222")
    assert apply_roster(ledger, [ana, bruno]) == RosterApplied(2, 0, 0)
    assert ledger.find_by_pin("1111").name == "Ana Souza"
    assert ledger.find_by_badge("A-1").name == "Ana Souza"
    assert apply_roster(ledger, [ana, bruno]) == RosterApplied(
        0, 0, 0
    )  # unchanged roster: no writes

    emp = ledger.find_by_pin("2222")
    ledger.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 8 00"))
    swapped = [entry(central, "Ana Souza", "52998224725", "2222"),
               entry(central, "Bruno Lima", "11144477735", "1111")]  # fmt: skip
    assert apply_roster(ledger, swapped) == RosterApplied(0, 2, 0)
    assert ledger.find_by_pin("2222").name == "Ana Souza"
    assert ledger.find_by_badge("A-1") is None  # the badge was removed in Central

    assert apply_roster(ledger, []) == RosterApplied(0, 0, 0)  # an empty roster erases nobody
    assert apply_roster(ledger, swapped[:1]) == RosterApplied(0, 0, 0)  # nor a partial one
    assert ledger.find_by_pin("1111").name == "Bruno Lima"
    left = replace(swapped[1], pin_index="", pin_hash="", active=False)
    assert apply_roster(ledger, [swapped[0], left]) == RosterApplied(0, 0, 1)  # HR: Bruno left
    assert ledger.find_by_pin("1111") is None
    gone = [e for e in ledger.list_employees() if e.cpf == "11144477735"]
    assert len(gone) == 1 and not gone[0].active
    assert [p.employee_name for p in punches_after(ledger, 0)] == ["Bruno Lima"]
    # type-5 events: Ana and Bruno included, Bruno excluded; the punch between them
    kinds = [(w.kind, w.body.get("fields", {}).get("op")) for w in records_after(ledger, 0)]
    assert kinds == [("event", "I"), ("event", "I"), ("punch", None), ("event", "E")]
    assert head(ledger).nsr == 4 and ledger.verify_chain().ok
    ledger.close()


def test_kiosk_own_employee_keeps_its_pin_through_central(tmp_path):
    """An employee this kiosk sent up has no PIN in Central: the roster names them with empty
    verifiers and the kiosk keeps its own PIN and badge (and does not revive a local leaver)."""
    path = tmp_path / "ledger.sqlite3"
    save_roster_key(path, secrets.token_bytes(32))
    ledger = Ledger.open(path, LedgerSettings(kiosk_id="03"))
    ledger.add_employee("Ana Souza", "52998224725", pin="1234", badge="A-1")
    ledger.add_employee("Bruno Lima", "11144477735", pin="2222")
    ledger.deactivate_employee("11144477735")  # a local leaver
    from_central = [RosterEntry("Ana Souza Lima", "52998224725", "", ""),
                    RosterEntry("Bruno Lima", "11144477735", "", "")]  # fmt: skip
    applied = apply_roster(ledger, from_central)
    assert ledger.find_by_pin("1234").name == "Ana Souza Lima"  # name from Central, PIN ours
    assert ledger.find_by_badge("A-1").name == "Ana Souza Lima"
    active = {e.cpf: e.active for e in ledger.list_employees()}
    assert applied == RosterApplied(0, 1, 0) and active["11144477735"] is False
    ledger.close()
