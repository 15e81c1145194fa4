"""Hash chains. Two per kiosk, both SHA-256:

- the ledger chain: ``hash = sha256(prev_hash + canonical JSON of every stored field)``; editing
  any field of any record breaks it at that NSR (`ledger verify`).
- the AFD chain of Portaria 671 (type-7 field 8): ``sha256(fields 1-7 of the AFD line +
  previous record's field 8)``, the first record hashing its own fields only. Stored with the
  punch so any date range exports the same hashes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

GENESIS = "0" * 64
COLLECTOR_CODE = "04"  # AFD type 7 field 6: "04" = electronic device (kiosk)


class StoredFields(Protocol):
    """A stored record read by field name: a dict, or the ledger's ``sqlite3.Row``."""

    def __getitem__(self, name: str, /) -> Any: ...


def record_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    canonical = json.dumps(dict(fields), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def afd_datetime(value: datetime | str) -> str:
    """'AAAA-MM-ddThh:mm:00-0300' (24 chars): seconds are always 00 in the AFD."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    if dt.tzinfo is None:
        raise ValueError("AFD date-times need a UTC offset")
    return dt.strftime("%Y-%m-%dT%H:%M:00") + dt.strftime("%z")


def afd_type7_body(nsr: int, punched_at: str, cpf: str, recorded_at: str, offline: bool) -> str:
    """Fields 1-7 of a type-7 record (73 chars)."""
    body = (
        f"{nsr:09d}7{afd_datetime(punched_at)}{int(cpf):012d}"
        f"{afd_datetime(recorded_at)}{COLLECTOR_CODE}{1 if offline else 0}"
    )
    assert len(body) == 73, body
    return body


def afd_hash(prev_afd_hash: str | None, body: str) -> str:
    data = body + (prev_afd_hash or "")
    return hashlib.sha256(data.encode("iso-8859-1")).hexdigest()


def punch_afd_hash(punch: StoredFields, prev_afd_hash: str | None) -> str:
    """Field 8 of a punch's type-7 record from its stored fields (``nsr``, ``punched_at``,
    ``cpf``, ``recorded_at``, ``offline``): the one sum the ledger writes and both the
    ledger's check and Central's redo. ValueError/TypeError when a field is unreadable."""
    body = afd_type7_body(
        punch["nsr"],
        punch["punched_at"],
        punch["cpf"],
        punch["recorded_at"],
        bool(punch["offline"]),
    )
    return afd_hash(prev_afd_hash, body)
