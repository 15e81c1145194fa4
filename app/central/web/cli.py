"""`python -m app central users add`: HR/IT/gestor logins of the web back office.

The first account (``scripts/central.sh`` prints the command) is RH or TI; both create the others
on the Usuários page. A gestor needs a team: ``--equipe NAME`` (created when new). The password
comes from PONTOVOZ_HR_PASSWORD when set (scripts, tests); otherwise a random one is generated
and printed once. Every account made here is in the audit log as the terminal's OS user.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys

from app.central.cli_common import sessions


def register(cs: argparse._SubParsersAction) -> None:
    users = cs.add_parser("users", help="usuários do painel web (RH, gestor, TI)")
    us = users.add_subparsers(dest="users_cmd", required=True)
    add = us.add_parser("add", help="cria um usuário do painel web")
    add.add_argument("--database-url")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=("rh", "gestor", "ti"), default="rh")
    add.add_argument("--equipe", help="equipe do gestor (criada se não existir)")
    add.set_defaults(func=cmd_users_add)


def cmd_users_add(args: argparse.Namespace) -> int:
    from sqlalchemy import func, select

    from app.central import auth
    from app.central.db import session_scope
    from app.central.hr_models import Team
    from app.central.hr_models import User as UserRow

    given = os.environ.get("PONTOVOZ_HR_PASSWORD", "")
    password = given or secrets.token_urlsafe(12)
    who = auth.terminal_user()
    team_name = " ".join((args.equipe or "").split())[:120]
    if args.role == "gestor" and not team_name:
        print('erro: um gestor precisa de uma equipe: use --equipe "Nome da equipe"',
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        with session_scope(sessions(args)) as s:
            if args.role == "gestor" and not s.scalar(select(func.count(UserRow.id))):
                print("erro: o primeiro usuário precisa ser RH ou TI (é ele quem cria os outros)",
                      file=sys.stderr)  # fmt: skip
                return 2
            team_id = None
            if args.role == "gestor":
                team = s.scalar(select(Team).where(Team.name == team_name))
                if team is None:
                    team = Team(name=team_name)
                    s.add(team)
                    s.flush()
                    auth.audit_terminal(s, who, "equipe_criada", f"equipe:{team.id}",
                                        {"nome": team_name})  # fmt: skip
                team_id = team.id
            auth.create_user(s, args.username, args.name, password, args.role, team_id, who=who)
    except auth.AuthError as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 2
    extra = f", equipe {team_name}" if team_id is not None else ""
    print(f"usuário {args.username.strip().lower()} criado ({auth.ROLE_NAMES[args.role]}{extra})")
    if not given:
        print(f"senha: {password}  (anote agora: ela não é mostrada de novo)")
    return 0
