"""CLI: `punch`, `employees`, `receipt`, `ledger`, and `export` from `export_cli` (registered
by app.cli).

Messages a person reads are pt-BR on stderr (`app.punch.words`); JSON on stdout stays as is for
scripts. Exit codes: 0 done; 2 refused or failed (unknown PIN, locked, bad input, store error);
3 `punch` not recorded because the same type was punched moments ago (repeat with --force).
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path

from app.core.errors import PontoVozError
from app.punch import export_cli, words
from app.store.ledger import Ledger
from app.store.models import PUNCH_TYPES
from app.store.receipt import parse_receipt_code

EXIT_DUPLICATE = 3


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("punch", help="registra uma marcação (o caminho do terminal, sem a tela)")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--pin")
    who.add_argument("--badge", help="crachá")
    p.add_argument("--type", type=_punch_type, help="ENTRADA, INTERVALO/PAUSA, RETORNO, SAIDA")
    p.add_argument("--audio", type=Path, required=True, help="a frase falada (arquivo de áudio)")
    p.add_argument(
        "--force",
        action="store_true",
        help="registra mesmo se o mesmo tipo foi marcado agora há pouco",
    )
    p.set_defaults(func=_pt(cmd_punch))

    e = sub.add_parser("employees", help="cadastra, lista e desativa funcionários")
    esub = e.add_subparsers(dest="action", required=True)
    add = esub.add_parser("add", help="cadastra um funcionário")
    add.add_argument("--name", required=True, help="nome completo")
    add.add_argument("--cpf", required=True)
    add.add_argument("--pin", required=True, help="4 a 8 dígitos, não óbvio (ex.: não 1234)")
    add.add_argument("--badge", help="crachá (opcional)")
    add.set_defaults(func=_pt(cmd_employees_add))
    lst = esub.add_parser("list", help="uma linha JSON por funcionário, sem segredos")
    lst.set_defaults(func=_pt(cmd_employees_list))
    deact = esub.add_parser("deactivate", help="desativa (o histórico fica)")
    deact.add_argument("cpf")
    deact.set_defaults(func=_pt(cmd_employees_deactivate))

    r = sub.add_parser("receipt", help="confere um comprovante pelo QR ou pelo código hash")
    rsub = r.add_subparsers(dest="action", required=True)
    chk = rsub.add_parser(
        "check", help='confere "PV1|terminal|NSR|hash" ou o código hash com os registros'
    )
    chk.add_argument(
        "code",
        help="o texto do QR, a linha Conferência ou o código hash do comprovante "
        "(da tela ou do PDF; espaços e quebras de linha são ignorados)",
    )
    chk.set_defaults(func=_pt(cmd_receipt_check))

    g = sub.add_parser("ledger", help="confere ou anota o livro de marcações")
    gsub = g.add_subparsers(dest="action", required=True)
    ver = gsub.add_parser(
        "verify",
        help="confere a cadeia de registros (código de saída 1 no primeiro NSR com problema)",
    )
    ver.set_defaults(func=_pt(cmd_ledger_verify))
    cor = gsub.add_parser("correct", help="anota uma correção (a marcação nunca é alterada)")
    cor.add_argument("uuid")
    cor.add_argument("--author", required=True)
    cor.add_argument("--note", required=True)
    cor.add_argument("--type", type=_punch_type, dest="new_type")
    cor.set_defaults(func=_pt(cmd_ledger_correct))
    pur = gsub.add_parser("purge-audio", help="apaga o áudio de voz com retenção vencida")
    pur.set_defaults(func=_pt(cmd_ledger_purge))
    bak = gsub.add_parser("backup", help="cópia consistente dos registros e da chave")
    bak.add_argument("folder", type=Path)
    bak.set_defaults(func=_pt(cmd_ledger_backup))
    export_cli.register_ledger_config(gsub)

    export_cli.register(sub)


def _punch_type(text: str) -> str:
    from app.core.config import DEFAULT_PUNCH_TYPES
    from app.core.phrase import canonical_type

    kind = canonical_type(text, DEFAULT_PUNCH_TYPES)
    if kind not in PUNCH_TYPES:
        raise argparse.ArgumentTypeError(
            f"tipo de marcação desconhecido {text!r}: use ENTRADA, INTERVALO, RETORNO ou SAIDA"
        )
    return kind


def _pt(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Errors become one pt-BR line on stderr (exit 2), never an English message or a trace."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except PontoVozError as exc:
            return _fail(words.user_message(exc))

    return run


def _fail(message: str, code: int = 2) -> int:
    print(f"erro: {message}", file=sys.stderr, flush=True)
    return code


def _print(obj: object) -> None:
    print(json.dumps(obj, ensure_ascii=False), flush=True)


def cmd_punch(args: argparse.Namespace) -> int:
    from app.core.verifier import Verifier
    from app.punch.service import PunchService, PunchSettings
    from app.settings import engine_options

    if not args.audio.is_file():
        return _fail(f"arquivo de áudio não encontrado: {args.audio}")
    with Ledger.open() as ledger:
        service = PunchService(ledger, Verifier(engine_options()), PunchSettings.load())
        # LockedOut (pt-BR, exit 2) while locked and on the failure that starts a lock
        employee = service.identify(pin=args.pin, badge=args.badge, report_lock=True)
        if employee is None:
            return _fail(words.UNKNOWN_ID)
        kind = args.type or service.next_type(employee)
        twin = service.duplicate_of(employee, kind)
        if twin is not None and not args.force:
            return _fail(words.duplicate_message(twin.type, twin.punched_at), EXIT_DUPLICATE)
        punch, result = service.punch_once(employee, kind, args.audio)
        record = punch.to_dict()
        record["verify"] = result.to_dict() if result else None
        _print(record)
        if punch.flagged:
            print(f"aviso: marcação registrada para revisão ({punch.flag_reason})", file=sys.stderr)
    return 0


def cmd_employees_add(args: argparse.Namespace) -> int:
    from app.punch.pins import check_new_pin, stored_admin_pin_hash

    with Ledger.open() as ledger:
        pin = check_new_pin(args.pin, admin_pin_hash=stored_admin_pin_hash(), ledger=ledger)
        _print(ledger.add_employee(args.name, args.cpf, pin, args.badge).to_dict())
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


def cmd_receipt_check(args: argparse.Namespace) -> int:
    """Exit 0 when one punch in the ledger carries this code (QR text, or the hash as read off
    the kiosk's screen or the PDF); 1 when none does (or a short code fits several)."""
    try:
        code = parse_receipt_code(args.code)
    except ValueError as exc:
        return _fail(str(exc))
    with Ledger.open() as ledger:
        kiosks = ledger.kiosks() if code.kiosk is None else [code.kiosk]
        known = set(ledger.kiosks())
        punches = [p for k in kiosks if k in known for p in ledger.punches(kiosk_id=k)]
    if code.kiosk is not None:
        at = [p for p in punches if p.nsr == code.nsr]
        if not at:
            print(f"NÃO CONFERE: não há marcação NSR {code.nsr:09d} do terminal {code.kiosk}.",
                  file=sys.stderr)  # fmt: skip
            return 1
        if not code.matches(at[0]):
            print(f"NÃO CONFERE: o hash da marcação NSR {code.nsr:09d} é outro.", file=sys.stderr)
            return 1
        found = at
    else:
        found = [p for p in punches if code.matches(p)]
    if not found:
        print("NÃO CONFERE: nenhuma marcação tem este código hash.", file=sys.stderr)
        return 1
    if len(found) > 1:
        print("NÃO CONFERE: o código é curto demais e serve a mais de uma marcação; "
              "digite o código hash inteiro.", file=sys.stderr)  # fmt: skip
        return 1
    p = found[0]
    print(words.receipt_ok(p.nsr, p.type, p.punched_at, p.employee_name))
    return 0


def cmd_ledger_verify(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        report = ledger.verify_chain()
    for warning in report.warnings:
        print(f"aviso: {warning}", file=sys.stderr)
    if report.ok:
        print(
            f"ok: {report.punches} marcações, {report.events} outros registros do REP e "
            f"{report.corrections} correções; cadeia íntegra"
        )
        return 0
    where = f"primeiro NSR com problema: {report.first_bad_nsr}" if report.first_bad_nsr else ""
    print(
        f"ATENÇÃO: os registros não conferem (alteração, apagamento ou dano). {where}".strip(),
        file=sys.stderr,
    )
    print("Detalhes técnicos (para o suporte):", file=sys.stderr)
    for problem in report.problems:
        print(f"  {problem}", file=sys.stderr)
    return 1


def cmd_ledger_backup(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        print(f"cópia de segurança gravada: {ledger.backup(args.folder)}")
    return 0


def cmd_ledger_correct(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        c = ledger.add_correction(args.uuid, args.author, args.note, new_type=args.new_type)
    _print(c.__dict__)
    return 0


def cmd_ledger_purge(args: argparse.Namespace) -> int:
    with Ledger.open() as ledger:
        print(f"áudio apagado de {ledger.purge_audio()} marcações (retenção vencida)")
    return 0
