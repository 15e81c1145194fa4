"""Settings of the HTTP front: one frozen dataclass, from defaults, the environment and flags.

The engine's own options (threads, workers, model) stay in ``app.core.config``; these only
shape the HTTP surface: body limit, the bounded queue in front of the verifier, optional auth.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.core.coerce import from_sources
from app.core.errors import ConfigError

ENV_PREFIX = "PONTOVOZ_API_"
#: AWS Lambda's synchronous payload limit (6 MB = 6,291,456 bytes), also our default.
LAMBDA_PAYLOAD_LIMIT = 6 * 1024 * 1024


@dataclass(frozen=True)
class ApiSettings:
    max_body_bytes: int = LAMBDA_PAYLOAD_LIMIT
    # Verifications running at once; 0 means "the engine's num_workers".
    concurrency: int = 0
    # Requests allowed to wait for a slot; more than that are answered 503 at once.
    max_queue: int = 32
    # Longest time a request may wait for a slot before it is answered 503.
    max_wait_seconds: float = 30.0
    # Longest time to receive the request body (a stalled client must not hold a slot).
    body_timeout_seconds: float = 30.0
    # After a 5 s grace, a body must average at least this many bytes/s (slow-body guard).
    min_body_rate_bytes: int = 16 * 1024
    # Shared secret(s) for ``Authorization: Bearer``, comma-separated (one per kiosk or client,
    # each with its own rate limit); empty: no auth (only for 127.0.0.1 or an IAM-signed URL).
    auth_token: str = field(default="", repr=False)
    # Requests per minute each token (or, without auth, each client address) may make to POST /;
    # more get 429 with Retry-After. 0 turns the limit off.
    rate_limit_per_minute: int = 120
    # Lambda: accept function URL requests without a token even when the URL is not IAM-signed
    # (a public, free transcription service for anyone: never in production).
    allow_anonymous: bool = False
    # Bytes of request bodies being handled at once (each admitted body counts 4x its size:
    # raw body, JSON text, decoded audio, decoder). Past it, 503 before the body is read.
    max_inflight_bytes: int = 48 * 1024 * 1024
    # The request line and headers must arrive within this many seconds (slow-header guard).
    header_timeout_seconds: float = 5.0
    # Open connections per process; more are answered 503 and closed at once.
    max_connections: int = 512

    def __post_init__(self) -> None:
        if not 1024 <= self.max_body_bytes <= 64 * 1024 * 1024:
            raise ConfigError("max_body_bytes deve estar entre 1 KiB e 64 MiB")
        if not 0 <= self.concurrency <= 64:
            raise ConfigError("concurrency deve estar entre 0 e 64")
        if not 0 <= self.max_queue <= 10_000:
            raise ConfigError("max_queue deve estar entre 0 e 10000")
        if not 0.0 <= self.max_wait_seconds <= 600.0:
            raise ConfigError("max_wait_seconds deve estar entre 0 e 600")
        if not 0.1 <= self.body_timeout_seconds <= 600.0:
            raise ConfigError("body_timeout_seconds deve estar entre 0,1 e 600")
        if not 0 <= self.min_body_rate_bytes <= 100 * 1024 * 1024:
            raise ConfigError("min_body_rate_bytes deve estar entre 0 e 100 MiB")
        if not 0 <= self.rate_limit_per_minute <= 1_000_000:
            raise ConfigError("rate_limit_per_minute deve estar entre 0 e 1000000")
        if not self.max_body_bytes <= self.max_inflight_bytes <= 4 * 1024**3:
            raise ConfigError("max_inflight_bytes deve estar entre max_body_bytes e 4 GiB")
        if not 0.1 <= self.header_timeout_seconds <= 300.0:
            raise ConfigError("header_timeout_seconds deve estar entre 0,1 e 300")
        if not 1 <= self.max_connections <= 100_000:
            raise ConfigError("max_connections deve estar entre 1 e 100000")

    @property
    def tokens(self) -> tuple[str, ...]:
        return tuple(t.strip() for t in self.auth_token.split(",") if t.strip())

    def replace(self, **changes: Any) -> ApiSettings:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None
    ) -> ApiSettings:
        """``PONTOVOZ_API_<FIELD>`` variables, then explicit overrides (None = not given)."""
        return from_sources(
            cls,
            env=os.environ if env is None else env,
            prefix=ENV_PREFIX,
            overrides=overrides,
            what="API",
        )
