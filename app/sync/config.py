"""Sync settings: where the cloud endpoint is and how the kiosk uses it.

Modes: "off" (default: nothing leaves the kiosk), "confirm" (local verdict first; the cloud
confirms in the background), "cloud-first" (the cloud decides within ``cloud_first_timeout_s``;
the local verdict is used when it is unreachable). Read from the ``sync`` section of
``settings.json`` and then ``PONTOVOZ_SYNC_MODE`` / ``_URL`` / ``_TOKEN``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from app import settings
from app.core.coerce import from_sources
from app.core.errors import ConfigError

SyncMode = Literal["off", "confirm", "cloud-first"]
MODES: tuple[str, ...] = ("off", "confirm", "cloud-first")


@dataclass(frozen=True)
class SyncConfig:
    mode: SyncMode = "off"
    url: str = ""
    token: str | None = None  # sent as "Authorization: Bearer <token>"
    timeout_s: float = 10.0  # background confirmation request
    cloud_first_timeout_s: float = 2.5  # the kiosk waits at most this long for a cloud verdict
    batch_size: int = 50
    backoff_base_s: float = 2.0
    backoff_max_s: float = 300.0
    poll_interval_s: float = 5.0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ConfigError(
                f"o modo de sincronização deve ser um destes: {', '.join(MODES)}; "
                f"recebido {self.mode!r}"
            )
        if self.mode != "off" and not self.url.startswith(("http://", "https://")):
            raise ConfigError(
                "a sincronização precisa de um endereço (URL) que comece com http:// ou https://"
            )
        if not 0.1 <= self.timeout_s <= 120 or not 0.1 <= self.cloud_first_timeout_s <= 30:
            raise ConfigError(
                "os tempos limite da sincronização devem estar entre 0,1 s e 120 s "
                "(cloud-first: 30 s)"
            )
        if not 1 <= self.batch_size <= 1000:
            raise ConfigError("batch_size da sincronização deve estar entre 1 e 1000")
        if not 0.01 <= self.backoff_base_s <= self.backoff_max_s <= 86400:
            raise ConfigError("o backoff da sincronização deve ter 0,01 <= base <= máx. <= 86400 s")
        if not 0.01 <= self.poll_interval_s <= 3600:
            raise ConfigError("poll_interval_s da sincronização deve estar entre 0,01 e 3600")

    @property
    def enabled(self) -> bool:
        return self.mode != "off"

    def replace(self, **changes: Any) -> SyncConfig:
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any], env: Mapping[str, str] | None = None
    ) -> SyncConfig:
        """From the ``sync`` section of the settings file, then ``PONTOVOZ_SYNC_*``."""
        return from_sources(
            cls,
            section,
            env=os.environ if env is None else env,
            prefix="PONTOVOZ_SYNC_",
            env_keys=("mode", "url", "token"),
            what="sincronização",
        )

    @classmethod
    def load(
        cls, settings_file: Path | None = None, env: Mapping[str, str] | None = None
    ) -> SyncConfig:
        return cls.from_section(settings.section("sync", settings_file), env)
