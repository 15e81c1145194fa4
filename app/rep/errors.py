"""Errors of the REP-P formats, with the stable codes every front keys on.

Each error carries an `ErrorCode`: user interfaces (kiosk, CLI, web) map the code to their own
Brazilian Portuguese headline instead of matching substrings of the message. The message itself
is pt-BR too, since fronts show it as the detail and CLI commands print it as is: it says what
happened, with the file or NSR, and what to do. All are PontoVozError.

`RepError` is the one base: the kiosk ledger's errors (`app.store.errors`) derive from it, and
Central catches `CpfError` from the shared CPF rules.
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


class RepError(PontoVozError):
    """Base class for problems with REP records and the punch ledger; ``code`` says which one."""

    default_code = ErrorCode.DB_ERROR

    def __init__(self, message: str, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code or self.default_code


class CpfError(RepError):
    """A CPF is malformed or its check digits are wrong."""

    default_code = ErrorCode.CPF_INVALID
