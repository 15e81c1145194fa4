"""The punch ledger: the only writer of the SQLite database. One object for every caller.

    ledger = Ledger.open()                  # paths.data_dir()/"ledger.sqlite3"; Ledger.open(path)
    emp = ledger.add_employee("Ana Souza", "52998224725", pin="1234", badge="0001")
    ledger.find_by_pin("1234") -> Employee | None      ledger.find_by_badge("0001")
    ledger.last_punch_today(emp.id) -> Punch | None
    ledger.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", ...)) -> Punch
    ledger.add_correction(punch.uuid, author="RH", note="...") -> Correction
    ledger.record_employer(settings, author_cpf=...)   # AFD type 2, when the employer changes
    ledger.record_clock_adjustment(before, after, author_cpf=...)   # type 4
    ledger.record_sensitive_event("02")                # type 6: power return, 07/08 service
    ledger.rep_records(start, end) -> list[Punch | RepEvent]   # by NSR, one REP (kiosk)
    ledger.head() -> Head(nsr, mac)                    # for sync to carry
    ledger.verify_chain() -> ChainReport
    ledger.close()

Durability: WAL with ``synchronous=FULL``; a write returns only after COMMIT and after the
high-water file moved, so a returned record survives power loss and its NSR is never handed
out again. Punches, events and corrections are append-only (SQL triggers refuse UPDATE/DELETE).
One NSR sequence per kiosk (= one REP, see docs/LEDGER-INTEGRITY.md) shared by all record kinds.
Thread-safe: one connection guarded by a lock. Several processes may open the same file; a
lock held too long raises LedgerBusyError. Employees: `app.store.employees`; the sync outbox:
`app.store.outbox`; the checks of `verify_chain`: `app.store.verify`.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from app import paths
from app.rep.records import PUNCH_FIELDS, Punch, RepEvent, RepRecord
from app.store.alert_log import AlertLog
from app.store.corrections import Corrections
from app.store.credential_lookup import CredentialLookup
from app.store.employees import Employees
from app.store.errors import LedgerCorruptError
from app.store.highwater import HighWater, Mark
from app.store.keys import key_path
from app.store.models import (
    ChainReport,
    Correction,
    Employee,
    Head,
    OutboxCounts,
    OutboxItem,
    PunchDraft,
)
from app.store.opening import Opened, open_parts
from app.store.outbox import Outbox
from app.store.punches import Punches
from app.store.records import RepSequence, kiosks, newest
from app.store.rep import RepLog
from app.store.rollback import forget_mirror
from app.store.roster_key import read_roster_key, roster_key_path  # Central's roster pepper
from app.store.settings import LedgerSettings
from app.store.verify import Verifier

Clock = Callable[[], datetime]
log = logging.getLogger(__name__)

__all__ = ["PUNCH_FIELDS", "Ledger", "default_path", "local_now"]


def local_now() -> datetime:
    return datetime.now().astimezone()


def default_path() -> Path:
    return paths.data_dir() / "ledger.sqlite3"


class Ledger:
    """See the module docstring. Build with `Ledger.open`."""

    def __init__(self, path: Path, settings: LedgerSettings, clock: Clock, opened: Opened):
        self.path = path
        self.settings = settings
        self._clock = clock
        self._db = opened.db
        self._key = opened.key
        self._highwater = opened.highwater
        self._ledger_id = opened.ledger_id
        self._seq = RepSequence(
            self._db,
            self._key,
            self._highwater,
            self._ledger_id,
            settings.kiosk_id,
            self.now,
            responsible=lambda: self.settings.responsible,
        )
        self.outbox = Outbox(self._db, self._key, self.now)
        self.alerts = AlertLog(self._db, self._key, self.now)  # see app.store.alerts
        lookup = CredentialLookup(self._key.raw, read_roster_key(path))
        self.employees = Employees(self._db, self._key, lookup, self._seq, self.alerts.record)
        self.rep = RepLog(self._db, self._seq)
        self._corrections = Corrections(self._db, self._key, self.now)
        self._punches = Punches(self._db, self._key, self._seq, lambda: self.settings)

    def reload_roster_key(self) -> bool:
        """Re-read Central's roster pepper (after `central join` on a ledger already open), so
        employees from Central's roster identify without reopening the ledger. True if found."""
        roster = read_roster_key(self.path)
        self.employees.set_roster(roster)
        return roster is not None

    @classmethod
    def open(
        cls,
        path: Path | None = None,
        settings: LedgerSettings | None = None,
        *,
        clock: Clock = local_now,
        busy_timeout_s: float = 5.0,
    ) -> Ledger:
        path = Path(path) if path else default_path()
        settings = settings or LedgerSettings.load()
        opened = open_parts(
            path, busy_timeout_s=busy_timeout_s, tighten_dir=path.parent == paths.data_dir()
        )
        return cls(path, settings, clock, opened)

    @property
    def _conn(self) -> sqlite3.Connection:
        """The raw connection, for tests that must cause a fault (e.g. a size limit)."""
        return self._db.conn

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def now(self) -> datetime:
        """The clock in the kiosk's zone (``settings.time_zone``): every stamp the ledger
        writes carries that zone's offset, whatever zone the process runs in."""
        return self.settings.local(self._clock())

    def backup(self, folder: Path) -> Path:
        """A consistent copy of the ledger (SQLite online backup: safe while the kiosk runs)
        plus its key, Central's roster key when the kiosk joined one, and a high-water file
        matching the copy, into ``folder`` (0700; files 0600); returns the copy's path. To
        restore, copy the database and keys back but keep the live high-water file when it
        survived (see docs/LEDGER-INTEGRITY.md)."""
        paths.private_dir(folder, tighten=True)
        stamp = self.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"{self.path.stem}-{stamp}{self.path.suffix}"
        partial = target.with_name(target.name + ".partial")
        check = self._db.backup_to(partial)
        if check != "ok":
            partial.unlink(missing_ok=True)
            raise LedgerCorruptError(
                f"a cópia de segurança não passou na verificação de integridade ({check})"
            )
        forget_mirror(partial)  # a restored copy makes its own .nsr2 (see app.store.rollback)
        with self._db.read() as c:
            marks = {k: Mark(*newest(c, k, "mac")) for k in kiosks(c)}
        HighWater(target, self._key, mirror=False).create(self._ledger_id, marks)  # no .nsr2
        os.replace(partial, target)
        for secret in (key_path, roster_key_path):
            if secret(self.path).is_file():
                paths.write_private(secret(target), secret(self.path).read_bytes())
        return target

    # ---- employees (see app.store.employees) ----------------------------------------------

    def add_employee(
        self, name: str, cpf: str, pin: str, badge: str | None = None, *, author_cpf: str = ""
    ) -> Employee:
        return self.employees.add(name, cpf, pin, badge, author_cpf)

    def update_employee(
        self,
        cpf: str,
        *,
        name: str | None = None,
        pin: str | None = None,
        badge: str | None = None,
        active: bool | None = None,
        author_cpf: str = "",
    ) -> Employee:
        """Change name/PIN/badge/active of the employee with this CPF (badge "" removes it)."""
        return self.employees.update(
            cpf, name=name, pin=pin, badge=badge, active=active, author_cpf=author_cpf
        )

    def deactivate_employee(self, cpf: str, *, author_cpf: str = "") -> Employee:
        return self.employees.update(cpf, active=False, author_cpf=author_cpf)

    def list_employees(self, include_inactive: bool = True) -> list[Employee]:
        return self.employees.list(include_inactive)

    def get_employee(self, employee_id: int) -> Employee | None:
        return self.employees.get(employee_id)

    def find_by_pin(self, pin: str) -> Employee | None:
        return self.employees.find("pin", pin)

    def find_by_badge(self, badge: str) -> Employee | None:
        return self.employees.find("badge", badge)

    # ---- punches ----------------------------------------------------------------------------

    def record_punch(self, draft: PunchDraft) -> Punch:
        """Append a punch and COMMIT it (fsync'd) before returning. Never refuses a valid draft:
        a clock that went backwards, or an unreadable previous record, is flagged for review."""
        return self._punches.record(draft)

    def last_punch_today(self, employee_id: int, now: datetime | None = None) -> Punch | None:
        return self._punches.last_today(employee_id, now or self.now())

    def get_punch(self, punch_uuid: str) -> Punch | None:
        return self._punches.get(punch_uuid)

    def punches(
        self, start: date | None = None, end: date | None = None, kiosk_id: str | None = None
    ) -> list[Punch]:
        """One REP's punches whose device date is within [start, end] (inclusive), by NSR.
        A ledger holding several kiosks needs ``kiosk_id`` (never mixes NSR sequences);
        a record with an unreadable date is a LedgerCorruptError, not a traceback."""
        return [r for r in self.rep_records(start, end, kiosk_id) if isinstance(r, Punch)]

    def rep_records(
        self, start: date | None = None, end: date | None = None, kiosk_id: str | None = None
    ) -> list[RepRecord]:
        """Every REP record of one kiosk (punches: type 7, events: types 2/4/5/6) dated within
        [start, end] (punches by punch date, events by recording date), ordered by NSR.
        A ledger holding several kiosks needs ``kiosk_id`` (LedgerError ``mixed_ledger``)."""
        return self.rep.records(start, end, kiosk_id)

    def kiosks(self) -> list[str]:
        """The kiosk ids (REPs) this ledger holds records of."""
        return self.rep.kiosks()

    def count_punches(self) -> int:
        return self._punches.count()

    def audio_for(self, punch_uuid: str) -> bytes | None:
        return self._punches.audio_for(punch_uuid)

    def purge_audio(self, now: datetime | None = None) -> int:
        """Delete audio past its retention, except what the cloud still waits for."""
        return self._punches.purge_audio(now or self.now())

    # ---- corrections ------------------------------------------------------------------------

    def add_correction(
        self,
        punch_uuid: str,
        author: str,
        note: str,
        new_type: str | None = None,
        new_punched_at: datetime | None = None,
    ) -> Correction:
        """Annotate a punch (the punch itself never changes): a new chained record."""
        return self._corrections.add(punch_uuid, author, note, new_type, new_punched_at)

    def corrections(self, punch_uuid: str | None = None) -> list[Correction]:
        return self._corrections.list(punch_uuid)

    # ---- REP-P events (AFD types 2, 4, 6; type 5 comes from employee changes) ---------------

    def adopt_settings(self, settings: LedgerSettings) -> None:
        """Who and where as the admin just saved them, used from the next punch on (the
        employer record of AFD type 2 is ``record_employer``, once the employer is known)."""
        self.settings = settings

    def record_employer(
        self, settings: LedgerSettings | None = None, *, author_cpf: str = ""
    ) -> RepEvent | None:
        """Call after saving the employer settings: appends a type-2 record when the employer
        data differ from the last one recorded (None when unchanged); adopts ``settings``."""
        event = self.rep.record_employer(settings or self.settings, author_cpf)
        self.settings = settings or self.settings
        return event

    def record_clock_adjustment(
        self, before: datetime, after: datetime, *, author_cpf: str = ""
    ) -> RepEvent:
        """Type 4: the device clock was set from ``before`` to ``after`` (by the admin, or a
        jump the kiosk noticed: then ``author_cpf`` is "")."""
        return self.rep.record_clock_adjustment(before, after, author_cpf)

    def record_sensitive_event(self, code: str) -> RepEvent:
        """Type 6: "02" power return, "07" service available, "08" service unavailable."""
        return self.rep.record_sensitive_event(code)

    def chain_head(self) -> tuple[int, str]:
        """(NSR, chain hash) of this kiosk's newest record; (0, GENESIS) when none: the
        anchor Central keeps (see app.store.alerts)."""
        with self._db.read() as c:
            return newest(c, self.settings.kiosk_id, "hash")

    def key_fingerprint(self) -> str:
        """A keyed digest that changes with the key and reveals nothing of it."""
        return self._key.mac("key-fingerprint", "pontovoz")[:32]

    def head(self) -> Head:
        """(NSR, MAC) of this kiosk's newest record; (0, "") for an empty ledger."""
        return self.rep.head()

    # ---- verification -----------------------------------------------------------------------

    def verify_chain(self) -> ChainReport:
        """Chains, MACs, triggers and the high-water mark (see app.store.verify)."""
        with self._db.read() as c:
            return Verifier(c, self._key, self._highwater, self._ledger_id).run()

    # ---- outbox (used by app.sync; see app.store.outbox) --------------------------------------

    def outbox_due(self, now_epoch: float, limit: int = 50) -> list[OutboxItem]:
        return self.outbox.due(now_epoch, limit)

    def outbox_defer(self, punch_uuid: str, error: str, next_attempt_at: float) -> None:
        self.outbox.defer(punch_uuid, error, next_attempt_at)

    def outbox_defer_all(self, error: str, next_attempt_at: float) -> None:
        self.outbox.defer_all(error, next_attempt_at)

    def outbox_fail(self, punch_uuid: str, error: str) -> None:
        self.outbox.fail(punch_uuid, error)

    def outbox_retry_failed(self) -> int:
        return self.outbox.retry_failed()

    def outbox_retry_now(self) -> int:
        return self.outbox.retry_now()

    def outbox_counts(self) -> OutboxCounts:
        return self.outbox.counts()

    def record_cloud_verdict(self, punch_uuid: str, validated: bool, spoken_text: str) -> bool:
        return self.outbox.record_verdict(punch_uuid, validated, spoken_text)
