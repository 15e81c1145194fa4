"""Security alerts and the ledger's anchor, for the sync to carry to Central.

    record_alert(ledger, "pin_guessing", "12 PINs diferentes errados em 1 hora")
    for alert in unsent_alerts(ledger): ...          # SecurityAlert(id, at, kind, detail)
    mark_alerts_sent(ledger, [a.id for a in sent])
    ledger_head(ledger) -> (NSR, hash)               # this kiosk's newest record (0, GENESIS)
    key_fingerprint(ledger) -> str                   # changes when the ledger key is replaced

Kinds the kiosk produces: "pin_guessing", "ledger_missing", "ledger_emptied",
"ledger_rollback"; details are pt-BR (HR and IT read them).
"""

from __future__ import annotations

from app.store.alert_log import SecurityAlert
from app.store.ledger import Ledger

__all__ = [
    "SecurityAlert",
    "key_fingerprint",
    "ledger_head",
    "mark_alerts_sent",
    "record_alert",
    "unsent_alerts",
]


def record_alert(ledger: Ledger, kind: str, detail: str) -> None:
    ledger.alerts.record(kind, detail)


def unsent_alerts(ledger: Ledger, limit: int = 100) -> list[SecurityAlert]:
    return ledger.alerts.unsent(limit)


def mark_alerts_sent(ledger: Ledger, ids: list[int]) -> None:
    ledger.alerts.mark_sent(ids)


def ledger_head(ledger: Ledger) -> tuple[int, str]:
    """(NSR, chain hash) of this kiosk's newest record; (0, GENESIS) for an empty ledger."""
    return ledger.chain_head()


def key_fingerprint(ledger: Ledger) -> str:
    """A fingerprint of the ledger key (a keyed digest, reveals nothing of the key)."""
    return ledger.key_fingerprint()
