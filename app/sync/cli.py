"""CLI: `sync status`, `sync run`, `sync retry-failed` (registered by app.cli).

Messages are for IT, in Brazilian Portuguese; the JSON keys stay stable for scripts.
Exit codes of `sync run`: 0 everything sent, 1 something still pending or failed,
2 sync is off, 3 the endpoint refuses this kiosk's credentials (fix the settings).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict

from app.core.safe_text import printable
from app.store.ledger import Ledger
from app.sync.config import SyncConfig
from app.sync.worker import SyncStatus, SyncWorker

EXIT_OK, EXIT_LEFT, EXIT_OFF, EXIT_CONFIG = 0, 1, 2, 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="fila de sincronização com a nuvem: status, run, retry-failed")
    psub = p.add_subparsers(dest="action", required=True)
    psub.add_parser("status", help="tamanho da fila e último erro (JSON)").set_defaults(
        func=cmd_status
    )
    run = psub.add_parser(
        "run",
        help="envia o que estiver na vez até a fila esvaziar ou o tempo acabar",
        description="Saída 0: tudo enviado; 1: restam itens pendentes ou recusados; "
        "2: sincronização desligada; 3: a nuvem recusa as credenciais (corrija as configurações).",
    )
    run.add_argument("--max-seconds", type=float, default=60.0)
    run.set_defaults(func=cmd_run)
    retry = psub.add_parser(
        "retry-failed", help="devolve à fila os itens recusados pela nuvem (4xx)"
    )
    retry.set_defaults(func=cmd_retry)


def _report(status: SyncStatus, **extra: object) -> dict:
    data = asdict(status)
    data.update(extra)
    return data


def cmd_status(args: argparse.Namespace) -> int:
    config = SyncConfig.load()
    with Ledger.open() as ledger:
        if not config.enabled:
            counts = ledger.outbox_counts()
            print(json.dumps({"mode": config.mode, "url": config.url, **asdict(counts)}))
            return 0
        worker = SyncWorker(ledger, config)
        try:
            status = worker.status()
        finally:
            worker.stop()
    print(json.dumps(_report(status, url=config.url)))
    if status.config_error:
        print(f"erro de configuração: {printable(status.config_error)}", file=sys.stderr)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    config = SyncConfig.load()
    if not config.enabled:
        print(
            "a sincronização está desligada: configure a seção 'sync' do settings.json "
            "ou PONTOVOZ_SYNC_URL/_MODE",
            file=sys.stderr,
        )
        return EXIT_OFF
    deadline = time.monotonic() + args.max_seconds
    with Ledger.open() as ledger:
        worker = SyncWorker(ledger, config)
        recorded = failed = 0
        try:
            while time.monotonic() < deadline:
                result = worker.run_once()
                recorded += result.recorded
                failed += result.failed
                if result.deferred or not result.sent:
                    break
        finally:
            worker.stop()
        status = worker.status()
    print(json.dumps(_report(status, recorded=recorded, failed_now=failed)))
    if status.config_error:
        print(f"erro de configuração: {printable(status.config_error)}", file=sys.stderr)
        return EXIT_CONFIG
    if status.pending or status.failed:
        what = []
        if status.pending:
            what.append(f"{status.pending} pendente(s)")
        if status.failed:
            what.append(f"{status.failed} recusado(s) (veja 'sync retry-failed')")
        print(f"sincronização incompleta: {', '.join(what)}", file=sys.stderr)
        if status.last_error:
            print(f"último erro: {printable(status.last_error)}", file=sys.stderr)
        return EXIT_LEFT
    return EXIT_OK


def cmd_retry(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        print(f"{ledger.outbox_retry_failed()} item(ns) de volta à fila")
    return 0
