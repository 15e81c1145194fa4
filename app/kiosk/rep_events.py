"""The REP records the kiosk writes by itself (Portaria 671, AFD types 2, 4 and 6).

- type 6 (sensitive event): "07" in service when the kiosk starts, "08" when it leaves service;
- type 2 (employer): when the employer data in the ``ledger`` settings section changed;
- type 4 (clock adjustment): when the device clock was set. The kiosk does not set the clock
  (IT or NTP does), so it records the jumps it sees between ticks: wall time moving unlike
  monotonic time; before = what the clock should have read, after = what it reads. Small
  differences (scheduling, NTP slewing) are ignored. A machine that sleeps also looks like a
  jump (monotonic time stops during suspend): a kiosk should not sleep.

A failure to write any of them is logged and never stops the kiosk from punching.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from app.core.errors import PontoVozError
from app.store.ledger import Ledger
from app.store.settings import LedgerSettings

log = logging.getLogger(__name__)
JUMP_SECONDS = 5.0


class ClockWatch:
    def __init__(self, threshold_s: float = JUMP_SECONDS) -> None:
        self.threshold_s = threshold_s
        self._last: tuple[datetime, float] | None = None

    def update(self, wall: datetime, mono: float) -> tuple[datetime, datetime] | None:
        """(expected, actual) when the wall clock jumped since the last call, else None."""
        last, self._last = self._last, (wall, mono)
        if last is None:
            return None
        expected = last[0] + timedelta(seconds=mono - last[1])
        if abs((wall - expected).total_seconds()) <= self.threshold_s:
            return None
        return expected, wall


class RepEvents:
    def __init__(self, settings_path: Path) -> None:
        self.settings_path = settings_path
        self.clock = ClockWatch()
        self._out_of_service = False  # "08" is written once, however often shutdown runs

    def in_service(self, ledger: Ledger | None) -> None:
        self._out_of_service = False
        self._write(ledger, "sensitive event 07", lambda led: led.record_sensitive_event("07"))

    def out_of_service(self, ledger: Ledger | None) -> None:
        if not self._out_of_service:
            self._out_of_service = True
            self._write(ledger, "sensitive event 08", lambda led: led.record_sensitive_event("08"))

    def employer(self, ledger: Ledger | None) -> None:
        try:
            employer = LedgerSettings.load(self.settings_path)
        except PontoVozError as exc:
            log.warning("employer record not written: %s", exc)
            return
        if employer.employer_id:  # not asked yet: setup records it when it is given
            self._write(ledger, "employer record", lambda led: led.record_employer(employer))
        elif ledger is not None:  # no type-2 record yet, but the receipts show the new place
            ledger.adopt_settings(employer)

    def tick(self, ledger: Ledger | None, wall: datetime, mono: float) -> None:
        jump = self.clock.update(wall, mono)
        if jump is None:
            return
        zone = ledger.settings if ledger is not None else LedgerSettings()
        before, after = (zone.local(t) for t in jump)
        log.warning("device clock jumped from %s to %s", before, after)
        self._write(
            ledger, "clock adjustment", lambda led: led.record_clock_adjustment(before, after)
        )

    @staticmethod
    def _write(ledger: Ledger | None, what: str, write) -> None:
        if ledger is None:
            return
        try:
            write(ledger)
        except (PontoVozError, OSError) as exc:
            log.warning("%s not recorded: %s", what, exc)
