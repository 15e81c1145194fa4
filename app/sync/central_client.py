"""HTTP to Central, and the errors its answers become. Every call notes Central's clock (to
estimate this kiosk's offset) and tells Central about this kiosk in headers: ``X-Kiosk-Time``
(its clock), ``X-Kiosk-Version`` (the app version) and, from the sync, ``X-Kiosk-Queue``
(records still to send before this call). Central shows the last values on its "Hoje" page, so
IT sees a kiosk that is stuck or not updated.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx

from app import __version__
from app.core.errors import PontoVozError


class CentralUnavailable(PontoVozError):
    """Transient: Central unreachable, 5xx, 408/429. Retry later; nothing is lost."""


class CentralRejected(PontoVozError):
    """Central refused (4xx): revoked kiosk, used code, bad data."""


class KioskIdChanged(CentralRejected):
    """This ledger's ``kiosk_id`` is not the one the kiosk joined with: a new NSR sequence, so a
    new REP for Central. Nothing is sent until the kiosk joins again (or the id goes back)."""


class NotCentral(CentralUnavailable):
    """Something answered at the address, but not Central (no ``X-Central-Time``): a wrong
    port, a web server, a proxy's error page. Not Central's refusal of the code."""


class CentralClient:
    """HTTP to Central; every call notes Central's clock to estimate this kiosk's offset, and
    sends this kiosk's clock, version and (when the caller knows it) queue."""

    def __init__(self, url: str, token: str = "", timeout_s: float = 10.0, **kw: Any) -> None:
        headers = {"X-Kiosk-Version": __version__}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._http = httpx.Client(
            base_url=url.rstrip("/"), headers=headers, timeout=timeout_s, **kw
        )
        self.offset_s: float | None = None

    def close(self) -> None:
        self._http.close()

    def call(
        self, method: str, path: str, *, queue: int | None = None, **kw: Any
    ) -> httpx.Response:
        """``queue``: records waiting to go to Central before this call (``X-Kiosk-Queue``)."""
        sent = time.time()
        headers = {"X-Kiosk-Time": datetime.now().astimezone().isoformat()}
        if queue is not None:
            headers["X-Kiosk-Queue"] = str(max(0, queue))
        headers.update(kw.pop("headers", {}))
        try:
            resp = self._http.request(method, path, headers=headers, **kw)
        except httpx.HTTPError as exc:
            raise CentralUnavailable(f"Central inacessível: {exc}") from exc
        got = time.time()
        stamp = resp.headers.get("X-Central-Time")
        if stamp:
            try:
                central = datetime.fromisoformat(stamp).timestamp()
                self.offset_s = round((sent + got) / 2 - central, 3)
            except ValueError:
                pass
        if resp.status_code >= 400 and "X-Central-Time" not in resp.headers:
            raise NotCentral(f"o endereço respondeu HTTP {resp.status_code}, mas não é uma Central")
        if resp.status_code >= 500 or resp.status_code in (408, 425, 429):
            raise CentralUnavailable(f"Central respondeu {resp.status_code}: {_error(resp)}")
        if resp.status_code >= 400:
            raise CentralRejected(f"Central recusou ({resp.status_code}): {_error(resp)}")
        return resp


def _error(resp: httpx.Response) -> str:
    try:
        return str(resp.json().get("error", ""))[:300]
    except ValueError:
        return " ".join(resp.text[:200].split())
