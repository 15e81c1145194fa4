"""Who may call POST /, and how often.

``Authorization: Bearer <token>`` when tokens are configured (several, comma-separated: one per
kiosk or client); the comparison is constant-time. Each token (or, on Lambda behind an
IAM-signed URL, each IAM caller) gets a token bucket of ``rate_limit_per_minute``: a public
endpoint must not be a free transcription service, nor one stolen token an unlimited one. Both
checks run before the body is read. Without auth (127.0.0.1 or a private network only: `serve`
refuses anything else) there is no caller to limit; the admission gate still bounds the load.
"""

from __future__ import annotations

import hmac
import math
import threading
import time
from collections.abc import Callable

from fastapi import Request

from app.api.errors import ApiError, Unauthorized

_MAX_KEYS = 10_000  # client addresses remembered at most (bounded memory)


class TooManyRequests(ApiError):
    status = 429

    def __init__(self, message: str, retry_after: float):
        seconds = max(1, math.ceil(retry_after))
        super().__init__(message, {"Retry-After": str(seconds)})


class RateLimiter:
    """Token buckets: ``per_minute`` requests a minute, bursts of up to a quarter of that."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute / 4)
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)

    def take(self, key: str) -> float:
        """0.0 when allowed, else the seconds until the next request would be."""
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            if len(self._buckets) >= _MAX_KEYS and key not in self._buckets:
                self._buckets.clear()
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


def _bearer(header: str) -> str:
    """The token of an ``Authorization`` header, or Unauthorized saying what is wrong."""
    usage = "este servidor exige o cabeçalho 'Authorization: Bearer <token>'"
    if not header.strip():
        raise Unauthorized(f"faltam as credenciais: {usage}")
    scheme, sep, given = header.partition(" ")
    if not sep:
        bad = next((c for c in header if c.isspace()), "")
        if bad and header.split(None, 1)[0].lower() == "bearer":
            raise Unauthorized(f"separe 'Bearer' e o token com um espaço, não com {bad!r}: {usage}")
        raise Unauthorized(f"cabeçalho Authorization malformado: {usage}")
    if scheme.lower() != "bearer":
        raise Unauthorized(f"esquema não suportado {scheme[:20]!r}: {usage}")
    if not given.strip():
        raise Unauthorized(f"o token depois de 'Bearer' está vazio: {usage}")
    return given.strip()


def check_caller(request: Request) -> None:
    """FastAPI dependency of POST /: authentication, then the caller's rate limit."""
    state = request.app.state
    tokens: tuple[str, ...] = state.settings.tokens
    key = _iam_caller(request)
    if tokens:
        given = _bearer(request.headers.get("authorization", "")).encode()
        match = [i for i, t in enumerate(tokens) if hmac.compare_digest(given, t.encode())]
        if not match:
            raise Unauthorized("o token Bearer não é válido")
        key = f"token:{match[0]}"
    limiter: RateLimiter | None = state.rate_limiter
    if limiter is not None and key:
        wait = limiter.take(key)
        if wait > 0:
            raise TooManyRequests(
                f"requisições demais para este {'token' if tokens else 'chamador'} "
                f"(limite de {state.settings.rate_limit_per_minute} por minuto); "
                "tente de novo mais tarde",
                wait,
            )


def _iam_caller(request: Request) -> str:
    """The IAM caller of a signed Lambda function URL (Mangum keeps the event), or ""."""
    event = request.scope.get("aws.event")
    if not isinstance(event, dict):
        return ""
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    iam = authorizer.get("iam") if isinstance(authorizer, dict) else None
    if not isinstance(iam, dict):
        return ""
    caller = iam.get("userArn") or iam.get("callerId") or iam.get("accessKey")
    return f"iam:{caller}" if caller else ""
