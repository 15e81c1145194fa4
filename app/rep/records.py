"""The REP-P records both sides store (kiosk ledger, Central) and the fields the chain hashes.

A punch is AFD type 7; the other records (types 2, 4, 5, 6) are `RepEvent`s in the same NSR
sequence. ``PUNCH_FIELDS`` and ``EVENT_FIELDS`` are the stored fields `app.rep.chain.record_hash`
covers, in the order both sides read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, Literal

EventKind = Literal["employer", "clock", "employee", "sensitive"]
# AFD record type of each event kind (type 7 is the punch itself).
AFD_TYPES: Mapping[str, int] = {"employer": 2, "clock": 4, "employee": 5, "sensitive": 6}
# AFD type-6 event codes a REP-P may write (layout's table; 01 and 03-06 are REP-C only).
SENSITIVE_CODES: Mapping[str, str] = {
    "02": "power return",
    "07": "service available",
    "08": "service unavailable",
}

# The stored fields `app.rep.chain.record_hash` covers (with ``prev_hash``), in this order.
EVENT_FIELDS = ("kiosk_id", "nsr", "uuid", "kind", "recorded_at", "fields")
PUNCH_FIELDS = (
    "kiosk_id", "nsr", "uuid", "employee_id", "employee_name", "cpf", "type", "punched_at",
    "recorded_at", "expected", "transcript", "validated", "method", "tries", "flagged",
    "flag_reason", "offline", "audio_sha256", "afd_hash",
)  # fmt: skip
BOOL_FIELDS = ("validated", "flagged", "offline")


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
