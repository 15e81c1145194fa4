"""Punches (AFD type 7): appended with their NSR from the shared sequence, both SHA-256 chains
and a keyed MAC, COMMITted before they are returned; the voice audio kept beside them only as
long as sync or the retention setting needs it."""

from __future__ import annotations

import hashlib
import uuid as uuidlib
from collections.abc import Callable
from datetime import datetime, timedelta

from app.rep.chain import punch_afd_hash, record_hash
from app.rep.records import BOOL_FIELDS, PUNCH_FIELDS, Punch
from app.store.db import Database
from app.store.errors import EmployeeError, ErrorCode, LedgerError
from app.store.keys import LedgerKey
from app.store.models import PUNCH_TYPES, PunchDraft
from app.store.records import PUNCH_SELECT, RepSequence, punch_from
from app.store.settings import LedgerSettings


class Punches:
    def __init__(
        self,
        db: Database,
        key: LedgerKey,
        seq: RepSequence,
        settings: Callable[[], LedgerSettings],
    ) -> None:
        self._db = db
        self._key = key
        self._seq = seq
        self._settings = settings

    def record(self, draft: PunchDraft) -> Punch:
        """Append a punch and COMMIT it (fsync'd) before returning. Never refuses a valid draft:
        a clock that went backwards, or an unreadable previous record, is flagged for review."""
        if draft.type not in PUNCH_TYPES:
            raise LedgerError(
                f"tipo de marcação desconhecido {draft.type!r}; use {', '.join(PUNCH_TYPES)}",
                ErrorCode.PUNCH_TYPE_UNKNOWN,
            )
        now = self._seq.now()
        punched_at = draft.punched_at or now
        if punched_at.tzinfo is None:
            raise LedgerError(
                "a hora da marcação (punched_at) precisa ter fuso horário",
                ErrorCode.TIME_INVALID,
            )
        punched_at = punched_at.astimezone(now.tzinfo)  # same instant, the kiosk's offset
        audio_sha = hashlib.sha256(draft.audio).hexdigest() if draft.audio else ""
        kiosk = self._seq.kiosk_id
        with self._db.write() as c:
            emp = c.execute(
                "SELECT name, cpf FROM employees WHERE id = ?", (draft.employee_id,)
            ).fetchone()
            if emp is None:
                raise EmployeeError(
                    f"nenhum funcionário com o id {draft.employee_id}", ErrorCode.EMPLOYEE_UNKNOWN
                )
            nsr, prev = self._seq.allocate(c)
            last = c.execute(
                "SELECT afd_hash, recorded_at FROM punches WHERE kiosk_id = ?"
                " ORDER BY nsr DESC LIMIT 1",
                (kiosk,),
            ).fetchone()
            reasons = [draft.flag_reason] if draft.flag_reason else []
            reasons += _clock_reasons(now, last["recorded_at"] if last else None)
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
            fields["afd_hash"] = punch_afd_hash(fields, last["afd_hash"] if last else None)
            digest = record_hash(prev, fields)
            mac = self._key.mac("punch", digest)
            cols = (*PUNCH_FIELDS, "prev_hash", "hash", "mac")
            c.execute(
                f"INSERT INTO punches ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                (*(fields[k] for k in PUNCH_FIELDS), prev, digest, mac),
            )
            if draft.queue_for_cloud:
                c.execute(
                    "INSERT INTO outbox (punch_uuid, nsr, state) VALUES (?, ?, 'pending')",
                    (fields["uuid"], nsr),
                )
            retention = self._settings().audio_retention_days
            if draft.audio and (draft.queue_for_cloud or retention > 0):
                keep = now + timedelta(days=retention)
                c.execute(
                    "INSERT INTO audio (punch_uuid, data, stored_at, keep_until) VALUES (?,?,?,?)",
                    (fields["uuid"], draft.audio, fields["recorded_at"], keep.isoformat()),
                )
            self._seq.acknowledge(nsr, mac)
        return Punch(
            **{k: bool(v) if k in BOOL_FIELDS else v for k, v in fields.items()},  # type: ignore[arg-type]
            prev_hash=prev,
            hash=digest,
            mac=mac,
        )

    def last_today(self, employee_id: int, now: datetime) -> Punch | None:
        zone = self._settings().zone
        day = (now if now.tzinfo else now.astimezone()).astimezone(zone).date().isoformat()
        with self._db.read() as c:
            row = c.execute(
                f"{PUNCH_SELECT} WHERE p.employee_id = ? AND substr(p.punched_at, 1, 10) = ?"
                " ORDER BY p.punched_at DESC, p.nsr DESC LIMIT 1",
                (employee_id, day),
            ).fetchone()
            return punch_from(row) if row else None

    def get(self, punch_uuid: str) -> Punch | None:
        with self._db.read() as c:
            row = c.execute(f"{PUNCH_SELECT} WHERE p.uuid = ?", (punch_uuid,)).fetchone()
            return punch_from(row) if row else None

    def count(self) -> int:
        with self._db.read() as c:
            return int(c.execute("SELECT count(*) FROM punches").fetchone()[0])

    def audio_for(self, punch_uuid: str) -> bytes | None:
        with self._db.read() as c:
            row = c.execute("SELECT data FROM audio WHERE punch_uuid = ?", (punch_uuid,)).fetchone()
            return bytes(row["data"]) if row else None

    def purge_audio(self, now: datetime) -> int:
        """Delete audio past its retention, except what the sync still needs: items waiting
        (pending) and items parked after a refusal (failed), which `sync retry-failed` sends
        again; their audio goes once the cloud's verdict is in (`Outbox.record_verdict`)."""
        stamp = now.isoformat()
        with self._db.write() as c:
            cur = c.execute(
                "DELETE FROM audio WHERE keep_until <= ? AND punch_uuid NOT IN"
                " (SELECT punch_uuid FROM outbox WHERE state IN ('pending', 'failed'))",
                (stamp,),
            )
            return cur.rowcount


def _clock_reasons(now: datetime, last_recorded_at: str | None) -> list[str]:
    if last_recorded_at is None:
        return []
    try:
        before = datetime.fromisoformat(last_recorded_at)
        backwards = now < before
    except (ValueError, TypeError):
        return [f"previous record has an unreadable time ({last_recorded_at!r}): check the ledger"]
    if not backwards:
        return []
    return [
        f"clock moved backwards: device time {now.isoformat(timespec='seconds')} is"
        f" before the previous record ({last_recorded_at})"
    ]
