"""Central's roster pepper, in its own file beside the ledger (``<ledger>.roster.key``, 0600).

Below both the ledger (which reads it at open and copies it in a backup) and `app.store.roster`
(which the sync uses to save it after a join), so neither imports the other for it.
"""

from __future__ import annotations

import os
from pathlib import Path

from app.store.db import FILE_MODE


def roster_key_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".roster.key")


def save_roster_key(db_path: Path, pepper: bytes) -> None:
    """Keep Central's roster pepper beside the ledger (atomic, 0600). Open ledgers read it at
    open: restart the kiosk after joining."""
    if len(pepper) < 16:
        raise ValueError("roster pepper too short")
    path = roster_key_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as f:
        f.write(pepper)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_roster_key(db_path: Path) -> bytes | None:
    path = roster_key_path(db_path)
    return path.read_bytes() if path.is_file() else None
