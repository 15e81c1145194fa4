"""Typed records crossing the ledger boundary (kiosk, CLI, sync, exports)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal, NamedTuple

from app.core import punch_types

PUNCH_TYPES = punch_types.CODES

EventKind = Literal["employer", "clock", "employee", "sensitive"]
# AFD record type of each event kind (type 7 is the punch itself).
AFD_TYPES: Mapping[str, int] = {"employer": 2, "clock": 4, "employee": 5, "sensitive": 6}
# AFD type-6 event codes a REP-P may write (layout's table; 01 and 03-06 are REP-C only).
SENSITIVE_CODES: Mapping[str, str] = {
    "02": "power return",
    "07": "service available",
    "08": "service unavailable",
}


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
class Punch:
    """A stored, durably committed punch record (immutable, append-only)."""

    nsr: int
    kiosk_id: str
    uuid: str
    employee_id: int
    employee_name: str
    cpf: str
    type: str
    punched_at: str  # ISO 8601 with UTC offset, device clock
    recorded_at: str  # ISO 8601 with UTC offset, when written
    expected: str
    transcript: str
    validated: bool
    method: str
    tries: int
    flagged: bool
    flag_reason: str
    offline: bool
    audio_sha256: str
    afd_hash: str  # Portaria 671 type-7 chain (fields 1-7 + previous afd_hash)
    prev_hash: str
    hash: str  # ledger chain over every stored field
    cloud_validated: bool | None = None  # from the cloud_verdicts table, if any
    cloud_text: str | None = None
    mac: str = ""  # HMAC-SHA256 of ``hash`` with the kiosk key (empty only before migration)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def short_hash(self) -> str:
        return self.hash[:12]

    @property
    def afd_type(self) -> int:
        return 7


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


@dataclass(frozen=True)
class RepEvent:
    """A REP-P record other than a punch, stored when it happened (append-only, chained with
    the punches in one NSR sequence per kiosk). ``fields`` keys, all strings, per ``kind``:

    - ``employer`` (AFD type 2): ``id_type`` ("1" CNPJ, "2" CPF), ``employer_id`` (digits),
      ``cno_caepf`` (digits or ""), ``name``, ``place``, ``author_cpf`` (11 digits or "").
    - ``clock`` (type 4): ``before``, ``after`` (ISO 8601 with UTC offset), ``author_cpf``.
    - ``employee`` (type 5): ``op`` ("I" include, "A" change, "E" exclude), ``cpf`` (11
      digits), ``name``, ``author_cpf``.
    - ``sensitive`` (type 6): ``code``: "02" power return, "07" service available,
      "08" service unavailable (see SENSITIVE_CODES).

    ``recorded_at`` is the device time the record was written (ISO 8601 with offset).
    """

    nsr: int
    kiosk_id: str
    uuid: str
    kind: EventKind
    recorded_at: str
    fields: Mapping[str, str]
    prev_hash: str
    hash: str  # ledger chain: sha256(prev_hash + canonical JSON of the stored fields)
    mac: str  # HMAC-SHA256 of ``hash`` with the kiosk key

    @property
    def afd_type(self) -> int:
        return AFD_TYPES[self.kind]

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self) | {"fields": dict(self.fields)}
        return d


RepRecord = Punch | RepEvent


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
