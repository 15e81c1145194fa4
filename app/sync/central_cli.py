"""`python -m app central join|sync|status`: the kiosk's own commands for PontoVoz Central.

They live with the kiosk's sync (not in `app.central`, the server, which the kiosk bundle
leaves out), so a bundled kiosk joins and syncs from the command line. `app.cli` makes the
``central`` command and hands its subparsers to this module and, where the server is
installed, to `app.central.cli`.

    central join --url URL --code CODE [--name NOME]
    central sync      exit 0 all at Central and checked; 1 records left to send; 2 failure;
                      3 divergence or conflict between this kiosk's records and Central's
    central status    the ``central`` settings section as JSON (token hidden); exit 3 when the
                      last sync found a divergence or conflict
"""

from __future__ import annotations

import argparse
import json
import sys

from app.store.ledger import Ledger
from app.sync.central import CentralSync
from app.sync.central_join import join
from app.sync.central_settings import CentralSection


def register(cs: argparse._SubParsersAction) -> None:
    """Add join/sync/status to the ``central`` command's subparsers ``cs``."""
    p = cs.add_parser("join", help="liga este quiosque a uma Central")
    p.add_argument("--url", required=True)
    p.add_argument("--code", required=True)
    p.add_argument("--name", default="")
    p.set_defaults(func=cmd_join)
    cs.add_parser(
        "sync",
        help="envia as marcações e recebe o roster agora",
        description="Saída 0: tudo na Central e conferido; 1: ainda há registros por enviar;"
        " 2: falha (Central inacessível, credencial recusada, kiosk_id mudou); 3: divergência"
        " ou conflito entre os registros deste terminal e os da Central.",
    ).set_defaults(func=cmd_sync)
    cs.add_parser(
        "status",
        help="situação da ligação com a Central (JSON)",
        description="Saída 0: sem problema conhecido; 3: a última sincronização encontrou"
        " divergência ou conflito.",
    ).set_defaults(func=cmd_status)


def cmd_join(args: argparse.Namespace) -> int:
    before = CentralSection.load()
    section = join(args.url, args.code, args.name)
    if before.enabled:
        print(
            f"novo cadastro: este terminal era o REP nº {before.rep_number or before.kiosk:02d}"
            f" da Central {before.url}; a credencial antiga deixa de ser usada aqui"
        )
    print(
        f"quiosque ligado à Central {section.url} (quiosque nº {section.kiosk},"
        f" REP nº {section.rep_number:02d}, kiosk_id {section.ledger_kiosk_id!r})"
    )
    print("reinicie o quiosque para usar os funcionários da Central; rode 'central sync' agora")
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        sync = CentralSync(ledger, CentralSection.load())
        try:
            result = sync.run_once()
        finally:
            sync.stop()
    print(json.dumps({**result.__dict__, "pending": result.pending}, ensure_ascii=False))
    if result.problems:
        for line in result.problems:
            print(f"ERRO: {line}", file=sys.stderr)
        print("avise o administrador da Central (página Hoje → quarentena)", file=sys.stderr)
        return 3
    if result.pending:
        print(f"ainda há {result.pending} registro(s) por enviar", file=sys.stderr)
        return 1
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    section = CentralSection.load()
    shown = {**section.__dict__, "token": "***" if section.token else ""}
    print(json.dumps(shown, ensure_ascii=False))
    if section.problem:
        print(f"ERRO: {section.problem}", file=sys.stderr)
        return 3
    return 0
