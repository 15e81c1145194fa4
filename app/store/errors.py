"""Typed ledger errors with stable codes.

Each error carries an `ErrorCode`: user interfaces (kiosk, CLI, web) map the code to their own
Brazilian Portuguese headline instead of matching substrings of the message. The message itself
is pt-BR too, since fronts show it as the detail and CLI commands print it as is: it says what
happened, with the file or NSR, and what to do. All are PontoVozError.
"""

from __future__ import annotations

from enum import StrEnum

from app.core.errors import PontoVozError


class ErrorCode(StrEnum):
    """Stable, machine-readable reasons; never renamed once released (UIs key on them)."""

    CPF_INVALID = "cpf_invalid"
    CPF_TAKEN = "cpf_taken"
    PIN_INVALID = "pin_invalid"
    PIN_TAKEN = "pin_taken"
    BADGE_INVALID = "badge_invalid"
    BADGE_TAKEN = "badge_taken"
    NAME_INVALID = "name_invalid"
    EMPLOYEE_UNKNOWN = "employee_unknown"
    PUNCH_TYPE_UNKNOWN = "punch_type_unknown"
    PUNCH_UNKNOWN = "punch_unknown"
    TIME_INVALID = "time_invalid"
    CORRECTION_INVALID = "correction_invalid"
    EVENT_INVALID = "event_invalid"
    MIXED_LEDGER = "mixed_ledger"
    APPEND_ONLY = "append_only"
    BUSY = "busy"
    DISK_FULL = "disk_full"
    CORRUPT = "corrupt"
    CHAIN_BROKEN = "chain_broken"
    KEY_MISSING = "key_missing"
    KEY_WRONG = "key_wrong"
    SCHEMA_NEWER = "schema_newer"
    IO_ERROR = "io_error"
    DB_ERROR = "db_error"


class LedgerError(PontoVozError):
    """Base class for problems with the punch ledger; ``code`` says which one."""

    default_code = ErrorCode.DB_ERROR

    def __init__(self, message: str, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code or self.default_code


class CpfError(LedgerError):
    """A CPF is malformed or its check digits are wrong."""

    default_code = ErrorCode.CPF_INVALID


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
