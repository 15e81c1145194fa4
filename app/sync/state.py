"""What the sync worker must remember between runs, beside the ledger: the count of
consecutive failures (so the backoff keeps growing across `sync run`s and restarts) and a
credentials refusal (401/403), with a fingerprint of the URL and token it was refused for.

A small JSON file next to the ledger (``sync-state.json``, 0600), written atomically. It holds
no secret (the token is only in the fingerprint, a truncated SHA-256). Losing it costs at most
one early retry: the retry *times* themselves live in the ledger's outbox.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.sync.config import SyncConfig

log = logging.getLogger(__name__)
FILE_NAME = "sync-state.json"


@dataclass(frozen=True)
class SyncState:
    failures: int = 0  # consecutive transient failures (reset by any verdict)
    auth_error: str = ""  # the endpoint's 401/403 answer, while it lasts
    auth_status: int = 0
    auth_key: str = ""  # fingerprint of the (url, token) that was refused
    since: float = 0.0  # epoch of the first failure of the current run of failures

    def replace(self, **changes: object) -> SyncState:
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def credentials_key(config: SyncConfig) -> str:
    """Changes when the admin changes the URL or the token (so a fix is noticed at once)."""
    raw = f"{config.url}\n{config.token or ''}".encode()
    return hashlib.sha256(raw).hexdigest()[:16]


def state_path(ledger_path: Path) -> Path:
    return Path(ledger_path).with_name(FILE_NAME)


def load(path: Path) -> SyncState:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        names = {f.name for f in dataclasses.fields(SyncState)}
        state = SyncState(**{k: v for k, v in data.items() if k in names})
        return state.replace(failures=max(0, int(state.failures)))
    except FileNotFoundError:
        return SyncState()
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        log.warning("sync state %s unreadable (%s); starting from zero", path, exc)
        return SyncState()


def save(path: Path, state: SyncState) -> None:
    """Atomic replace; a failure to write is logged, never raised (sync goes on)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".sync-state-", dir=path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(dataclasses.asdict(state), f)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("cannot save the sync state to %s: %s", path, exc)
