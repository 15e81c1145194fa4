"""CLI: `punch`, `employees`, `ledger`, and `export` from `export_cli` (registered by app.cli)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from app.core.errors import PontoVozError
from app.punch import export_cli
from app.store.ledger import Ledger
from app.store.models import PUNCH_TYPES


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("punch", help="record a punch (the kiosk's path, without the GUI)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--pin")
    who.add_argument("--badge")
    p.add_argument("--type", type=_punch_type, help="ENTRADA, INTERVALO/PAUSA, RETORNO, SAIDA")
    p.add_argument("--audio", type=Path, required=True, help="the spoken phrase (audio file)")
    p.set_defaults(func=cmd_punch)

    e = sub.add_parser("employees", help="add, list, deactivate employees")
    esub = e.add_subparsers(dest="action", required=True)
    add = esub.add_parser("add")
    add.add_argument("--name", required=True)
    add.add_argument("--cpf", required=True)
    add.add_argument("--pin", required=True)
    add.add_argument("--badge")
    add.set_defaults(func=cmd_employees_add)
    lst = esub.add_parser("list", help="JSON lines, no secrets")
    lst.set_defaults(func=cmd_employees_list)
    deact = esub.add_parser("deactivate")
    deact.add_argument("cpf")
    deact.set_defaults(func=cmd_employees_deactivate)

    g = sub.add_parser("ledger", help="check or annotate the punch ledger")
    gsub = g.add_subparsers(dest="action", required=True)
    ver = gsub.add_parser("verify", help="walk the hash chain; exit 1 at the first bad NSR")
    ver.set_defaults(func=cmd_ledger_verify)
    cor = gsub.add_parser("correct", help="annotate a punch (never edits it)")
    cor.add_argument("uuid")
    cor.add_argument("--author", required=True)
    cor.add_argument("--note", required=True)
    cor.add_argument("--type", type=_punch_type, dest="new_type")
    cor.set_defaults(func=cmd_ledger_correct)
    pur = gsub.add_parser("purge-audio", help="delete voice audio past its retention")
    pur.set_defaults(func=cmd_ledger_purge)
    bak = gsub.add_parser("backup", help="consistent copy of the ledger and its key file")
    bak.add_argument("folder", type=Path)
    bak.set_defaults(func=cmd_ledger_backup)

    export_cli.register(sub)


def _punch_type(text: str) -> str:
    from app.core.config import DEFAULT_PUNCH_TYPES
    from app.core.phrase import canonical_type

    kind = canonical_type(text, DEFAULT_PUNCH_TYPES)
    if kind not in PUNCH_TYPES:
        raise argparse.ArgumentTypeError(f"unknown punch type {text!r}")
    return kind


def _print(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def cmd_punch(args: argparse.Namespace) -> int:
    from app.core.verifier import Verifier
    from app.punch.service import PunchService, PunchSettings
    from app.settings import engine_options
    from app.sync.config import SyncConfig

    if not args.audio.is_file():
        raise PontoVozError(f"audio file not found: {args.audio}")
    with Ledger.open() as ledger:
        service = PunchService(
            ledger, Verifier(engine_options()), PunchSettings(sync=SyncConfig.load())
        )
        employee = service.identify(pin=args.pin, badge=args.badge)
        if employee is None:
            print("error: unknown PIN or badge", file=sys.stderr)
            return 2
        kind = args.type or service.next_type(employee)
        punch, result = service.punch_once(employee, kind, args.audio)
        record = punch.to_dict()
        record["verify"] = result.to_dict() if result else None
        _print(record)
    return 0


def cmd_employees_add(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        _print(ledger.add_employee(args.name, args.cpf, args.pin, args.badge).to_dict())
    return 0


def cmd_employees_list(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        for emp in ledger.list_employees():
            _print(emp.to_dict())
    return 0


def cmd_employees_deactivate(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        _print(ledger.deactivate_employee(args.cpf).to_dict())
    return 0


def cmd_ledger_verify(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        report = ledger.verify_chain()
    if report.ok:
        print(f"ok: {report.punches} punches, {report.corrections} corrections, chain intact")
        return 0
    where = f"first bad NSR {report.first_bad_nsr}" if report.first_bad_nsr else "corrections"
    print(f"BROKEN: {where}", file=sys.stderr)
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def cmd_ledger_backup(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        print(ledger.backup(args.folder))
    return 0


def cmd_ledger_correct(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        c = ledger.add_correction(args.uuid, args.author, args.note, new_type=args.new_type)
    _print(c.__dict__)
    return 0


def cmd_ledger_purge(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        print(f"purged audio of {ledger.purge_audio()} punches")
    return 0
