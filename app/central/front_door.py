"""Central's front door: a pure ASGI middleware that decides on a request before its body is read.

An unauthenticated 300 MB POST to ``/api/v1/punches`` used to be read whole (and parsed) before
the token was looked at: Central reached 1.41 GB. Here, in this order, before the first body byte:

1. a declared ``Content-Length`` above the path's limit gets 413 at once (``Connection: close``);
2. on the kiosk API (every path that needs a kiosk), the ``Authorization`` token is looked up:
   unknown, missing or revoked gets 401 at once, with the same pt-BR words as the routes;
3. the memory every admitted body may take (``BODY_COST`` times its declared size, or the
   path's limit for a chunked one) is budgeted (``max_inflight``): past it, 503 with
   ``Retry-After`` (the kiosk keeps its punches and retries). One body is always admitted.

Then the body is read here by the reader both servers share (``app.http_body``), counted (a
chunked body past the limit gets 413 as soon as it passes it) and timed (a body that trickles in
slower than ``min_rate`` after a grace period gets 408), and handed to the app whole. Memory is
bounded by ``max_inflight`` whatever clients send.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http_body import (
    BadLength,
    BodyRefused,
    BodyTiming,
    MemoryBudget,
    TooLarge,
    TooSlow,
    asgi_chunks,
    declared_length,
    read_bounded,
)

MB = 1024 * 1024
#: Peak bytes of memory per byte of an admitted body while it is handled (measured with 5 MB
#: bodies: the body here, Starlette's copy, the JSON text and what pydantic builds; rounded up).
BODY_COST = 4


@dataclass(frozen=True)
class DoorLimits:
    """Body limits per path (exact, or a prefix ending in "/", longest first), and the shared
    in-flight memory budget."""

    by_prefix: dict[str, int] = field(
        default_factory=lambda: {
            "/api/v1/punches": 32 * MB,  # 20 punches with audio are ~4 MB; 200 without, ~0.3 MB
            "/api/v1/employees": 16 * MB,  # 20,000 people at most
            "/api/": 1 * MB,
            "/": 2 * MB,  # the HR pages: forms only
        }
    )
    max_inflight: int = 128 * MB  # memory all admitted bodies may take (BODY_COST each)
    timeout_s: float = 120.0
    min_rate: float = 16 * 1024  # bytes/s on average, after the grace period
    grace_s: float = 5.0

    @property
    def timing(self) -> BodyTiming:
        return BodyTiming(self.timeout_s, self.min_rate, self.grace_s)

    def limit_for(self, path: str) -> int:
        """A key ending in "/" is a prefix; any other is that exact path (so that
        "/api/v1/punchesX", which no route serves and no token guards, gets the small limit)."""
        if path in self.by_prefix and not path.endswith("/"):
            return self.by_prefix[path]
        for prefix in sorted(self.by_prefix, key=len, reverse=True):
            if prefix.endswith("/") and path.startswith(prefix):
                return self.by_prefix[prefix]
        return min(self.by_prefix.values())


#: Kiosk API paths that need a kiosk token (enroll and time do not).
KIOSK_PATHS = frozenset(
    {"/api/v1/roster", "/api/v1/head", "/api/v1/employees", "/api/v1/punches", "/api/v1/anchors"}
)


class Refused(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


#: ``check_token(authorization header or None) -> None`` or raise Refused(401, ...).
TokenCheck = Callable[[str | None], None]


class FrontDoor:
    def __init__(self, app: ASGIApp, check_token: TokenCheck, limits: DoorLimits | None = None):
        self.app = app
        self.check_token = check_token
        self.limits = limits or DoorLimits()
        self.budget = MemoryBudget(self.limits.max_inflight)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.limits.limit_for(path)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            declared = declared_length(headers.get("content-length"), limit)
            if path in KIOSK_PATHS and scope.get("method") != "OPTIONS":
                await to_thread.run_sync(self.check_token, headers.get("authorization"))
        except BodyRefused as exc:
            await _answer(send, _refused(exc, limit))
            return
        except Refused as exc:
            await _answer(send, exc)
            return
        if scope.get("method") in ("GET", "HEAD", "OPTIONS", "DELETE") and not declared:
            await self.app(scope, receive, send)
            return
        reserve = BODY_COST * (declared if declared is not None else limit)
        if not self.budget.take(reserve):
            await _answer(send, Refused(503, _BUSY, {"Retry-After": "5"}))
            return
        try:
            try:
                body = await read_bounded(asgi_chunks(receive), limit, self.limits.timing)
            except BodyRefused as exc:
                await _answer(send, _refused(exc, limit))
                return
            await self.app(scope, _replay(body, receive), send)
        finally:
            self.budget.give(reserve)


_BUSY = "a Central está recebendo dados demais ao mesmo tempo; tente de novo em instantes"


def _too_large(limit: int) -> str:
    return f"o corpo da requisição passa do limite de {limit // MB} MB deste endereço"


def _refused(exc: BodyRefused, limit: int) -> Refused:
    """The shared body reader's refusal in Central's words."""
    close = {"Connection": "close"}
    if isinstance(exc, TooLarge):
        return Refused(413, _too_large(limit), close)
    if isinstance(exc, TooSlow):
        return Refused(
            408,
            f"o corpo da requisição chega devagar demais ({exc.received} bytes em "
            f"{exc.waited:.0f} s)",
            close,
        )
    if isinstance(exc, BadLength):
        return Refused(400, "o cabeçalho Content-Length não é um número", close)
    return Refused(400, "o cliente desconectou antes de enviar o corpo")  # Disconnected


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body as one message, then whatever the client sends next (a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(send: Send, exc: Refused) -> None:
    """A JSON error like the routes' (``{"error": ...}``), sent before the body is read."""
    payload = json.dumps({"error": str(exc)}, ensure_ascii=False).encode()
    headers = {"content-type": "application/json", **{k.lower(): v for k, v in exc.headers.items()}}
    if exc.status == 401:
        headers["www-authenticate"] = "Bearer"
    headers.setdefault("connection", "close")  # the body was not read: this connection is done
    raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(payload)).encode()))
    await send({"type": "http.response.start", "status": exc.status, "headers": raw})
    await send({"type": "http.response.body", "body": payload})
