"""uvicorn's h11 protocol with the guards a public server needs (docs/SECURITY.md, "The Speech API
against slow and flooding clients").

- A request head (request line + headers) must arrive within ``header_timeout_seconds`` of the
  connection opening or of its first byte; a connection that sends nothing, or trickles its
  headers, is closed (uvicorn alone never closes it: 300 such connections starved ``/health``).
  Idle keep-alive connections are closed by uvicorn's own ``timeout_keep_alive``.
- Past ``max_connections`` open connections a new one gets a JSON 503 and is closed at once,
  before the process can run out of file descriptors.
- uvicorn's own 400 (malformed HTTP) is JSON like every other error (pt-BR, like the app's).

Settings come from ``ApiSettings`` (``guarded_protocol(settings)``), or from the environment
in ``serve``'s worker processes, which import this class by name.
"""

from __future__ import annotations

import asyncio
import http
import json
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.api.settings import ApiSettings
from app.core.errors import br_number


def raw_json_response(status: int, message: str, headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 response that closes the connection (written outside h11)."""
    body = json.dumps({"error": message}).encode()
    lines = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}"]
    fields = {
        "content-type": "application/json",
        "content-length": str(len(body)),
        "connection": "close",
        **(headers or {}),
    }
    lines += [f"{k}: {v}" for k, v in fields.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class GuardedH11Protocol(H11Protocol):
    settings: ClassVar[ApiSettings | None] = None  # None: from the environment, once

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = type(self)._limits()
        self._head_timeout = limits.header_timeout_seconds
        self._max_connections = limits.max_connections
        self._head_timer: asyncio.TimerHandle | None = None

    @classmethod
    def _limits(cls) -> ApiSettings:
        if cls.settings is None:
            cls.settings = ApiSettings.from_env()
        return cls.settings

    # ---- asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self._max_connections:
            self._refuse(
                503, "o servidor tem conexões abertas demais; tente de novo mais tarde", "2"
            )
            return
        self._watch_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._watch_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self._cancel_head_timer()
        self._refuse(
            400,
            "requisição HTTP/1.1 inválida (linha de requisição ou cabeçalho malformado, ou "
            "cabeçalhos acima do limite de tamanho)",
        )

    # ---- the request-head timer -------------------------------------------------------------

    def _waiting_for_head(self) -> bool:
        busy = self.cycle is not None and not self.cycle.response_complete
        return self.conn.their_state is h11.IDLE and not busy

    def _watch_head(self) -> None:
        if self.transport.is_closing() or not self._waiting_for_head():
            self._cancel_head_timer()
        elif self._head_timer is None and self.timeout_keep_alive_task is None:
            # Between requests uvicorn's keep-alive timer rules; from the first byte, ours.
            self._head_timer = self.loop.call_later(self._head_timeout, self._head_expired)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_expired(self) -> None:
        self._head_timer = None
        if self.transport.is_closing() or not self._waiting_for_head():
            return
        if self.conn.trailing_data[0]:  # part of a request head arrived, then too slowly
            self._refuse(
                408,
                "a linha de requisição e os cabeçalhos não chegaram em "
                f"{br_number(self._head_timeout)} s",
            )
        else:  # an idle connection that never sent a byte: just close it
            self.transport.close()

    def _refuse(self, status: int, message: str, retry_after: str = "") -> None:
        headers = {"retry-after": retry_after} if retry_after else None
        if not self.transport.is_closing():
            self.transport.write(raw_json_response(status, message, headers))
            self.transport.close()


def guarded_protocol(settings: ApiSettings) -> type[GuardedH11Protocol]:
    """The protocol class bound to explicit settings (tests, in-process servers)."""
    return type("GuardedH11Protocol", (GuardedH11Protocol,), {"settings": settings})
