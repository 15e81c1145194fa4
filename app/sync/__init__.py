"""Optional cloud sync: a background worker that sends each punch's audio and phrase to the
cloud endpoint and records the verdict beside the punch (never changing it)."""

from app.sync.client import CloudClient, CloudRejected, CloudUnavailable, CloudVerdict, SyncError
from app.sync.config import MODES, SyncConfig
from app.sync.worker import SyncPass, SyncStatus, SyncWorker

__all__ = [
    "MODES",
    "CloudClient",
    "CloudRejected",
    "CloudUnavailable",
    "CloudVerdict",
    "SyncConfig",
    "SyncError",
    "SyncPass",
    "SyncStatus",
    "SyncWorker",
]
