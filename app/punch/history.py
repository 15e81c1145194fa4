"""What an identified employee may see of their own punches: the last one ("última marcação:
Entrada 08:02"), a duplicate of the type about to be punched, and receipts of the last 48 hours.

Plain functions over the ledger's public reads (`Ledger.punches(start, end, kiosk_id)` by device
date, every kiosk the ledger holds), filtered by employee and by exact instant here; the service
wraps them (see service.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.punch import words
from app.rep.records import Punch
from app.store.ledger import Ledger
from app.store.receipt import qr_payload, receipt_text


@dataclass(frozen=True)
class LastPunch:
    type: str  # ENTRADA, INTERVALO, RETORNO, SAIDA
    at: datetime  # the legal punch time (device clock, with its offset)
    nsr: int
    today: bool

    @property
    def text(self) -> str:
        """'Entrada 08:02' today, 'Saída 25/11 17:58' on an earlier day."""
        when = f"{self.at:%H:%M}" if self.today else f"{self.at:%d/%m %H:%M}"
        return f"{words.type_label(self.type)} {when}"


@dataclass(frozen=True)
class ReceiptView:
    """One receipt, ready to show: the punch, its text (as printed) and its QR payload."""

    punch: Punch
    text: str
    qr: str  # "PV1|kiosk|NSR|hash": encode it with app.store.receipt.qr_png / qr_svg


def employee_punches(
    ledger: Ledger, employee_id: int, since: datetime, until: datetime
) -> list[Punch]:
    """The employee's punches with since <= punched_at <= until, oldest first."""
    lo, hi = (since - timedelta(days=1)).date(), (until + timedelta(days=1)).date()
    rows = [p for kiosk in ledger.kiosks() for p in ledger.punches(lo, hi, kiosk_id=kiosk)]
    mine = [
        p
        for p in rows
        if p.employee_id == employee_id and since <= datetime.fromisoformat(p.punched_at) <= until
    ]
    return sorted(mine, key=lambda p: (p.punched_at, p.nsr))


def last_punch(ledger: Ledger, employee_id: int, now: datetime, days: int = 7) -> LastPunch | None:
    found = employee_punches(ledger, employee_id, now - timedelta(days=days), now)
    if not found:
        return None
    p = found[-1]
    at = datetime.fromisoformat(p.punched_at)
    return LastPunch(p.type, at, p.nsr, at.date() == now.date())


def duplicate_of(
    ledger: Ledger, employee_id: int, kind: str, now: datetime, minutes: float
) -> Punch | None:
    """The latest punch of this type by this employee within ``minutes`` before now."""
    if minutes <= 0:
        return None
    found = employee_punches(ledger, employee_id, now - timedelta(minutes=minutes), now)
    same = [p for p in found if p.type == kind]
    return same[-1] if same else None


def recent_receipts(
    ledger: Ledger, employee_id: int, now: datetime, hours: float = 48
) -> list[ReceiptView]:
    """Receipts of the last ``hours`` hours, newest first."""
    found = employee_punches(ledger, employee_id, now - timedelta(hours=hours), now)
    return [
        ReceiptView(p, receipt_text(p, ledger.settings), qr_payload(p)) for p in reversed(found)
    ]
