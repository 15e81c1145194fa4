"""Typed records crossing the ledger boundary (kiosk, CLI, sync, exports)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from app.core import punch_types

PUNCH_TYPES = punch_types.CODES


@dataclass(frozen=True)
class Employee:
    """An employee as others see it: no PIN or badge secrets."""

    id: int
    name: str
    cpf: str  # 11 digits
    active: bool
    has_badge: bool
    created_at: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class PunchDraft:
    """What the punch service hands to `Ledger.record_punch`; the ledger adds NSR, UUID, hashes.

    ``punched_at`` is the legal punch time (device clock, timezone-aware); None means "now" by the
    ledger's clock. ``audio`` is kept only when sync needs it (``queue_for_cloud``) or audio
    retention is on; its SHA-256 is always part of the record.
    """

    employee_id: int
    type: str
    expected: str  # the challenge, e.g. "ENTRADA 13 40"
    transcript: str = ""
    validated: bool = False  # local (or cloud-first) verdict of the best attempt
    tries: int = 0
    flag_reason: str = ""  # non-empty -> flagged for review
    punched_at: datetime | None = None
    audio: bytes | None = None
    offline: bool = False  # AFD field 7: punch collected while the REP-P was unreachable
    queue_for_cloud: bool = False
    method: str = ""  # how the verdict was reached: text, closed_set, cloud, ...


@dataclass(frozen=True)
class Correction:
    """An annotation on a punch (never an edit): who, why, and the corrected values if any."""

    seq: int
    uuid: str
    punch_uuid: str
    created_at: str
    author: str
    note: str
    new_type: str | None
    new_punched_at: str | None
    prev_hash: str
    hash: str
    mac: str = ""


class Head(NamedTuple):
    """The newest record of this kiosk's REP: what sync carries so Central can anchor it."""

    nsr: int
    mac: str


@dataclass(frozen=True)
class OutboxItem:
    """A punch waiting for the cloud verdict."""

    punch_uuid: str
    nsr: int
    expected: str
    audio: bytes | None
    attempts: int


@dataclass(frozen=True)
class OutboxCounts:
    pending: int = 0
    done: int = 0
    failed: int = 0
    next_attempt_at: float | None = None  # epoch seconds of the earliest pending retry
    last_error: str = ""


@dataclass
class ChainReport:
    """Result of walking the hash chains."""

    ok: bool
    punches: int = 0
    corrections: int = 0
    events: int = 0
    first_bad_nsr: int | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # pt-BR; the report is still ok
