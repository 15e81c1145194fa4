"""What a kiosk says about itself on every request (``X-Kiosk-Time``, ``X-Kiosk-Version``,
``X-Kiosk-Queue``), parsed strictly and never an error.

Its own module because both the ingest (which stamps the kiosk row in its claim) and the
service (the ORM side) use it, and the ingest sits below the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


def parse_kiosk_time(value: str | None) -> datetime | None:
    try:
        stamp = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return stamp if stamp is not None and stamp.tzinfo is not None else None


VERSION_MAX = 32  # the column's width
QUEUE_MAX = 100_000_000  # far above any kiosk's backlog; anything above is not a real count


@dataclass(frozen=True)
class KioskStatus:
    """What a kiosk reports about itself in headers; None where missing or not valid."""

    version: str | None = None
    queue: int | None = None

    def values(self, now: object) -> dict[str, object]:
        """The Kiosk columns to update (only what was validly reported); ``now`` stamps the
        queue (a datetime, or SQL ``now()`` in a Core UPDATE)."""
        out: dict[str, object] = {}
        if self.version is not None:
            out["app_version"] = self.version
        if self.queue is not None:
            out["queue_pending"], out["status_reported_at"] = self.queue, now
        return out


def parse_kiosk_status(version: str | None, queue: str | None) -> KioskStatus:
    """``X-Kiosk-Version`` / ``X-Kiosk-Queue``, strictly: a version of 1-32 printable ASCII
    characters, a queue of plain decimal digits below QUEUE_MAX. Anything else is ignored
    (never an error: these headers must not cost a kiosk its upload)."""
    v = (version or "").strip()
    ok_version = 0 < len(v) <= VERSION_MAX and all(" " <= c <= "~" for c in v)
    q = (queue or "").strip()
    count = int(q) if 0 < len(q) <= 9 and all("0" <= c <= "9" for c in q) else None
    return KioskStatus(
        version=v if ok_version else None,
        queue=count if count is not None and count < QUEUE_MAX else None,
    )
