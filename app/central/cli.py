"""`python -m app central ...`: the Central server's commands.

serve, migrate, db-up, enroll-code, employees add|list|deactivate|consent, kiosks, revoke,
recheck, labels export, and (with the web extra) users add (`app.central.web.cli`). `app.cli`
makes the ``central`` command; the kiosk's own join/sync/status are in `app.sync.central_cli`,
so a kiosk bundle without this package still has them. The database URL: `app.central.cli_common`.
Imports of the server's packages are lazy: a kiosk install without them still builds the parser.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys

from app import paths
from app.central.cli_common import DB_ENV, database_url, sessions
from app.core.errors import ConfigError


def register(cs: argparse._SubParsersAction) -> None:
    """Add the server's commands to the ``central`` command's subparsers ``cs`` (`app.cli`)."""

    def server(name: str, help: str, func) -> argparse.ArgumentParser:
        sp = cs.add_parser(name, help=help)
        sp.add_argument("--database-url", help=f"postgresql://... (ou {DB_ENV})")
        sp.set_defaults(func=func)
        return sp

    serve = server("serve", "inicia a Central (HTTP)", cmd_serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument("--workers", type=int, default=1)
    server("migrate", "cria/atualiza as tabelas (Alembic)", cmd_migrate)
    up = cs.add_parser("db-up", help="cria (uma vez) ou inicia o PostgreSQL local da Central")
    up.add_argument("--pg-port", type=int, default=0, help="porta do PostgreSQL (padrão: livre)")
    up.set_defaults(func=cmd_db_up)
    code = server("enroll-code", "cria um código de cadastro de quiosque (uso único)", cmd_code)
    code.add_argument("--label", default="")
    code.add_argument("--hours", type=float, default=24.0)
    emp = cs.add_parser("employees", help="funcionários na Central")
    es = emp.add_subparsers(dest="emp_cmd", required=True)
    add = es.add_parser("add", help="cadastra um funcionário")
    add.add_argument("--database-url")
    add.add_argument("--name", required=True)
    add.add_argument("--cpf", required=True)
    add.add_argument("--pin", required=True)
    add.add_argument("--badge")
    add.add_argument("--kiosks", help="ids de quiosque separados por vírgula (padrão: todos)")
    add.add_argument("--admissao", help="data de admissão (AAAA-MM-DD)")
    add.add_argument("--cargo", default="", help="cargo (espelho e AEJ)")
    add.set_defaults(func=cmd_emp_add)
    lst = es.add_parser("list", help="lista os funcionários (JSON)")
    lst.add_argument("--database-url")
    lst.set_defaults(func=cmd_emp_list)
    de = es.add_parser("deactivate", help="desativa um funcionário (sai do roster)")
    de.add_argument("--database-url")
    de.add_argument("--cpf", required=True)
    de.set_defaults(func=cmd_emp_deactivate)
    co = es.add_parser(
        "consent",
        help="registra ou revoga o consentimento para usar o áudio da voz (LGPD)",
        description="Consentimento do funcionário para que o áudio das marcações revisadas seja"
        " exportado para melhorar o reconhecimento de voz do ponto. Revogável a qualquer"
        " momento: revogado, o áudio dele não é mais exportado.",
    )
    co.add_argument("--database-url")
    co.add_argument("--cpf", required=True)
    co.add_argument("--revoke", "--revogar", action="store_true", dest="revoke",
                    help="revoga o consentimento")  # fmt: skip
    co.set_defaults(func=cmd_emp_consent)
    server("kiosks", "quiosques: âncora, lacunas, relógio, eventos (JSON)", cmd_kiosks)
    rv = server("revoke", "revoga a credencial de um quiosque", cmd_revoke)
    rv.add_argument("kiosk", type=int)
    rc = server("recheck", "reverifica na Central as marcações sinalizadas com áudio", cmd_recheck)
    rc.add_argument("--limit", type=int, default=100)
    lab = cs.add_parser("labels", help="marcações revisadas como dados rotulados de voz")
    ls = lab.add_subparsers(dest="labels_cmd", required=True)
    ex = ls.add_parser(
        "export",
        help="exporta as marcações revisadas (manifesto do 'eval'), com áudio só de quem consentiu",
        description="Grava PASTA/manifest.jsonl e PASTA/audio/: cada marcação sinalizada e"
        " revisada vira um exemplo rotulado (aprovada: frase verdadeira recusada; rejeitada:"
        " negativo). Só há áudio de funcionários com consentimento registrado; os demais são"
        " pulados. Sem nomes nem CPFs. Fica registrado na auditoria.",
    )
    ex.add_argument("--database-url", help=f"postgresql://... (ou {DB_ENV})")
    ex.add_argument("--out", required=True, metavar="PASTA", help="pasta de destino")
    ex.add_argument("--from", dest="first", metavar="AAAA-MM-DD", help="primeiro dia")
    ex.add_argument("--to", dest="last", metavar="AAAA-MM-DD", help="último dia")
    ex.set_defaults(func=cmd_labels_export)

    if importlib.util.find_spec("jinja2") is None:
        return  # a kiosk install (no `central` extra): no HR web logins
    from app.central.web.cli import register as register_users  # HR web logins

    register_users(cs)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.central.db import migrate

    url = database_url(args)
    migrate(url)
    os.environ[DB_ENV] = url
    print(f"PontoVoz Central em http://{args.host}:{args.port}", flush=True)
    uvicorn.run(
        "app.central.app:from_env", factory=True, host=args.host, port=args.port,
        workers=args.workers, log_level="warning", timeout_graceful_shutdown=5,
    )  # fmt: skip
    return 0


def cmd_db_up(args: argparse.Namespace) -> int:
    """A local cluster under PONTOVOZ_HOME/postgres; its URL saved in config/central.json."""
    from app.central import pgcluster
    from app.central.db import migrate

    home = paths.data_dir().parent
    conf = paths.config_dir() / "central.json"
    root = home / "postgres"
    if conf.is_file() and (root / "pgdata").is_dir():
        saved = json.loads(conf.read_text(encoding="utf-8"))
        cluster = pgcluster.Cluster(root, int(saved["pg_port"]), password=saved["pg_password"])
        if not cluster.running():
            cluster.start()
        print(f"PostgreSQL da Central iniciado (porta {cluster.port})")
    else:
        cluster = pgcluster.create(root, args.pg_port or None)
        conf.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            saved = {"database_url": cluster.url, "pg_port": cluster.port,
                     "pg_password": cluster.password}  # fmt: skip
            json.dump(saved, f, indent=2)
        print(f"PostgreSQL da Central criado em {root} (porta {cluster.port})")
    migrate(cluster.url)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from app.central.db import migrate

    migrate(database_url(args))
    print("banco da Central atualizado")
    return 0


def cmd_code(args: argparse.Namespace) -> int:
    from app.central import auth, service
    from app.central.db import session_scope

    with session_scope(sessions(args)) as s:
        code = service.create_code(s, args.label, args.hours)
        auth.audit_terminal(s, auth.terminal_user(), "codigo_quiosque_criado", "",
                            {"rotulo": args.label, "horas": args.hours})  # fmt: skip
    print(code)
    print(f"válido por {args.hours:g} h, uma única vez: no quiosque, informe o endereço da Central")
    print(f"e este código (python -m app central join --url URL --code {code})", file=sys.stderr)
    return 0


def cmd_emp_add(args: argparse.Namespace) -> int:
    from datetime import date

    from app.central import auth, service
    from app.central.db import session_scope

    kiosks = [int(k) for k in args.kiosks.split(",") if k.strip()] if args.kiosks else None
    try:
        admission = date.fromisoformat(args.admissao) if args.admissao else None
    except ValueError:
        raise ConfigError(
            f"data de admissão inválida: {args.admissao!r} (use AAAA-MM-DD)"
        ) from None
    with session_scope(sessions(args)) as s:
        emp = service.add_employee(
            s, args.name, args.cpf, args.pin, args.badge, kiosks, admission, args.cargo
        )
        auth.audit_terminal(s, auth.terminal_user(), "funcionario_criado",
                            f"funcionario:{emp.id}", {"nome": emp.name})  # fmt: skip
        print(json.dumps({"id": emp.id, "name": emp.name, "cpf": emp.cpf}, ensure_ascii=False))
    return 0


def cmd_emp_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from app.central.db import session_scope
    from app.central.models import Employee

    with session_scope(sessions(args)) as s:
        for e in s.scalars(select(Employee).order_by(Employee.name.collate("pt_br_nome"))):
            row = {"id": e.id, "name": e.name, "cpf": e.cpf, "active": e.active}
            print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_emp_deactivate(args: argparse.Namespace) -> int:
    from app.central import auth, service
    from app.central.db import session_scope

    with session_scope(sessions(args)) as s:
        emp = service.set_active(s, args.cpf, False)
        auth.audit_terminal(s, auth.terminal_user(), "funcionario_desativado",
                            f"funcionario:{emp.id}", {"nome": emp.name})  # fmt: skip
        print(f"{emp.name} desativado(a): sai do roster na próxima sincronização")
    return 0


def _terminal_user() -> str:
    import getpass

    try:
        return f"terminal:{getpass.getuser()}"
    except (KeyError, OSError):
        return "terminal"


def cmd_emp_consent(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from app.central import voice_labels
    from app.central.db import session_scope
    from app.central.errors import NotFound
    from app.central.models import Employee
    from app.rep.cpf import normalize_cpf

    with session_scope(sessions(args)) as s:
        cpf = normalize_cpf(args.cpf)
        emp = s.scalars(select(Employee).where(Employee.cpf == cpf)).first()
        if emp is None:
            raise NotFound(f"nenhum funcionário com CPF {args.cpf}")
        changed = voice_labels.set_consent(s, emp, not args.revoke, None, _terminal_user())
        if args.revoke:
            print(f"{emp.name}: consentimento de voz revogado" if changed
                  else f"{emp.name}: não havia consentimento de voz")  # fmt: skip
            print("o áudio dele(a) não sai mais nas exportações; cópias já entregues devem ser"
                  " apagadas por quem as recebeu")  # fmt: skip
        else:
            print(f"{emp.name}: consentimento de voz registrado" if changed
                  else f"{emp.name}: já havia consentimento de voz")  # fmt: skip
            print(f"finalidade: {voice_labels.PURPOSE}")
    return 0


def _day(value: str | None, what: str):
    from datetime import date

    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{what} inválida: {value!r} (use AAAA-MM-DD)") from None


def cmd_labels_export(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.central import voice_labels
    from app.central.ptbr import plural

    first, last = _day(args.first, "data inicial"), _day(args.last, "data final")
    r = voice_labels.export_labels(
        sessions(args), Path(args.out), first, last, who=_terminal_user()
    )
    punches = ("marcação", "marcações")
    print(f"{plural(r.exported, 'marcação exportada', 'marcações exportadas')} em {args.out}"
          f" ({plural(r.approved, 'aprovada', 'aprovadas')},"
          f" {plural(r.rejected, 'rejeitada', 'rejeitadas')};"
          f" {plural(r.speakers, 'pessoa', 'pessoas')}, por código)")  # fmt: skip
    if r.without_consent:
        print(f"{plural(r.without_consent, 'marcação pulada', 'marcações puladas')}:"
              " funcionário sem consentimento de voz")  # fmt: skip
    if r.without_audio:
        print(f"{plural(r.without_audio, *punches)} sem áudio na Central (quiosque sem retenção)")
    if r.bad_audio:
        print(f"{plural(r.bad_audio, *punches)} com áudio em formato desconhecido (não WAV)")
    if r.removed:
        gone = "removido" if r.removed == 1 else "removidos"
        print(f"{plural(r.removed, 'áudio', 'áudios')} de exportação anterior {gone}:"
              " deixaram de ser permitidos")  # fmt: skip
    return 0


def cmd_kiosks(args: argparse.Namespace) -> int:
    from app.central import service
    from app.central.db import session_scope

    with session_scope(sessions(args)) as s:
        for row in service.kiosk_report(s):
            print(json.dumps(row, ensure_ascii=False))
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    from app.central import auth, service
    from app.central.db import session_scope

    with session_scope(sessions(args)) as s:
        kiosk = service.revoke(s, args.kiosk)
        auth.audit_terminal(s, auth.terminal_user(), "quiosque_revogado", f"quiosque:{kiosk.id}",
                            {"nome": kiosk.name})  # fmt: skip
        print(f"quiosque {kiosk.id} ({kiosk.name}) revogado: a credencial não vale mais")
    return 0


def cmd_recheck(args: argparse.Namespace) -> int:
    from app.central.recheck import recheck_flagged

    done = recheck_flagged(sessions(args), limit=args.limit)
    print(json.dumps({"rechecked": done}))
    return 0
