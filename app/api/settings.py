"""Settings of the HTTP front: one frozen dataclass, from defaults, the environment and flags.

The engine's own options (threads, workers, model) stay in ``app.core.config``; these only
shape the HTTP surface: body limit, the bounded queue in front of the verifier, optional auth.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
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
    # Shared secret for ``Authorization: Bearer``; empty: no auth (the seed's clients send none).
    auth_token: str = ""

    def __post_init__(self) -> None:
        if not 1024 <= self.max_body_bytes <= 64 * 1024 * 1024:
            raise ConfigError("max_body_bytes must be between 1 KiB and 64 MiB")
        if not 0 <= self.concurrency <= 64:
            raise ConfigError("concurrency must be between 0 and 64")
        if not 0 <= self.max_queue <= 10_000:
            raise ConfigError("max_queue must be between 0 and 10000")
        if not 0.0 <= self.max_wait_seconds <= 600.0:
            raise ConfigError("max_wait_seconds must be between 0 and 600")
        if not 0.1 <= self.body_timeout_seconds <= 600.0:
            raise ConfigError("body_timeout_seconds must be between 0.1 and 600")

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
            what="API setting",
        )
