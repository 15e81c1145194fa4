"""HR users: argon2 password hashes, server-side sessions, CSRF tokens, roles and the audit log.

- Passwords: argon2id (argon2-cffi defaults); a hash made with older parameters is upgraded on
  the next successful login.
- Sessions: the cookie holds a random token; the table holds only its SHA-256 (a stolen database
  does not log anyone in), with an expiry and the session's CSRF token, which every form echoes.
- Roles: ``rh`` does everything HR does; ``gestor`` sees and treats only the employees of their
  team; ``ti`` manages kiosks and users and sees the audit log, but not timesheets.
- Every change goes through ``audit()`` in the same transaction as the change itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.central import throttle
from app.central.hr_models import ROLES, AuditEntry, User, WebSession

SESSION_HOURS = 10
_ph = PasswordHasher()
# Verified against when the username does not exist, so both paths take the same time.
_DUMMY = _ph.hash("pontovoz-dummy-password")

ROLE_NAMES = {"rh": "RH", "gestor": "Gestor", "ti": "TI"}

# What each role may do (checked by the web layer on every route).
PERMISSIONS: dict[str, frozenset[str]] = {
    "rh": frozenset(
        {
            "today",
            "employees",
            "edit_employees",
            "punches",
            "review",
            "timesheets",
            "exports",
            "personal_exports",  # AEJ and AFD: every employee's punches
            "audit",
            "users",  # RH creates gestores and the other logins (docs/CENTRAL-HR.md)
        }
    ),
    "gestor": frozenset({"today", "employees", "punches", "review", "timesheets"}),
    # TI keeps the Exportações page (kiosk zones, employer data), not the AEJ/AFD files
    "ti": frozenset({"today", "kiosks", "users", "audit", "exports"}),
}


class AuthError(Exception):
    """Login refused; the message is pt-BR and safe to show."""


class TooManyAttempts(AuthError):
    """Login refused before the password was checked: too many failures (``throttle``)."""

    def __init__(self, wait_s: int) -> None:
        super().__init__(throttle.message(wait_s))
        self.wait_s = max(1, wait_s)


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    name: str
    role: str
    team_id: int | None
    csrf: str

    def can(self, permission: str) -> bool:
        return permission in PERMISSIONS.get(self.role, frozenset())

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)


def hash_password(password: str) -> str:
    if len(password) < 8:
        raise AuthError("A senha precisa ter pelo menos 8 caracteres.")
    return _ph.hash(password)


def create_user(
    s: Session,
    username: str,
    name: str,
    password: str,
    role: str,
    team_id: int | None = None,
    actor: CurrentUser | None = None,
    who: str = "",
) -> User:
    """A new login; audited as ``actor`` (web) or ``who`` (the terminal, ``terminal_user()``)."""
    username = username.strip().lower()
    if role not in ROLES:
        raise AuthError("Perfil inválido.")
    if not username or not name.strip():
        raise AuthError("Informe usuário e nome.")
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise AuthError("Esse usuário já existe.")
    user = User(
        username=username,
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
        team_id=team_id,
        active=True,
    )
    s.add(user)
    s.flush()
    detail = {"username": username, "nome": user.name, "role": role}
    if who and actor is None:
        audit_terminal(s, who, "usuario_criado", f"usuario:{user.id}", detail)
    else:
        audit(s, actor, "usuario_criado", f"usuario:{user.id}", detail)
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(s: Session, username: str, password: str, address: str = "") -> tuple[str, CurrentUser]:
    """Check the password and open a session; returns (cookie token, user). ``address``: the
    client's, for throttling (with the account). Raises TooManyAttempts while either must wait."""
    verdict = throttle.check(s, username, address)
    if verdict.wait_s:
        detail = {"username": username[:80], "endereco": address, "espera_s": verdict.wait_s}
        audit(s, None, "login_bloqueado", "", detail)
        raise TooManyAttempts(verdict.wait_s)
    user = s.scalar(select(User).where(User.username == username.strip().lower()))
    try:
        _ph.verify(user.password_hash if user else _DUMMY, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        user_ok = False
    else:
        user_ok = user is not None
    if not user_ok or user is None or not user.active:
        wait = throttle.failed(s, username, address)
        audit(s, None, "login_recusado", "",
              {"username": username[:80], "endereco": address, "espera_s": wait})  # fmt: skip
        raise AuthError("Usuário ou senha incorretos.")
    throttle.succeeded(s, username)
    if _ph.check_needs_rehash(user.password_hash):
        user.password_hash = _ph.hash(password)
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    sess = WebSession(
        token_hash=_token_hash(token),
        user_id=user.id,
        csrf=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + timedelta(hours=SESSION_HOURS),
    )
    s.add(sess)
    s.execute(delete(WebSession).where(WebSession.expires_at < now))
    current = _current(user, sess.csrf)
    audit(s, current, "login", f"usuario:{user.id}")
    return token, current


def _current(user: User, csrf: str) -> CurrentUser:
    return CurrentUser(user.id, user.username, user.name, user.role, user.team_id, csrf)


def session_user(s: Session, token: str | None) -> CurrentUser | None:
    if not token:
        return None
    row = s.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _token_hash(token))
    ).first()
    if row is None:
        return None
    sess, user = row
    if sess.expires_at < datetime.now(UTC) or not user.active:
        return None
    return _current(user, sess.csrf)


def logout(s: Session, token: str | None, user: CurrentUser | None) -> None:
    if token:
        s.execute(delete(WebSession).where(WebSession.token_hash == _token_hash(token)))
    if user:
        audit(s, user, "logout", f"usuario:{user.id}")


def csrf_ok(user: CurrentUser, sent: str | None) -> bool:
    return bool(sent) and hmac.compare_digest(user.csrf, sent or "")


def audit(
    s: Session,
    actor: CurrentUser | None,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> None:
    """Append one audit entry (same transaction as the change it records)."""
    s.add(
        AuditEntry(
            user_id=actor.id if actor else None,
            username=actor.username if actor else "",
            action=action,
            target=target,
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
        )
    )


def terminal_user() -> str:
    """Who ran a command on Central's machine: ``terminal:<OS login>`` (the audit log shows it
    as "linha de comando (<login>)")."""
    import getpass

    try:
        return f"terminal:{getpass.getuser()}"
    except (KeyError, OSError):
        return "terminal"


def audit_terminal(
    s: Session, who: str, action: str, target: str = "", detail: dict[str, Any] | None = None
) -> None:
    """Append one audit entry for a change made on the command line (no web user)."""
    s.add(
        AuditEntry(
            user_id=None,
            username=who[:80],
            action=action,
            target=target,
            detail=json.dumps(detail or {}, ensure_ascii=False, default=str),
        )
    )
