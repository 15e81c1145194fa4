"""CLI: `sync status`, `sync run`, `sync retry-failed` (registered by app.cli)."""

from __future__ import annotations

import argparse
import json
import time
from dataclasses import asdict

from app.store.ledger import Ledger
from app.sync.config import SyncConfig
from app.sync.worker import SyncWorker


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="cloud sync queue: status, run, retry-failed")
    psub = p.add_subparsers(dest="action", required=True)
    psub.add_parser("status", help="queue length and last error (JSON)").set_defaults(
        func=cmd_status
    )
    run = psub.add_parser("run", help="send what is due until the queue is empty or time is up")
    run.add_argument("--max-seconds", type=float, default=60.0)
    run.set_defaults(func=cmd_run)
    retry = psub.add_parser("retry-failed", help="put items refused with 4xx back in the queue")
    retry.set_defaults(func=cmd_retry)


def cmd_status(args: argparse.Namespace) -> int:
    config = SyncConfig.load()
    with Ledger.open() as ledger:
        counts = ledger.outbox_counts()
    print(json.dumps({"mode": config.mode, "url": config.url, **asdict(counts)}))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    config = SyncConfig.load()
    if not config.enabled:
        print("sync is off: set the 'sync' section of settings.json or PONTOVOZ_SYNC_URL/_MODE")
        return 2
    deadline = time.monotonic() + args.max_seconds
    with Ledger.open() as ledger:
        worker = SyncWorker(ledger, config)
        recorded = 0
        try:
            while time.monotonic() < deadline:
                result = worker.run_once()
                recorded += result.recorded
                if result.deferred or not result.sent:
                    break
        finally:
            worker.stop()
        status = worker.status()
    print(json.dumps({"recorded": recorded, "pending": status.pending, "failed": status.failed,
                      "last_error": status.last_error}))  # fmt: skip
    return 0 if status.pending == 0 else 1


def cmd_retry(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        print(f"{ledger.outbox_retry_failed()} items back in the queue")
    return 0
