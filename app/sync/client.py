"""HTTP client for the cloud endpoint (the seed's contract, unchanged):

    POST {"expected_speech": "ENTRADA 13 40", "audio": "<base64>"}
    -> 200 {"validated": bool, "spoken_text_in_audio": str}

An ``Idempotency-Key: <punch uuid>`` header is added (servers that ignore it still work).
Errors are split by what the caller should do: CloudUnavailable (retry later: connection
refused, timeout, 5xx, 408/429, or a 200 that is not the contract's JSON) and CloudRejected
(4xx: retrying the same request cannot help).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import httpx

from app.core.errors import PontoVozError
from app.sync.config import SyncConfig

RETRYABLE_4XX = (408, 425, 429)


class SyncError(PontoVozError):
    """The cloud endpoint could not give a verdict."""


class CloudUnavailable(SyncError):
    """Transient: try again later."""


class CloudRejected(SyncError):
    """Permanent for this request (4xx)."""


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
            raise CloudUnavailable(f"endpoint {url} did not answer in time ({exc!r})") from exc
        except httpx.HTTPError as exc:
            raise CloudUnavailable(f"endpoint {url} unreachable: {exc}") from exc
        if resp.status_code >= 500 or resp.status_code in RETRYABLE_4XX:
            raise CloudUnavailable(f"endpoint answered {resp.status_code}: {_snippet(resp)}")
        if resp.status_code >= 400:
            raise CloudRejected(
                f"endpoint refused the request ({resp.status_code}): {_snippet(resp)}"
            )
        if resp.status_code != 200:
            raise CloudUnavailable(f"endpoint answered {resp.status_code}, expected 200")
        try:
            data = resp.json()
            validated, text = data["validated"], data["spoken_text_in_audio"]
            if not isinstance(validated, bool) or not isinstance(text, str):
                raise TypeError("wrong field types")
        except (ValueError, KeyError, TypeError) as exc:
            raise CloudUnavailable(
                f"endpoint answered 200 but not the contract's JSON ({exc}): {_snippet(resp)}"
            ) from exc
        return CloudVerdict(validated, text)


def _snippet(resp: httpx.Response) -> str:
    return " ".join(resp.text[:160].split()) or "(empty body)"
