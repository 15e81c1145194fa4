"""HTTP client for the cloud endpoint (the seed's contract, unchanged):

    POST {"expected_speech": "ENTRADA 13 40", "audio": "<base64>"}
    -> 200 {"validated": bool, "spoken_text_in_audio": str}

An ``Idempotency-Key: <punch uuid>`` header is added (servers that ignore it still work).
Errors are split by what the caller should do: CloudUnavailable (retry later: connection
refused, timeout, 5xx, 408/429, or a 200 that is not the contract's JSON; with the server's
Retry-After when it sent one), CloudAuthRefused (401/403: the kiosk's URL or token is wrong, a
configuration error for the admin, not a fault of the punch) and CloudRejected (other 4xx:
retrying the same request cannot help). Their messages are pt-BR: the admin reads them as the
queue's last error.
"""

from __future__ import annotations

import base64
import math
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from app.core.errors import PontoVozError
from app.core.safe_text import printable
from app.sync.config import SyncConfig

RETRYABLE_4XX = (408, 425, 429)
AUTH_REFUSED = (401, 403)


class SyncError(PontoVozError):
    """The cloud endpoint could not give a verdict."""


class CloudUnavailable(SyncError):
    """Transient: try again later (not before ``retry_after`` seconds, when the server said)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class CloudRejected(SyncError):
    """Permanent for this request (4xx)."""


class CloudAuthRefused(SyncError):
    """401/403: the endpoint refuses this kiosk's credentials. A configuration error: every
    item would get the same answer, so the queue waits (nothing is parked) until it is fixed."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class CloudVerdict:
    validated: bool
    spoken_text: str


class CloudClient:
    def __init__(self, config: SyncConfig, transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {config.token}"} if config.token else {}
        self._config = config
        self._http = httpx.Client(headers=headers, timeout=config.timeout_s, transport=transport)

    def close(self) -> None:
        self._http.close()

    def verify(
        self, expected: str, audio: bytes, punch_uuid: str = "", timeout_s: float | None = None
    ) -> CloudVerdict:
        body = {"expected_speech": expected, "audio": base64.b64encode(audio).decode("ascii")}
        headers = {"Idempotency-Key": punch_uuid} if punch_uuid else {}
        url = self._config.url
        try:
            resp = self._http.post(
                url, json=body, headers=headers, timeout=timeout_s or self._config.timeout_s
            )
        except httpx.TimeoutException as exc:
            raise CloudUnavailable(f"a nuvem ({url}) não respondeu a tempo ({exc!r})") from exc
        except httpx.HTTPError as exc:
            raise CloudUnavailable(f"a nuvem ({url}) está inacessível: {exc}") from exc
        if resp.status_code >= 500 or resp.status_code in RETRYABLE_4XX:
            raise CloudUnavailable(
                f"a nuvem respondeu {resp.status_code}: {_snippet(resp)}",
                retry_after(resp.headers.get("retry-after")),
            )
        if resp.status_code in AUTH_REFUSED:
            raise CloudAuthRefused(
                f"a nuvem recusou as credenciais ({resp.status_code}): {_snippet(resp)}",
                resp.status_code,
            )
        if resp.status_code >= 400:
            raise CloudRejected(
                f"a nuvem recusou a requisição ({resp.status_code}): {_snippet(resp)}"
            )
        if resp.status_code != 200:
            raise CloudUnavailable(f"a nuvem respondeu {resp.status_code}; esperado 200")
        try:
            data = resp.json()
            validated, text = data["validated"], data["spoken_text_in_audio"]
            if not isinstance(validated, bool) or not isinstance(text, str):
                raise TypeError("campos com tipos errados")
        except (ValueError, KeyError, TypeError) as exc:
            raise CloudUnavailable(
                f"a nuvem respondeu 200, mas não com o JSON do contrato ({exc}): {_snippet(resp)}"
            ) from exc
        return CloudVerdict(validated, text)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(min(int(value[:12]), 10**9))
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    seconds = when - (time.time() if now is None else now)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _snippet(resp: httpx.Response) -> str:
    """The start of a server's body, never its control characters (ESC codes, bidi)."""
    return printable(resp.text[:400], limit=160) or "(corpo vazio)"
