"""The punch ledger: the only writer of the SQLite database.

    ledger = Ledger.open()                  # paths.data_dir()/"ledger.sqlite3"; Ledger.open(path)
    emp = ledger.add_employee("Ana Souza", "52998224725", pin="1234", badge="0001")
    ledger.find_by_pin("1234") -> Employee | None      ledger.find_by_badge("0001")
    ledger.last_punch_today(emp.id) -> Punch | None
    ledger.record_punch(PunchDraft(emp.id, "ENTRADA", "ENTRADA 13 40", ...)) -> Punch
    ledger.add_correction(punch.uuid, author="RH", note="...") -> Correction
    ledger.verify_chain() -> ChainReport
    ledger.close()

Durability: WAL with ``synchronous=FULL``; `record_punch` returns only after COMMIT, so a
returned Punch survives power loss. Punches and corrections are append-only (SQL triggers refuse
UPDATE/DELETE). NSRs are per kiosk, allocated inside the write transaction, so they never skip.
Thread-safe: one connection guarded by a lock (writes are serialised anyway by SQLite).
Several processes may open the same file; a lock held too long raises LedgerBusyError.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import threading
import uuid as uuidlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path

from app import paths
from app.store import schema
from app.store.chain import GENESIS, afd_hash, afd_type7_body, record_hash
from app.store.cpf import normalize_cpf
from app.store.credentials import SecretHasher
from app.store.errors import (
    DiskFullError,
    EmployeeError,
    LedgerBusyError,
    LedgerCorruptError,
    LedgerError,
)
from app.store.models import (
    PUNCH_TYPES,
    ChainReport,
    Correction,
    Employee,
    OutboxCounts,
    OutboxItem,
    Punch,
    PunchDraft,
)
from app.store.settings import LedgerSettings

Clock = Callable[[], datetime]

# Columns covered by the ledger hash (everything stored except the hash itself).
PUNCH_FIELDS = (
    "kiosk_id", "nsr", "uuid", "employee_id", "employee_name", "cpf", "type", "punched_at",
    "recorded_at", "expected", "transcript", "validated", "method", "tries", "flagged",
    "flag_reason", "offline", "audio_sha256", "afd_hash",
)  # fmt: skip
CORRECTION_FIELDS = (
    "seq", "uuid", "punch_uuid", "created_at", "author", "note", "new_type", "new_punched_at",
)  # fmt: skip
_BOOL_FIELDS = ("validated", "flagged", "offline")
_PUNCH_SELECT = (
    "SELECT p.*, c.validated AS cloud_validated, c.spoken_text AS cloud_text "
    "FROM punches p LEFT JOIN cloud_verdicts c ON c.punch_uuid = p.uuid"
)


def local_now() -> datetime:
    return datetime.now().astimezone()


def default_path() -> Path:
    return paths.data_dir() / "ledger.sqlite3"


class Ledger:
    """See the module docstring. Build with `Ledger.open`."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        settings: LedgerSettings,
        hasher: SecretHasher,
        clock: Clock,
    ) -> None:
        self._conn = conn
        self.path = path
        self.settings = settings
        self._hasher = hasher
        self._clock = clock
        self._lock = threading.RLock()

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
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LedgerError(f"cannot create the ledger folder {path.parent}: {exc}") from exc
        try:
            conn = sqlite3.connect(
                path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise LedgerError(f"cannot open the ledger {path}: {exc}") from exc
        try:
            with _translate(path):
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=FULL")
                conn.execute("PRAGMA foreign_keys=ON")
                check = conn.execute("PRAGMA quick_check").fetchone()[0]
                if check != "ok":
                    raise LedgerCorruptError(
                        f"the ledger {path} is damaged ({check}); restore it from a backup "
                        "and keep the damaged file for analysis"
                    )
                schema.migrate(conn)
        except BaseException:
            conn.close()
            raise
        conn.row_factory = sqlite3.Row
        return cls(conn, path, settings, SecretHasher.for_database(path), clock)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def backup(self, folder: Path) -> Path:
        """A consistent copy of the ledger (SQLite online backup: safe while the kiosk runs)
        plus its key file, into ``folder``; returns the copy's path. The copy is checked."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = self.now().strftime("%Y%m%d-%H%M%S")
        target = folder / f"{self.path.stem}-{stamp}{self.path.suffix}"
        partial = target.with_name(target.name + ".partial")
        with self._lock, _translate(target):
            dest = sqlite3.connect(partial)
            try:
                self._conn.backup(dest)
                check = dest.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                dest.close()
        if check != "ok":
            partial.unlink(missing_ok=True)
            raise LedgerCorruptError(f"the backup copy failed its integrity check ({check})")
        os.replace(partial, target)
        key = self.path.with_name(self.path.name + ".key")
        if key.is_file():
            shutil.copy2(key, target.with_name(target.name + ".key"))
        return target

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _translate(self.path):
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        with self._lock, _translate(self.path):
            yield self._conn

    def now(self) -> datetime:
        now = self._clock()
        return now if now.tzinfo else now.astimezone()

    # ---- employees --------------------------------------------------------------------------

    def add_employee(self, name: str, cpf: str, pin: str, badge: str | None = None) -> Employee:
        name = _clean_name(name)
        cpf = normalize_cpf(cpf)
        pin_h = self._hasher.hash("pin", _check_pin(pin))
        badge_h = self._hasher.hash("badge", _check_badge(badge)) if badge else None
        stamp = self.now().isoformat(timespec="seconds")
        with self._write() as c:
            if c.execute("SELECT 1 FROM employees WHERE cpf = ?", (cpf,)).fetchone():
                raise EmployeeError(f"CPF {cpf} is already registered")
            self._refuse_taken(c, "pin", pin_h.index, None)
            if badge_h:
                self._refuse_taken(c, "badge", badge_h.index, None)
            cur = c.execute(
                "INSERT INTO employees (name, cpf, pin_index, pin_hash, badge_index, badge_hash,"
                " active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                (
                    name,
                    cpf,
                    pin_h.index,
                    pin_h.hash,
                    badge_h.index if badge_h else None,
                    badge_h.hash if badge_h else None,
                    stamp,
                    stamp,
                ),
            )
            return self._employee(c, int(cur.lastrowid or 0))

    def update_employee(
        self,
        cpf: str,
        *,
        name: str | None = None,
        pin: str | None = None,
        badge: str | None = None,
        active: bool | None = None,
    ) -> Employee:
        """Change name/PIN/badge/active of the employee with this CPF (badge "" removes it)."""
        cpf = normalize_cpf(cpf)
        pin_h = self._hasher.hash("pin", _check_pin(pin)) if pin is not None else None
        badge_h = self._hasher.hash("badge", _check_badge(badge)) if badge else None
        with self._write() as c:
            row = c.execute("SELECT id FROM employees WHERE cpf = ?", (cpf,)).fetchone()
            if row is None:
                raise EmployeeError(f"no employee with CPF {cpf}")
            emp_id = row["id"]
            sets: dict[str, object] = {}
            if name is not None:
                sets["name"] = _clean_name(name)
            if pin_h:
                self._refuse_taken(c, "pin", pin_h.index, emp_id)
                sets.update(pin_index=pin_h.index, pin_hash=pin_h.hash)
            if badge_h:
                self._refuse_taken(c, "badge", badge_h.index, emp_id)
                sets.update(badge_index=badge_h.index, badge_hash=badge_h.hash)
            elif badge == "":
                sets.update(badge_index=None, badge_hash=None)
            if active is not None:
                sets["active"] = int(active)
            sets["updated_at"] = self.now().isoformat(timespec="seconds")
            assignments = ", ".join(f"{k} = ?" for k in sets)
            c.execute(f"UPDATE employees SET {assignments} WHERE id = ?", (*sets.values(), emp_id))
            return self._employee(c, emp_id)

    def deactivate_employee(self, cpf: str) -> Employee:
        return self.update_employee(cpf, active=False)

    def list_employees(self, include_inactive: bool = True) -> list[Employee]:
        where = "" if include_inactive else " WHERE active = 1"
        with self._read() as c:
            rows = c.execute(f"SELECT * FROM employees{where} ORDER BY name, id").fetchall()
            return [_employee_from(r) for r in rows]

    def get_employee(self, employee_id: int) -> Employee | None:
        with self._read() as c:
            row = c.execute("SELECT * FROM employees WHERE id = ?", (employee_id,)).fetchone()
            return _employee_from(row) if row else None

    def find_by_pin(self, pin: str) -> Employee | None:
        return self._find("pin", pin)

    def find_by_badge(self, badge: str) -> Employee | None:
        return self._find("badge", badge)

    def _find(self, kind: str, secret: str) -> Employee | None:
        if not secret:
            return None
        index = self._hasher.index(kind, str(secret).strip())
        with self._read() as c:
            rows = c.execute(
                f"SELECT * FROM employees WHERE {kind}_index = ? AND active = 1", (index,)
            ).fetchall()
        for row in rows:
            if SecretHasher.verify(str(secret).strip(), row[f"{kind}_hash"]):
                return _employee_from(row)
        return None

    def _refuse_taken(
        self, c: sqlite3.Connection, kind: str, index: str, except_id: int | None
    ) -> None:
        row = c.execute(
            f"SELECT id FROM employees WHERE {kind}_index = ? AND active = 1 AND id != ?",
            (index, except_id or -1),
        ).fetchone()
        if row:
            raise EmployeeError(f"this {kind.upper()} is already used by another employee")

    def _employee(self, c: sqlite3.Connection, emp_id: int) -> Employee:
        return _employee_from(
            c.execute("SELECT * FROM employees WHERE id = ?", (emp_id,)).fetchone()
        )

    # ---- punches ----------------------------------------------------------------------------

    def record_punch(self, draft: PunchDraft) -> Punch:
        """Append a punch and COMMIT it (fsync'd) before returning. Never refuses a valid draft:
        a clock that went backwards is recorded and flagged for review."""
        if draft.type not in PUNCH_TYPES:
            raise LedgerError(f"unknown punch type {draft.type!r}; use one of {PUNCH_TYPES}")
        now = self.now()
        punched_at = draft.punched_at or now
        if punched_at.tzinfo is None:
            raise LedgerError("punched_at must carry a UTC offset (timezone-aware datetime)")
        audio_sha = hashlib.sha256(draft.audio).hexdigest() if draft.audio else ""
        kiosk = self.settings.kiosk_id
        with self._write() as c:
            emp = c.execute(
                "SELECT name, cpf FROM employees WHERE id = ?", (draft.employee_id,)
            ).fetchone()
            if emp is None:
                raise EmployeeError(f"no employee with id {draft.employee_id}")
            last = c.execute(
                "SELECT nsr, hash, afd_hash, recorded_at FROM punches WHERE kiosk_id = ?"
                " ORDER BY nsr DESC LIMIT 1",
                (kiosk,),
            ).fetchone()
            reasons = [draft.flag_reason] if draft.flag_reason else []
            if last and now < datetime.fromisoformat(last["recorded_at"]):
                reasons.append(
                    f"clock moved backwards: device time {now.isoformat(timespec='seconds')} is"
                    f" before the previous record ({last['recorded_at']})"
                )
            nsr = last["nsr"] + 1 if last else 1
            fields: dict[str, object] = {
                "kiosk_id": kiosk,
                "nsr": nsr,
                "uuid": str(uuidlib.uuid4()),
                "employee_id": draft.employee_id,
                "employee_name": emp["name"],
                "cpf": emp["cpf"],
                "type": draft.type,
                "punched_at": punched_at.isoformat(timespec="seconds"),
                "recorded_at": now.isoformat(timespec="seconds"),
                "expected": draft.expected,
                "transcript": draft.transcript,
                "validated": int(draft.validated),
                "method": draft.method,
                "tries": draft.tries,
                "flagged": int(bool(reasons)),
                "flag_reason": "; ".join(reasons),
                "offline": int(draft.offline),
                "audio_sha256": audio_sha,
            }
            body = afd_type7_body(
                nsr, fields["punched_at"], emp["cpf"], fields["recorded_at"], draft.offline
            )  # type: ignore[arg-type]
            fields["afd_hash"] = afd_hash(last["afd_hash"] if last else None, body)
            prev = last["hash"] if last else GENESIS
            digest = record_hash(prev, fields)
            cols = (*PUNCH_FIELDS, "prev_hash", "hash")
            c.execute(
                f"INSERT INTO punches ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                (*(fields[k] for k in PUNCH_FIELDS), prev, digest),
            )
            if draft.queue_for_cloud:
                c.execute(
                    "INSERT INTO outbox (punch_uuid, nsr, state) VALUES (?, ?, 'pending')",
                    (fields["uuid"], nsr),
                )
            retention = self.settings.audio_retention_days
            if draft.audio and (draft.queue_for_cloud or retention > 0):
                keep = now + timedelta(days=retention)
                c.execute(
                    "INSERT INTO audio (punch_uuid, data, stored_at, keep_until) VALUES (?,?,?,?)",
                    (fields["uuid"], draft.audio, fields["recorded_at"], keep.isoformat()),
                )
        return Punch(
            **{k: bool(v) if k in _BOOL_FIELDS else v for k, v in fields.items()},  # type: ignore[arg-type]
            prev_hash=prev,
            hash=digest,
        )

    def last_punch_today(self, employee_id: int, now: datetime | None = None) -> Punch | None:
        day = (now or self.now()).date().isoformat()
        with self._read() as c:
            row = c.execute(
                f"{_PUNCH_SELECT} WHERE p.employee_id = ? AND substr(p.punched_at, 1, 10) = ?"
                " ORDER BY p.punched_at DESC, p.nsr DESC LIMIT 1",
                (employee_id, day),
            ).fetchone()
            return _punch_from(row) if row else None

    def get_punch(self, punch_uuid: str) -> Punch | None:
        with self._read() as c:
            row = c.execute(f"{_PUNCH_SELECT} WHERE p.uuid = ?", (punch_uuid,)).fetchone()
            return _punch_from(row) if row else None

    def punches(self, start: date | None = None, end: date | None = None) -> list[Punch]:
        """Punches whose device date is within [start, end] (inclusive), by kiosk and NSR."""
        lo = start.isoformat() if start else "0000-00-00"
        hi = end.isoformat() if end else "9999-99-99"
        with self._read() as c:
            rows = c.execute(
                f"{_PUNCH_SELECT} WHERE substr(p.punched_at, 1, 10) BETWEEN ? AND ?"
                " ORDER BY p.kiosk_id, p.nsr",
                (lo, hi),
            ).fetchall()
            return [_punch_from(r) for r in rows]

    def count_punches(self) -> int:
        with self._read() as c:
            return int(c.execute("SELECT count(*) FROM punches").fetchone()[0])

    def audio_for(self, punch_uuid: str) -> bytes | None:
        with self._read() as c:
            row = c.execute("SELECT data FROM audio WHERE punch_uuid = ?", (punch_uuid,)).fetchone()
            return bytes(row["data"]) if row else None

    def purge_audio(self, now: datetime | None = None) -> int:
        """Delete audio past its retention, except what the cloud still waits for."""
        stamp = (now or self.now()).isoformat()
        with self._write() as c:
            cur = c.execute(
                "DELETE FROM audio WHERE keep_until <= ? AND punch_uuid NOT IN"
                " (SELECT punch_uuid FROM outbox WHERE state = 'pending')",
                (stamp,),
            )
            return cur.rowcount

    # ---- corrections ------------------------------------------------------------------------

    def add_correction(
        self,
        punch_uuid: str,
        author: str,
        note: str,
        new_type: str | None = None,
        new_punched_at: datetime | None = None,
    ) -> Correction:
        """Annotate a punch (the punch itself never changes)."""
        if not note.strip() or not author.strip():
            raise LedgerError("a correction needs an author and a note saying why")
        if new_type is not None and new_type not in PUNCH_TYPES:
            raise LedgerError(f"unknown punch type {new_type!r}")
        with self._write() as c:
            if not c.execute("SELECT 1 FROM punches WHERE uuid = ?", (punch_uuid,)).fetchone():
                raise LedgerError(f"no punch with uuid {punch_uuid}")
            last = c.execute(
                "SELECT seq, hash FROM corrections ORDER BY seq DESC LIMIT 1"
            ).fetchone()
            fields: dict[str, object] = {
                "seq": last["seq"] + 1 if last else 1,
                "uuid": str(uuidlib.uuid4()),
                "punch_uuid": punch_uuid,
                "created_at": self.now().isoformat(timespec="seconds"),
                "author": author.strip(),
                "note": note.strip(),
                "new_type": new_type,
                "new_punched_at": new_punched_at.isoformat(timespec="seconds")
                if new_punched_at
                else None,
            }
            prev = last["hash"] if last else GENESIS
            digest = record_hash(prev, fields)
            cols = (*CORRECTION_FIELDS, "prev_hash", "hash")
            marks = ", ".join("?" * len(cols))
            c.execute(
                f"INSERT INTO corrections ({', '.join(cols)}) VALUES ({marks})",
                (*(fields[k] for k in CORRECTION_FIELDS), prev, digest),
            )
            return Correction(**fields, prev_hash=prev, hash=digest)  # type: ignore[arg-type]

    def corrections(self, punch_uuid: str | None = None) -> list[Correction]:
        with self._read() as c:
            if punch_uuid:
                rows = c.execute(
                    "SELECT * FROM corrections WHERE punch_uuid = ? ORDER BY seq", (punch_uuid,)
                ).fetchall()
            else:
                rows = c.execute("SELECT * FROM corrections ORDER BY seq").fetchall()
            return [Correction(**dict(r)) for r in rows]

    # ---- chain verification -----------------------------------------------------------------

    def verify_chain(self) -> ChainReport:
        """Walk both chains; report the first NSR whose record or link does not match."""
        report = ChainReport(ok=True)
        with self._read() as c:
            kiosks = [r[0] for r in c.execute("SELECT DISTINCT kiosk_id FROM punches ORDER BY 1")]
            for kiosk in kiosks:
                prev, prev_afd, expected_nsr = GENESIS, None, 1
                for row in c.execute(
                    "SELECT * FROM punches WHERE kiosk_id = ? ORDER BY nsr", (kiosk,)
                ):
                    report.punches += 1
                    problem = _check_punch(row, prev, prev_afd, expected_nsr)
                    if problem and report.first_bad_nsr is None:
                        report.ok = False
                        report.first_bad_nsr = row["nsr"]
                        report.problems.append(f"kiosk {kiosk} NSR {row['nsr']}: {problem}")
                    prev, prev_afd, expected_nsr = row["hash"], row["afd_hash"], row["nsr"] + 1
            prev, expected_seq = GENESIS, 1
            for row in c.execute("SELECT * FROM corrections ORDER BY seq"):
                report.corrections += 1
                fields = {k: row[k] for k in CORRECTION_FIELDS}
                bad = row["seq"] != expected_seq or row["prev_hash"] != prev
                if bad or record_hash(prev, fields) != row["hash"]:
                    report.ok = False
                    report.problems.append(f"correction {row['seq']}: hash does not match")
                prev, expected_seq = row["hash"], row["seq"] + 1
        return report

    # ---- outbox (used by app.sync) ----------------------------------------------------------

    def outbox_due(self, now_epoch: float, limit: int = 50) -> list[OutboxItem]:
        """Pending items in NSR order whose retry time has come."""
        with self._read() as c:
            rows = c.execute(
                "SELECT o.punch_uuid, o.nsr, o.attempts, p.expected, a.data FROM outbox o"
                " JOIN punches p ON p.uuid = o.punch_uuid"
                " LEFT JOIN audio a ON a.punch_uuid = o.punch_uuid"
                " WHERE o.state = 'pending' AND o.next_attempt_at <= ? ORDER BY o.nsr LIMIT ?",
                (now_epoch, limit),
            ).fetchall()
        return [
            OutboxItem(
                r["punch_uuid"],
                r["nsr"],
                r["expected"],
                bytes(r["data"]) if r["data"] is not None else None,
                r["attempts"],
            )
            for r in rows
        ]

    def outbox_defer(self, punch_uuid: str, error: str, next_attempt_at: float) -> None:
        with self._write() as c:
            c.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?"
                " WHERE punch_uuid = ? AND state = 'pending'",
                (error, next_attempt_at, punch_uuid),
            )

    def outbox_defer_all(self, error: str, next_attempt_at: float) -> None:
        """Endpoint down: push every pending item back (keeps their order)."""
        with self._write() as c:
            c.execute(
                "UPDATE outbox SET last_error = ?, next_attempt_at = max(next_attempt_at, ?)"
                " WHERE state = 'pending'",
                (error, next_attempt_at),
            )

    def outbox_fail(self, punch_uuid: str, error: str) -> None:
        """The endpoint refused this item for good (4xx): park it, visible in the counts."""
        with self._write() as c:
            c.execute(
                "UPDATE outbox SET state = 'failed', attempts = attempts + 1, last_error = ?"
                " WHERE punch_uuid = ? AND state = 'pending'",
                (error, punch_uuid),
            )

    def outbox_retry_failed(self) -> int:
        with self._write() as c:
            return c.execute(
                "UPDATE outbox SET state = 'pending', next_attempt_at = 0 WHERE state = 'failed'"
            ).rowcount

    def outbox_retry_now(self) -> int:
        """Make every pending item due now (sync settings were fixed: no need to wait)."""
        with self._write() as c:
            return c.execute(
                "UPDATE outbox SET next_attempt_at = 0 WHERE state = 'pending'"
            ).rowcount

    def outbox_counts(self) -> OutboxCounts:
        with self._read() as c:
            counts = dict(c.execute("SELECT state, count(*) FROM outbox GROUP BY state").fetchall())
            nxt = c.execute(
                "SELECT min(next_attempt_at) FROM outbox WHERE state = 'pending'"
            ).fetchone()[0]
            err = c.execute(
                "SELECT last_error FROM outbox WHERE state != 'done' AND last_error != ''"
                " ORDER BY nsr LIMIT 1"
            ).fetchone()
        return OutboxCounts(
            pending=counts.get("pending", 0),
            done=counts.get("done", 0),
            failed=counts.get("failed", 0),
            next_attempt_at=nxt,
            last_error=err[0] if err else "",
        )

    def record_cloud_verdict(self, punch_uuid: str, validated: bool, spoken_text: str) -> bool:
        """Store the cloud verdict once (idempotent by punch UUID) and close its outbox item.
        Returns False when a verdict was already stored (the first one wins)."""
        now = self.now()
        with self._write() as c:
            if not c.execute("SELECT 1 FROM punches WHERE uuid = ?", (punch_uuid,)).fetchone():
                raise LedgerError(f"no punch with uuid {punch_uuid}")
            cur = c.execute(
                "INSERT OR IGNORE INTO cloud_verdicts (punch_uuid, validated, spoken_text,"
                " received_at) VALUES (?, ?, ?, ?)",
                (punch_uuid, int(validated), spoken_text, now.isoformat(timespec="seconds")),
            )
            c.execute(
                "UPDATE outbox SET state = 'done', last_error = '' WHERE punch_uuid = ?",
                (punch_uuid,),
            )
            c.execute(
                "DELETE FROM audio WHERE punch_uuid = ? AND keep_until <= ?",
                (punch_uuid, now.isoformat()),
            )
            return cur.rowcount == 1


# ---- helpers -------------------------------------------------------------------------------


@contextmanager
def _translate(path: Path) -> Iterator[None]:
    """Turn SQLite errors into typed, actionable ledger errors."""
    try:
        yield
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        name = getattr(exc, "sqlite_errorname", "")
        text = str(exc)
        if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) or "locked" in text:
            raise LedgerBusyError(
                f"the ledger {path} is locked by another program; nothing was written, try again"
            ) from exc
        if code == sqlite3.SQLITE_FULL or "disk is full" in text:
            raise DiskFullError(
                f"the disk holding {path} is full; nothing was written. Free space and retry"
            ) from exc
        if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB) or (
            "malformed" in text or "not a database" in text
        ):
            raise LedgerCorruptError(
                f"the ledger {path} is damaged or not a PontoVoz database ({text}); restore it "
                "from a backup and keep the damaged file for analysis"
            ) from exc
        if isinstance(exc, sqlite3.IntegrityError) and "append-only" in text:
            raise LedgerError(text) from exc
        raise LedgerError(f"ledger error ({name or type(exc).__name__}): {text}") from exc


def _check_punch(row: sqlite3.Row, prev: str, prev_afd: str | None, nsr: int) -> str:
    if row["nsr"] != nsr:
        return f"NSR gap: expected {nsr}"
    if row["prev_hash"] != prev:
        return "link to the previous record does not match"
    fields = {k: row[k] for k in PUNCH_FIELDS}
    if record_hash(prev, fields) != row["hash"]:
        return "record hash does not match its fields (edited or damaged)"
    try:
        body = afd_type7_body(
            row["nsr"], row["punched_at"], row["cpf"], row["recorded_at"], bool(row["offline"])
        )
    except (ValueError, TypeError) as exc:
        return f"unreadable AFD fields ({exc})"
    if afd_hash(prev_afd, body) != row["afd_hash"]:
        return "AFD hash does not match"
    return ""


def _employee_from(row: sqlite3.Row) -> Employee:
    return Employee(
        id=row["id"],
        name=row["name"],
        cpf=row["cpf"],
        active=bool(row["active"]),
        has_badge=row["badge_index"] is not None,
        created_at=row["created_at"],
    )


def _punch_from(row: sqlite3.Row) -> Punch:
    d = {k: row[k] for k in (*PUNCH_FIELDS, "prev_hash", "hash")}
    for key in ("validated", "flagged", "offline"):
        d[key] = bool(d[key])
    cloud = row["cloud_validated"]
    return Punch(
        **d,
        cloud_validated=None if cloud is None else bool(cloud),
        cloud_text=row["cloud_text"],
    )


def _clean_name(name: str) -> str:
    name = " ".join(str(name).split())
    if not 2 <= len(name) <= 150:
        raise EmployeeError("name must be 2-150 characters")
    return name


def _check_pin(pin: str | None) -> str:
    pin = str(pin or "").strip()
    if not (pin.isdigit() and 4 <= len(pin) <= 8):
        raise EmployeeError("PIN must be 4 to 8 digits")
    return pin


def _check_badge(badge: str | None) -> str:
    badge = str(badge or "").strip()
    if not 1 <= len(badge) <= 64 or not badge.isprintable():
        raise EmployeeError("badge must be 1-64 printable characters")
    return badge
