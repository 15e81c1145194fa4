"""`python -m app central users add`: the first HR/IT login of the web back office.

The password comes from PONTOVOZ_HR_PASSWORD when set (scripts, tests); otherwise a random one
is generated and printed once. Later users are added on the Usuários page.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys


def register(cs: argparse._SubParsersAction) -> None:
    users = cs.add_parser("users", help="usuários do painel web (RH, gestor, TI)")
    us = users.add_subparsers(dest="users_cmd", required=True)
    add = us.add_parser("add", help="cria um usuário do painel web")
    add.add_argument("--database-url")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=("rh", "gestor", "ti"), default="rh")
    add.set_defaults(func=cmd_users_add)


def cmd_users_add(args: argparse.Namespace) -> int:
    from app.central import auth
    from app.central.cli import _sessions
    from app.central.db import session_scope

    given = os.environ.get("PONTOVOZ_HR_PASSWORD", "")
    password = given or secrets.token_urlsafe(12)
    if args.role == "gestor":
        print("erro: crie gestores pela página Usuários (precisam de uma equipe)", file=sys.stderr)
        return 2
    try:
        with session_scope(_sessions(args)) as s:
            auth.create_user(s, args.username, args.name, password, args.role)
    except auth.AuthError as exc:
        print(f"erro: {exc}", file=sys.stderr)
        return 2
    print(f"usuário {args.username.strip().lower()} criado ({auth.ROLE_NAMES[args.role]})")
    if not given:
        print(f"senha: {password}  (anote agora: ela não é mostrada de novo)")
    return 0
