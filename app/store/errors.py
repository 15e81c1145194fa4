"""Typed ledger errors with stable codes (`app.rep.errors` holds the base and the codes).

`LedgerError` is `RepError` under the ledger's name, so ``except LedgerError`` still catches a
bad CPF or a short key from the shared REP rules. Messages are pt-BR (fronts show them as is).
"""

from __future__ import annotations

from app.rep.errors import CpfError, ErrorCode, RepError

__all__ = [
    "ChainBrokenError",
    "CpfError",
    "DiskFullError",
    "EmployeeError",
    "ErrorCode",
    "LedgerBusyError",
    "LedgerCorruptError",
    "LedgerError",
    "LedgerKeyError",
]

LedgerError = RepError


class EmployeeError(LedgerError):
    """An employee cannot be added/updated (duplicate CPF or PIN, unknown CPF, bad PIN)."""

    default_code = ErrorCode.EMPLOYEE_UNKNOWN


class LedgerBusyError(LedgerError):
    """Another process holds the database lock longer than the busy timeout."""

    default_code = ErrorCode.BUSY


class DiskFullError(LedgerError):
    """The disk (or the database size limit) is full; nothing was written."""

    default_code = ErrorCode.DISK_FULL


class LedgerCorruptError(LedgerError):
    """The database file is not a valid SQLite ledger, or its pages or rows are damaged."""

    default_code = ErrorCode.CORRUPT


class ChainBrokenError(LedgerError):
    """`ledger verify` found a record whose hash does not match (tampering or damage)."""

    default_code = ErrorCode.CHAIN_BROKEN


class LedgerKeyError(LedgerError):
    """The kiosk key (``ledger.sqlite3.key``) is missing or is not this ledger's key."""

    default_code = ErrorCode.KEY_MISSING
