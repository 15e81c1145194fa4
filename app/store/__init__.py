"""The punch ledger (SQLite) and its exports. See `app.store.ledger` for the interface."""

from app.store.errors import (
    ChainBrokenError,
    CpfError,
    DiskFullError,
    EmployeeError,
    ErrorCode,
    LedgerBusyError,
    LedgerCorruptError,
    LedgerError,
    LedgerKeyError,
)
from app.store.ledger import Ledger
from app.store.models import Correction, Employee, Head, Punch, PunchDraft, RepEvent, RepRecord
from app.store.settings import LedgerSettings

__all__ = [
    "ChainBrokenError",
    "Correction",
    "CpfError",
    "DiskFullError",
    "Employee",
    "EmployeeError",
    "ErrorCode",
    "Head",
    "Ledger",
    "LedgerBusyError",
    "LedgerCorruptError",
    "LedgerError",
    "LedgerKeyError",
    "LedgerSettings",
    "Punch",
    "PunchDraft",
    "RepEvent",
    "RepRecord",
]
