"""Typed ledger errors. Each message says what happened and what to do; the kiosk maps them
to Portuguese screens, the CLI prints them (exit 2). All are PontoVozError."""

from __future__ import annotations

from app.core.errors import PontoVozError


class LedgerError(PontoVozError):
    """Base class for problems with the punch ledger."""


class CpfError(LedgerError):
    """A CPF is malformed or its check digits are wrong."""


class EmployeeError(LedgerError):
    """An employee cannot be added/updated (duplicate CPF or PIN, unknown CPF, bad PIN)."""


class LedgerBusyError(LedgerError):
    """Another process holds the database lock longer than the busy timeout."""


class DiskFullError(LedgerError):
    """The disk (or the database size limit) is full; nothing was written."""


class LedgerCorruptError(LedgerError):
    """The database file is not a valid SQLite ledger, or its pages are damaged."""


class ChainBrokenError(LedgerError):
    """`ledger verify` found a record whose hash does not match (tampering or damage)."""
