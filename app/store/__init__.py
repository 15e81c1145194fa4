"""The kiosk's punch ledger (SQLite) and its exports. See `app.store.ledger` for the interface;
the record formats it writes (chain, AFD, CPF) live in `app.rep`."""

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
from app.store.models import Correction, Employee, Head, PunchDraft
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
    "PunchDraft",
]
