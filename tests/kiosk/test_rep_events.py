"""The kiosk writes the REP records the Portaria asks a collector to keep (AFD types 2 and 6)
into the real ledger: in service on start, out of service on exit, the employer when it changes."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

from app.rep.records import RepEvent
from tests.kiosk.conftest import real_ledger


def events(ledger) -> list[tuple[str, str]]:
    return [
        (r.kind, r.fields.get("code") or r.fields.get("employer_id", ""))
        for r in ledger.rep_records(None, None)
        if isinstance(r, RepEvent)
    ]


def test_service_and_employer_events(make_kiosk, pv_home):
    ledger = real_ledger(pv_home)
    win, _clock, _sources = make_kiosk(ledger=ledger)
    assert events(ledger)[-1] == ("sensitive", "07")  # written on start, after the employee
    assert not [e for e in events(ledger) if e[0] == "employer"]  # no CNPJ given yet

    new = win.settings.copy()
    new.kiosk = dataclasses.replace(new.kiosk, employer_id="11222333000181")
    win.store.save(new)
    win.on_settings_saved(new, False)
    win.on_settings_saved(new, False)  # unchanged: no second record
    assert [e for e in events(ledger) if e[0] == "employer"] == [("employer", "11222333000181")]

    win.shutdown()
    win.shutdown()  # closing twice records the exit once
    assert events(ledger)[-1] == ("sensitive", "08")
    assert [e for e in events(ledger) if e == ("sensitive", "08")] == [("sensitive", "08")]
    assert ledger.verify_chain().ok


def test_clock_set_by_hand_is_a_type_4_record(make_kiosk, pv_home):
    ledger = real_ledger(pv_home)
    win, clock, _sources = make_kiosk(ledger=ledger)
    win.window.tick()
    clock.advance(seconds=1)
    win.mono.t += 1  # a normal second: wall and monotonic time agree
    win.window.tick()
    clock.advance(seconds=3)  # 3 s of drift (NTP slewing, a slow tick): not an adjustment
    win.window.tick()
    assert not [r for r in ledger.rep_records(None, None) if getattr(r, "kind", "") == "clock"]

    clock.advance(hours=2)  # IT set the clock two hours ahead
    win.window.tick()
    clocks = [r for r in ledger.rep_records(None, None) if getattr(r, "kind", "") == "clock"]
    assert len(clocks) == 1
    before = datetime.fromisoformat(clocks[0].fields["before"])
    after = datetime.fromisoformat(clocks[0].fields["after"])
    assert timedelta(hours=2) <= after - before <= timedelta(hours=2, seconds=4)
    win.window.tick()  # the new time is now the reference: nothing more
    assert (
        len([r for r in ledger.rep_records(None, None) if getattr(r, "kind", "") == "clock"]) == 1
    )
    assert ledger.verify_chain().ok
