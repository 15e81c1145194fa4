"""Kiosks as the pages show them: health rows, a kiosk's events, the quarantine list, and the
lookups forms and exports need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.central.models import Kiosk, KioskEvent, QuarantinedRecord

ONLINE_SECONDS = 300


@dataclass(frozen=True)
class KioskRow:
    id: int
    name: str
    online: bool
    last_seen: datetime | None
    clock_offset_s: float | None
    queue: int | None  # records the kiosk still had to send, as it reported on its last call
    queue_at: datetime | None  # when it reported the queue
    version: str | None
    head_nsr: int
    problems: int
    revoked: bool
    rep: str = ""  # Central's REP number for the kiosk ("01")


def kiosk_rows(s: Session) -> list[KioskRow]:
    """Every kiosk by name, with whether it called in the last ``ONLINE_SECONDS``."""
    now = datetime.now(UTC)
    problems = dict(
        s.execute(select(KioskEvent.kiosk_id, func.count()).group_by(KioskEvent.kiosk_id)).all()
    )
    rows = []
    for k in s.scalars(select(Kiosk).order_by(Kiosk.name)):
        seen = k.last_seen_at
        online = bool(seen and (now - seen).total_seconds() <= ONLINE_SECONDS) and not k.revoked_at
        rows.append(
            KioskRow(
                id=k.id,
                name=k.name,
                online=online,
                last_seen=seen,
                clock_offset_s=k.clock_offset_s,
                queue=k.queue_pending,
                queue_at=k.status_reported_at,
                version=k.app_version,
                head_nsr=k.head_nsr,
                problems=int(problems.get(k.id, 0)),
                revoked=k.revoked_at is not None,
                rep=k.rep_code,
            )
        )
    return rows


def kiosk_row(s: Session, kiosk_id: int) -> KioskRow | None:
    return next((k for k in kiosk_rows(s) if k.id == kiosk_id), None)


def recent_kiosk_events(s: Session, kiosk_id: int, limit: int = 200) -> Sequence[KioskEvent]:
    """The kiosk's events, newest first."""
    q = select(KioskEvent).where(KioskEvent.kiosk_id == kiosk_id)
    return s.scalars(q.order_by(KioskEvent.id.desc()).limit(limit)).all()


def open_quarantine_count(s: Session) -> int:
    """Records Central refused to hold that nobody has looked at yet (the Hoje alert)."""
    q = QuarantinedRecord
    return int(
        s.scalar(
            select(func.count()).where(
                q.reason != "gap", q.resolved_at.is_(None), q.acknowledged_at.is_(None)
            )
        )
        or 0
    )


def quarantine_list(s: Session, limit: int = 300) -> Sequence[QuarantinedRecord]:
    """Refused records (gaps are not records), the ones nobody acknowledged first, newest first."""
    q = QuarantinedRecord
    return s.scalars(
        select(q).where(q.reason != "gap").order_by(q.acknowledged_at.is_not(None), q.id.desc())
        .limit(limit)
    ).all()  # fmt: skip


def kiosk_by_id(s: Session, kiosk_id: int) -> Kiosk | None:
    return s.get(Kiosk, kiosk_id)


def kiosks_by_id(s: Session) -> dict[int, Kiosk]:
    return {k.id: k for k in s.scalars(select(Kiosk))}


def kiosk_names(s: Session) -> dict[int, str]:
    return {k.id: k.name for k in s.scalars(select(Kiosk))}


def kiosks_by_name(s: Session) -> Sequence[Kiosk]:
    return s.scalars(select(Kiosk).order_by(Kiosk.name)).all()


def enrolled_kiosks(s: Session) -> Sequence[Kiosk]:
    """Kiosks whose credential is not revoked (those an employee can be assigned to)."""
    return s.scalars(select(Kiosk).where(Kiosk.revoked_at.is_(None))).all()


def all_kiosk_ids(s: Session) -> list[int]:
    return list(s.scalars(select(Kiosk.id)))
