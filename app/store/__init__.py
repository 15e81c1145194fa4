"""The punch ledger (SQLite) and its exports. See `app.store.ledger` for the interface."""

from app.store.errors import (
    ChainBrokenError,
    CpfError,
    DiskFullError,
    EmployeeError,
    LedgerBusyError,
    LedgerCorruptError,
    LedgerError,
)
from app.store.ledger import Ledger
from app.store.models import Correction, Employee, Punch, PunchDraft
from app.store.settings import LedgerSettings

__all__ = [
    "ChainBrokenError",
    "Correction",
    "CpfError",
    "DiskFullError",
    "Employee",
    "EmployeeError",
    "Ledger",
    "LedgerBusyError",
    "LedgerCorruptError",
    "LedgerError",
    "LedgerSettings",
    "Punch",
    "PunchDraft",
]
