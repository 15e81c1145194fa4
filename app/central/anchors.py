"""Anchors outside the box: each kiosk's ledger head and key fingerprint, kept by Central.

A kiosk sends, as soon as Central is reachable (queued while offline), the head (NSR, hash) after
each of its punches, its current head and a fingerprint of its ledger key, plus the security
alerts it raised (PIN guessing, a ledger gone missing...). Whoever holds the kiosk's disk can
rewrite its ledger, but cannot rewrite what Central already holds, so Central flags:

- ``ancora_recuou``: the kiosk's head is behind a head it reported before (an older copy of the
  ledger or of its high-water file was put back);
- ``nsr_repetido``: an NSR reported again with another hash (the ledger was rewritten);
- ``chave_trocada``: the key fingerprint changed (a new key, a re-chained ledger);
- ``quiosque:<kind>``: a security alert the kiosk raised.

Each is a ``kiosk_events`` row with ``alert`` set, which HR and IT see on the Hoje page until
someone acknowledges it. A kind already open for that kiosk is not added again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.central.models import Kiosk, KioskAnchor, KioskEvent
from app.central.schemas import AnchorsIn

ALERT_NAMES = {
    "ancora_recuou": "registro do quiosque voltou atrás",
    "nsr_repetido": "NSR repetido com outro conteúdo",
    "chave_trocada": "chave do registro trocada",
}


@dataclass(frozen=True)
class AnchorResult:
    stored: int  # heads newly kept
    alerts: list[str]  # kinds of the alerts raised by this call
    alert_ids: list[int]  # the kiosk's alert ids now held (new or already held)


def raise_alert(session: Session, kiosk: Kiosk, kind: str, detail: str) -> bool:
    """Add an open alert for ``kiosk`` unless one of the same kind is still open (a rewritten
    ledger would otherwise raise one per NSR, every pass). True when added."""
    open_same = session.scalar(
        select(KioskEvent.id).where(
            KioskEvent.kiosk_id == kiosk.id,
            KioskEvent.alert.is_(True),
            KioskEvent.acknowledged_at.is_(None),
            KioskEvent.kind == kind,
        )
    )
    if open_same is not None:
        return False
    session.add(KioskEvent(kiosk_id=kiosk.id, kind=kind, detail=detail, alert=True))
    session.flush()
    return True


def record(session: Session, kiosk: Kiosk, body: AnchorsIn) -> AnchorResult:
    """Keep what the kiosk reported and flag what cannot be an honest ledger's history."""
    raised: list[str] = []

    def flag(kind: str, detail: str) -> None:
        if raise_alert(session, kiosk, kind, detail):
            raised.append(kind)

    fp = body.key_fingerprint
    if fp:
        if kiosk.key_fingerprint and kiosk.key_fingerprint != fp:
            flag(
                "chave_trocada",
                f"a impressão digital da chave do registro mudou de {kiosk.key_fingerprint[:12]}"
                f" para {fp[:12]}: o registro pode ter sido refeito com outra chave",
            )
        kiosk.key_fingerprint = fp
    stored = 0
    heads = sorted({(h.nsr, h.hash) for h in body.heads} | {(body.head.nsr, body.head.hash)})
    held = _held(session, kiosk.id, [n for n, _ in heads])
    for nsr, digest in heads:
        if nsr <= 0:
            continue
        before = held.get(nsr)
        if before is None:
            session.execute(
                insert(KioskAnchor)
                .values(kiosk_id=kiosk.id, nsr=nsr, hash=digest, key_fingerprint=fp or None)
                .on_conflict_do_nothing(constraint="kiosk_anchor_nsr")
            )
            held[nsr] = digest
            stored += 1
        elif before != digest:
            flag(
                "nsr_repetido",
                f"o NSR {nsr} foi informado antes com o hash {before[:12]} e agora com "
                f"{digest[:12]}: o registro do quiosque foi reescrito",
            )
    top = kiosk.anchor_nsr or 0
    if body.head.nsr < top:
        flag(
            "ancora_recuou",
            f"o quiosque informa o NSR {body.head.nsr} como último registro, mas já havia "
            f"informado o NSR {top}: registros apagados ou cópia antiga do registro",
        )
    elif body.head.nsr >= top:
        kiosk.anchor_nsr, kiosk.anchor_hash = body.head.nsr, body.head.hash
    kiosk.anchor_at = datetime.now(UTC)
    ids = []
    for a in body.alerts:
        session.execute(
            insert(KioskEvent)
            .values(
                kiosk_id=kiosk.id,
                kind=f"quiosque:{a.kind}"[:32],
                alert=True,
                detail=f"{a.detail} (no quiosque em {a.at})",
                kiosk_alert_id=a.id,
            )
            .on_conflict_do_nothing(constraint="kiosk_event_alert_id")
        )
        ids.append(a.id)
    return AnchorResult(stored, raised, ids)


def _held(session: Session, kiosk_id: int, nsrs: list[int]) -> dict[int, str]:
    if not nsrs:
        return {}
    rows = session.execute(
        select(KioskAnchor.nsr, KioskAnchor.hash).where(
            KioskAnchor.kiosk_id == kiosk_id, KioskAnchor.nsr.in_(nsrs)
        )
    )
    return {int(n): h for n, h in rows}


def open_alerts(session: Session, limit: int = 50) -> list[KioskEvent]:
    """Alerts nobody acknowledged yet, newest first (the Hoje page)."""
    return list(
        session.scalars(
            select(KioskEvent)
            .where(KioskEvent.alert.is_(True), KioskEvent.acknowledged_at.is_(None))
            .order_by(KioskEvent.id.desc())
            .limit(limit)
        )
    )


def acknowledge(session: Session, event_id: int, who: str) -> bool:
    row = session.get(KioskEvent, event_id)
    if row is None or not row.alert or row.acknowledged_at is not None:
        return False
    row.acknowledged_at = datetime.now(UTC)
    row.acknowledged_by = who[:150]
    return True
